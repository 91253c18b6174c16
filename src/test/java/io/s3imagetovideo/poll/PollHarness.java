package io.s3imagetovideo.poll;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.s3imagetovideo.api.ApiKeySource;
import io.s3imagetovideo.api.VideoApiClient;
import io.s3imagetovideo.config.Config;
import io.s3imagetovideo.config.Secret;
import io.s3imagetovideo.submit.SubmitHandler;
import io.s3imagetovideo.support.ElasticMqBackend;
import io.s3imagetovideo.support.FunctionHarness;
import io.s3imagetovideo.support.Images;
import io.s3imagetovideo.support.S3Backend;
import io.s3imagetovideo.support.TestContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The poll function wired to a real S3 server, a real SQS server (ElasticMQ) and WireMock for the
 * video API and for a second host that serves {@code video_url}s. Records are made by the real submit
 * function, which also sends the first status check to the queue.
 */
final class PollHarness implements AutoCloseable {

    static final String PROMPT = "{\"prompt\": \"Let the cow happily take the driving test\", \"seconds\": \"10\"}";
    static final String JOB_ID = FunctionHarness.JOB_ID;
    static final String API_KEY = FunctionHarness.API_KEY;

    final FunctionHarness fh;
    final S3Client s3;
    final WireMockServer api;
    final WireMockServer cdn;
    final SqsClient sqs;
    final String queueUrl;
    final String bucket;
    private final Map<String, String> env = new HashMap<>();

    PollHarness(S3Backend s3Backend, ElasticMqBackend mq) {
        this(new FunctionHarness(s3Backend), mq);
    }

    PollHarness(FunctionHarness fh, ElasticMqBackend mq) {
        this.fh = fh;
        this.s3 = fh.s3;
        this.api = fh.api;
        this.bucket = fh.bucket;
        this.sqs = mq.newClient();
        this.queueUrl = mq.newQueue(sqs);
        this.cdn = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        cdn.start();
        env.put("VIDEO_API_BASE_URL", api.baseUrl());
        env.put("VIDEO_API_KEY", API_KEY);
        env.put("VIDEO_API_MAX_ATTEMPTS", "4");
        env.put("POLL_QUEUE_URL", queueUrl);
        // Checks come back at once unless a test is about the delays: ElasticMQ really waits.
        env.put("POLL_INITIAL_DELAY_SECONDS", "0");
        env.put("POLL_MAX_DELAY_SECONDS", "0");
    }

    PollHarness env(String name, String value) {
        env.put(name, value);
        return this;
    }

    Config config() {
        return Config.fromEnv(env);
    }

    PollHandler pollHandler() {
        return pollHandler(s3);
    }

    PollHandler pollHandler(S3Client s3Client) {
        return pollHandler(s3Client, sqs);
    }

    PollHandler pollHandler(S3Client s3Client, SqsClient sqsClient) {
        Config config = config();
        return new PollHandler(config, s3Client, sqsClient, VideoApiClient.newHttpClient(config.apiConnectTimeout()),
                fh.mapper, ApiKeySource.fixed(new Secret(API_KEY)), fh.clock, fh.sleeper);
    }

    SubmitHandler submitHandler() {
        Config config = config();
        return new SubmitHandler(config, s3, sqs, VideoApiClient.newHttpClient(config.apiConnectTimeout()), fh.mapper,
                ApiKeySource.fixed(new Secret(API_KEY)), fh.clock, fh.sleeper);
    }

    /** Uploads {@code <name>.png} and its prompt and runs the submit function: the job is queued. */
    void submit(String name) {
        submit(name, FunctionHarness.JOB_JSON);
    }

    void submit(String name, String createdJobJson) {
        fh.stubCreate(aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                .withBody(createdJobJson));
        fh.put(name + ".prompt.json", PROMPT);
        fh.put(name + ".png", Images.png(8, 8));
        submitHandler().handleRequest(fh.eventFor(name + ".png"), new TestContext(Duration.ofMinutes(15)));
    }

    /** Invokes a fresh poll handler instance the way Lambda does, with 5 minutes left. */
    SQSBatchResponse poll(SQSEvent event) {
        return poll(pollHandler(), event);
    }

    SQSBatchResponse poll(PollHandler handler, SQSEvent event) {
        return handler.handleRequest(event, new TestContext("poll", Duration.ofMinutes(5), "req"));
    }

    /**
     * Does what the event source mapping does with the next message: receives it, invokes the function,
     * and deletes it unless the function reported it as a failure.
     */
    Delivery pollNext() {
        List<Message> messages = receive(2);
        if (messages.size() != 1) {
            throw new AssertionError("expected one status check in the queue, found " + messages.size());
        }
        SQSBatchResponse response = poll(SqsEvents.of(messages));
        acknowledge(messages, response);
        return new Delivery(messages.get(0), response);
    }

    record Delivery(Message message, SQSBatchResponse response) {
        Set<String> failedIds() {
            return failedIds(response);
        }

        static Set<String> failedIds(SQSBatchResponse response) {
            return response.getBatchItemFailures().stream()
                    .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).collect(Collectors.toSet());
        }
    }

    void acknowledge(List<Message> messages, SQSBatchResponse response) {
        Set<String> failed = Delivery.failedIds(response);
        for (Message m : messages) {
            if (!failed.contains(m.messageId())) {
                sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
            }
        }
    }

    List<Message> receive(int waitSeconds) {
        return sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(waitSeconds)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
    }

    /** Visible, delayed and in-flight messages, as SQS counts them. */
    Map<QueueAttributeName, String> counts() {
        return sqs.getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
    }

    int count(QueueAttributeName name) {
        return Integer.parseInt(counts().get(name));
    }

    JsonNode record(String recordKey) {
        return fh.record(recordKey).orElseThrow(() -> new AssertionError("no record at " + recordKey));
    }

    String etag(String key) {
        return s3.headObject(b -> b.bucket(bucket).key(key)).eTag();
    }

    Optional<byte[]> object(String key) {
        try {
            return Optional.of(s3.getObject(b -> b.bucket(bucket).key(key), ResponseTransformer.toBytes()).asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    List<MultipartUpload> multipartUploads() {
        return s3.listMultipartUploads(b -> b.bucket(bucket)).uploads();
    }

    // --- the video API's answers ------------------------------------------------------------------

    static String job(String status, int progress, String... extraFields) {
        ObjectNode job = (ObjectNode) read(FunctionHarness.JOB_JSON);
        job.put("status", status);
        job.put("progress", progress);
        for (int i = 0; i + 1 < extraFields.length; i += 2) {
            job.put(extraFields[i], extraFields[i + 1]);
        }
        return job.toString();
    }

    static JsonNode read(String json) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
    }

    /** {@code GET /v1/videos/{id}} as a real provider answers it: only with the bearer key. */
    static MappingBuilder statusOf(String jobId) {
        return get(urlPathEqualTo("/v1/videos/" + jobId)).withHeader("Authorization", equalTo("Bearer " + API_KEY));
    }

    static MappingBuilder contentOf(String jobId) {
        return get(urlPathEqualTo("/v1/videos/" + jobId + "/content"))
                .withHeader("Authorization", equalTo("Bearer " + API_KEY));
    }

    static ResponseDefinitionBuilder video(byte[] bytes) {
        return aResponse().withStatus(200).withHeader("Content-Type", "video/mp4").withBody(bytes);
    }

    @Override
    public void close() {
        cdn.stop();
        sqs.close();
        fh.close();
    }
}
