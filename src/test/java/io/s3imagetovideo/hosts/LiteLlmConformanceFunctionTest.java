package io.s3imagetovideo.hosts;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.any;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.notMatching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.s3imagetovideo.hosts.HostConformance.RECORD;
import static io.s3imagetovideo.hosts.HostConformance.VIDEO;
import static io.s3imagetovideo.hosts.HostConformance.all;
import static io.s3imagetovideo.hosts.HostConformance.bearer;
import static io.s3imagetovideo.hosts.HostConformance.encoded;
import static io.s3imagetovideo.hosts.HostConformance.fieldNames;
import static io.s3imagetovideo.hosts.HostConformance.idSegment;
import static io.s3imagetovideo.hosts.HostConformance.inTurn;
import static io.s3imagetovideo.hosts.HostConformance.json;
import static io.s3imagetovideo.hosts.HostConformance.not;
import static io.s3imagetovideo.hosts.HostConformance.notBearer;
import static io.s3imagetovideo.hosts.HostConformance.textField;
import static io.s3imagetovideo.support.FunctionHarness.API_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.s3imagetovideo.hosts.HostConformance.Functions;
import io.s3imagetovideo.queue.StatusCheck;
import io.s3imagetovideo.support.ElasticMqBackend;
import io.s3imagetovideo.support.FunctionHarness;
import io.s3imagetovideo.support.Mp4s;
import io.s3imagetovideo.support.S3ProxyBackend;
import io.s3imagetovideo.support.SqsEvents;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The LiteLLM proxy 1.80.8 (BerriAI/litellm, as merged at 321ffd72) routing to Google Veo: the picture
 * as the file part {@code input_reference} ({@code litellm/proxy/video_endpoints/endpoints.py:38}),
 * {@code size} mapped to an aspect ratio and anything else silently 16:9, Veo 3's 4, 6 or 8 seconds
 * ({@code litellm/llms/gemini/videos/transformation.py}), ids {@code video_} + padded base64
 * ({@code litellm/types/videos/utils.py:18-36}), every field of {@code VideoObject} present, null when
 * unset ({@code litellm/types/videos/main.py:8-44}), errors {@code {"error":{message,type,param,code}}}
 * with the status as a string code ({@code litellm/proxy/_types.py:2793-2803}).
 */
class LiteLlmConformanceFunctionTest {

    @RegisterExtension
    static final S3ProxyBackend S3 = new S3ProxyBackend();
    @RegisterExtension
    static final ElasticMqBackend SQS = new ElasticMqBackend();

    /** The proxy's {@code model_name}, as its config names it. */
    static final String MODEL_NAME = "gemini/veo-3.1-fast-generate-preview";
    /** The model as the ids and the create answer carry it: the provider prefix stripped (gemini 296). */
    static final String MODEL = "veo-3.1-fast-generate-preview";
    /**
     * Google's operation. Its names never give a {@code +} in base64; this one's {@code ~} does, so that an
     * id that is not path-encoded shows. Its length leaves {@code =} padding.
     */
    static final String OPERATION = "models/" + MODEL + "/operations/vq7r0x~k2";
    /** What create answers: the model in {@code model_id}. */
    static final String VIDEO_ID = id("gemini", MODEL, OPERATION);
    /** What GET answers for the same job: gemini 379 re-encodes with an empty {@code model_id}. */
    static final String READ_ID = id("gemini", "", OPERATION);
    static final String PROMPT = "{\"prompt\": \"Let the cow happily take the driving test\", \"seconds\": \"8\"}";

    FunctionHarness h;
    Functions fn;

    @BeforeEach
    void start() {
        h = new FunctionHarness(S3, SQS);
        h.env("VIDEO_SIZES", "1280x720,720x1280,1920x1080,1080x1920").env("VIDEO_SECONDS", "4,6,8")
                .env("DEFAULT_SECONDS", "8").env("DEFAULT_MODEL", MODEL_NAME);
        fn = new Functions(h);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    /** {@code "video_" + base64("litellm:custom_llm_provider:<p>;model_id:<m>;video_id:<raw>")}, standard alphabet, padded. */
    static String id(String provider, String model, String raw) {
        return "video_" + Base64.getEncoder().encodeToString(("litellm:custom_llm_provider:" + provider + ";model_id:"
                + model + ";video_id:" + raw).getBytes(StandardCharsets.UTF_8));
    }

    // --- the host ------------------------------------------------------------------------------------

    static final class LiteLlm {
        /** Veo 3 takes these lengths; LiteLLM passes any whole number on and Google refuses the rest. */
        static final Set<String> SECONDS = Set.of("4", "6", "8");
        final WireMockServer api;
        final String key;
        final Set<String> modelNames;

        LiteLlm(WireMockServer api, String key, Set<String> modelNames) {
            this.api = api;
            this.key = key;
            this.modelNames = modelNames;
            // proxy/auth/user_api_key_auth.py, wrapped by auth_exception_handler.py:119-124 into a 401
            // ProxyException; with a database a wrong key is looked up and not found (887-892).
            api.stubFor(any(urlPathMatching("/v1/videos(/.*)?")).atPriority(2).withHeader("Authorization", absent())
                    .willReturn(error(401, "Authentication Error, No api key passed in.", "\"auth_error\"",
                            "\"None\"")));
            api.stubFor(any(urlPathMatching("/v1/videos(/.*)?")).atPriority(3)
                    .withHeader("Authorization", notMatching("(Bearer|bearer|Basic) .*"))
                    .willReturn(error(401, "Authentication Error, Malformed API Key passed in. Ensure Key has"
                            + " `Bearer ` prefix.", "\"auth_error\"", "\"None\"")));
            api.stubFor(any(urlPathMatching("/v1/videos(/.*)?")).atPriority(4).andMatching(notBearer(key, false))
                    .willReturn(error(401, "Authentication Error, Invalid proxy server token passed. Received API"
                            + " Key = sk-..." + API_KEY.substring(API_KEY.length() - 4) + ", Key Hash (Token) ="
                            + sha256(API_KEY) + ". Unable to find token in cache or `LiteLLM_VerificationTokenTable`",
                            "\"token_not_found_in_db\"", "\"key\"")));
            // route_llm_request.py:47-51: a model the config does not name; the message is str(dict).
            api.stubFor(post(urlPathEqualTo("/v1/videos")).atPriority(5)
                    .andMatching(all(List.of(bearer(key, false), not(textField("model", modelNames::contains)))))
                    .willReturn(error(400, "{'error': '/videos: Invalid model name passed in model="
                            + "{{request.parts.model.body}}. Call `/v1/models` to view available models for your"
                            + " key.'}", "\"None\"", "\"None\"").withTransformers("response-template")));
            // gemini 119-128: int(seconds) reaches Veo, which refuses what it does not take; the envelope is
            // LiteLLM's BadRequestError around Google's body (exception_mapping_utils.py:1345-1358), Google's
            // wording here only an example.
            api.stubFor(post(urlPathEqualTo("/v1/videos")).atPriority(6)
                    .andMatching(all(List.of(bearer(key, false), not(textField("seconds", SECONDS::contains)))))
                    .willReturn(error(400, "litellm.BadRequestError: GeminiException BadRequestError - {\\n  \\\"error\\\""
                            + ": {\\n    \\\"code\\\": 400,\\n    \\\"message\\\": \\\"The number value for `durationSeconds`"
                            + " is out of bound.\\\",\\n    \\\"status\\\": \\\"INVALID_ARGUMENT\\\"\\n  }\\n}\\n", "null",
                            "null")));
            // Status and content of an operation Google does not know: mapped with model="" to
            // APIConnectionError, always 500 (videos/main.py 375-381; exception_mapping_utils.py:2292-2312).
            api.stubFor(get(urlPathMatching("/v1/videos/[^/]+(/content)?")).atPriority(9).andMatching(bearer(key, false))
                    .willReturn(error(500, "litellm.APIConnectionError: gemini - {\\\"error\\\": {\\\"code\\\": 404,"
                            + " \\\"message\\\": \\\"Requested entity was not found.\\\", \\\"status\\\": \\\"NOT_FOUND\\\"}}",
                            "null", "null")));
            // gemini 441-492: remix is a NotImplementedError, a 500 through the same mapping.
            api.stubFor(post(urlPathMatching("/v1/videos/[^/]+/remix")).atPriority(9).andMatching(bearer(key, false))
                    .willReturn(error(500, "litellm.APIConnectionError: Video remix is not supported by Google Veo."
                            + " Please use video_generation() to create new videos.\\nTraceback (most recent call last):"
                            + "\\n  ...", "null", "null")));
        }

        /**
         * {@code POST /v1/videos}: a configured model, a prompt, and {@code input_reference} an UploadFile
         * (a text value would be FastAPI's 422); the bytes are sniffed, never refused for their type
         * (gemini 31-52). {@code size} is not checked: anything unknown becomes 16:9 without a word.
         */
        MappingBuilder create() {
            return post(urlPathEqualTo("/v1/videos")).atPriority(1)
                    .withHeader("Content-Type", matching("multipart/form-data; ?boundary=.+"))
                    .andMatching(all(List.of(bearer(key, false), textField("model", modelNames::contains),
                            textField("prompt", p -> !p.isEmpty()), textField("seconds", SECONDS::contains),
                            HostConformance.namedPicture("input_reference"))));
        }

        void accepts(String id, String model) {
            // gemini 259-318: always "processing"; seconds and size null even when asked for; usage from seconds.
            api.stubFor(create().willReturn(litellm(video(id, "processing", "\"" + model + "\"",
                    "{\"duration_seconds\":8.0}", "null"))));
        }

        MappingBuilder status(String id) {
            return get(urlPathMatching("/v1/videos/" + idSegment(id))).atPriority(1).andMatching(bearer(key, false));
        }

        void statuses(String id, ResponseDefinitionBuilder... answers) {
            inTurn(api, "status", () -> status(id), answers);
        }

        void serves(String id, byte[] mp4) {
            // endpoints.py 368-374: read whole, sent as video/mp4 with a Content-Disposition; no x-litellm
            // headers (a bare Response); ?variant= never passed on.
            api.stubFor(get(urlPathMatching("/v1/videos/" + idSegment(id) + "/content")).atPriority(1)
                    .andMatching(bearer(key, false)).willReturn(aResponse().withStatus(200)
                            .withHeader("Content-Type", "video/mp4")
                            .withHeader("Content-Disposition", "attachment; filename=video_" + id + ".mp4")
                            .withBody(mp4)));
        }

        /** {@code VideoObject}: its 13 keys in declaration order, null unless set. */
        static String video(String id, String status, String model, String usage, String error) {
            return "{\"id\":\"" + id + "\",\"object\":\"video\",\"status\":\"" + status + "\",\"created_at\":null,"
                    + "\"completed_at\":null,\"expires_at\":null,\"error\":" + error + ",\"progress\":null,"
                    + "\"remixed_from_video_id\":null,\"seconds\":null,\"size\":null,\"model\":" + model
                    + ",\"usage\":" + usage + "}";
        }

        /** An answer the proxy built itself: ORJSONResponse with its x-litellm headers (common_request_processing.py:646-662). */
        static ResponseDefinitionBuilder litellm(String body) {
            return json(200, "application/json", body)
                    .withHeader("x-litellm-call-id", "4b4b8c1e-0d2f-4e43-9a51-3c0c2a7e9d10")
                    .withHeader("x-litellm-model-id", sha256("veo-deployment"))
                    .withHeader("x-litellm-version", "1.80.8");
        }

        /** {@code ProxyException.to_dict}: code always the HTTP status as a string; type and param as given (JSON). */
        static ResponseDefinitionBuilder error(int status, String message, String type, String param) {
            return json(status, "application/json", "{\"error\":{\"message\":\"" + message + "\",\"type\":" + type
                    + ",\"param\":" + param + ",\"code\":\"" + status + "\"}}");
        }
    }

    static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    LiteLlm proxy() {
        return new LiteLlm(h.api, API_KEY, Set.of(MODEL_NAME, "vertex_ai/veo-3.0-generate-001"));
    }

    // --- the job's life ------------------------------------------------------------------------------

    @Test
    void aVeoJobRunsFromProcessingToCompletedUnderItsPaddedBase64IdAndItsMp4IsSaved() {
        // The id is what the proxy makes: padded, with a '+', and no '/' (which no route would match)
        assertThat(VIDEO_ID).endsWith("=").contains("+").doesNotContain("/");
        byte[] mp4 = Mp4s.ofSize(9 * 1024, 41);
        LiteLlm proxy = proxy();
        proxy.accepts(VIDEO_ID, MODEL);
        // gemini 339-388: only id (re-encoded), object and status; done means completed.
        proxy.statuses(VIDEO_ID, LiteLlm.litellm(LiteLlm.video(READ_ID, "processing", "null", "null", "null")),
                LiteLlm.litellm(LiteLlm.video(READ_ID, "completed", "null", "null", "null")));
        proxy.serves(VIDEO_ID, mp4);

        // Given the picture and a prompt file within Veo's lengths
        assertThat(fn.upload(PROMPT).getBatchItemFailures()).isEmpty();

        // Then the create answer's "processing" is ours in_progress, every null of it kept
        JsonNode submitted = fn.record();
        assertThat(submitted.path("status").asText()).isEqualTo("in_progress");
        assertThat(submitted.path("api_status").asText()).isEqualTo("processing");
        assertThat(submitted.path("id").asText()).isEqualTo(VIDEO_ID);
        assertThat(submitted.path("progress").isNull()).isTrue();
        assertThat(submitted.path("created_at").isNull()).isTrue();
        assertThat(submitted.path("usage").path("duration_seconds").asDouble()).isEqualTo(8.0);
        assertThat(fieldNames(submitted)).containsSubsequence("id", "object", "created_at", "completed_at",
                "expires_at", "progress", "remixed_from_video_id", "seconds", "size", "model", "usage");
        // And the size sent is one the proxy maps exactly
        assertThat(h.posts().get(0).getPart("size").getBody().asString()).isEqualTo("720x1280");

        // When the checks follow it
        JsonNode running = fn.check(Duration.ofSeconds(15));
        assertThat(running.path("status").asText()).isEqualTo("in_progress");
        assertThat(running.path("api_status").asText()).isEqualTo("processing");
        JsonNode done = fn.check(Duration.ofSeconds(30));

        // Then the MP4 is the proxy's bytes; the record still follows the id create gave
        assertThat(h.object(VIDEO)).hasValueSatisfying(saved -> assertThat(saved).isEqualTo(mp4));
        assertThat(done.path("status").asText()).isEqualTo("completed");
        assertThat(done.has("api_status")).isFalse();
        assertThat(done.path("id").asText()).isEqualTo(VIDEO_ID);
        assertThat(done.path("output").path("bytes").asLong()).isEqualTo(mp4.length);
        // And every read went to the id as one percent-encoded path segment
        String path = "/v1/videos/" + encoded(VIDEO_ID);
        assertThat(path).contains("%2B").endsWith("%3D");
        h.api.verify(2, getRequestedFor(urlPathEqualTo(path)));
        h.api.verify(1, getRequestedFor(urlPathEqualTo(path + "/content")).withQueryParam("variant", absent()));
        // ?variant=thumbnail is ignored: the MP4 again, so no thumbnail
        assertThat(done.path("output").has("thumbnail")).isFalse();
        assertThat(h.keys()).noneMatch(k -> k.contains(".thumbnail."));
        fn.assertKeyNowhere();
    }

    @Test
    void aSizeOrLengthTheProxyWouldNotHonourIsRejectedBeforeAnyPost() {
        proxy().accepts(VIDEO_ID, MODEL);

        // 832x480 would silently become 16:9 (gemini 137-155); 10 s is not one of Veo 3's lengths
        fn.upload("{\"prompt\": \"a cow\", \"seconds\": \"8\", \"size\": \"832x480\"}");
        JsonNode size = fn.record();
        fn.uploadPromptAgain("{\"prompt\": \"a cow\", \"seconds\": \"10\"}");
        JsonNode seconds = fn.record();

        assertThat(size.path("status").asText()).isEqualTo("rejected");
        assertThat(size.path("error").path("code").asText()).isEqualTo("invalid_size");
        assertThat(size.path("error").path("message").asText()).contains("VIDEO_SIZES").contains("1920x1080");
        assertThat(seconds.path("status").asText()).isEqualTo("rejected");
        assertThat(seconds.path("error").path("code").asText()).isEqualTo("invalid_seconds");
        assertThat(seconds.path("error").path("message").asText()).contains("VIDEO_SECONDS");
        assertThat(h.api.getAllServeEvents()).isEmpty();
    }

    @Test
    void aRemixOnVeoFailsWithTheProxysNotSupportedMessageAndLeavesTheFirstVideo() {
        byte[] mp4 = Mp4s.ofSize(5 * 1024, 42);
        h.env("SAVE_THUMBNAIL", "false");
        LiteLlm proxy = proxy();
        proxy.accepts(VIDEO_ID, MODEL);
        proxy.statuses(VIDEO_ID, LiteLlm.litellm(LiteLlm.video(READ_ID, "completed", "null", "null", "null")));
        proxy.serves(VIDEO_ID, mp4);
        // Given a completed job
        fn.upload(PROMPT);
        assertThat(fn.check(Duration.ofSeconds(15)).path("status").asText()).isEqualTo("completed");

        // When a new prompt file asks to remix it
        var response = fn.uploadPromptAgain("{\"prompt\": \"Now the cow parks\", \"seconds\": \"8\", \"remix\": true}");

        // Then the remix route was asked once, with JSON, and its 500 "not supported" is final
        assertThat(response.getBatchItemFailures()).isEmpty();
        h.api.verify(1, postRequestedFor(urlPathEqualTo("/v1/videos/" + encoded(VIDEO_ID) + "/remix"))
                .withRequestBody(equalToJson("{\"prompt\": \"Now the cow parks\"}")));
        JsonNode record = fn.record();
        assertThat(record.path("status").asText()).isEqualTo("failed");
        assertThat(record.path("error").path("http_status").asInt()).isEqualTo(500);
        assertThat(record.path("error").path("message").asText())
                .contains("Video remix is not supported by Google Veo").contains("remove \"remix\"")
                .as("the proxy's Python traceback is not the user's business").doesNotContain("Traceback");
        assertThat(record.path("remixed_from").asText()).isEqualTo(VIDEO_ID);
        assertThat(h.posts()).hasSize(1);
        assertThat(h.object(VIDEO)).hasValue(mp4);
        assertThat(h.receive(1)).isEmpty();
    }

    // --- failures ------------------------------------------------------------------------------------

    @Test
    void aVertexJobThatFailedKeepsGooglesCodeAndMessage() {
        // vertex_ai/videos/transformation.py 375-449: failed when the operation has an error, kept as Google sent it
        String operation = "projects/cow-films/locations/us-central1/publishers/google/models/veo-3.0-generate-001"
                + "/operations/00000000-5e1c-4c2a-9f3e-2b7d6a1c0e4f";
        String vertexId = id("vertex_ai", "veo-3.0-generate-001", operation);
        assertThat(vertexId).doesNotContain("/");
        h.env("DEFAULT_MODEL", "vertex_ai/veo-3.0-generate-001");
        LiteLlm proxy = proxy();
        proxy.accepts(vertexId, "veo-3.0-generate-001");
        proxy.statuses(vertexId, LiteLlm.litellm("{\"id\":\"" + vertexId + "\",\"object\":\"video\",\"status\":"
                + "\"failed\",\"created_at\":1764583200,\"completed_at\":null,\"expires_at\":null,\"error\":{\"code\":3,"
                + "\"message\":\"The prompt could not be submitted. It contains words that violate the usage"
                + " guidelines.\"},\"progress\":null,\"remixed_from_video_id\":null,\"seconds\":null,\"size\":null,"
                + "\"model\":\"veo-3.0-generate-001\",\"usage\":null}"));
        fn.upload(PROMPT);

        JsonNode record = fn.check(Duration.ofSeconds(15));

        assertThat(record.path("status").asText()).isEqualTo("failed");
        assertThat(record.path("error").path("code").asText()).isEqualTo("3");
        assertThat(record.path("error").path("message").asText()).contains("violate the usage guidelines");
        assertThat(h.object(VIDEO)).isEmpty();
    }

    @Test
    void anIdGoogleDoesNotKnowIsA500SoItIsAskedAgainUntilTheJobExpires() {
        h.env("POLL_MAX_AGE_SECONDS", "600");
        proxy().accepts(VIDEO_ID, MODEL);
        fn.upload(PROMPT);
        String before = h.etag(RECORD);

        // LiteLLM has no 404 for a video: a 5xx without a job, so the check goes back to the queue
        FunctionHarness.Delivery first = fn.deliverCheck(Duration.ofSeconds(15));
        assertThat(first.failedIds()).containsExactly(first.message().messageId());
        assertThat(h.etag(RECORD)).isEqualTo(before);

        // And once the job is past its age, the next look ends it, naming the proxy's answer
        h.clock.advance(Duration.ofSeconds(600));
        var late = h.poll(fn.pollHandler(), SqsEvents.ofBody(
                new StatusCheck(h.bucket, RECORD, VIDEO_ID, 1).toJson(h.mapper).toString()));
        assertThat(late.getBatchItemFailures()).isEmpty();
        JsonNode record = fn.record();
        assertThat(record.path("status").asText()).isEqualTo("expired");
        assertThat(record.path("error").path("code").asText()).isEqualTo("job_expired");
        assertThat(record.path("error").path("message").asText()).contains("(500)")
                .as("the proxy's own words, not only its code").contains("Requested entity was not found");
    }

    @Test
    void aWrongKeyFailsTheUploadWithTheProxysAuthErrorAndNotTheKey() {
        // Given a proxy whose database has another key
        LiteLlm proxy = new LiteLlm(h.api, "sk-1f2e3d4c5b6a", Set.of(MODEL_NAME));
        proxy.accepts(VIDEO_ID, MODEL);

        fn.upload(PROMPT);

        JsonNode record = fn.record();
        assertThat(record.path("status").asText()).isEqualTo("failed");
        assertThat(record.path("error").path("http_status").asInt()).isEqualTo(401);
        assertThat(record.path("error").path("code").asText()).isEqualTo("401");
        assertThat(record.path("error").path("message").asText())
                .startsWith("Authentication Error, Invalid proxy server token passed. Received API Key = sk-...");
        fn.assertKeyNowhere();
    }

    @Test
    void aModelTheConfigDoesNotNameFailsWithTheProxysInvalidModelMessage() {
        h.env("DEFAULT_MODEL", "veo-3");
        proxy().accepts(VIDEO_ID, MODEL);

        fn.upload(PROMPT);

        JsonNode record = fn.record();
        assertThat(record.path("status").asText()).isEqualTo("failed");
        assertThat(record.path("error").path("http_status").asInt()).isEqualTo(400);
        assertThat(record.path("error").path("message").asText())
                .isEqualTo("{'error': '/videos: Invalid model name passed in model=veo-3. Call `/v1/models` to view"
                        + " available models for your key.'}");
    }

    @Test
    void aRateLimitedCreateLeavesTheUploadSubmittingUntilRetryAfterWithoutRetryingInTheInvocation() {
        LiteLlm proxy = proxy();
        // _PROXY_MaxParallelRequestsHandler_v3 (_handle_rate_limit_error 1076-1120): 429 with retry-after.
        h.api.stubFor(proxy.create().willReturn(LiteLlm.error(429, "Rate limit exceeded for api_key: "
                + sha256(API_KEY) + ". Limit type: requests. Current limit: 1, Remaining: 0. Limit resets at:"
                + " 2026-11-24 10:01:00 UTC", "\"None\"", "\"None\"").withHeader("retry-after", "60")
                .withHeader("rate_limit_type", "requests").withHeader("reset_at", "2026-11-24 10:01:00 UTC")));
        Instant asked = h.clock.instant();

        fn.upload(PROMPT);

        JsonNode record = fn.record();
        assertThat(record.path("status").asText()).isEqualTo("submitting");
        assertThat(record.path("error").path("http_status").asInt()).isEqualTo(429);
        assertThat(record.path("error").path("message").asText()).contains("Rate limit exceeded");
        assertThat(Instant.parse(record.path("next_try_at").asText())).isAfterOrEqualTo(asked.plusSeconds(60));
        assertThat(h.posts()).hasSize(1);
        assertThat(h.sleeper.sleeps()).isEmpty();
        assertThat(h.submissionsQueued()).isEqualTo(1);
    }

    @Test
    void aRateLimitedStatusReadIsAskedAgainAfterRetryAfterWithoutAWrite() {
        LiteLlm proxy = proxy();
        proxy.accepts(VIDEO_ID, MODEL);
        // The limiter runs for every video route, status reads included (common_request_processing.py:413).
        h.api.stubFor(proxy.status(VIDEO_ID).willReturn(LiteLlm.error(429, "Rate limit exceeded for api_key: "
                + sha256(API_KEY) + ". Limit type: requests.", "\"None\"", "\"None\"").withHeader("retry-after", "60")));
        fn.upload(PROMPT);
        String before = h.etag(RECORD);

        FunctionHarness.Delivery delivery = fn.deliverCheck(Duration.ofSeconds(15));

        assertThat(delivery.failedIds()).isEmpty();
        assertThat(h.etag(RECORD)).isEqualTo(before);
        h.api.verify(1, getRequestedFor(urlPathEqualTo("/v1/videos/" + encoded(VIDEO_ID))));
        assertThat(h.sleeper.sleeps()).isEmpty();
        assertThat(h.count(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).isEqualTo(1);
    }
}
