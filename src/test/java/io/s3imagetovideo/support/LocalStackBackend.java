package io.s3imagetovideo.support;

import java.net.URI;
import org.testcontainers.localstack.LocalStackContainer;
import org.testcontainers.utility.DockerImageName;

/** LocalStack in Docker; pinned to the last image that runs without an auth token. */
public final class LocalStackBackend implements S3Backend {

    public static final DockerImageName IMAGE = DockerImageName.parse("localstack/localstack:4.14.0");

    private final LocalStackContainer container;

    public LocalStackBackend(LocalStackContainer container) {
        this.container = container;
    }

    public static LocalStackContainer newContainer() {
        return new LocalStackContainer(IMAGE).withServices("s3", "sqs");
    }

    @Override
    public URI endpoint() {
        return container.getEndpoint();
    }

    @Override
    public String accessKey() {
        return container.getAccessKey();
    }

    @Override
    public String secretKey() {
        return container.getSecretKey();
    }
}
