package io.s3imagetovideo.support;

import java.net.URI;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.nio2blob.FilesystemNio2BlobStore;
import org.gaul.s3proxy.nio2blob.TransientNio2BlobStore;

/** A real S3 server (S3Proxy) in this JVM, on a free loopback port, with SigV4 authentication. */
public final class S3ProxyServer implements AutoCloseable {

    public static final String ACCESS_KEY = "local-access-key";
    public static final String SECRET_KEY = "local-secret-key";

    private final S3Proxy proxy;

    private S3ProxyServer(BlobStore store) throws Exception {
        proxy = S3Proxy.builder()
                .blobStore(new AtomicConditionalWrites(store))
                .endpoint(URI.create("http://127.0.0.1:0"))
                .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
                .build();
        proxy.start();
        while (!proxy.getState().equals("STARTED")) {
            Thread.sleep(10);
        }
    }

    /** Objects held in memory, gone when the server stops. */
    public static S3ProxyServer inMemory() throws Exception {
        return new S3ProxyServer(new TransientNio2BlobStore());
    }

    /** Objects kept as files below {@code directory}: one folder per bucket. */
    public static S3ProxyServer onDisk(String directory) throws Exception {
        return new S3ProxyServer(new FilesystemNio2BlobStore(directory));
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + proxy.getPort());
    }

    @Override
    public void close() throws Exception {
        proxy.stop();
    }
}
