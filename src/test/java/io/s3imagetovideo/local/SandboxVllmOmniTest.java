package io.s3imagetovideo.local;

import static io.s3imagetovideo.local.SandboxClient.fieldNames;
import static io.s3imagetovideo.local.SandboxClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3imagetovideo.local.SandboxClient.Form;
import io.s3imagetovideo.local.SandboxVideoApi.Host;
import io.s3imagetovideo.support.Mp4Frames;
import io.s3imagetovideo.support.MutableClock;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** vLLM-Omni serving Wan2.2, as vllm-omni.md's stub checklist has it, and its storage-redirect mode. */
class SandboxVllmOmniTest {

    static final String KEY = "vllm-key";
    static final List<String> JOB = List.of("model", "prompt", "id", "object", "status", "size", "progress", "seconds",
            "quality", "completed_at", "created_at", "remixed_from_video_id", "error", "media_type", "expires_at",
            "file_name", "inference_time_s", "stage_durations", "peak_memory_mb");
    /** Not the size asked for: the server resizes the picture itself. */
    private static final byte[] PNG = PictureToMp4Test.picture(1000, 600, "png");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private SandboxVideoApi api;
    private SandboxClient client;

    @BeforeEach
    void start() throws Exception {
        api = SandboxVideoApi.start(Host.VLLM_OMNI, KEY, clock, Duration.ofSeconds(10), Duration.ofSeconds(20));
        client = new SandboxClient(api.baseUrl(), KEY);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private static Form form() {
        return Form.of("model", VllmOmniHost.SERVED_MODEL, "prompt", "a cow", "size", "832x480")
                .withFile("input_reference", "scene.png", "image/png", PNG);
    }

    @Test
    void everyKeyIsThereFromQueuedThroughInProgressToCompleted() {
        JsonNode created = json(client.create(form()), 200);
        String id = created.get("id").asText();
        JsonNode queued = json(client.status(id), 200);
        clock.advance(Duration.ofSeconds(15));
        JsonNode running = json(client.status(id), 200);
        assertThat(json(client.content(id), 404).path("error").path("message").asText())
                .isEqualTo("Generation is still in-progress");
        clock.advance(Duration.ofSeconds(15));
        JsonNode done = json(client.status(id), 200);

        assertThat(id).matches("video_gen_[0-9a-f]{32}");
        for (JsonNode job : List.of(created, queued, running, done)) {
            assertThat(fieldNames(job)).containsExactlyElementsOf(JOB);
        }
        assertThat(created.get("model").asText()).isEqualTo(VllmOmniHost.SERVED_MODEL);
        assertThat(created.get("seconds").asText()).isEqualTo("4");
        assertThat(created.get("size").asText()).isEqualTo("832x480");
        assertThat(created.get("file_name").isNull()).isTrue();
        assertThat(Stream.of(queued, running, done).map(j -> j.get("status").asText() + " " + j.get("progress")))
                .containsExactly("queued 0", "in_progress 0", "completed 100");
        assertThat(done.get("completed_at").asLong()).isEqualTo(created.get("created_at").asLong() + 30);
        assertThat(done.get("file_name").asText()).isEqualTo(id + ".mp4");
        assertThat(done.get("inference_time_s").asDouble()).isEqualTo(20.0);

        HttpResponse<byte[]> content = client.content(id);
        assertThat(content.statusCode()).isEqualTo(200);
        assertThat(content.headers().firstValue("Content-Disposition"))
                .hasValue("attachment; filename=\"" + id + ".mp4\"");
        var frame = Mp4Frames.decode(content.body()).get(0);
        assertThat(frame.width()).isEqualTo(640);
        assertThat(frame.height()).isEqualTo(370);
    }

    @Test
    void aFailedJobIsReadWithHttp500AndTheWholeJobAsTheBody() {
        String id = json(client.create(form().without("prompt").with("prompt", "this one should fail")), 200)
                .get("id").asText();
        clock.advance(Duration.ofSeconds(30));

        JsonNode failed = json(client.status(id), 500);
        JsonNode content = json(client.content(id), 422);

        assertThat(fieldNames(failed)).containsExactlyElementsOf(JOB);
        assertThat(failed.get("status").asText()).isEqualTo("failed");
        assertThat(failed.get("progress").asInt()).isZero();
        assertThat(failed.get("completed_at").isNumber()).isTrue();
        assertThat(failed.get("error").get("code").isInt()).isTrue();
        assertThat(failed.get("error").get("code").asInt()).isEqualTo(500);
        assertThat(content.path("error").path("type").asText()).isEqualTo("Unprocessable Entity");
    }

    @Test
    void aSizeWithAZeroSidePassesThePatternAndFailsTheJob() {
        String id = json(client.create(form().without("size").with("size", "0x480")), 200).get("id").asText();
        clock.advance(Duration.ofSeconds(30));

        assertThat(json(client.status(id), 500).path("error").path("message").asText()).contains("0x480");
    }

    @Test
    void theImageMayComeAsAnImageReferenceWithADataUrl() {
        Form reference = form().without("input_reference").with("image_reference",
                "{\"image_url\": \"data:image/png;base64," + Base64.getEncoder().encodeToString(PNG) + "\"}");

        String id = json(client.create(reference), 200).get("id").asText();

        assertThat(api.receivedImage(id)).hasValueSatisfying(image -> assertThat(image).isEqualTo(PNG));
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("another model", form().without("model").with("model", "sora-2"), "Bad Request",
                        "Model mismatch: request specifies 'sora-2' but server is running '"
                                + VllmOmniHost.SERVED_MODEL + "'."),
                Arguments.of("no prompt", form().without("prompt"), "Bad Request", "'loc': ('body', 'prompt')"),
                Arguments.of("seconds not a whole number", form().with("seconds", "4.5"), "Bad Request", "seconds"),
                Arguments.of("size not WxH", form().without("size").with("size", "832*480"), "Bad Request", "size"),
                Arguments.of("a file and a reference", form().with("image_reference", "{\"image_url\":\"data:,\"}"),
                        "Bad Request", "Provide either input_reference or image_reference, not both."),
                Arguments.of("a file that is no image", form().without("input_reference").withFile("input_reference",
                        "x.png", "image/png", "no".getBytes(StandardCharsets.UTF_8)), "Bad Request",
                        "Invalid input_reference: provided content is not a valid image or video."),
                Arguments.of("too many steps", form().with("num_inference_steps", "500"), "BadRequestError",
                        "num_inference_steps"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusesWithVllmsErrorResponse(String why, Form form, String type, String message) {
        JsonNode body = json(client.create(form), 400);

        assertThat(fieldNames(body.get("error"))).containsExactly("message", "type", "param", "code");
        assertThat(body.path("error").path("type").asText()).isEqualTo(type);
        assertThat(body.path("error").path("message").asText()).contains(message);
        assertThat(body.path("error").get("param").isNull()).isTrue();
        assertThat(body.path("error").get("code").asInt()).isEqualTo(400);
        assertThat(api.jobsCreated()).isZero();
    }

    @Test
    void theKeyIsCheckedBeforeRoutingAndUnknownIdsAreNotFound() {
        assertThat(new String(client.createWithKey(form(), "wrong").body(), StandardCharsets.UTF_8))
                .isEqualTo("{\"error\":\"Unauthorized\"}");
        assertThat(client.get("/v1/nowhere", null).statusCode()).isEqualTo(401);
        assertThat(json(client.get("/v1/nowhere", KEY), 404).toString()).isEqualTo("{\"detail\":\"Not Found\"}");
        assertThat(json(client.status("video_gen_nope"), 404).toString()).isEqualTo(
                "{\"error\":{\"message\":\"Video not found\",\"type\":\"Not Found\",\"param\":null,\"code\":404}}");
        // verify_token takes the scheme in any case.
        assertThat(client.send(HttpRequest.newBuilder(api.baseUrl().resolve("/v1/videos/video_gen_nope"))
                .header("Authorization", "bEaReR " + KEY).GET().build()).statusCode()).isEqualTo(404);
    }

    @Test
    void inStorageRedirectModeContentIs307ToAStorageHostThatNeverNeedsTheKey() throws Exception {
        try (SandboxVideoApi redirecting = SandboxVideoApi.startRedirectingToStorage(KEY, clock, Duration.ZERO,
                Duration.ZERO)) {
            var c = new SandboxClient(redirecting.baseUrl(), KEY);
            String id = json(c.create(form()), 200).get("id").asText();

            HttpResponse<byte[]> redirect = c.content(id);
            URI location = URI.create(redirect.headers().firstValue("Location").orElseThrow());
            HttpResponse<byte[]> stored = c.fetchWithoutKey(location);
            boolean beforeAKeyWentThere = redirecting.storageSawAuthorization();
            HttpResponse<byte[]> forged = c.fetchWithoutKey(URI.create(location.toString().replaceAll("sig=.*", "sig=0")));
            c.send(HttpRequest.newBuilder(location).header("Authorization", "Bearer " + KEY).GET().build());

            assertThat(redirect.statusCode()).isEqualTo(307);
            assertThat(location.getHost()).isEqualTo("127.0.0.1");
            assertThat(location.getPort()).isEqualTo(redirecting.storageUrl().orElseThrow().getPort())
                    .isNotEqualTo(redirecting.baseUrl().getPort());
            assertThat(location.getPath()).isEqualTo("/blobs/" + id + ".mp4");
            assertThat(stored.statusCode()).isEqualTo(200);
            assertThat(stored.body()).isEqualTo(redirecting.video(id).orElseThrow());
            assertThat(forged.statusCode()).isEqualTo(403);
            assertThat(beforeAKeyWentThere).isFalse();
            assertThat(redirecting.storageSawAuthorization()).isTrue();
            assertThat(redirecting.storageDownloads()).isEqualTo(2);
        }
    }
}
