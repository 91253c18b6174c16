package io.s3imagetovideo.submit;

import io.s3imagetovideo.support.S3Backend;
import io.s3imagetovideo.support.S3ProxyBackend;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The submit function against S3Proxy, a real S3 server in this JVM. */
class SubmitFunctionS3ProxyTest extends SubmitFunctionContract {

    @RegisterExtension
    static final S3ProxyBackend S3 = new S3ProxyBackend();

    @Override
    protected S3Backend backend() {
        return S3;
    }
}
