package io.s3imagetovideo.security;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.common.Notifier;
import com.github.tomakehurst.wiremock.http.Fault;
import io.s3imagetovideo.api.ApiKeySource;
import io.s3imagetovideo.api.SecretsManagerApiKeySource;
import io.s3imagetovideo.config.ConfigException;
import io.s3imagetovideo.log.Log;
import io.s3imagetovideo.poll.PollHandler;
import io.s3imagetovideo.storage.ETags;
import io.s3imagetovideo.submit.SubmitHandler;
import io.s3imagetovideo.support.ElasticMqBackend;
import io.s3imagetovideo.support.Events;
import io.s3imagetovideo.support.FunctionHarness;
import io.s3imagetovideo.support.Images;
import io.s3imagetovideo.support.Mp4s;
import io.s3imagetovideo.support.MutableClock;
import io.s3imagetovideo.support.S3ProxyBackend;
import io.s3imagetovideo.support.TestContext;
import io.s3imagetovideo.support.WireMockHosts;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * Issue 6, "The key": every path of both functions, success and failure, runs with a recognisable key
 * read from Secrets Manager (a WireMock stand-in speaking its JSON protocol), and everything the
 * functions put out is searched for it: the log lines on stdout and stderr, every body and request
 * sent to S3 (each version of each record, each part of each video) and what the bucket holds at the
 * end, every SQS message, every exception thrown out of a handler (stack trace, causes) and every
 * value a handler returned. The API stubs quote the key they were shown in their refusals, as some
 * providers do, so the functions must keep even the API's own words clean.
 */
class KeyLeakFunctionTest {

    @RegisterExtension
    static final S3ProxyBackend S3 = new S3ProxyBackend();
    @RegisterExtension
    static final ElasticMqBackend SQS = new ElasticMqBackend();

    /** The key before a rotation, and the one the API accepts. Both must stay out of every output. */
    static final String OLD_KEY = "sk-LEAKCANARY-0ld-7Q2x9Zk4Vb8Nw3Jp";
    static final String KEY = "sk-LEAKCANARY-n3w-R5t1Yc6Hm0Ld2Fs";
    static final String SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:video-api-key-AbCdEf";
    static final String JOB_ID = "video_68f1c2d3e4b5a697";
    static final String NAME = "in/scene";
    static final String RECORD = NAME + ".video.json";
    static final String VIDEO = NAME + ".mp4";
    static final String PROMPT = "{\"prompt\": \"Let the cow happily take the driving test\", \"seconds\": \"10\"}";

    /**
     * WireMock's own reports quote the requests it received, Authorization header included. That is
     * the test's server talking, not the function, so it is kept out of the captured output.
     */
    private static final Notifier SILENT = new Notifier() {
        @Override
        public void info(String message) {}

        @Override
        public void error(String message) {}

        @Override
        public void error(String message, Throwable t) {}
    };

    private final ObjectMapper mapper = new ObjectMapper();

    private FunctionHarness h;
    private MutableClock clock;
    private WireMockServer api;
    private WireMockServer cdn;
    private WireMockServer secrets;
    private LeakScanner leaks;
    private S3Client s3;
    private SqsClient sqs;
    private SecretsManagerClient secretsClient;
    private String bucket;
    private String queueUrl;
    /** One per "container": shared by the invocations of a test, as Lambda shares it. */
    private ApiKeySource keys;

    @BeforeEach
    void start() {
        h = new FunctionHarness(S3, SQS, "leak-" + UUID.randomUUID().toString().substring(0, 8),
                options -> options.notifier(SILENT));
        clock = h.clock;
        api = h.api;
        cdn = h.cdn();
        s3 = h.s3;
        sqs = h.sqs.orElseThrow();
        bucket = h.bucket;
        queueUrl = h.queueUrl;
        secrets = server();
        leaks = new LeakScanner(OLD_KEY, KEY);
        secretsClient = SecretsManagerClient.builder()
                .endpointOverride(URI.create(secrets.baseUrl()))
                .region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
                .httpClient(UrlConnectionHttpClient.builder().build())
                .build();
        keys = new SecretsManagerApiKeySource(secretsClient, SECRET_ARN, mapper);
        secretHolds(KEY);
        refuseEveryOtherApiRequestQuotingTheKey();
        // The key comes from the secret: the ARN set, the plain VIDEO_API_KEY of the harness is ignored.
        h.env("VIDEO_API_KEY_SECRET_ARN", SECRET_ARN)
                .env("VIDEO_API_MAX_ATTEMPTS", "3")
                .env("VIDEO_API_RETRY_INITIAL_DELAY_MS", "100")
                .env("VIDEO_API_RETRY_MAX_DELAY_MS", "200")
                .env("POLL_MAX_AGE_SECONDS", "3600");
    }

    @AfterEach
    void stop() {
        leaks.close();
        secrets.stop();
        secretsClient.close();
        h.close();
    }

    private static WireMockServer server() {
        return WireMockHosts.start(options -> options.notifier(SILENT));
    }

    // --- the submit function ----------------------------------------------------------------------

    @Test
    void submittedJobItsRecordAndItsScheduledCheckHoldNoKey() {
        apiAcceptsCreate();

        Invocation invocation = uploadPairAndSubmit();

        assertThat(invocation.thrown()).isNull();
        assertThat(record().path("status").asText()).isEqualTo("queued");
        assertThat(api.findAll(postRequestedFor(urlPathEqualTo("/v1/videos"))))
                .extracting(r -> r.getHeader("Authorization")).containsExactly("Bearer " + KEY);
        assertThat(queued()).hasSize(1).allSatisfy(m -> assertThat(m.body()).contains(JOB_ID));
        assertNoLeak();
    }

    @Test
    void rejectedSidecarHoldsNoKey() {
        put(NAME + ".prompt.json", "{\"promt\": \"a cow\"}");
        put(NAME + ".png", Images.png(8, 8));

        Invocation invocation = submit(NAME + ".png");

        assertThat(invocation.thrown()).isNull();
        assertThat(record().path("status").asText()).isEqualTo("rejected");
        assertThat(record().path("error").path("code").asText()).isEqualTo("unknown_field");
        api.verify(0, anyRequestedFor(anyUrl()));
        assertNoLeak();
    }

    @Test
    void rejectedImageHoldsNoKey() {
        put(NAME + ".prompt.json", PROMPT);
        put(NAME + ".png", "<html>not an image</html>".getBytes(StandardCharsets.UTF_8));

        Invocation invocation = submit(NAME + ".png");

        assertThat(invocation.thrown()).isNull();
        assertThat(record().path("error").path("code").asText()).isEqualTo("invalid_image");
        api.verify(0, anyRequestedFor(anyUrl()));
        assertNoLeak();
    }

    @Test
    void requestRefusedByTheApiIsRecordedAsFailedWithoutTheKey() {
        api.stubFor(createWithKey(KEY).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"Inpaint image must match the requested width and height\","
                        + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_value\"}}")));

        Invocation invocation = uploadPairAndSubmit();

        assertThat(invocation.thrown()).isNull();
        assertThat(record().path("status").asText()).isEqualTo("failed");
        assertThat(record().path("error").path("http_status").asInt()).isEqualTo(400);
        assertNoLeak();
    }

    @Test
    void rotatedKeyIsReadAgainAfterA401AndNeitherKeyLeaks() {
        // The container cached the old key; the secret has been rotated since
        secrets.stubFor(getSecretValue().inScenario("rotation").whenScenarioStateIs(STARTED)
                .willReturn(secretAnswer(OLD_KEY)).willSetStateTo("rotated"));
        secrets.stubFor(getSecretValue().inScenario("rotation").whenScenarioStateIs("rotated")
                .willReturn(secretAnswer(KEY)));
        apiAcceptsCreate();

        Invocation invocation = uploadPairAndSubmit();

        assertThat(invocation.thrown()).isNull();
        assertThat(record().path("status").asText()).isEqualTo("queued");
        assertThat(api.findAll(postRequestedFor(urlPathEqualTo("/v1/videos"))))
                .extracting(r -> r.getHeader("Authorization")).containsExactly("Bearer " + OLD_KEY, "Bearer " + KEY);
        assertThat(secrets.findAll(postRequestedFor(urlEqualTo("/")))).hasSize(2);
        assertNoLeak();
    }

    @Test
    void keyRefusedEvenAfterARefreshIsRecordedAsFailedWithTheApisQuoteOfItRedacted() {
        // No stub accepts the key: every create is refused with a 401 that quotes it
        Invocation invocation = uploadPairAndSubmit();

        assertThat(invocation.thrown()).isNull();
        JsonNode record = record();
        assertThat(record.path("status").asText()).isEqualTo("failed");
        assertThat(record.path("error").path("http_status").asInt()).isEqualTo(401);
        assertThat(record.path("error").path("message").asText()).contains("Bearer [redacted]");
        assertThat(api.findAll(postRequestedFor(urlPathEqualTo("/v1/videos")))).hasSize(2);
        assertNoLeak();
    }

    @Test
    void aBusyAnswerThatQuotesTheKeyLeavesTheUploadWaitingWithoutTheKey() {
        api.stubFor(createWithKey(KEY).willReturn(aResponse().withStatus(429).withHeader("Content-Type", "application/json")
                .withHeader("Retry-After", "20").withTransformers("response-template")
                .withBody("{\"error\":{\"message\":\"Rate limit reached for key {{request.headers.Authorization}}\","
                        + "\"type\":\"requests\",\"code\":\"rate_limit_exceeded\"}}")));

        Invocation invocation = uploadPairAndSubmit();

        // Then the upload was sent back to the submission queue, its message recorded by the scan too
        assertThat(invocation.thrown()).isNull();
        assertThat(invocation.failedMessage()).isFalse();
        assertThat(h.submissionsQueued()).isEqualTo(1);
        assertThat(record().path("status").asText()).isEqualTo("submitting");
        assertThat(record().path("next_try_at").isTextual()).isTrue();
        assertThat(record().path("error").path("message").asText()).contains("Bearer [redacted]");
        assertThat(api.findAll(postRequestedFor(urlPathEqualTo("/v1/videos")))).hasSize(1);
        assertNoLeak();
    }

    @Test
    void fiveHundredsThatRunOutFailTheMessageWithoutTheKey() {
        api.stubFor(createWithKey(KEY).willReturn(aResponse().withStatus(502).withHeader("Content-Type", "text/html")
                .withBody("<html><body>502 Bad Gateway</body></html>")));

        Invocation invocation = uploadPairAndSubmit();

        assertThat(invocation.thrown()).isNull();
        assertThat(invocation.failedMessage()).isTrue();
        assertThat(record().path("status").asText()).isEqualTo("submitting");
        assertThat(record().path("error").isObject()).isTrue();
        assertThat(api.findAll(postRequestedFor(urlPathEqualTo("/v1/videos")))).hasSize(3);
        assertNoLeak();
    }

    @Test
    void unreachableApiFailsTheMessageWithoutTheKey() {
        api.stubFor(createWithKey(KEY).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        Invocation invocation = uploadPairAndSubmit();

        assertThat(invocation.thrown()).isNull();
        assertThat(invocation.failedMessage()).isTrue();
        assertThat(record().path("error").path("code").asText()).isEqualTo("connection_error");
        assertNoLeak();
    }

    @Test
    void answerWithoutAJobIsRecordedAsFailedWithoutTheKey() {
        api.stubFor(createWithKey(KEY).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "text/plain")
                .withBody("ok")));

        Invocation invocation = uploadPairAndSubmit();

        assertThat(invocation.thrown()).isNull();
        assertThat(record().path("error").path("code").asText()).isEqualTo("invalid_response");
        assertNoLeak();
    }

    @Test
    void secretInAShapeTheFunctionCannotReadFailsWithoutQuotingIt() {
        secrets.stubFor(getSecretValue().willReturn(secretAnswer("{\"apikey\": \"" + KEY + "\"}")));

        Invocation invocation = uploadPairAndSubmit();

        // Then the message fails, to come again once the secret is fixed, and the log and the record name the setting
        assertThat(invocation.thrown()).isNull();
        assertThat(invocation.failedMessage()).isTrue();
        assertThat(leaks.stdout()).contains("VIDEO_API_KEY_SECRET_ARN");
        assertThat(record().path("status").asText()).isEqualTo("submitting");
        assertThat(record().path("error").path("code").asText()).isEqualTo("api_key_unavailable");
        assertThat(record().path("error").path("message").asText()).contains("VIDEO_API_KEY_SECRET_ARN");
        api.verify(0, anyRequestedFor(anyUrl()));
        assertNoLeak();
    }

    // --- the poll function ------------------------------------------------------------------------

    @Test
    void jobCompletedWithAVideoUrlIsDownloadedWithoutTheKeyAlsoAfterARedirectToAnotherHost() {
        byte[] mp4 = Mp4s.ofSize(6 * 1024, 5);
        submitted();
        // The link is on the API's own host and sends the client on to a CDN
        String videoUrl = api.baseUrl() + "/share/" + JOB_ID + ".mp4?sig=s1gn4ture";
        api.stubFor(get(urlPathEqualTo("/share/" + JOB_ID + ".mp4")).atPriority(1)
                .willReturn(aResponse().withStatus(302)
                        .withHeader("Location", "http://127.0.0.1:" + cdn.port() + "/files/" + JOB_ID)));
        cdn.stubFor(get(urlPathEqualTo("/files/" + JOB_ID))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "video/mp4").withBody(mp4)));
        apiStatus(job("completed", 100, "video_url", videoUrl));

        SQSBatchResponse response = pollOnce();

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(record().path("status").asText()).isEqualTo("completed");
        assertThat(s3.getObjectAsBytes(b -> b.bucket(bucket).key(VIDEO)).asByteArray()).isEqualTo(mp4);
        cdn.verify(1, getRequestedFor(urlPathEqualTo("/files/" + JOB_ID)));
        cdn.verify(1, anyRequestedFor(anyUrl()).withHeader("Authorization", absent()));
        api.verify(1, getRequestedFor(urlPathEqualTo("/share/" + JOB_ID + ".mp4")).withHeader("Authorization", absent()));
        assertNoLeak();
    }

    @Test
    void jobCompletedWithoutAVideoUrlIsDownloadedFromContentWithoutLeakingTheKey() {
        byte[] mp4 = Mp4s.small();
        submitted();
        apiStatus(job("completed", 100));
        api.stubFor(get(urlPathEqualTo("/v1/videos/" + JOB_ID + "/content")).atPriority(1)
                .withHeader("Authorization", equalTo("Bearer " + KEY))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "video/mp4").withBody(mp4)));

        SQSBatchResponse response = pollOnce();

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(record().path("output").path("bytes").asLong()).isEqualTo(mp4.length);
        assertNoLeak();
    }

    @Test
    void failedJobHoldsNoKey() {
        submitted();
        ObjectNode failed = job("failed", 0);
        failed.putObject("error").put("code", "moderation_blocked")
                .put("message", "The request was blocked by our moderation system.");
        apiStatus(failed);

        SQSBatchResponse response = pollOnce();

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(record().path("status").asText()).isEqualTo("failed");
        assertNoLeak();
    }

    @Test
    void downloadThatBreaksIsAbortedAndRetriedWithoutTheKey() {
        submitted();
        apiStatus(job("completed", 100));
        api.stubFor(get(urlPathEqualTo("/v1/videos/" + JOB_ID + "/content")).atPriority(1)
                .withHeader("Authorization", equalTo("Bearer " + KEY))
                .willReturn(aResponse().withFault(Fault.MALFORMED_RESPONSE_CHUNK)));

        SQSBatchResponse response = pollOnce();

        assertThat(response.getBatchItemFailures()).hasSize(1);
        assertThat(s3.listObjectsV2(b -> b.bucket(bucket)).contents()).extracting(S3Object::key).doesNotContain(VIDEO);
        assertThat(s3.listMultipartUploads(b -> b.bucket(bucket)).uploads()).isEmpty();
        assertNoLeak();
    }

    @Test
    void jobThatOutlivesThePollingLimitExpiresWithoutTheKey() {
        submitted();
        apiStatus(job("in_progress", 35));
        clock.advance(Duration.ofHours(2));

        SQSBatchResponse response = pollOnce();

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(record().path("status").asText()).isEqualTo("expired");
        assertNoLeak();
    }

    @Test
    void jobStillRunningIsCheckedAgainLaterWithoutTheKeyInTheNextCheck() {
        submitted();
        apiStatus(job("in_progress", 35));

        SQSBatchResponse response = pollOnce();

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(record().path("status").asText()).isEqualTo("in_progress");
        assertThat(queued()).hasSize(1);
        assertNoLeak();
    }

    @Test
    void statusCheckRefusedWithA401QuotingTheKeyGoesBackToTheQueueWithoutIt() {
        submitted();
        // No status stub: the API refuses the check, quoting the key it was shown

        SQSBatchResponse response = pollOnce();

        assertThat(response.getBatchItemFailures()).hasSize(1);
        assertThat(record().path("status").asText()).isEqualTo("queued");
        assertThat(api.findAll(getRequestedFor(urlPathEqualTo("/v1/videos/" + JOB_ID)))).hasSize(2);
        assertNoLeak();
    }

    @Test
    void statusCheckThatCannotReachTheApiGoesBackToTheQueueWithoutTheKey() {
        submitted();
        api.stubFor(get(urlPathEqualTo("/v1/videos/" + JOB_ID)).atPriority(1)
                .withHeader("Authorization", equalTo("Bearer " + KEY))
                .willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));

        SQSBatchResponse response = pollOnce();

        assertThat(response.getBatchItemFailures()).hasSize(1);
        assertNoLeak();
    }

    @Test
    void malformedStatusCheckMessageIsDroppedWithoutTheKey() {
        SQSBatchResponse response = poll(sqsEvent(List.of("{\"bucket\": 7, \"record\": [\"" + RECORD + "\"]}")));

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(leaks.stdout()).contains("poll_message_malformed");
        assertNoLeak();
    }

    // --- the scan itself --------------------------------------------------------------------------

    @Test
    void theScanFindsAPieceOfTheKeyInEveryPlaceItWatches() {
        String piece = KEY.substring(0, LeakScanner.FRAGMENT);
        Log.info("planted", "key", piece);
        System.err.println("planted " + KEY.substring(KEY.length() - LeakScanner.FRAGMENT));
        leaks.recording(s3).putObject(b -> b.bucket(bucket).key("planted.video.json"),
                RequestBody.fromString("{\"k\": \"" + piece + "\"}"));
        leaks.recording(sqs).sendMessage(b -> b.queueUrl(queueUrl).messageBody("{\"k\": \"" + OLD_KEY + "\"}"));
        leaks.addThrown("thrown", new IllegalStateException("wrapper", new RuntimeException("key " + piece)));

        List<String> findings = leaks.findings();

        assertThat(findings).anySatisfy(f -> assertThat(f).startsWith("stdout:").contains("planted"));
        assertThat(findings).anySatisfy(f -> assertThat(f).startsWith("stderr:"));
        assertThat(findings).anySatisfy(f -> assertThat(f).startsWith("s3 putObject body"));
        assertThat(findings).anySatisfy(f -> assertThat(f).startsWith("sqs message body"));
        assertThat(findings).anySatisfy(f -> assertThat(f).startsWith("thrown (stack trace)"));
    }

    // --- invocations --------------------------------------------------------------------------------

    /** What a handler returned or threw. */
    record Invocation(Object returned, Throwable thrown) {
        /** Whether the handler asked for its message to come again (a batch item failure). */
        boolean failedMessage() {
            return returned instanceof SQSBatchResponse r && !r.getBatchItemFailures().isEmpty();
        }
    }

    /** The handlers of one "container", their S3 and SQS calls recorded for the scan. */
    private SubmitHandler submitHandler() {
        return new SubmitHandler(h.submitConfig(), h.dependencies(leaks.recording(s3),
                Optional.of(leaks.recording(sqs)), keys));
    }

    private PollHandler pollHandler() {
        return new PollHandler(h.pollConfig(), h.dependencies(leaks.recording(s3), Optional.of(leaks.recording(sqs)),
                keys));
    }

    private Invocation submit(String key) {
        var head = s3.headObject(b -> b.bucket(bucket).key(key));
        var event = Events.objectCreated(bucket, key, head.contentLength(), ETags.normalize(head.eTag()));
        try {
            SQSBatchResponse returned = submitHandler().handleRequest(event, new TestContext(Duration.ofMinutes(15)));
            leaks.add("submit handler result", String.valueOf(returned.getBatchItemFailures().size()));
            return new Invocation(returned, null);
        } catch (RuntimeException e) {
            leaks.addThrown("thrown by the submit handler", e);
            return new Invocation(null, e);
        }
    }

    private Invocation uploadPairAndSubmit() {
        put(NAME + ".prompt.json", PROMPT);
        put(NAME + ".png", Images.png(8, 8));
        return submit(NAME + ".png");
    }

    /** A queued job whose first status check waits in the queue. */
    private void submitted() {
        apiAcceptsCreate();
        assertThat(uploadPairAndSubmit().thrown()).isNull();
    }

    /** Receives the waiting status check and hands it to the poll function, as the event source mapping does. */
    private SQSBatchResponse pollOnce() {
        List<Message> messages = queued();
        assertThat(messages).hasSize(1);
        return poll(sqsEvent(messages.stream().map(Message::body).toList()));
    }

    private SQSBatchResponse poll(SQSEvent event) {
        try {
            SQSBatchResponse response = pollHandler().handleRequest(event,
                    new TestContext("poll", Duration.ofMinutes(5), "req-" + UUID.randomUUID()));
            leaks.add("poll handler result", String.valueOf(response));
            return response;
        } catch (RuntimeException e) {
            // The poll handler reports failures per message; anything thrown is a finding of its own
            leaks.addThrown("thrown by the poll handler", e);
            throw e;
        }
    }

    /** Takes what is in the queue now (the function's sends were recorded as they happened). */
    private List<Message> queued() {
        List<Message> messages = sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10)
                .waitTimeSeconds(2)).messages();
        for (Message m : messages) {
            sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
        }
        return messages;
    }

    private SQSEvent sqsEvent(List<String> bodies) {
        ArrayNode records = mapper.createArrayNode();
        for (String body : bodies) {
            String id = UUID.randomUUID().toString();
            ObjectNode r = records.addObject();
            r.put("messageId", id);
            r.put("receiptHandle", "receipt-" + id);
            r.put("body", body);
            r.putObject("attributes").put("ApproximateReceiveCount", "1");
            r.putObject("messageAttributes");
            r.put("eventSource", "aws:sqs");
            r.put("eventSourceARN", "arn:aws:sqs:us-east-1:123456789012:poll-queue");
            r.put("awsRegion", "us-east-1");
        }
        String json = mapper.createObjectNode().set("Records", records).toString();
        return LambdaEventSerializers.serializerFor(SQSEvent.class, getClass().getClassLoader()).fromJson(json);
    }

    // --- the bucket ---------------------------------------------------------------------------------

    private void put(String key, String text) {
        put(key, text.getBytes(StandardCharsets.UTF_8));
    }

    private void put(String key, byte[] bytes) {
        s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
    }

    private JsonNode record() {
        try {
            return mapper.readTree(s3.getObjectAsBytes(b -> b.bucket(bucket).key(RECORD)).asByteArray());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Adds what the bucket holds now (every object's body, content type and metadata), then scans. */
    private void assertNoLeak() {
        for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket)).contents()) {
            var head = s3.headObject(b -> b.bucket(bucket).key(object.key()));
            leaks.add("bucket object " + object.key() + " metadata", head.contentType() + " " + head.metadata());
            leaks.add("bucket object " + object.key(), s3.getObjectAsBytes(b -> b.bucket(bucket).key(object.key()))
                    .asByteArray());
        }
        leaks.assertNoLeak();
    }

    // --- the API and Secrets Manager ----------------------------------------------------------------

    private static MappingBuilder getSecretValue() {
        return post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"));
    }

    private static ResponseDefinitionBuilder secretAnswer(String secretString) {
        ObjectNode body = new ObjectMapper().createObjectNode()
                .put("ARN", SECRET_ARN).put("Name", "video-api-key").put("VersionId", "v1")
                .put("SecretString", secretString).put("CreatedDate", 1.7639712E9);
        body.putArray("VersionStages").add("AWSCURRENT");
        return aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                .withBody(body.toString());
    }

    private void secretHolds(String key) {
        secrets.stubFor(getSecretValue().willReturn(secretAnswer(key)));
    }

    /** What a provider says to a request whose key it does not accept; this one quotes the key. */
    private void refuseEveryOtherApiRequestQuotingTheKey() {
        api.stubFor(any(anyUrl()).atPriority(10).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json").withTransformers("response-template")
                .withBody("{\"error\":{\"message\":\"Incorrect API key provided: {{request.headers.Authorization}}."
                        + " You can find your API key at https://platform.example.com/account/api-keys.\","
                        + "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}")));
    }

    private static MappingBuilder createWithKey(String key) {
        return post(urlPathEqualTo("/v1/videos")).atPriority(1).withHeader("Authorization", equalTo("Bearer " + key));
    }

    private void apiAcceptsCreate() {
        api.stubFor(createWithKey(KEY).willReturn(okJson(job("queued", 0).toString())));
    }

    private void apiStatus(ObjectNode job) {
        api.stubFor(get(urlPathEqualTo("/v1/videos/" + JOB_ID)).atPriority(1)
                .withHeader("Authorization", equalTo("Bearer " + KEY)).willReturn(okJson(job.toString())));
    }

    private ObjectNode job(String status, int progress, String... extra) {
        ObjectNode job = mapper.createObjectNode().put("id", JOB_ID).put("object", "video").put("model", "sora-2")
                .put("status", status).put("progress", progress).put("created_at", 1795514400L)
                .put("seconds", "10").put("size", "720x1280");
        for (int i = 0; i + 1 < extra.length; i += 2) {
            job.put(extra[i], extra[i + 1]);
        }
        return job;
    }
}
