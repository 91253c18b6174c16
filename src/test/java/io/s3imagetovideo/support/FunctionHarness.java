package io.s3imagetovideo.support;

import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.s3imagetovideo.api.ApiKeySource;
import io.s3imagetovideo.api.ApiTransport;
import io.s3imagetovideo.config.PollConfig;
import io.s3imagetovideo.config.Secret;
import io.s3imagetovideo.config.SubmitConfig;
import io.s3imagetovideo.poll.PollHandler;
import io.s3imagetovideo.storage.ETags;
import io.s3imagetovideo.submit.SubmitHandler;
import io.s3imagetovideo.wiring.Dependencies;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.MultipartUpload;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The one harness of the function-level suites: both functions wired to a real S3 server (S3Proxy, or
 * LocalStack where Docker runs), a real SQS server (ElasticMQ) when the test has one, and a WireMock
 * video host that checks what a real host checks ({@link HostStubs}), with the settings a user or the
 * template would give, a clock the test owns, and events shaped as Lambda hands them over.
 */
public final class FunctionHarness implements AutoCloseable {

    public static final String API_KEY = HostStubs.API_KEY;
    public static final String JOB_ID = HostStubs.JOB_ID;
    public static final String JOB_JSON = HostStubs.JOB_JSON;
    /** A prompt file that any size and model default accepts. */
    public static final String PROMPT = "{\"prompt\": \"Let the cow happily take the driving test\", \"seconds\": \"10\"}";

    public final S3Client s3;
    public final WireMockServer api;
    public final Optional<SqsClient> sqs;
    /** The poll queue (status checks). */
    public final String queueUrl;
    /** The submission queue (uploads), where the submit function sends back uploads that wait. */
    public final String submissionQueueUrl;
    /** The submission queue's own visibility timeout: long beside one invocation, short beside the function's 30 s. */
    public static final int SUBMISSION_VISIBILITY_SECONDS = 4;
    public final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
    public final RecordingSleeper sleeper = new RecordingSleeper(clock);
    public final ObjectMapper mapper = new ObjectMapper();
    public final String bucket;
    private final Map<String, String> env = new HashMap<>();
    private final UnaryOperator<WireMockConfiguration> wireMock;
    private WireMockServer cdn;
    private io.s3imagetovideo.storage.ObjectLinks links;

    /** The submit function alone, without a poll queue. */
    public FunctionHarness(S3Backend s3Backend) {
        this(s3Backend, null, "test-" + UUID.randomUUID().toString().substring(0, 8), UnaryOperator.identity());
    }

    public FunctionHarness(S3Backend s3Backend, String bucket) {
        this(s3Backend, null, bucket, UnaryOperator.identity());
    }

    /** Both functions, the poll queue on {@code mq}. */
    public FunctionHarness(S3Backend s3Backend, ElasticMqBackend mq) {
        this(s3Backend, mq, "test-" + UUID.randomUUID().toString().substring(0, 8), UnaryOperator.identity());
    }

    /** {@code wireMock} adjusts the options of each WireMock server (one fresh set per server: they keep state). */
    public FunctionHarness(S3Backend s3Backend, ElasticMqBackend mq, String bucket,
            UnaryOperator<WireMockConfiguration> wireMock) {
        this.s3 = s3Backend.newClient();
        this.bucket = bucket;
        this.wireMock = wireMock;
        this.api = newWireMock();
        emptyBucket(bucket);
        env.put("VIDEO_API_BASE_URL", api.baseUrl());
        env.put("VIDEO_API_KEY", API_KEY);
        env.put("VIDEO_API_MAX_ATTEMPTS", "4");
        api.stubFor(HostStubs.anyOtherCreate());
        if (mq == null) {
            this.sqs = Optional.empty();
            this.queueUrl = null;
            this.submissionQueueUrl = null;
        } else {
            SqsClient client = mq.newClient();
            this.sqs = Optional.of(client);
            this.queueUrl = mq.newQueue(client);
            // A message the function does not delay itself comes back after a few seconds (SQS's default: 30).
            this.submissionQueueUrl = mq.newQueue(client, "submission", SUBMISSION_VISIBILITY_SECONDS);
            env.put("POLL_QUEUE_URL", queueUrl);
            env.put("SUBMISSION_QUEUE_URL", submissionQueueUrl);
            // Checks come back at once unless a test is about the delays: ElasticMQ really waits.
            env.put("POLL_INITIAL_DELAY_SECONDS", "0");
            env.put("POLL_MAX_DELAY_SECONDS", "0");
        }
    }

    /** A second host, for the {@code video_url}s and redirects that lead away from the API. */
    public WireMockServer cdn() {
        if (cdn == null) {
            cdn = newWireMock();
        }
        return cdn;
    }

    // --- settings and handlers ------------------------------------------------------------------------

    /** Sets an environment variable of the functions (as the template or a user would). */
    public FunctionHarness env(String name, String value) {
        env.put(name, value);
        return this;
    }

    public Map<String, String> environment() {
        return Map.copyOf(env);
    }

    public SubmitConfig submitConfig() {
        return SubmitConfig.fromEnv(env);
    }

    public PollConfig pollConfig() {
        return PollConfig.fromEnv(env);
    }

    /** The clients as the handlers get them: this harness's S3 and SQS, the key as a fixed secret. */
    public Dependencies dependencies(S3Client s3Client, Optional<SqsClient> sqsClient) {
        return dependencies(s3Client, sqsClient, ApiKeySource.fixed(new Secret(API_KEY)));
    }

    public Dependencies dependencies(S3Client s3Client, Optional<SqsClient> sqsClient, ApiKeySource keys) {
        Dependencies d = new Dependencies(s3Client, sqsClient,
                ApiTransport.newHttpClient(submitConfig().api().connectTimeout()), keys, mapper, clock, sleeper,
                new Random(1234));
        return links == null ? d : d.withLinks(links);
    }

    /** Presigned links for {@code VIDEO_IMAGE_SEND_AS=presigned_url}, signed for this harness's S3 server. */
    public FunctionHarness presignedLinks(io.s3imagetovideo.storage.ObjectLinks value) {
        this.links = value;
        return this;
    }

    public SubmitHandler handler() {
        return new SubmitHandler(submitConfig(), dependencies(s3, sqs));
    }

    public PollHandler pollHandler() {
        return pollHandler(s3, sqs.orElseThrow());
    }

    public PollHandler pollHandler(S3Client s3Client) {
        return pollHandler(s3Client, sqs.orElseThrow());
    }

    public PollHandler pollHandler(S3Client s3Client, SqsClient sqsClient) {
        return new PollHandler(pollConfig(), dependencies(s3Client, Optional.of(sqsClient)));
    }

    /** Invokes a fresh submit handler the way Lambda's event source mapping does, with 15 minutes left. */
    public SQSBatchResponse invoke(SQSEvent event) {
        return handler().handleRequest(event, new TestContext(Duration.ofMinutes(15)));
    }

    /** Invokes a fresh poll handler the way Lambda does, with 5 minutes left. */
    public SQSBatchResponse poll(SQSEvent event) {
        return poll(pollHandler(), event);
    }

    public SQSBatchResponse poll(PollHandler handler, SQSEvent event) {
        return handler.handleRequest(event, new TestContext("poll", Duration.ofMinutes(5), "req"));
    }

    // --- uploads, records and videos ------------------------------------------------------------------

    public PutObjectResponse put(String key, byte[] bytes) {
        return s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
    }

    public PutObjectResponse put(String key, String text) {
        return put(key, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Uploads {@code <name>.png} and its prompt and runs the submit function: the job is queued. */
    public void submit(String name) {
        submit(name, JOB_JSON);
    }

    public void submit(String name, String createdJobJson) {
        stubCreate(HostStubs.json(createdJobJson));
        put(name + ".prompt.json", PROMPT);
        put(name + ".png", Images.png(8, 8));
        handler().handleRequest(eventFor(name + ".png"), new TestContext(Duration.ofMinutes(15)));
    }

    /** The message S3 sends the submission queue for the object now stored at {@code key}. */
    public SQSEvent eventFor(String key) {
        var head = s3.headObject(b -> b.bucket(bucket).key(key));
        return Events.objectCreated(bucket, key, head.contentLength(), ETags.normalize(head.eTag()));
    }

    public Optional<JsonNode> record(String recordKey) {
        try {
            return Optional.of(mapper.readTree(s3.getObjectAsBytes(b -> b.bucket(bucket).key(recordKey)).asByteArray()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The record at {@code recordKey}, which must be there. */
    public JsonNode recordAt(String recordKey) {
        return record(recordKey).orElseThrow(() -> new AssertionError("no record at " + recordKey));
    }

    public Optional<byte[]> object(String key) {
        try {
            return Optional.of(s3.getObject(b -> b.bucket(bucket).key(key), ResponseTransformer.toBytes()).asByteArray());
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    public String contentType(String key) {
        return s3.headObject(b -> b.bucket(bucket).key(key)).contentType();
    }

    public String etag(String key) {
        return s3.headObject(b -> b.bucket(bucket).key(key)).eTag();
    }

    public List<String> keys() {
        return s3.listObjectsV2Paginator(b -> b.bucket(bucket)).contents().stream().map(S3Object::key).sorted().toList();
    }

    public List<MultipartUpload> multipartUploads() {
        return s3.listMultipartUploads(b -> b.bucket(bucket)).uploads();
    }

    // --- the video host -------------------------------------------------------------------------------

    public List<LoggedRequest> posts() {
        return api.findAll(postRequestedFor(urlPathEqualTo("/v1/videos")));
    }

    /** Accepts a create request only when it has what a real host requires. */
    public void stubCreate(ResponseDefinitionBuilder response) {
        api.stubFor(strictCreate().willReturn(response));
    }

    public MappingBuilder strictCreate() {
        return HostStubs.strictCreate();
    }

    public static ResponseDefinitionBuilder jobAccepted() {
        return HostStubs.jobAccepted();
    }

    public static ResponseDefinitionBuilder openAiError(int status, String code, String message) {
        return HostStubs.openAiError(status, code, message);
    }

    /** The message an EventBridge rule sends the submission queue for the object now stored at {@code key}. */
    public SQSEvent eventBridgeEventFor(String key) {
        var head = s3.headObject(b -> b.bucket(bucket).key(key));
        return Events.eventBridgeCreated(bucket, key, head.contentLength(), ETags.normalize(head.eTag()));
    }

    // --- the submission queue ---------------------------------------------------------------------------

    /** Sends the notification of the object now stored at {@code key} to the submission queue, as S3 would. */
    public void notifySubmissionQueue(String key) {
        String body = eventFor(key).getRecords().get(0).getBody();
        sqs.orElseThrow().sendMessage(b -> b.queueUrl(submissionQueueUrl).messageBody(body));
    }

    /**
     * Does what the event source mapping does with what is in the submission queue now (sent-back
     * uploads included, once their delay is over): receives, invokes, deletes what the function did
     * not report as failed. The number of messages handled.
     */
    public int deliverSubmissions(int waitSeconds) {
        List<Message> messages = sqs.orElseThrow().receiveMessage(b -> b.queueUrl(submissionQueueUrl)
                .maxNumberOfMessages(10).waitTimeSeconds(waitSeconds)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
        if (messages.isEmpty()) {
            return 0;
        }
        SQSBatchResponse response = invoke(SqsEvents.of(messages));
        Set<String> failed = Delivery.failedIds(response);
        for (Message m : messages) {
            if (!failed.contains(m.messageId())) {
                sqs.orElseThrow().deleteMessage(b -> b.queueUrl(submissionQueueUrl).receiptHandle(m.receiptHandle()));
            }
        }
        return messages.size();
    }

    /** Messages in the submission queue: visible, delayed and in flight. */
    public int submissionsQueued() {
        var attributes = sqs.orElseThrow().getQueueAttributes(b -> b.queueUrl(submissionQueueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
        return attributes.values().stream().mapToInt(Integer::parseInt).sum();
    }

    /** Messages in the submission queue that are delayed (sent back to come later). */
    public int submissionsDelayed() {
        return Integer.parseInt(sqs.orElseThrow().getQueueAttributes(b -> b.queueUrl(submissionQueueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).attributes()
                .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED));
    }

    /** The ids of the messages the function reported as failed (to come again). */
    public static Set<String> failedIds(SQSBatchResponse response) {
        return Delivery.failedIds(response);
    }

    // --- the poll queue -------------------------------------------------------------------------------

    /**
     * Does what the event source mapping does with the next message: receives it, invokes the function,
     * and deletes it unless the function reported it as a failure.
     */
    public Delivery pollNext() {
        List<Message> messages = receive(2);
        if (messages.size() != 1) {
            throw new AssertionError("expected one status check in the queue, found " + messages.size());
        }
        SQSBatchResponse response = poll(SqsEvents.of(messages));
        acknowledge(messages, response);
        return new Delivery(messages.get(0), response);
    }

    public record Delivery(Message message, SQSBatchResponse response) {
        public Set<String> failedIds() {
            return failedIds(response);
        }

        public static Set<String> failedIds(SQSBatchResponse response) {
            return response.getBatchItemFailures().stream()
                    .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).collect(Collectors.toSet());
        }
    }

    public void acknowledge(List<Message> messages, SQSBatchResponse response) {
        Set<String> failed = Delivery.failedIds(response);
        for (Message m : messages) {
            if (!failed.contains(m.messageId())) {
                sqs.orElseThrow().deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
            }
        }
    }

    public List<Message> receive(int waitSeconds) {
        return sqs.orElseThrow().receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                .waitTimeSeconds(waitSeconds).messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
    }

    /** Visible, delayed and in-flight messages, as SQS counts them. */
    public Map<QueueAttributeName, String> counts() {
        return sqs.orElseThrow().getQueueAttributes(b -> b.queueUrl(queueUrl).attributeNames(
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED,
                QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).attributes();
    }

    public int count(QueueAttributeName name) {
        return Integer.parseInt(counts().get(name));
    }

    private WireMockServer newWireMock() {
        return WireMockHosts.start(wireMock);
    }

    private void emptyBucket(String name) {
        try {
            s3.createBucket(b -> b.bucket(name));
        } catch (software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException
                | software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException e) {
            for (S3Object o : s3.listObjectsV2Paginator(b -> b.bucket(name)).contents()) {
                s3.deleteObject(b -> b.bucket(name).key(o.key()));
            }
        }
    }

    @Override
    public void close() {
        api.stop();
        if (cdn != null) {
            cdn.stop();
        }
        sqs.ifPresent(SqsClient::close);
        s3.close();
    }
}
