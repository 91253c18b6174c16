package io.s3imagetovideo.support;

import java.lang.reflect.Field;
import java.net.URI;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;
import org.gaul.shaded.org.eclipse.jetty.server.Server;

/** A real S3 server (S3Proxy) in this JVM, on a free loopback port, with SigV4 authentication. */
public final class S3ProxyServer implements AutoCloseable {

    public static final String ACCESS_KEY = "local-access-key";
    public static final String SECRET_KEY = "local-secret-key";

    private final S3Proxy proxy;

    private S3ProxyServer(BlobStore store, boolean readWholeBodyFirst) throws Exception {
        proxy = S3Proxy.builder()
                .blobStore(new AtomicConditionalWrites(store))
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        if (readWholeBodyFirst) {
            Server jetty = jettyOf(proxy);
            jetty.setHandler(new WholeRequestBodyFirst(jetty.getHandler()));
        }
        proxy.start();
        while (!proxy.getState().equals("STARTED")) {
            Thread.sleep(10);
        }
    }

    /** Objects held in memory, gone when the server stops; every request's body is read before the answer, as S3 does. */
    public static S3ProxyServer inMemory() throws Exception {
        return new S3ProxyServer(new TransientNio2BlobStore(), true);
    }

    /**
     * S3Proxy as it comes: it may answer a PUT before it has read the body (a failed condition, or
     * an upload whose checksum trailer is still on its way), then close the connection. For the
     * tests that prove the function copes with an early answer.
     */
    public static S3ProxyServer inMemoryAnsweringEarly() throws Exception {
        return new S3ProxyServer(new TransientNio2BlobStore(), false);
    }

    /** Objects kept as files below {@code directory}: one folder per bucket. */
    public static S3ProxyServer onDisk(String directory) throws Exception {
        return new S3ProxyServer(new FilesystemNio2BlobStore(directory), true);
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    /** S3Proxy builds its Jetty server in its constructor and offers no hook into it. */
    private static Server jettyOf(S3Proxy proxy) throws ReflectiveOperationException {
        Field server = S3Proxy.class.getDeclaredField("server");
        server.setAccessible(true);
        return (Server) server.get(proxy);
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
