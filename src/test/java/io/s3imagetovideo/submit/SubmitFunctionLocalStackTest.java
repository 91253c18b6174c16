package io.s3imagetovideo.submit;

import io.s3imagetovideo.support.LocalStackBackend;
import io.s3imagetovideo.support.S3Backend;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.localstack.LocalStackContainer;

/** The same suite against LocalStack where Docker runs; skipped cleanly where it does not. */
@Testcontainers(disabledWithoutDocker = true)
class SubmitFunctionLocalStackTest extends SubmitFunctionContract {

    @Container
    static final LocalStackContainer LOCALSTACK = LocalStackBackend.newContainer();

    @Override
    protected S3Backend backend() {
        return new LocalStackBackend(LOCALSTACK);
    }
}
