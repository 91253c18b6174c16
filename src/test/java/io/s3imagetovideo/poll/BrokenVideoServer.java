package io.s3imagetovideo.poll;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A video host whose downloads break half-way: it announces the whole video's length, sends the
 * first {@code sentBytes}, then resets the connection. WireMock's faults break a response before or
 * instead of its body; this one breaks it in the middle, after S3 has already received parts.
 */
final class BrokenVideoServer implements AutoCloseable {

    /** Enough for a test; the server stops accepting after this many requests. */
    private static final int MAX_REQUESTS = 20;

    private final ServerSocket socket;
    private final byte[] video;
    private final int sentBytes;
    private final AtomicInteger requests = new AtomicInteger();
    private final Thread acceptor;

    BrokenVideoServer(byte[] video, int sentBytes) throws IOException {
        this.socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
        this.video = video;
        this.sentBytes = sentBytes;
        this.acceptor = Thread.ofPlatform().daemon().name("broken-video-server").start(this::serve);
    }

    URI url(String pathAndQuery) {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort() + pathAndQuery);
    }

    int requests() {
        return requests.get();
    }

    private void serve() {
        while (!socket.isClosed() && requests.get() < MAX_REQUESTS) {
            try (Socket client = socket.accept()) {
                requests.incrementAndGet();
                readRequestHead(client.getInputStream());
                OutputStream out = client.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: video/mp4\r\nContent-Length: " + video.length
                        + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.write(video, 0, sentBytes);
                out.flush();
                client.setSoLinger(true, 0); // close with a reset, as a dropped connection looks
            } catch (IOException e) {
                // closed by close(), or the client went away: either way, next request
            }
        }
    }

    private static void readRequestHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        int b;
        while (matched < end.length && (b = in.read()) != -1) {
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
        try {
            acceptor.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
