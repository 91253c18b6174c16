package io.s3imagetovideo.hosts;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.s3imagetovideo.hosts.HostConformance.VIDEO;
import static io.s3imagetovideo.hosts.HostConformance.all;
import static io.s3imagetovideo.hosts.HostConformance.bearer;
import static io.s3imagetovideo.hosts.HostConformance.fieldNames;
import static io.s3imagetovideo.hosts.HostConformance.idSegment;
import static io.s3imagetovideo.hosts.HostConformance.inTurn;
import static io.s3imagetovideo.hosts.HostConformance.json;
import static io.s3imagetovideo.hosts.HostConformance.not;
import static io.s3imagetovideo.hosts.HostConformance.notBearer;
import static io.s3imagetovideo.hosts.HostConformance.textField;
import static io.s3imagetovideo.support.FunctionHarness.API_KEY;
import static io.s3imagetovideo.support.FunctionHarness.PROMPT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.matching.ValueMatcher;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.s3imagetovideo.hosts.HostConformance.Functions;
import io.s3imagetovideo.support.ElasticMqBackend;
import io.s3imagetovideo.support.FunctionHarness;
import io.s3imagetovideo.support.Mp4s;
import io.s3imagetovideo.support.S3ProxyBackend;
import java.awt.image.BufferedImage;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * vLLM-Omni serving Wan2.2: routes from {@code vllm_omni/entrypoints/openai/api_server.py} (005fd8ea),
 * the job from {@code protocol/videos.py} (079d7a56), auth and error envelopes from upstream vLLM's
 * {@code entrypoints/openai/server_utils.py} (029329a8). Form fields only, any {@code WxH}, the model
 * equal to the served name; every key of the job always there, null when empty; a failed job read
 * with HTTP 500 and the job as the body.
 */
class VllmOmniConformanceFunctionTest {

    @RegisterExtension
    static final S3ProxyBackend S3 = new S3ProxyBackend();
    @RegisterExtension
    static final ElasticMqBackend SQS = new ElasticMqBackend();

    /** {@code --served-model-name}, or the model argument as given: what {@code model} must equal. */
    static final String SERVED = "Wan-AI/Wan2.2-TI2V-5B-Diffusers";
    /** {@code VideoResponse.id}: {@code video_gen_} and a uuid4's 32 hex digits. */
    static final String JOB_ID = "video_gen_0f6c2b0d9d0e4a5f8a1b2c3d4e5f6a7b";
    static final String PROMPT_TEXT = "Let the cow happily take the driving test";

    FunctionHarness h;
    Functions fn;

    @BeforeEach
    void start() {
        h = new FunctionHarness(S3, SQS);
        h.env("VIDEO_SIZES", "any").env("DEFAULT_SIZE", "832x480").env("DEFAULT_MODEL", SERVED);
        fn = new Functions(h);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    // --- the host ------------------------------------------------------------------------------------

    static final class VllmOmni {
        final WireMockServer api;
        final String key;

        VllmOmni(WireMockServer api, String key) {
            this.api = api;
            this.key = key;
            // server_utils.py AuthenticationMiddleware: before routing, every /v1 path, the scheme in any case.
            api.stubFor(any(urlPathMatching("/v1(/.*)?")).atPriority(1).andMatching(notBearer(key, true))
                    .willReturn(json(401, "application/json", "{\"error\":\"Unauthorized\"}")));
            // api_server.py create_video: HTTPException(400), which server_utils.py's handler makes an ErrorResponse.
            api.stubFor(post(urlPathEqualTo("/v1/videos")).atPriority(3)
                    .andMatching(all(List.of(bearer(key, true), textField("model", m -> !m.equals(SERVED)))))
                    .willReturn(error(400, "Bad Request", "Model mismatch: request specifies"
                            + " '{{request.parts.model.body}}' but server is running '" + SERVED + "'.")
                            .withTransformers("response-template")));
            // video_api_utils.decode_input_reference: PIL, then PyAV; neither opens it.
            api.stubFor(post(urlPathEqualTo("/v1/videos")).atPriority(4)
                    .andMatching(all(List.of(bearer(key, true), not(picture()))))
                    .willReturn(error(400, "Bad Request",
                            "Invalid input_reference: provided content is not a valid image or video.")));
            // server_utils.py: the form's RequestValidationError (a missing prompt, a seconds or size off pattern).
            api.stubFor(post(urlPathEqualTo("/v1/videos")).atPriority(5).andMatching(bearer(key, true))
                    .willReturn(error(400, "Bad Request", "1 validation error: {'type': 'missing', 'loc': ('body',"
                            + " 'prompt'), 'msg': 'Field required', 'input': None}")));
            // api_server.py retrieve_video and download_video: HTTPException(404, "Video not found").
            api.stubFor(get(urlPathMatching("/v1/videos/[^/]+(/content)?")).atPriority(9)
                    .andMatching(bearer(key, true)).willReturn(error(404, "Not Found", "Video not found")));
        }

        /** {@code input_reference: UploadFile}, opened with PIL whatever its type says. */
        static ValueMatcher<Request> picture() {
            return HostConformance.namedPicture("input_reference");
        }

        /**
         * {@code POST /v1/videos} ({@code _parse_video_form}): Form and File fields only; prompt required;
         * {@code seconds} {@code ^[1-9]\d*$}; {@code size} {@code ^\d+x\d+$}, any pixels; {@code model},
         * when sent, the served name.
         */
        MappingBuilder create() {
            return post(urlPathEqualTo("/v1/videos")).atPriority(2)
                    .withHeader("Content-Type", matching("multipart/form-data; ?boundary=.+"))
                    .andMatching(all(List.of(bearer(key, true), textField("prompt", p -> !p.isEmpty()),
                            textField("model", SERVED::equals), textField("seconds", s -> s.matches("[1-9][0-9]*")),
                            textField("size", s -> s.matches("[0-9]+x[0-9]+")), picture())));
        }

        void accepts() {
            // api_server.py video_response_from_request: 200, the full VideoResponse; seconds echoed as a string.
            api.stubFor(create().willReturn(json(200, "application/json", job("queued", 0, "null", "null", "null",
                    "null"))));
        }

        MappingBuilder status() {
            return get(urlPathMatching("/v1/videos/" + idSegment(JOB_ID))).atPriority(2).andMatching(bearer(key, true));
        }

        void statuses(ResponseDefinitionBuilder... answers) {
            inTurn(api, "job", this::status, answers);
        }

        MappingBuilder content() {
            return get(urlPathMatching("/v1/videos/" + idSegment(JOB_ID) + "/content")).atPriority(2)
                    .andMatching(bearer(key, true));
        }

        void serves(byte[] mp4) {
            // api_server.py download_video: Starlette's FileResponse of <id>.mp4; ?variant= is no parameter of it.
            api.stubFor(content().willReturn(aResponse().withStatus(200).withHeader("Content-Type", "video/mp4")
                    .withHeader("Content-Disposition", "attachment; filename=\"" + JOB_ID + ".mp4\"")
                    .withHeader("Last-Modified", "Mon, 24 Nov 2026 10:01:30 GMT")
                    .withHeader("ETag", "\"4f1b2c3d5e6a7b8c9d0e1f2a3b4c5d6e\"").withHeader("Accept-Ranges", "bytes")
                    .withBody(mp4)));
        }

        /** {@code VideoResponse} (protocol/videos.py) in declaration order, every key present (no exclude_none). */
        static String job(String status, int progress, String completedAt, String error, String fileName,
                String inferenceTime) {
            return "{\"model\":\"" + SERVED + "\",\"prompt\":\"" + PROMPT_TEXT + "\",\"id\":\"" + JOB_ID + "\","
                    + "\"object\":\"video\",\"status\":\"" + status + "\",\"size\":\"832x480\",\"progress\":" + progress
                    + ",\"seconds\":\"10\",\"quality\":\"default\",\"completed_at\":" + completedAt + ",\"created_at\":"
                    + "1764583200,\"remixed_from_video_id\":null,\"error\":" + error + ",\"media_type\":\"video/mp4\","
                    + "\"expires_at\":null,\"file_name\":" + fileName + ",\"inference_time_s\":" + inferenceTime
                    + ",\"stage_durations\":{},\"peak_memory_mb\":0.0}";
        }

        static ResponseDefinitionBuilder completed() {
            return json(200, "application/json", job("completed", 100, "1764583290", "null",
                    "\"" + JOB_ID + ".mp4\"", "87.42"));
        }

        /** server_utils.py's {@code ErrorResponse}: type the reason phrase, param null, code the status as a number. */
        static ResponseDefinitionBuilder error(int status, String type, String message) {
            return json(status, "application/json", "{\"error\":{\"message\":\"" + message + "\",\"type\":\"" + type
                    + "\",\"param\":null,\"code\":" + status + "}}");
        }
    }

    // --- the job's life ------------------------------------------------------------------------------

    @Test
    void aWanJobOfAnyWxHRunsToCompletedAndTheServersFileResponseIsSaved() {
        byte[] mp4 = Mp4s.ofSize(8 * 1024, 51);
        VllmOmni server = new VllmOmni(h.api, API_KEY);
        server.accepts();
        // api_server.py _run_video_generation_job: in_progress at once, progress only ever 0 or 100.
        server.statuses(json(200, "application/json", VllmOmni.job("in_progress", 0, "null", "null", "null", "null")),
                VllmOmni.completed());
        server.serves(mp4);

        // Given the picture and its prompt file at a size none of OpenAI's four
        assertThat(fn.upload(PROMPT).getBatchItemFailures()).isEmpty();

        // Then the form carried the served model and the picture fitted to 832x480
        LoggedRequest create = h.posts().get(0);
        assertThat(create.getPart("model").getBody().asString()).isEqualTo(SERVED);
        assertThat(create.getPart("size").getBody().asString()).isEqualTo("832x480");
        BufferedImage sent = HostConformance.decode(create.getPart("input_reference").getBody().asBytes()).orElseThrow();
        assertThat(sent.getWidth() + "x" + sent.getHeight()).isEqualTo("832x480");
        JsonNode queued = fn.record();
        assertThat(queued.path("status").asText()).isEqualTo("queued");
        assertThat(queued.path("id").asText()).matches("video_gen_[0-9a-f]{32}");

        // When the checks follow the job
        assertThat(fn.check(Duration.ofSeconds(15)).path("status").asText()).isEqualTo("in_progress");
        JsonNode done = fn.check(Duration.ofSeconds(90));

        // Then the MP4 is the server's file, byte for byte, and the record keeps its job object, nulls too
        assertThat(h.object(VIDEO)).hasValueSatisfying(saved -> assertThat(saved).isEqualTo(mp4));
        assertThat(done.path("status").asText()).isEqualTo("completed");
        assertThat(done.has("api_status")).isFalse();
        assertThat(done.path("file_name").asText()).isEqualTo(JOB_ID + ".mp4");
        assertThat(done.path("expires_at").isNull()).isTrue();
        assertThat(done.path("remixed_from_video_id").isNull()).isTrue();
        assertThat(fieldNames(done)).containsSubsequence("model", "prompt", "id", "object", "size", "progress",
                "seconds", "quality", "completed_at", "created_at", "media_type", "file_name", "inference_time_s",
                "stage_durations", "peak_memory_mb");
        assertThat(done.path("output").path("bytes").asLong()).isEqualTo(mp4.length);
        // ?variant=thumbnail is ignored: the MP4 again, so no thumbnail
        h.api.verify(1, getRequestedFor(urlPathEqualTo("/v1/videos/" + JOB_ID + "/content"))
                .withQueryParam("variant", absent()));
        assertThat(h.keys()).noneMatch(k -> k.contains(".thumbnail."));
        fn.assertKeyNowhere();
    }

    @Test
    void aContentRedirectToAStorageHostIsFollowedWithoutTheKey() {
        byte[] mp4 = Mp4s.ofSize(8 * 1024, 52);
        VllmOmni server = new VllmOmni(h.api, API_KEY);
        server.accepts();
        server.statuses(VllmOmni.completed());
        // vLLM-Omni's own storage backend is the local file (FileResponse, storage/factory.py 300ef502); a
        // deployment that keeps its videos in an object store answers /content with a 307 to a signed URL.
        String blob = "/videos/" + JOB_ID + ".mp4";
        h.api.stubFor(server.content().willReturn(aResponse().withStatus(307)
                .withHeader("Location", h.cdn().baseUrl() + blob + "?X-Amz-Signature=9c1d&X-Amz-Expires=600")));
        // An S3-like store refuses a second way of signing: a request that brings the key fails there.
        h.cdn().stubFor(get(urlPathEqualTo(blob)).atPriority(1).withHeader("Authorization", absent())
                .withQueryParam("X-Amz-Signature", matching(".+"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "video/mp4").withBody(mp4)));
        h.cdn().stubFor(any(anyUrl()).atPriority(5).willReturn(aResponse().withStatus(400)
                .withHeader("Content-Type", "application/xml").withBody("<Error><Code>InvalidArgument</Code><Message>"
                        + "Only one auth mechanism allowed</Message></Error>")));
        fn.upload(PROMPT);

        JsonNode done = fn.check(Duration.ofSeconds(15));

        assertThat(done.path("status").asText()).isEqualTo("completed");
        assertThat(h.object(VIDEO)).hasValueSatisfying(saved -> assertThat(saved).isEqualTo(mp4));
        // The video and the thumbnail ask both went there, neither with the key
        h.cdn().verify(2, getRequestedFor(urlPathEqualTo(blob)));
        h.cdn().verify(0, anyRequestedFor(anyUrl()).withHeader("Authorization", matching(".*")));
        assertThat(h.keys()).noneMatch(k -> k.contains(".thumbnail."));
    }

    // --- failures ------------------------------------------------------------------------------------

    @Test
    void aFailedJobReadWithHttp500AndItsBodyIsFailedWithTheServersMessageAtTheFirstReadThatSaysSo() {
        VllmOmni server = new VllmOmni(h.api, API_KEY);
        server.accepts();
        // api_server.py retrieve_video: a failed job answers with its error's code as the HTTP status, the job as the body.
        server.statuses(json(200, "application/json", VllmOmni.job("in_progress", 0, "null", "null", "null", "null")),
                json(500, "application/json", VllmOmni.job("failed", 0, "1764583260", "{\"code\":500,\"message\":"
                        + "\"CUDA out of memory. Tried to allocate 2.50 GiB\"}", "null", "12.34")));
        fn.upload(PROMPT);
        assertThat(fn.check(Duration.ofSeconds(15)).path("status").asText()).isEqualTo("in_progress");

        JsonNode record = fn.check(Duration.ofSeconds(30));

        // Read as the job it is, not as a transient 500: one read, no wait, no further check
        assertThat(record.path("status").asText()).isEqualTo("failed");
        assertThat(record.path("error").path("message").asText()).isEqualTo("CUDA out of memory. Tried to allocate 2.50 GiB");
        assertThat(record.path("error").path("code").asText()).isEqualTo("500");
        assertThat(record.path("inference_time_s").asDouble()).isEqualTo(12.34);
        h.api.verify(2, getRequestedFor(urlPathEqualTo("/v1/videos/" + JOB_ID)));
        assertThat(h.sleeper.sleeps()).isEmpty();
        assertThat(h.receive(1)).isEmpty();
        assertThat(h.object(VIDEO)).isEmpty();
    }

    @Test
    void anEarlyServersFailedJobReadWith200AndAClassNameAsItsCodeIsFailedToo() {
        VllmOmni server = new VllmOmni(h.api, API_KEY);
        server.accepts();
        // The first video API of api_server.py: retrieve_video returned the job as it was, 200, and
        // VideoError(code=type(exc).__name__, message=str(exc)) a class name as its code.
        server.statuses(json(200, "application/json", VllmOmni.job("failed", 0, "1764583260", "{\"code\":"
                + "\"ValueError\",\"message\":\"Invalid size '0x480': width and height must be positive\"}", "null",
                "0.01")));
        fn.upload(PROMPT);

        JsonNode record = fn.check(Duration.ofSeconds(15));

        assertThat(record.path("status").asText()).isEqualTo("failed");
        assertThat(record.path("error").path("code").asText()).isEqualTo("ValueError");
        assertThat(record.path("error").path("message").asText()).startsWith("Invalid size '0x480'");
    }

    @Test
    void aModelOtherThanTheServedOneFailsWithTheServersModelMismatch() {
        h.env("DEFAULT_MODEL", "Wan-AI/Wan2.2-I2V-A14B-Diffusers");
        new VllmOmni(h.api, API_KEY).accepts();

        fn.upload(PROMPT);

        JsonNode record = fn.record();
        assertThat(record.path("status").asText()).isEqualTo("failed");
        assertThat(record.path("error").path("http_status").asInt()).isEqualTo(400);
        assertThat(record.path("error").path("code").asText()).isEqualTo("400");
        assertThat(record.path("error").path("message").asText()).isEqualTo("Model mismatch: request specifies"
                + " 'Wan-AI/Wan2.2-I2V-A14B-Diffusers' but server is running '" + SERVED + "'.");
        assertThat(h.posts()).hasSize(1);
        assertThat(h.receive(1)).isEmpty();
    }

    @Test
    void anIdTheServerDoesNotKnowFailsWithVideoNotFound() {
        new VllmOmni(h.api, API_KEY).accepts();
        fn.upload(PROMPT);

        JsonNode record = fn.check(Duration.ofSeconds(15));

        assertThat(record.path("status").asText()).isEqualTo("failed");
        assertThat(record.path("error").path("http_status").asInt()).isEqualTo(404);
        assertThat(record.path("error").path("code").asText()).isEqualTo("404");
        assertThat(record.path("error").path("message").asText()).isEqualTo("Video not found");
    }

    @Test
    void aWrongKeyIsUnauthorizedAndTheUploadFailsWithoutTheKey() {
        // Given a server started with --api-key of another value
        new VllmOmni(h.api, "wan-secret-2").accepts();

        fn.upload(PROMPT);

        JsonNode record = fn.record();
        assertThat(record.path("status").asText()).isEqualTo("failed");
        assertThat(record.path("error").path("http_status").asInt()).isEqualTo(401);
        assertThat(record.path("error").path("message").asText()).isEqualTo("Unauthorized");
        fn.assertKeyNowhere();
    }

    @Test
    void aTooManyRequestsAnswerLeavesTheUploadSubmittingUntilItsNextTryWithoutRetryingInTheInvocation() {
        VllmOmni server = new VllmOmni(h.api, API_KEY);
        // vLLM-Omni's video routes raise no 429 of their own; one raised in the app (a --middleware limiter,
        // say) goes through vLLM's HTTPException handler, which gives it this envelope.
        h.api.stubFor(server.create().willReturn(VllmOmni.error(429, "Too Many Requests",
                "Too many video jobs in flight; try again later.").withHeader("Retry-After", "30")));
        Instant asked = h.clock.instant();

        fn.upload(PROMPT);

        JsonNode record = fn.record();
        assertThat(record.path("status").asText()).isEqualTo("submitting");
        assertThat(record.path("error").path("http_status").asInt()).isEqualTo(429);
        assertThat(record.path("error").path("code").asText()).isEqualTo("429");
        assertThat(Instant.parse(record.path("next_try_at").asText())).isAfterOrEqualTo(asked.plusSeconds(30));
        assertThat(h.posts()).hasSize(1);
        assertThat(h.sleeper.sleeps()).isEmpty();
        assertThat(h.submissionsQueued()).isEqualTo(1);
    }
}
