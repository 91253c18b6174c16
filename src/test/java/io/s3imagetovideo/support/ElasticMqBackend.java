package io.s3imagetovideo.support;

import java.net.URI;
import java.util.UUID;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * JUnit extension: one ElasticMQ (a real SQS server, delays and visibility timeouts included) in this
 * JVM on a free loopback port, for a test class.
 */
public final class ElasticMqBackend implements BeforeAllCallback, AfterAllCallback {

    private SQSRestServer server;
    private URI endpoint;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = SQSRestServerBuilder.withDynamicPort().withInterface("127.0.0.1").start();
        int port = server.waitUntilStarted().localAddress().getPort();
        endpoint = URI.create("http://127.0.0.1:" + port);
    }

    @Override
    public void afterAll(ExtensionContext context) {
        server.stopAndWait();
    }

    public URI endpoint() {
        return endpoint;
    }

    /** A client configured the way the function configures its own against a local endpoint. */
    public SqsClient newClient() {
        return SqsClient.builder()
                .endpointOverride(endpoint)
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
                .httpClient(UrlConnectionHttpClient.builder().build())
                .build();
    }

    /** A new, empty queue; its URL. */
    public String newQueue(SqsClient sqs) {
        String name = "poll-" + UUID.randomUUID().toString().substring(0, 8);
        return sqs.createQueue(b -> b.queueName(name)).queueUrl();
    }

    /** A new, empty queue whose failed messages come back after {@code visibilitySeconds}, unless told otherwise. */
    public String newQueue(SqsClient sqs, String prefix, int visibilitySeconds) {
        String name = prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
        return sqs.createQueue(b -> b.queueName(name).attributes(java.util.Map.of(
                software.amazon.awssdk.services.sqs.model.QueueAttributeName.VISIBILITY_TIMEOUT,
                Integer.toString(visibilitySeconds)))).queueUrl();
    }
}
