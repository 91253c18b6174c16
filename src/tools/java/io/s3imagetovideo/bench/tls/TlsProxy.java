package io.s3imagetovideo.bench.tls;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;

/**
 * HTTPS in front of one of the benchmark's plain-HTTP servers (S3Proxy, ElasticMQ, the API stand-in):
 * it terminates TLS with the test CA's certificate and pipes the bytes to the server, so that the
 * function does over the loopback what it does against AWS, handshake and record encryption included.
 * Its own CPU is in the benchmark's process, not the function's.
 */
public final class TlsProxy implements AutoCloseable {

    private final ServerSocket socket;
    private final InetSocketAddress backend;
    private final ExecutorService pipes = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tls-proxy");
        t.setDaemon(true);
        return t;
    });

    public TlsProxy(SSLContext tls, URI backend) throws IOException {
        this.socket = tls.getServerSocketFactory().createServerSocket(0, 200, InetAddress.getLoopbackAddress());
        this.backend = new InetSocketAddress(backend.getHost(), backend.getPort());
        pipes.execute(this::accept);
    }

    public URI endpoint() {
        return URI.create("https://127.0.0.1:" + socket.getLocalPort());
    }

    private void accept() {
        while (!socket.isClosed()) {
            try {
                Socket client = socket.accept();
                pipes.execute(() -> connect(client));
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void connect(Socket client) {
        try (client; Socket server = new Socket(backend.getAddress(), backend.getPort())) {
            client.setTcpNoDelay(true);
            server.setTcpNoDelay(true);
            var upstream = pipes.submit(() -> pipe(client.getInputStream(), server.getOutputStream(), server));
            pipe(server.getInputStream(), client.getOutputStream(), client);
            upstream.get();
        } catch (Exception e) {
            // a connection closed by either side ends here
        }
    }

    private static Void pipe(InputStream in, OutputStream out, Socket to) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } finally {
            if (!(to instanceof javax.net.ssl.SSLSocket)) {
                to.shutdownOutput();
            } else {
                to.close();
            }
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        socket.close();
        pipes.shutdownNow();
    }
}
