package io.s3imagetovideo.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.api.ApiKeySource;
import io.s3imagetovideo.api.ApiResult;
import io.s3imagetovideo.api.ApiTransport;
import io.s3imagetovideo.api.ImagePart;
import io.s3imagetovideo.api.ImageUpload;
import io.s3imagetovideo.api.RetryPolicy;
import io.s3imagetovideo.api.VideoApi;
import io.s3imagetovideo.config.ApiConfig;
import io.s3imagetovideo.config.Secret;
import io.s3imagetovideo.sidecar.VideoRequest;
import io.s3imagetovideo.sidecar.VideoSize;
import io.s3imagetovideo.support.Images;
import io.s3imagetovideo.support.Mp4s;
import io.s3imagetovideo.support.MutableClock;
import io.s3imagetovideo.support.RecordingSleeper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The sandbox is only worth running against if it refuses what a real provider refuses. */
class SandboxVideoApiTest {

    private static final String KEY = "sk-sandbox-test";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
    private final HttpClient http = HttpClient.newHttpClient();
    private SandboxVideoApi api;

    @BeforeEach
    void start() throws IOException {
        api = SandboxVideoApi.start(KEY, clock, Duration.ofSeconds(2), Duration.ofSeconds(10));
    }

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void aJobMovesFromQueuedThroughInProgressToCompletedAsTheClockRuns() throws Exception {
        JsonNode created = json(post(validForm(), KEY), 200);
        String id = created.get("id").asText();
        assertThat(created.get("status").asText()).isEqualTo("queued");
        assertThat(created.get("object").asText()).isEqualTo("video");
        assertThat(created.get("seconds").asText()).isEqualTo("10");
        assertThat(created.get("size").asText()).isEqualTo("720x1280");
        assertThat(created.get("created_at").asLong()).isEqualTo(clock.instant().getEpochSecond());

        clock.advance(Duration.ofSeconds(1));
        assertThat(json(get("/v1/videos/" + id, KEY), 200).get("status").asText()).isEqualTo("queued");
        assertThat(get("/v1/videos/" + id + "/content", KEY).statusCode()).isEqualTo(404);

        clock.advance(Duration.ofSeconds(2));
        JsonNode early = json(get("/v1/videos/" + id, KEY), 200);
        clock.advance(Duration.ofSeconds(5));
        JsonNode later = json(get("/v1/videos/" + id, KEY), 200);
        assertThat(early.get("status").asText()).isEqualTo("in_progress");
        assertThat(later.get("status").asText()).isEqualTo("in_progress");
        assertThat(early.get("progress").asInt()).isEqualTo(10);
        assertThat(later.get("progress").asInt()).isEqualTo(60);

        clock.advance(Duration.ofSeconds(4));
        JsonNode done = json(get("/v1/videos/" + id, KEY), 200);
        assertThat(done.get("status").asText()).isEqualTo("completed");
        assertThat(done.get("progress").asInt()).isEqualTo(100);

        HttpResponse<byte[]> content = get("/v1/videos/" + id + "/content", KEY);
        assertThat(content.statusCode()).isEqualTo(200);
        assertThat(content.headers().firstValue("Content-Type")).hasValue("video/mp4");
        assertThat(content.body()).isEqualTo(api.video(id).orElseThrow());
        assertThat(Mp4s.looksLikeMp4(content.body())).isTrue();
    }

    @Test
    void theFunctionsOwnClientIsAccepted() {
        var config = new ApiConfig(api.baseUrl(), Optional.empty(), Optional.of(new Secret(KEY)), Duration.ofSeconds(5),
                Duration.ofSeconds(10), 1, Duration.ZERO, Duration.ZERO);
        var client = VideoApi.over(config, new RetryPolicy(1, Duration.ZERO, Duration.ZERO, Duration.ZERO),
                ApiTransport.newHttpClient(Duration.ofSeconds(5)), ApiKeySource.fixed(new Secret(KEY)), JSON, clock,
                new RecordingSleeper(clock), new SecureRandom());
        var request = new VideoRequest("a cow takes the driving test", "sora-2", "15", VideoSize.parse("1280x720")
                .orElseThrow(), true, false, Map.of("style", "comic"));

        var created = client.jobs().create(request, new ImagePart.File("input_reference",
                new ImageUpload("场景 1+x.jpg", "image/jpeg", Images.jpeg(1280, 720))),
                "idem-1", clock.instant().plusSeconds(60));

        assertThat(created).isInstanceOf(ApiResult.Ok.class);
        var job = ((ApiResult.Ok<com.fasterxml.jackson.databind.node.ObjectNode>) created).value();

        assertThat(job.get("status").asText()).isEqualTo("queued");
        assertThat(job.get("seconds").asText()).isEqualTo("15");
        assertThat(job.get("size").asText()).isEqualTo("1280x720");
        assertThat(api.jobsCreated()).isEqualTo(1);
    }

    @Test
    void aRepeatedIdempotencyKeyGetsTheFirstJobBack() throws Exception {
        String first = json(post(validForm(), KEY, "Idempotency-Key", "same"), 200).get("id").asText();
        clock.advance(Duration.ofSeconds(30));
        JsonNode replay = json(post(validForm(), KEY, "Idempotency-Key", "same"), 200);
        String other = json(post(validForm(), KEY, "Idempotency-Key", "other"), 200).get("id").asText();

        assertThat(replay.get("id").asText()).isEqualTo(first);
        // The response given at creation, replayed; the job itself has completed meanwhile.
        assertThat(replay.get("status").asText()).isEqualTo("queued");
        assertThat(json(get("/v1/videos/" + first, KEY), 200).get("status").asText()).isEqualTo("completed");
        assertThat(other).isNotEqualTo(first);
        assertThat(api.jobsCreated()).isEqualTo(2);
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("no model", validForm().without("model"), "model", "Missing required parameter"),
                Arguments.of("blank prompt", validForm().with("prompt", " "), "prompt", "Missing required parameter"),
                Arguments.of("size not in the list", validForm().with("size", "640x480"), "size", "'640x480'"),
                Arguments.of("seconds not offered", validForm().with("seconds", "7"), "seconds", "'7'"),
                Arguments.of("watermark not a boolean string", validForm().with("watermark", "yes"), "watermark", "'yes'"),
                Arguments.of("file part without a filename", validForm().withFile(null, "image/png",
                        Images.png(720, 1280)), "input_reference", "filename"),
                Arguments.of("file part that is not an image type", validForm().withFile("scene.png", "text/plain",
                        Images.png(720, 1280)), "input_reference", "text/plain"),
                Arguments.of("bytes that are no image", validForm().withFile("scene.png", "image/png",
                        "not a png".getBytes(StandardCharsets.UTF_8)), "input_reference", "not a valid"),
                Arguments.of("image of another pixel size", validForm().withFile("scene.png", "image/png",
                        Images.png(1280, 720)), "input_reference", "Inpaint image must match the requested width and height"),
                Arguments.of("JPEG of another pixel size", validForm().withFile("scene.jpg", "image/jpeg",
                        Images.jpeg(720, 720)), "input_reference", "image is 720x720"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusesWhatARealProviderRefusesWithAnOpenAiError(String why, Form form, String param, String message)
            throws Exception {
        HttpResponse<byte[]> response = post(form, KEY);

        JsonNode error = errorOf(response, 400);
        assertThat(error.get("param").asText()).isEqualTo(param);
        assertThat(error.get("message").asText()).contains(message);
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(api.jobsCreated()).isZero();
    }

    @Test
    void refusesABodyThatIsNotMultipart() throws Exception {
        HttpResponse<byte[]> response = http.send(HttpRequest.newBuilder(api.baseUrl().resolve("/v1/videos"))
                .header("Authorization", "Bearer " + KEY).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"sora-2\",\"prompt\":\"x\"}")).build(),
                HttpResponse.BodyHandlers.ofByteArray());

        assertThat(errorOf(response, 400).get("message").asText()).contains("multipart/form-data");
        assertThat(api.jobsCreated()).isZero();
    }

    @Test
    void refusesAMissingOrWrongTokenWithoutEchoingIt() throws Exception {
        JsonNode missing = errorOf(post(validForm(), null), 401);
        JsonNode wrong = errorOf(post(validForm(), "sk-wrong-key"), 401);
        JsonNode wrongOnGet = errorOf(get("/v1/videos/video_x", "sk-wrong-key"), 401);

        assertThat(missing.get("message").asText()).contains("didn't provide an API key");
        assertThat(wrong.get("code").asText()).isEqualTo("invalid_api_key");
        assertThat(wrong.toString() + wrongOnGet).doesNotContain("sk-wrong-key");
        assertThat(api.jobsCreated()).isZero();
    }

    @Test
    void anUnknownJobIsNotFound() throws Exception {
        assertThat(errorOf(get("/v1/videos/video_nope", KEY), 404).get("code").asText()).isEqualTo("video_not_found");
        assertThat(errorOf(get("/v1/videos/video_nope/content", KEY), 404).get("code").asText())
                .isEqualTo("video_not_found");
    }

    // --- requests ----------------------------------------------------------------------------------

    private HttpResponse<byte[]> post(Form form, String key, String... headers) throws Exception {
        var request = HttpRequest.newBuilder(api.baseUrl().resolve("/v1/videos"))
                .header("Content-Type", "multipart/form-data; boundary=" + Form.BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(form.body()));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<byte[]> get(String path, String key) throws Exception {
        return http.send(HttpRequest.newBuilder(api.baseUrl().resolve(path)).header("Authorization", "Bearer " + key)
                .GET().build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static JsonNode json(HttpResponse<byte[]> response, int expectedStatus) throws IOException {
        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8))
                .isEqualTo(expectedStatus);
        return JSON.readTree(response.body());
    }

    /** The error object, after checking the envelope is OpenAI's: exactly message, type, param, code. */
    private static JsonNode errorOf(HttpResponse<byte[]> response, int expectedStatus) throws IOException {
        JsonNode body = json(response, expectedStatus);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(fieldNames(body)).containsExactly("error");
        assertThat(fieldNames(body.get("error"))).containsExactlyInAnyOrder("message", "type", "param", "code");
        return body.get("error");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    static Form validForm() {
        return new Form(Map.of("model", "sora-2", "prompt", "a cow takes the driving test", "seconds", "10",
                "size", "720x1280", "watermark", "false", "private", "true"), "scene.png", "image/png",
                Images.png(720, 1280));
    }

    /** A multipart form written by hand, so that a test can leave out what a client never would. */
    record Form(Map<String, String> fields, String fileName, String fileType, byte[] file) {
        static final String BOUNDARY = "sandbox-test-boundary";

        Form with(String name, String value) {
            var copy = new java.util.LinkedHashMap<>(fields);
            copy.put(name, value);
            return new Form(copy, fileName, fileType, file);
        }

        Form without(String name) {
            var copy = new java.util.LinkedHashMap<>(fields);
            copy.remove(name);
            return new Form(copy, fileName, fileType, file);
        }

        Form withFile(String name, String type, byte[] bytes) {
            return new Form(fields, name, type, bytes);
        }

        byte[] body() {
            var out = new ByteArrayOutputStream();
            fields.forEach((name, value) -> out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data;"
                    + " name=\"" + name + "\"\r\n\r\n" + value + "\r\n").getBytes(StandardCharsets.UTF_8)));
            out.writeBytes(("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"input_reference\""
                    + (fileName == null ? "" : "; filename=\"" + fileName + "\"") + "\r\nContent-Type: " + fileType
                    + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            out.writeBytes(file);
            out.writeBytes(("\r\n--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
            return out.toByteArray();
        }

        @Override
        public String toString() {
            return "Form" + fields.keySet();
        }
    }
}
