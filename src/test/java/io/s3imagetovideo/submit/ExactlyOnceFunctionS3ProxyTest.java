package io.s3imagetovideo.submit;

import io.s3imagetovideo.support.S3Backend;
import io.s3imagetovideo.support.S3ProxyBackend;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Exactly-once submission against S3Proxy's conditional writes. */
class ExactlyOnceFunctionS3ProxyTest extends ExactlyOnceContract {

    @RegisterExtension
    static final S3ProxyBackend S3 = new S3ProxyBackend();

    @Override
    protected S3Backend backend() {
        return S3;
    }
}
