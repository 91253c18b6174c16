package io.s3imagetovideo.hosts;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.s3imagetovideo.hosts.HostConformance.RECORD;
import static io.s3imagetovideo.hosts.HostConformance.VIDEO;
import static io.s3imagetovideo.hosts.HostConformance.all;
import static io.s3imagetovideo.hosts.HostConformance.fieldNames;
import static io.s3imagetovideo.hosts.HostConformance.idSegment;
import static io.s3imagetovideo.hosts.HostConformance.inTurn;
import static io.s3imagetovideo.hosts.HostConformance.json;
import static io.s3imagetovideo.hosts.HostConformance.noPart;
import static io.s3imagetovideo.hosts.HostConformance.not;
import static io.s3imagetovideo.hosts.HostConformance.textField;
import static io.s3imagetovideo.support.FunctionHarness.PROMPT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.matching.MatchResult;
import com.github.tomakehurst.wiremock.matching.ValueMatcher;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.s3imagetovideo.hosts.HostConformance.Functions;
import io.s3imagetovideo.storage.ObjectLinks;
import io.s3imagetovideo.support.ElasticMqBackend;
import io.s3imagetovideo.support.FunctionHarness;
import io.s3imagetovideo.support.Mp4s;
import io.s3imagetovideo.support.S3ProxyBackend;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * new-api (QuantumNous/new-api at 4ca47ee2) with a Doubao/Seedance channel: its form reader keeps
 * text values only ({@code common/gin.go:108-155}), so the picture must come as the text field
 * {@code image}, a {@code data:} or http(s) URL ({@code relay/channel/task/doubao/adaptor.go:270-304});
 * status {@code unknown} until its poller first ran ({@code model/task.go:17-42}); the video at
 * {@code metadata.url} on the upstream's storage; errors in three envelopes. Both functions run, on
 * S3Proxy and ElasticMQ, against a WireMock host that checks what new-api checks.
 */
class NewApiConformanceFunctionTest {

    @RegisterExtension
    static final S3ProxyBackend S3 = new S3ProxyBackend();
    @RegisterExtension
    static final ElasticMqBackend SQS = new ElasticMqBackend();

    /** {@code relay/channel/task/doubao/constants.go}. */
    static final List<String> MODELS = List.of("doubao-seedance-1-0-pro-250528", "doubao-seedance-1-0-lite-i2v",
            "doubao-seedance-1-5-pro-251215");
    static final String MODEL = MODELS.get(0);
    /** A new-api token: {@code sk-} and 48 alphanumerics (a dash would be read as a channel id, auth.go:328-330). */
    static final String KEY = "sk-Qm7Xc2Lp9Vb4Nt6Rz1Kd8Hs3Wf5Gj0YaE2uT4oP6iL8kJ0hN";
    /** {@code model.GenerateTaskID()}: {@code task_} and 32 alphanumerics (model/task.go:138-142). */
    static final String TASK_ID = "task_Zx9QeB2mKp4Lr7Tw1Yc8Nd3Hs6Vj0GaF";
    /** {@code middleware/request-id.go:13-29}: time, nanoseconds, 8 hex, 8 alphanumerics. */
    static final String REQUEST_ID = "20261124100000123456789" + "a1b2c3d4" + "XyZ12345";
    /** The Volcengine TOS link doubao's answer carries in {@code metadata.url}. */
    static final String STORAGE_PATH = "/doubao-seedance/" + TASK_ID + ".mp4";

    FunctionHarness h;
    Functions fn;

    @BeforeEach
    void start() {
        h = new FunctionHarness(S3, SQS);
        h.env("VIDEO_IMAGE_FIELD", "image").env("VIDEO_IMAGE_SEND_AS", "data_url").env("DEFAULT_MODEL", MODEL);
        fn = new Functions(h, KEY);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    // --- the host ------------------------------------------------------------------------------------

    static final class NewApi {
        /** gin's {@code c.JSON}; the task fetch writes a bare {@code application/json} (relay_task.go:301). */
        static final String GIN_JSON = "application/json; charset=utf-8";
        final WireMockServer api;
        final String key;

        NewApi(WireMockServer api, String key) {
            this.api = api;
            this.key = key;
            // middleware/auth.go TokenAuth (276-407): "Bearer "/"bearer " and "sk-" stripped, the rest is the
            // token; missing, unknown, disabled and exhausted alike answer 401 "Invalid token" (utils.go:12-27).
            api.stubFor(any(urlPathMatching("/v1/videos?(/.*)?")).atPriority(2).andMatching(notToken())
                    .willReturn(apiError(401, "", "Invalid token")));
            // middleware/distributor.go:80-82: no model, no channel.
            api.stubFor(post(urlPathEqualTo("/v1/videos")).atPriority(3)
                    .andMatching(all(List.of(token(), not(textField("model", m -> !m.isBlank())))))
                    .willReturn(apiError(400, "", "Model name not specified, model name cannot be empty")));
            // relay_utils.go:213 validatePrompt: dto.TaskError.
            api.stubFor(post(urlPathEqualTo("/v1/videos")).atPriority(5)
                    .andMatching(all(List.of(token(), not(textField("prompt", p -> !p.isBlank())))))
                    .willReturn(taskError(400, "invalid_request", "prompt is required")));
            // Volcengine reads content.image_url when the task is submitted; its refusal comes back as
            // fail_to_fetch_task with the upstream's status and body text (relay_task.go:224-227). A form
            // whose picture went as a file part reaches it with no image at all: the i2v task is refused.
            api.stubFor(post(urlPathEqualTo("/v1/videos")).atPriority(6).andMatching(token())
                    .willReturn(taskError(400, "fail_to_fetch_task", "{\\\"error\\\":{\\\"code\\\":"
                            + "\\\"InvalidParameter\\\",\\\"message\\\":\\\"The parameter `content.image_url` specified"
                            + " in the request is not valid\\\",\\\"param\\\":\\\"content.image_url\\\",\\\"type\\\":"
                            + "\\\"BadRequest\\\"}}")));
            // relay_task.go:374-376: an id this user has no task of.
            api.stubFor(get(urlPathMatching("/v1/videos/[^/]+")).atPriority(9).andMatching(token())
                    .willReturn(taskError(400, "task_not_exist", "task_not_exist")));
            // controller/video_proxy.go:47-49: its own gin.H envelope, no code, no request id.
            api.stubFor(get(urlPathMatching("/v1/videos/[^/]+/content")).atPriority(8).andMatching(token())
                    .willReturn(json(404, GIN_JSON,
                            "{\"error\":{\"message\":\"Task not found\",\"type\":\"invalid_request_error\"}}")));
        }

        boolean hasToken(Request request) {
            String header = request.getHeader("Authorization");
            if (header == null) {
                return false;
            }
            String token = header.startsWith("Bearer ") || header.startsWith("bearer ") ? header.substring(7) : header;
            token = token.startsWith("sk-") ? token.substring(3) : token;
            return token.equals(key.substring(3));
        }

        ValueMatcher<Request> token() {
            return request -> MatchResult.of(hasToken(request));
        }

        ValueMatcher<Request> notToken() {
            return request -> MatchResult.of(!hasToken(request));
        }

        /**
         * {@code POST /v1/videos} as the Doubao channel takes it: a form with a model it serves, a prompt,
         * and the picture as the text field {@code image}; a lone {@code images} value would fail to
         * unmarshal into {@code []string} (relay/common/relay_info.go:684-695).
         */
        MappingBuilder create(ValueMatcher<Request> image) {
            return post(urlPathEqualTo("/v1/videos")).atPriority(1)
                    .withHeader("Content-Type", matching("multipart/form-data; ?boundary=.+"))
                    .andMatching(all(List.of(token(), textField("model", MODELS::contains),
                            textField("prompt", p -> !p.isBlank()), noPart("images"), image)));
        }

        void accepts(ValueMatcher<Request> image) {
            // doubao/adaptor.go:227-234: dto.OpenAIVideo in struct order, no seconds, size or metadata.
            api.stubFor(create(image).willReturn(json(200, GIN_JSON, "{\"id\":\"" + TASK_ID + "\",\"task_id\":\""
                    + TASK_ID + "\",\"object\":\"video\",\"model\":\"" + MODEL + "\",\"status\":\"queued\","
                    + "\"progress\":0,\"created_at\":1764583200}")
                    .withHeader("X-New-Api-Other-Ratios", "{}").withHeader("X-Oneapi-Request-Id", REQUEST_ID)));
        }

        void statuses(ResponseDefinitionBuilder... answers) {
            inTurn(api, "task", () -> get(urlPathMatching("/v1/videos/" + idSegment(TASK_ID))).atPriority(1)
                    .andMatching(token()), answers);
        }

        void streams(byte[] mp4) {
            // video_proxy.go:161-171: the upstream's bytes and headers, Cache-Control set; ?variant= never read.
            api.stubFor(get(urlPathMatching("/v1/videos/" + idSegment(TASK_ID) + "/content")).atPriority(1)
                    .andMatching(token()).willReturn(aResponse().withStatus(200).withHeader("Content-Type", "video/mp4")
                            .withHeader("Cache-Control", "public, max-age=86400").withBody(mp4)));
        }

        /**
         * doubao/adaptor.go:344-368: struct order, {@code completed_at} the row's updated_at (there from the
         * start), {@code error} before {@code metadata}, {@code metadata.url} always set ("" until success).
         */
        static ResponseDefinitionBuilder task(String status, int progress, long updatedAt, String error, String url) {
            return json(200, "application/json", "{\"id\":\"" + TASK_ID + "\",\"task_id\":\"" + TASK_ID + "\","
                    + "\"object\":\"video\",\"model\":\"" + MODEL + "\",\"status\":\"" + status + "\",\"progress\":"
                    + progress + ",\"created_at\":1764583200,\"completed_at\":" + updatedAt
                    + (error.isEmpty() ? "" : ",\"error\":" + error) + ",\"metadata\":{\"url\":\"" + url + "\"}}");
        }

        /** {@code abortWithOpenAiMessage} (middleware/utils.go:12-27): a gin.H, so its keys come out sorted. */
        static ResponseDefinitionBuilder apiError(int status, String code, String message) {
            return json(status, GIN_JSON, "{\"error\":{\"code\":\"" + code + "\",\"message\":\"" + message
                    + " (request id: " + REQUEST_ID + ")\",\"type\":\"new_api_error\"}}")
                    .withHeader("X-Oneapi-Request-Id", REQUEST_ID);
        }

        /** {@code dto.TaskError} (dto/task.go:7-14): code, message, data. */
        static ResponseDefinitionBuilder taskError(int status, String code, String message) {
            return json(status, GIN_JSON, "{\"code\":\"" + code + "\",\"message\":\"" + message + "\",\"data\":null}");
        }
    }

    /** The Volcengine TOS link of the video: no key; S3-like, it refuses a second way of signing. */
    void storageServes(byte[] mp4) {
        h.cdn().stubFor(get(urlPathEqualTo(STORAGE_PATH)).atPriority(1).withHeader("Authorization", absent())
                .withQueryParam("X-Tos-Signature", matching("[0-9a-f]+"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "video/mp4").withBody(mp4)));
        h.cdn().stubFor(any(anyUrl()).atPriority(5).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/xml").withBody("<Error><Code>InvalidArgument</Code><Message>"
                        + "Only one auth mechanism allowed</Message></Error>")));
    }

    String storageUrl() {
        return h.cdn().baseUrl() + STORAGE_PATH + "?X-Tos-Algorithm=TOS4-HMAC-SHA256&X-Tos-Expires=86400"
                + "&X-Tos-Signature=5d1e0c9a";
    }

    static ValueMatcher<Request> dataUrlImage() {
        return textField("image", HostConformance::isImageDataUrl);
    }

    // --- the job's life ------------------------------------------------------------------------------

    @Test
    void thePictureGoesAsADataUrlInTheImageFieldAndTheVideoComesFromMetadataUrlWithoutTheKey() {
        byte[] mp4 = Mp4s.ofSize(7 * 1024, 31);
        NewApi host = new NewApi(h.api, KEY);
        host.accepts(dataUrlImage());
        // task_polling.go: NOT_START reads "unknown" until the poller's first look, then doubao's words.
        host.statuses(NewApi.task("unknown", 0, 1764583200L, "", ""), NewApi.task("unknown", 0, 1764583200L, "", ""),
                NewApi.task("queued", 10, 1764583215L, "", ""), NewApi.task("in_progress", 50, 1764583231L, "", ""),
                NewApi.task("completed", 100, 1764583290L, "", storageUrl()));
        host.streams(mp4);
        storageServes(mp4);

        // Given the picture and its prompt file
        assertThat(fn.upload(PROMPT).getBatchItemFailures()).isEmpty();

        // Then the picture went as the text field image, fitted to the size, and no file part was sent
        LoggedRequest create = h.posts().get(0);
        assertThat(create.getPart("image").getHeader("Content-Disposition").firstValue()).doesNotContain("filename");
        BufferedImage sent = HostConformance.dataUrlImage(create.getPart("image").getBody().asString()).orElseThrow();
        assertThat(sent.getWidth() + "x" + sent.getHeight()).isEqualTo("720x1280");
        assertThat(HostConformance.part(create, "input_reference")).isEmpty();
        JsonNode queued = fn.record();
        assertThat(queued.path("status").asText()).isEqualTo("queued");
        assertThat(queued.path("task_id").asText()).isEqualTo(TASK_ID);

        // When the checks read "unknown" before new-api's poller ran: followed as running, its word kept
        for (int i = 0; i < 2; i++) {
            JsonNode unknown = fn.check(Duration.ofSeconds(15));
            assertThat(unknown.path("status").asText()).isEqualTo("in_progress");
            assertThat(unknown.path("api_status").asText()).isEqualTo("unknown");
        }
        JsonNode queuedAgain = fn.check(Duration.ofSeconds(15));
        assertThat(queuedAgain.path("status").asText()).isEqualTo("queued");
        assertThat(queuedAgain.has("api_status")).isFalse();
        JsonNode running = fn.check(Duration.ofSeconds(15));
        assertThat(running.path("status").asText()).isEqualTo("in_progress");
        assertThat(running.path("progress").asInt()).isEqualTo(50);
        JsonNode done = fn.check(Duration.ofSeconds(60));

        // Then the MP4 is the storage's bytes, fetched without the key; /content was not needed for it
        assertThat(h.object(VIDEO)).hasValueSatisfying(saved -> assertThat(saved).isEqualTo(mp4));
        assertThat(done.path("status").asText()).isEqualTo("completed");
        assertThat(done.has("api_status")).isFalse();
        assertThat(done.path("metadata").path("url").asText()).isEqualTo(storageUrl());
        assertThat(done.path("output").path("bytes").asLong()).isEqualTo(mp4.length);
        h.cdn().verify(1, anyRequestedFor(anyUrl()));
        h.cdn().verify(0, anyRequestedFor(anyUrl()).withHeader("Authorization", matching(".*")));
        h.api.verify(0, getRequestedFor(urlPathEqualTo("/v1/videos/" + TASK_ID + "/content"))
                .withQueryParam("variant", absent()));
        fn.assertKeyNowhere();
    }

    @Test
    void theThumbnailAskIsAnsweredWithTheVideoAgainSoNoneIsSavedAndTheJobStillCompletes() {
        byte[] mp4 = Mp4s.ofSize(5 * 1024, 32);
        NewApi host = new NewApi(h.api, KEY);
        host.accepts(dataUrlImage());
        host.statuses(NewApi.task("completed", 100, 1764583290L, "", storageUrl()));
        host.streams(mp4);
        storageServes(mp4);
        fn.upload(PROMPT);

        JsonNode done = fn.check(Duration.ofSeconds(15));

        // new-api never reads ?variant= (video_proxy.go): the answer is video/mp4, not an image
        h.api.verify(1, getRequestedFor(urlPathEqualTo("/v1/videos/" + TASK_ID + "/content"))
                .withQueryParam("variant", equalTo("thumbnail")));
        assertThat(done.path("status").asText()).isEqualTo("completed");
        assertThat(done.path("output").has("thumbnail")).isFalse();
        assertThat(h.keys()).noneMatch(k -> k.contains(".thumbnail."));
        assertThat(h.object(VIDEO)).hasValue(mp4);
    }

    @Test
    void anExpiredStorageLinkFallsBackToTheGatewaysStreamWithTheKey() {
        byte[] mp4 = Mp4s.ofSize(5 * 1024, 33);
        NewApi host = new NewApi(h.api, KEY);
        host.accepts(dataUrlImage());
        host.statuses(NewApi.task("completed", 100, 1764583290L, "", storageUrl()));
        host.streams(mp4);
        h.env("SAVE_THUMBNAIL", "false");
        // TOS after X-Tos-Expires: 403 AccessDenied, as S3 words it.
        h.cdn().stubFor(get(urlPathEqualTo(STORAGE_PATH)).willReturn(aResponse().withStatus(403)
                .withHeader("Content-Type", "application/xml")
                .withBody("<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>")));
        fn.upload(PROMPT);

        JsonNode done = fn.check(Duration.ofSeconds(15));

        assertThat(done.path("status").asText()).isEqualTo("completed");
        assertThat(h.object(VIDEO)).hasValueSatisfying(saved -> assertThat(saved).isEqualTo(mp4));
        h.api.verify(1, getRequestedFor(urlPathEqualTo("/v1/videos/" + TASK_ID + "/content")));
        h.cdn().verify(0, anyRequestedFor(anyUrl()).withHeader("Authorization", matching(".*")));
    }

    @Test
    void aPresignedUrlInTheImageFieldLeadsToTheFittedPictureUnderTheFunctionsOwnPrefix() throws Exception {
        h.env("VIDEO_IMAGE_SEND_AS", "presigned_url");
        try (S3Presigner presigner = S3Presigner.builder().endpointOverride(S3.endpoint()).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3.accessKey(), S3.secretKey())))
                .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build()) {
            h.presignedLinks(ObjectLinks.of(presigner));
            NewApi host = new NewApi(h.api, KEY);
            host.accepts(textField("image", v -> v.startsWith("http://") || v.startsWith("https://")));

            fn.upload(PROMPT);

            // Then the job was made from a link, which Volcengine can fetch without any credentials
            assertThat(fn.record().path("status").asText()).isEqualTo("queued");
            String link = h.posts().get(0).getPart("image").getBody().asString();
            assertThat(URI.create(link).getPath()).contains("/.s3-image-to-video/inputs/");
            HttpResponse<byte[]> fetched = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(link))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(fetched.statusCode()).isEqualTo(200);
            BufferedImage picture = HostConformance.decode(fetched.body()).orElseThrow();
            assertThat(picture.getWidth() + "x" + picture.getHeight()).isEqualTo("720x1280");
            assertThat(h.keys()).anyMatch(k -> k.startsWith(".s3-image-to-video/inputs/"));
            // The link goes to the host, never into the record
            assertThat(new String(h.object(RECORD).orElseThrow())).doesNotContain("X-Amz-Signature");
        }
    }

    // --- failures ------------------------------------------------------------------------------------

    @Test
    void aFailedTaskKeepsTheUpstreamsCodeAndMessage() {
        NewApi host = new NewApi(h.api, KEY);
        host.accepts(dataUrlImage());
        host.statuses(NewApi.task("failed", 100, 1764583260L, "{\"message\":\"The request failed because the output"
                + " video may contain sensitive information.\",\"code\":\"OutputVideoSensitiveContentDetected\"}", ""));
        fn.upload(PROMPT);

        JsonNode record = fn.check(Duration.ofSeconds(15));

        assertThat(record.path("status").asText()).isEqualTo("failed");
        assertThat(record.path("error").path("code").asText()).isEqualTo("OutputVideoSensitiveContentDetected");
        assertThat(record.path("error").path("message").asText()).contains("sensitive information");
        assertThat(h.object(VIDEO)).isEmpty();
        assertThat(h.receive(1)).isEmpty();
    }

    @Test
    void aTaskTheGatewayDoesNotKnowFailsWithItsTaskNotExist() {
        NewApi host = new NewApi(h.api, KEY);
        host.accepts(dataUrlImage());
        fn.upload(PROMPT);

        JsonNode record = fn.check(Duration.ofSeconds(15));

        assertThat(record.path("status").asText()).isEqualTo("failed");
        assertThat(record.path("error").path("code").asText()).isEqualTo("task_not_exist");
        assertThat(record.path("error").path("http_status").asInt()).isEqualTo(400);
        assertThat(record.path("id").asText()).isEqualTo(TASK_ID);
    }

    @Test
    void anInvalidTokenFailsTheUploadWithTheGatewaysMessageAndNotTheKey() {
        // Given a gateway that knows another token
        NewApi host = new NewApi(h.api, "sk-" + "A".repeat(48));
        host.accepts(dataUrlImage());

        fn.upload(PROMPT);

        JsonNode record = fn.record();
        assertThat(record.path("status").asText()).isEqualTo("failed");
        assertThat(record.path("error").path("http_status").asInt()).isEqualTo(401);
        assertThat(record.path("error").path("message").asText())
                .isEqualTo("Invalid token (request id: " + REQUEST_ID + ")");
        assertThat(record.has("id")).isFalse();
        fn.assertKeyNowhere();
    }

    @Test
    void aModelNoChannelServesIsTheGatewaysRetryable503AndKeepsItsMessage() {
        h.env("DEFAULT_MODEL", "sora-2");
        NewApi host = new NewApi(h.api, KEY);
        host.accepts(dataUrlImage());
        // distributor.go:133-157: 503 model_not_found in the middleware's envelope, no Retry-After.
        h.api.stubFor(post(urlPathEqualTo("/v1/videos")).atPriority(4)
                .andMatching(all(List.of(host.token(), textField("model", m -> m.equals("sora-2")))))
                .willReturn(NewApi.apiError(503, "model_not_found",
                        "No available channel for model sora-2 under group default (distributor)")));

        var response = fn.upload(PROMPT);

        // A 5xx without a job is a transient fault (channels come back): retried, then left to the queue
        assertThat(response.getBatchItemFailures()).hasSize(1);
        JsonNode record = fn.record();
        assertThat(record.path("status").asText()).isEqualTo("submitting");
        assertThat(record.path("error").path("code").asText()).isEqualTo("model_not_found");
        assertThat(record.path("error").path("http_status").asInt()).isEqualTo(503);
        assertThat(record.path("error").path("message").asText()).startsWith("No available channel for model sora-2");
        assertThat(h.posts()).hasSize(4);
    }

    @Test
    void aSaturatedUpstreamLeavesTheUploadSubmittingUntilItsNextTryWithoutRetryingInTheInvocation() {
        NewApi host = new NewApi(h.api, KEY);
        // controller/relay.go:607-609: an upstream 429 passed on, its message rewritten; no Retry-After.
        h.api.stubFor(host.create(dataUrlImage()).willReturn(NewApi.taskError(429, "fail_to_fetch_task",
                "当前分组上游负载已饱和，请稍后再试")));
        Instant asked = h.clock.instant();

        fn.upload(PROMPT);

        JsonNode record = fn.record();
        assertThat(record.path("status").asText()).isEqualTo("submitting");
        assertThat(record.path("error").path("code").asText()).isEqualTo("fail_to_fetch_task");
        assertThat(record.path("error").path("http_status").asInt()).isEqualTo(429);
        assertThat(record.path("error").path("message").asText()).contains("当前分组上游负载已饱和");
        assertThat(Instant.parse(record.path("next_try_at").asText())).isAfter(asked.plusSeconds(5));
        assertThat(h.posts()).hasSize(1);
        assertThat(h.sleeper.sleeps()).isEmpty();
        assertThat(h.submissionsQueued()).isEqualTo(1);
    }

    @Test
    void theJobObjectsFieldsAreKeptInTheRecordInTheHostsOrder() {
        NewApi host = new NewApi(h.api, KEY);
        host.accepts(dataUrlImage());
        host.statuses(NewApi.task("in_progress", 50, 1764583231L, "", ""));
        fn.upload(PROMPT);

        JsonNode record = fn.check(Duration.ofSeconds(15));

        assertThat(fieldNames(record)).containsSubsequence("status", "id", "task_id", "object", "model", "progress",
                "created_at", "completed_at", "metadata", "source", "request");
        assertThat(record.path("completed_at").asLong()).isEqualTo(1764583231L);
        assertThat(record.path("metadata").path("url").asText()).isEmpty();
    }
}
