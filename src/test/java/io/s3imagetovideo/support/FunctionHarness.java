package io.s3imagetovideo.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aMultipart;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.s3imagetovideo.api.ApiKeySource;
import io.s3imagetovideo.api.VideoApiClient;
import io.s3imagetovideo.config.Config;
import io.s3imagetovideo.config.Secret;
import io.s3imagetovideo.submit.SubmitHandler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The submit function wired to a real S3 server and a WireMock video API that checks what a real
 * provider checks: the bearer token, the multipart fields, the file part's name and content type.
 */
public final class FunctionHarness implements AutoCloseable {

    public static final String API_KEY = "sk-test-4f1c9e2a7b";
    public static final String JOB_ID = "video_3fbdeb24-27db-422b-8bf3-5feb8acbc6a1";
    public static final String JOB_JSON = """
            {"id":"%s","object":"video","model":"sora-2","status":"queued","progress":0,\
            "created_at":1761623154,"seconds":"10","size":"720x1280"}""".formatted(JOB_ID);

    public final S3Client s3;
    public final WireMockServer api;
    public final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
    public final RecordingSleeper sleeper = new RecordingSleeper(clock);
    public final ObjectMapper mapper = new ObjectMapper();
    public final String bucket;
    private final Map<String, String> env = new HashMap<>();

    public FunctionHarness(S3Backend backend) {
        this(backend, "test-" + UUID.randomUUID().toString().substring(0, 8));
    }

    public FunctionHarness(S3Backend backend, String bucket) {
        this.s3 = backend.newClient();
        this.bucket = bucket;
        this.api = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
        api.start();
        emptyBucket(bucket);
        env.put("VIDEO_API_BASE_URL", api.baseUrl());
        env.put("VIDEO_API_KEY", API_KEY);
        env.put("VIDEO_API_MAX_ATTEMPTS", "4");
        stubMismatch();
    }

    /** Sets an environment variable for the function (as the template or a user would). */
    public FunctionHarness env(String name, String value) {
        env.put(name, value);
        return this;
    }

    public SubmitHandler handler() {
        Config config = Config.fromEnv(env);
        return new SubmitHandler(config, s3, null, VideoApiClient.newHttpClient(config.apiConnectTimeout()), mapper,
                ApiKeySource.fixed(new Secret(API_KEY)), clock, sleeper);
    }

    /** Invokes a fresh handler instance the way Lambda does, with 15 minutes left. */
    public String invoke(S3Event event) {
        return handler().handleRequest(event, new TestContext(Duration.ofMinutes(15)));
    }

    public PutObjectResponse put(String key, byte[] bytes) {
        return s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(bytes));
    }

    public PutObjectResponse put(String key, String text) {
        return put(key, text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** The notification S3 sends for the object now stored at {@code key}. */
    public S3Event eventFor(String key) {
        var head = s3.headObject(b -> b.bucket(bucket).key(key));
        return Events.objectCreated(bucket, key, head.contentLength(), io.s3imagetovideo.record.ETags.normalize(head.eTag()));
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

    public String contentType(String key) {
        return s3.headObject(b -> b.bucket(bucket).key(key)).contentType();
    }

    public List<String> keys() {
        return s3.listObjectsV2Paginator(b -> b.bucket(bucket)).contents().stream().map(S3Object::key).sorted().toList();
    }

    public List<LoggedRequest> posts() {
        return api.findAll(postRequestedFor(urlPathEqualTo("/v1/videos")));
    }

    /** Accepts a create request only when it has what a real provider requires. */
    public void stubCreate(ResponseDefinitionBuilder response) {
        api.stubFor(strictCreate().willReturn(response));
    }

    public MappingBuilder strictCreate() {
        return post(urlPathEqualTo("/v1/videos"))
                .atPriority(1)
                .withHeader("Authorization", equalTo("Bearer " + API_KEY))
                .withHeader("Content-Type", matching("multipart/form-data; ?boundary=.+"))
                .withMultipartRequestBody(aMultipart().withName("model"))
                .withMultipartRequestBody(aMultipart().withName("prompt"))
                .withMultipartRequestBody(aMultipart().withName("input_reference")
                        .withHeader("Content-Disposition", matching(".*filename=\"[^\"]+\".*"))
                        .withHeader("Content-Type", matching("image/(png|jpeg|webp)")));
    }

    public static ResponseDefinitionBuilder jobAccepted() {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(JOB_JSON);
    }

    public static ResponseDefinitionBuilder openAiError(int status, String code, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"" + message + "\",\"type\":\"invalid_request_error\","
                        + "\"param\":null,\"code\":\"" + code + "\"}}");
    }

    /** What a real server says to a request that lacks the token, a field or the file's name. */
    private void stubMismatch() {
        api.stubFor(post(urlPathEqualTo("/v1/videos")).atPriority(10)
                .willReturn(openAiError(400, "invalid_request", "stub: request lacks a required field or header")));
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
        s3.close();
    }
}
