package io.s3imagetovideo.support;

import java.net.URI;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** JUnit extension: one in-memory S3Proxy for a test class. */
public final class S3ProxyBackend implements S3Backend, BeforeAllCallback, AfterAllCallback {

    private S3ProxyServer server;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        server = S3ProxyServer.inMemory();
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
