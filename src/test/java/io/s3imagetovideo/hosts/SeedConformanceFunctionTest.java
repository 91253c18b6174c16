package io.s3imagetovideo.hosts;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.equalToJson;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathMatching;
import static io.s3imagetovideo.hosts.HostConformance.IMAGE;
import static io.s3imagetovideo.hosts.HostConformance.RECORD;
import static io.s3imagetovideo.hosts.HostConformance.VIDEO;
import static io.s3imagetovideo.hosts.HostConformance.all;
import static io.s3imagetovideo.hosts.HostConformance.bearer;
import static io.s3imagetovideo.hosts.HostConformance.idSegment;
import static io.s3imagetovideo.hosts.HostConformance.imageFile;
import static io.s3imagetovideo.hosts.HostConformance.inTurn;
import static io.s3imagetovideo.hosts.HostConformance.json;
import static io.s3imagetovideo.hosts.HostConformance.notBearer;
import static io.s3imagetovideo.hosts.HostConformance.textField;
import static io.s3imagetovideo.support.FunctionHarness.API_KEY;
import static io.s3imagetovideo.support.FunctionHarness.PROMPT;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import io.s3imagetovideo.hosts.HostConformance.Functions;
import io.s3imagetovideo.support.ElasticMqBackend;
import io.s3imagetovideo.support.FunctionHarness;
import io.s3imagetovideo.support.Images;
import io.s3imagetovideo.support.Mp4s;
import io.s3imagetovideo.support.S3ProxyBackend;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The seed's host shape: OpenAI's Videos API as the reseller of {@code seeds/000_4086d46b44fa9f61.txt}
 * documents it (the create form and its answer), with OpenAI's job object, error envelope, thumbnail
 * variant and remix route as docs/contract.md ("The flow") describes them. Both functions run, on
 * S3Proxy and ElasticMQ, against a WireMock host that checks what that API checks.
 */
class SeedConformanceFunctionTest {

    @RegisterExtension
    static final S3ProxyBackend S3 = new S3ProxyBackend();
    @RegisterExtension
    static final ElasticMqBackend SQS = new ElasticMqBackend();

    /** The id of the seed document's example answer. */
    static final String JOB_ID = "video_3fbdeb24-27db-422b-8bf3-5feb8acbc6a1";
    static final String REMIX_ID = "video_8c1f2a90-5b7e-4d0c-9a31-6e2f4b7d9c05";

    FunctionHarness h;
    Functions fn;

    @BeforeEach
    void start() {
        h = new FunctionHarness(S3, SQS);
        fn = new Functions(h);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    // --- the host ------------------------------------------------------------------------------------

    /** The seed's API as a WireMock host that holds {@code key}. */
    static final class Seed {
        static final Set<String> IMAGE_TYPES = Set.of("image/png", "image/jpeg", "image/webp");
        final WireMockServer api;
        final String key;

        Seed(WireMockServer api, String key) {
            this.api = api;
            this.key = key;
            // The seed's securitySchemes: bearer on every route. The wording is OpenAI's own 401, in the
            // envelope docs/contract.md names ("The flow": message, type, param, code).
            api.stubFor(anyVideoRoute().atPriority(2).andMatching(notBearer(key, false))
                    .willReturn(error(401, "Incorrect API key provided: " + masked(API_KEY) + ". You can find your"
                            + " API key at https://platform.openai.com/account/api-keys.", null, "invalid_api_key")));
            // seeds/000_4086d46b44fa9f61.txt requestBody: model and prompt "required"; docs/contract.md ("The
            // flow"): a picture whose pixel size is not size is refused in OpenAI's words.
            api.stubFor(post(urlPathEqualTo("/v1/videos")).atPriority(4).andMatching(all(List.of(bearer(key, false),
                    textField("model", v -> !v.isBlank()), textField("prompt", v -> !v.isBlank()))))
                    .willReturn(error(400, "Inpaint image must match the requested width and height",
                            "input_reference", "invalid_value")));
            api.stubFor(post(urlPathEqualTo("/v1/videos")).atPriority(5).andMatching(bearer(key, false))
                    .willReturn(error(400, "Missing required parameter: 'prompt'.", "prompt", "invalid_request")));
            // OpenAI's 404 for an id it has no video of (code video_not_found).
            api.stubFor(get(urlPathMatching("/v1/videos/[^/]+(/content)?")).atPriority(9)
                    .andMatching(bearer(key, false))
                    .willReturn(error(404, "Video with id 'video_unknown' not found.", null, "video_not_found")));
        }

        /**
         * {@code POST /v1/videos} as the seed's document has it: multipart with model and prompt, the
         * flags as the strings "true"/"false", and input_reference a named image file; and as OpenAI
         * checks it: the picture's pixel size is {@code size}.
         */
        MappingBuilder create() {
            return post(urlPathEqualTo("/v1/videos")).atPriority(1)
                    .withHeader("Content-Type", matching("multipart/form-data; ?boundary=.+"))
                    .andMatching(all(List.of(bearer(key, false),
                            textField("model", v -> !v.isBlank()), textField("prompt", v -> !v.isBlank()),
                            textField("seconds", v -> v.matches("[1-9][0-9]*")),
                            textField("size", v -> v.matches("[0-9]+x[0-9]+")),
                            textField("watermark", v -> v.equals("true") || v.equals("false")),
                            textField("private", v -> v.equals("true") || v.equals("false")),
                            imageFile("input_reference", IMAGE_TYPES, Optional.of("size")))));
        }

        void accepts(String id) {
            // seeds/000_4086d46b44fa9f61.txt, its 200 response: the example answer, for this id.
            api.stubFor(create().willReturn(job(id, "queued", 0, "")));
        }

        MappingBuilder status(String id) {
            return get(urlPathMatching("/v1/videos/" + idSegment(id))).atPriority(1).andMatching(bearer(key, false));
        }

        void statuses(String id, ResponseDefinitionBuilder... answers) {
            inTurn(api, "status " + id, () -> status(id), answers);
        }

        void serves(String id, byte[] mp4) {
            // docs/contract.md ("The flow"): GET /content, the MP4 itself, with the key.
            api.stubFor(get(urlPathMatching("/v1/videos/" + idSegment(id) + "/content")).atPriority(1)
                    .withQueryParam("variant", absent()).andMatching(bearer(key, false))
                    .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "video/mp4").withBody(mp4)));
        }

        void servesThumbnail(String id, byte[] webp) {
            // docs/contract.md ("The flow"): ?variant=thumbnail, the preview; OpenAI's is a WebP.
            api.stubFor(get(urlPathMatching("/v1/videos/" + idSegment(id) + "/content")).atPriority(1)
                    .withQueryParam("variant", equalTo("thumbnail")).andMatching(bearer(key, false))
                    .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "image/webp").withBody(webp)));
        }

        MappingBuilder remix(String id) {
            // docs/contract.md ("Prompt sidecar", remix): POST /v1/videos/{id}/remix, JSON {"prompt": ...}.
            return post(urlPathMatching("/v1/videos/" + idSegment(id) + "/remix")).atPriority(1)
                    .withHeader("Content-Type", matching("application/json.*")).andMatching(bearer(key, false));
        }

        /**
         * The job object: the fields of the seed's 200 schema in its example's order
         * (seeds/000_4086d46b44fa9f61.txt), then OpenAI's others (completed_at, expires_at, error...).
         */
        static ResponseDefinitionBuilder job(String id, String status, int progress, String more) {
            return json(200, "application/json", "{\"id\":\"" + id + "\",\"object\":\"video\",\"model\":\"sora-2\","
                    + "\"status\":\"" + status + "\",\"progress\":" + progress + ",\"created_at\":1764583200,"
                    + "\"seconds\":\"10\",\"size\":\"720x1280\"" + more + "}");
        }

        /** docs/contract.md ("The flow"): OpenAI's error envelope, message, type, param, code. */
        static ResponseDefinitionBuilder error(int status, String message, String param, String code) {
            return json(status, "application/json", "{\"error\":{\"message\":\"" + message + "\",\"type\":"
                    + "\"invalid_request_error\",\"param\":" + quoted(param) + ",\"code\":" + quoted(code) + "}}");
        }

        static MappingBuilder anyVideoRoute() {
            return com.github.tomakehurst.wiremock.client.WireMock.any(urlPathMatching("/v1/videos(/.*)?"));
        }

        /** How OpenAI quotes a key it refused: its start and its last four characters. */
        static String masked(String key) {
            return key.substring(0, 3) + "*".repeat(key.length() - 7) + key.substring(key.length() - 4);
        }

        private static String quoted(String value) {
            return value == null ? "null" : "\"" + value + "\"";
        }
    }

    // --- the job's life ------------------------------------------------------------------------------

    @Test
    void aJobRunsFromTheSeedsFormToTheServedMp4AndItsWebpThumbnail() {
        byte[] mp4 = Mp4s.ofSize(6 * 1024, 21);
        byte[] webp = Images.webp();
        Seed seed = new Seed(h.api, API_KEY);
        seed.accepts(JOB_ID);
        seed.statuses(JOB_ID, Seed.job(JOB_ID, "queued", 0, ""), Seed.job(JOB_ID, "in_progress", 45, ""),
                Seed.job(JOB_ID, "completed", 100, ",\"completed_at\":1764583290,\"expires_at\":1764669690"));
        seed.serves(JOB_ID, mp4);
        seed.servesThumbnail(JOB_ID, webp);

        // Given the picture and its prompt file, when the submit function takes them
        assertThat(fn.upload(PROMPT).getBatchItemFailures()).isEmpty();

        // Then the form was the seed's, the picture fitted to the size asked for
        assertThat(h.posts()).hasSize(1);
        assertThat(fn.record().path("status").asText()).isEqualTo("queued");
        assertThat(h.recordAt(RECORD).path("id").asText()).isEqualTo(JOB_ID);

        // When the checks follow the job
        assertThat(fn.check(Duration.ofSeconds(15)).path("status").asText()).isEqualTo("queued");
        JsonNode running = fn.check(Duration.ofSeconds(30));
        assertThat(running.path("status").asText()).isEqualTo("in_progress");
        assertThat(running.path("progress").asInt()).isEqualTo(45);
        JsonNode done = fn.check(Duration.ofSeconds(60));

        // Then the MP4 is the host's, byte for byte, and the thumbnail is saved beside it
        assertThat(h.object(VIDEO)).hasValueSatisfying(saved -> assertThat(saved).isEqualTo(mp4));
        assertThat(h.object("in/scene.thumbnail.webp")).hasValueSatisfying(saved -> assertThat(saved).isEqualTo(webp));
        assertThat(h.contentType("in/scene.thumbnail.webp")).isEqualTo("image/webp");
        assertThat(done.path("status").asText()).isEqualTo("completed");
        assertThat(done.has("api_status")).as("the host's words are ours").isFalse();
        assertThat(done.path("output").path("video").asText()).isEqualTo(VIDEO);
        assertThat(done.path("output").path("bytes").asLong()).isEqualTo(mp4.length);
        assertThat(done.path("output").path("thumbnail").asText()).isEqualTo("in/scene.thumbnail.webp");
        assertThat(done.path("expires_at").asLong()).isEqualTo(1764669690L);
        h.api.verify(1, getRequestedFor(urlPathEqualTo("/v1/videos/" + JOB_ID + "/content"))
                .withQueryParam("variant", absent()));
        fn.assertKeyNowhere();
    }

    @Test
    void aRemixPostsTheNewPromptToTheCompletedJobAndItsVideoReplacesTheFirst() {
        byte[] first = Mp4s.ofSize(5 * 1024, 1);
        byte[] remixed = Mp4s.ofSize(5 * 1024, 2);
        Seed seed = new Seed(h.api, API_KEY);
        h.env("SAVE_THUMBNAIL", "false");
        seed.accepts(JOB_ID);
        seed.statuses(JOB_ID, Seed.job(JOB_ID, "completed", 100, ",\"completed_at\":1764583290"));
        seed.serves(JOB_ID, first);
        // Given a picture whose first job completed
        fn.upload(PROMPT);
        fn.check(Duration.ofSeconds(15));
        assertThat(h.object(VIDEO)).hasValue(first);
        // The remix answer: a new job naming its source (OpenAI's remixed_from_video_id)
        h.api.stubFor(seed.remix(JOB_ID).withRequestBody(equalToJson("{\"prompt\": \"Now the cow parks the car\"}"))
                .willReturn(Seed.job(REMIX_ID, "queued", 0, ",\"remixed_from_video_id\":\"" + JOB_ID + "\"")));
        seed.statuses(REMIX_ID, Seed.job(REMIX_ID, "in_progress", 50, ",\"remixed_from_video_id\":\"" + JOB_ID + "\""),
                Seed.job(REMIX_ID, "completed", 100, ",\"remixed_from_video_id\":\"" + JOB_ID + "\""));
        seed.serves(REMIX_ID, remixed);

        // When a new prompt file asks to remix it
        fn.uploadPromptAgain("{\"prompt\": \"Now the cow parks the car\", \"remix\": true}");

        // Then the remix route made the new job, not a second create from the picture
        JsonNode submitted = h.recordAt(RECORD);
        assertThat(submitted.path("status").asText()).isEqualTo("queued");
        assertThat(submitted.path("id").asText()).isEqualTo(REMIX_ID);
        assertThat(submitted.path("remixed_from").asText()).isEqualTo(JOB_ID);
        assertThat(submitted.path("previous_id").asText()).isEqualTo(JOB_ID);
        h.api.verify(1, postRequestedFor(urlPathEqualTo("/v1/videos/" + JOB_ID + "/remix")));
        assertThat(h.posts()).hasSize(1);

        // And when it is followed to its end, its video is the one next to the picture
        fn.check(Duration.ofSeconds(15));
        JsonNode done = fn.check(Duration.ofSeconds(30));
        assertThat(done.path("status").asText()).isEqualTo("completed");
        assertThat(done.path("remixed_from").asText()).isEqualTo(JOB_ID);
        assertThat(done.path("remixed_from_video_id").asText()).isEqualTo(JOB_ID);
        assertThat(h.object(VIDEO)).hasValueSatisfying(saved -> assertThat(saved).isEqualTo(remixed));
    }

    // --- failures ------------------------------------------------------------------------------------

    @Test
    void aFailedJobKeepsTheHostsCodeAndMessage() {
        Seed seed = new Seed(h.api, API_KEY);
        seed.accepts(JOB_ID);
        // docs/contract.md ("The flow"): a failed job carries error {code, message}.
        seed.statuses(JOB_ID, Seed.job(JOB_ID, "failed", 0, ",\"error\":{\"code\":\"moderation_blocked\","
                + "\"message\":\"Your request was blocked by our moderation system.\"}"));
        fn.upload(PROMPT);

        JsonNode record = fn.check(Duration.ofSeconds(15));

        assertThat(record.path("status").asText()).isEqualTo("failed");
        assertThat(record.path("error").path("code").asText()).isEqualTo("moderation_blocked");
        assertThat(record.path("error").path("message").asText())
                .isEqualTo("Your request was blocked by our moderation system.");
        assertThat(h.object(VIDEO)).isEmpty();
        assertThat(h.receive(1)).as("no further check").isEmpty();
    }

    @Test
    void anIdTheHostDoesNotKnowFailsWithItsNotFound() {
        Seed seed = new Seed(h.api, API_KEY);
        seed.accepts(JOB_ID);
        // No status stub for the id: the host's 404 video_not_found answers.
        fn.upload(PROMPT);

        JsonNode record = fn.check(Duration.ofSeconds(15));

        assertThat(record.path("status").asText()).isEqualTo("failed");
        assertThat(record.path("error").path("code").asText()).isEqualTo("video_not_found");
        assertThat(record.path("error").path("http_status").asInt()).isEqualTo(404);
        assertThat(record.path("error").path("message").asText()).contains("not found");
        h.api.verify(1, getRequestedFor(urlPathEqualTo("/v1/videos/" + JOB_ID)));
    }

    @Test
    void aRefusedKeyFailsTheUploadWithTheHostsWordsAndNotTheKey() {
        // Given a host that holds another key than the one configured
        Seed seed = new Seed(h.api, "sk-live-0000000000");
        seed.accepts(JOB_ID);

        fn.upload(PROMPT);

        JsonNode record = h.recordAt(RECORD);
        assertThat(record.path("status").asText()).isEqualTo("failed");
        assertThat(record.path("error").path("http_status").asInt()).isEqualTo(401);
        assertThat(record.path("error").path("code").asText()).isEqualTo("invalid_api_key");
        assertThat(record.path("error").path("message").asText()).startsWith("Incorrect API key provided: sk-***");
        assertThat(record.has("id")).isFalse();
        fn.assertKeyNowhere();
        assertThat(h.receive(1)).as("no job to check").isEmpty();
    }

    @Test
    void aBusyHostLeavesTheUploadSubmittingUntilItsNextTryWithoutRetryingInTheInvocation() {
        Seed seed = new Seed(h.api, API_KEY);
        // OpenAI's rate limit: 429 in the contract's envelope, type "requests", code rate_limit_exceeded.
        h.api.stubFor(seed.create().willReturn(json(429, "application/json", "{\"error\":{\"message\":\"Rate limit"
                + " reached for sora-2 in organization org-cow on requests per min (RPM): Limit 2, Used 2, Requested 1."
                + "\",\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}")));
        Instant asked = h.clock.instant();

        fn.upload(PROMPT);

        JsonNode record = h.recordAt(RECORD);
        assertThat(record.path("status").asText()).isEqualTo("submitting");
        assertThat(record.path("error").path("http_status").asInt()).isEqualTo(429);
        assertThat(record.path("error").path("code").asText()).isEqualTo("rate_limit_exceeded");
        assertThat(Instant.parse(record.path("next_try_at").asText())).isAfter(asked.plusSeconds(5));
        assertThat(h.posts()).hasSize(1);
        assertThat(h.sleeper.sleeps()).isEmpty();
        assertThat(h.submissionsQueued()).as("the upload waits in the queue").isEqualTo(1);
        h.api.verify(0, getRequestedFor(urlPathMatching("/v1/videos/.*")));
        assertThat(h.object(IMAGE)).isPresent();
    }
}
