package io.s3imagetovideo.submit;

import io.s3imagetovideo.support.LocalStackBackend;
import io.s3imagetovideo.support.S3Backend;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.localstack.LocalStackContainer;

/** Exactly-once submission against LocalStack's S3 where Docker runs; skipped cleanly where it does not. */
@Testcontainers(disabledWithoutDocker = true)
class ExactlyOnceFunctionLocalStackTest extends ExactlyOnceContract {

    @Container
    static final LocalStackContainer LOCALSTACK = LocalStackBackend.newContainer();

    @Override
    protected S3Backend backend() {
        return new LocalStackBackend(LOCALSTACK);
    }
}
