package io.s3imagetovideo.support;

import java.net.URI;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** JUnit extension: one in-memory S3Proxy for a test class. */
public final class S3ProxyBackend implements S3Backend, BeforeAllCallback, AfterAllCallback {

    private final boolean answersEarly;
    private S3ProxyServer server;

    /** A server that reads every request's body before it answers, as S3 does. */
    public S3ProxyBackend() {
        this(false);
    }

    private S3ProxyBackend(boolean answersEarly) {
        this.answersEarly = answersEarly;
    }

    /** S3Proxy as it comes: see {@link S3ProxyServer#inMemoryAnsweringEarly()}. */
    public static S3ProxyBackend answeringEarly() {
        return new S3ProxyBackend(true);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server = answersEarly ? S3ProxyServer.inMemoryAnsweringEarly() : S3ProxyServer.inMemory();
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        server.close();
    }

    @Override
    public URI endpoint() {
        return server.endpoint();
    }

    @Override
    public String accessKey() {
        return S3ProxyServer.ACCESS_KEY;
    }

    @Override
    public String secretKey() {
        return S3ProxyServer.SECRET_KEY;
    }
}
