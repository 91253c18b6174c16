package io.s3imagetovideo.local;

import static io.s3imagetovideo.local.SandboxClient.fieldNames;
import static io.s3imagetovideo.local.SandboxClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3imagetovideo.local.SandboxClient.Form;
import io.s3imagetovideo.local.SandboxVideoApi.Host;
import io.s3imagetovideo.support.Mp4Frames;
import io.s3imagetovideo.support.MutableClock;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The LiteLLM proxy in front of Gemini Veo, as litellm.md's stub checklist has it. */
class SandboxLiteLlmTest {

    static final String KEY = "sk-litellm-master";
    static final String MODEL = "veo-3.1-fast-generate-preview";
    static final List<String> VIDEO_OBJECT = List.of("id", "object", "status", "created_at", "completed_at",
            "expires_at", "error", "progress", "remixed_from_video_id", "seconds", "size", "model", "usage");
    private static final byte[] PNG = PictureToMp4Test.picture(1280, 720, "png");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private SandboxVideoApi api;
    private SandboxClient client;

    @BeforeEach
    void start() throws Exception {
        api = SandboxVideoApi.start(Host.LITELLM, KEY, clock, Duration.ofSeconds(10), Duration.ofSeconds(20));
        client = new SandboxClient(api.baseUrl(), KEY);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private static Form form() {
        return Form.of("model", MODEL, "prompt", "a cow", "seconds", "8", "size", "1280x720")
                .withFile("input_reference", "scene.png", "image/png", PNG);
    }

    @Test
    void createAnswersEveryKeyOfTheVideoObjectWithNullsAndAPaddedBase64Id() {
        HttpResponse<byte[]> response = client.create(form());
        JsonNode created = json(response, 200);
        String id = created.get("id").asText();

        assertThat(fieldNames(created)).containsExactlyElementsOf(VIDEO_OBJECT);
        assertThat(created.get("status").asText()).isEqualTo("processing");
        assertThat(created.get("model").asText()).isEqualTo(MODEL);
        assertThat(created.get("usage").get("duration_seconds").isDouble()).isTrue();
        assertThat(created.get("usage").get("duration_seconds").asDouble()).isEqualTo(8.0);
        for (String key : List.of("created_at", "progress", "seconds", "size", "error", "completed_at")) {
            assertThat(created.get(key).isNull()).as(key).isTrue();
        }
        assertThat(id).matches("video_[A-Za-z0-9+]+={1,2}");
        assertThat(decoded(id)).matches("litellm:custom_llm_provider:gemini;model_id:" + MODEL
                + ";video_id:models/" + MODEL + "/operations/[a-z0-9~]+");
        assertThat(response.headers().firstValue("x-litellm-version")).hasValue("1.80.8");
    }

    @Test
    void everySecondIdHasAPlusThatAClientMustPathEncode() {
        String first = json(client.create(form()), 200).get("id").asText();
        String second = json(client.create(form()), 200).get("id").asText();

        assertThat(first).doesNotContain("+").endsWith("=");
        assertThat(second).contains("+").endsWith("=");
        // Read by the raw id (a + is literal in a path) and by the path-encoded one (%2B, %3D).
        assertThat(json(client.get("/v1/videos/" + second, KEY), 200).get("status").asText()).isEqualTo("processing");
        assertThat(json(client.status(second), 200).get("status").asText()).isEqualTo("processing");
    }

    @Test
    void getAnswersTheSameJobUnderAnIdWithAnEmptyModelIdThenCompleted() {
        String id = json(client.create(form()), 200).get("id").asText();

        JsonNode processing = json(client.status(id), 200);
        String getId = processing.get("id").asText();
        clock.advance(Duration.ofSeconds(30));
        JsonNode completed = json(client.status(getId), 200);

        assertThat(getId).isNotEqualTo(id);
        assertThat(decoded(getId)).isEqualTo(decoded(id).replace("model_id:" + MODEL + ";", "model_id:;"));
        assertThat(fieldNames(processing)).containsExactlyElementsOf(VIDEO_OBJECT);
        assertThat(processing.get("status").asText()).isEqualTo("processing");
        assertThat(completed.get("status").asText()).isEqualTo("completed");
        for (String key : List.of("model", "usage", "created_at", "progress", "error")) {
            assertThat(completed.get(key).isNull()).as(key).isTrue();
        }
        assertThat(api.video(getId)).isEqualTo(api.video(id));
    }

    @Test
    void contentIsAnAttachmentWhenDoneAnd500Before() {
        String id = json(client.create(form()), 200).get("id").asText();

        JsonNode early = json(client.content(id), 500);
        clock.advance(Duration.ofSeconds(30));
        HttpResponse<byte[]> video = client.get("/v1/videos/" + SandboxClient.pathSegment(id)
                + "/content?variant=thumbnail", KEY);

        assertThat(early.path("error").path("message").asText())
                .startsWith("litellm.APIConnectionError: Video generation is not complete yet.");
        assertThat(early.path("error").path("code").asText()).isEqualTo("500");
        assertThat(early.path("error").get("type").isNull()).isTrue();
        assertThat(video.statusCode()).isEqualTo(200);
        assertThat(video.headers().firstValue("Content-Type")).hasValue("video/mp4");
        assertThat(video.headers().firstValue("Content-Disposition"))
                .hasValue("attachment; filename=video_" + id + ".mp4");
        assertThat(video.headers().firstValue("x-litellm-version")).isEmpty();
        var frame = Mp4Frames.decode(video.body()).get(0);
        assertThat(frame.width()).isEqualTo(640);
        assertThat(frame.height()).isEqualTo(360);
    }

    @Test
    void aSizeOutsideTheTableIsSilently16By9() {
        Form portraitButUnknown = form().without("size").with("size", "1024x1792");

        String id = json(client.create(portraitButUnknown), 200).get("id").asText();
        clock.advance(Duration.ofSeconds(30));
        var frame = Mp4Frames.decode(client.content(id).body()).get(0);

        assertThat(frame.width()).isEqualTo(640);
        assertThat(frame.height()).isEqualTo(360);
    }

    @Test
    void secondsOutsideFourSixEightAreGooglesRefusalAndAnythingButAWholeNumberIsDropped() {
        JsonNode refused = json(client.create(form().without("seconds").with("seconds", "10")), 400);
        JsonNode dropped = json(client.create(form().without("seconds").with("seconds", "8.0")), 200);

        assertThat(refused.path("error").path("message").asText())
                .startsWith("litellm.BadRequestError: GeminiException BadRequestError - {").contains("INVALID_ARGUMENT");
        assertThat(refused.path("error").path("code").asText()).isEqualTo("400");
        assertThat(dropped.path("usage").path("duration_seconds").asDouble()).isEqualTo(8.0);
        assertThat(api.jobsCreated()).isEqualTo(1);
    }

    @Test
    void anIdThatNamesNoJobIsA500NeverA404AndOneWithASlashIsNoRoute() {
        String id = json(client.create(form()), 200).get("id").asText();
        String unpadded = id.replaceAll("=+$", "");
        String otherOperation = "video_" + Base64.getEncoder().encodeToString(
                "litellm:custom_llm_provider:gemini;model_id:;video_id:models/x/operations/nope".getBytes(
                        StandardCharsets.UTF_8));

        assertThat(json(client.status(unpadded), 500).path("error").path("code").asText()).isEqualTo("500");
        assertThat(json(client.status(otherOperation), 500).path("error").path("message").asText())
                .contains("NOT_FOUND");
        assertThat(json(client.content("video_nope"), 500).path("error").path("code").asText()).isEqualTo("500");
        assertThat(json(client.status("video_a/b="), 404).toString()).isEqualTo("{\"detail\":\"Not Found\"}");
    }

    @Test
    void keysAreRefusedInTheProxysShapesTheWrongOneShownOnlyByItsLastFour() {
        JsonNode missing = json(client.createWithKey(form(), null), 401).get("error");
        JsonNode wrong = json(client.createWithKey(form(), "sk-wrong-key-1234"), 401).get("error");
        JsonNode malformed = json(client.send(HttpRequest.newBuilder(api.baseUrl().resolve("/v1/videos/video_x"))
                .header("Authorization", KEY).GET().build()), 401).get("error");

        assertThat(fieldNames(missing)).containsExactly("message", "type", "param", "code");
        assertThat(missing.get("message").asText()).isEqualTo("Authentication Error, No api key passed in.");
        assertThat(missing.get("param").asText()).isEqualTo("None");
        assertThat(missing.get("code").asText()).isEqualTo("401");
        assertThat(wrong.get("type").asText()).isEqualTo("token_not_found_in_db");
        assertThat(wrong.get("message").asText()).contains("Received API Key = sk-...1234")
                .doesNotContain("sk-wrong-key-1234");
        assertThat(malformed.get("message").asText()).contains("Malformed API Key");
        assertThat(api.jobsCreated()).isZero();
    }

    @Test
    void otherRefusalsKeepTheirOwnShapes() {
        JsonNode unknownModel = json(client.create(form().without("model").with("model", "sora-2")), 400);
        JsonNode textReference = json(client.create(form().without("input_reference")
                .with("input_reference", "data:image/png;base64,AAAA")), 422);
        JsonNode notAnImage = json(client.create(form().without("input_reference")
                .withFile("input_reference", "x.png", "image/png", "no".getBytes(StandardCharsets.UTF_8))), 400);

        assertThat(unknownModel.path("error").path("message").asText())
                .isEqualTo("{'error': '/videos: Invalid model name passed in model=sora-2. Call `/v1/models` to view"
                        + " available models for your key.'}");
        assertThat(unknownModel.path("error").path("type").asText()).isEqualTo("None");
        assertThat(textReference.path("detail").get(0).path("loc").toString()).isEqualTo("[\"body\",\"input_reference\"]");
        assertThat(notAnImage.path("error").path("message").asText()).contains("GeminiException");
        assertThat(client.send(HttpRequest.newBuilder(api.baseUrl().resolve("/v1/videos/video_x")).DELETE().build())
                .statusCode()).isEqualTo(405);
        assertThat(api.jobsCreated()).isZero();
    }

    @Test
    void aFilteredJobIsNeverFailedItsReadsAnswer500() {
        String id = json(client.create(form().without("prompt").with("prompt", "please fail")), 200).get("id").asText();
        clock.advance(Duration.ofSeconds(30));

        assertThat(json(client.status(id), 500).path("error").path("code").asText()).isEqualTo("500");
        assertThat(json(client.content(id), 500).path("error").path("message").asText())
                .startsWith("litellm.APIConnectionError:");
    }

    private static String decoded(String id) {
        return new String(Base64.getDecoder().decode(id.substring("video_".length())), StandardCharsets.UTF_8);
    }
}
