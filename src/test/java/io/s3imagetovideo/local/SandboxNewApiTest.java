package io.s3imagetovideo.local;

import static io.s3imagetovideo.local.SandboxClient.fieldNames;
import static io.s3imagetovideo.local.SandboxClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3imagetovideo.local.SandboxClient.Form;
import io.s3imagetovideo.local.SandboxVideoApi.Host;
import io.s3imagetovideo.support.Mp4Frames;
import io.s3imagetovideo.support.MutableClock;
import io.s3imagetovideo.support.S3ProxyServer;
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
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** new-api with a doubao channel, as new-api.md's stub checklist has it. */
class SandboxNewApiTest {

    static final String KEY = "sk-newapi";
    static final String MODEL = "doubao-seedance-1-0-pro-250528";

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private SandboxVideoApi api;
    private SandboxClient client;
    private static final byte[] PNG = PictureToMp4Test.picture(720, 1280, "png");

    @BeforeEach
    void start() throws Exception {
        api = SandboxVideoApi.start(Host.NEW_API, KEY, clock, Duration.ofSeconds(10), Duration.ofSeconds(20));
        client = new SandboxClient(api.baseUrl(), KEY);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private static Form form() {
        return Form.of("model", MODEL, "prompt", "a cow", "seconds", "5", "ratio", "adaptive",
                "image", "data:image/png;base64," + Base64.getEncoder().encodeToString(PNG));
    }

    @Test
    void createAnswersTheQueuedTaskThenUnknownQueuedInProgressAndCompletedWithTheVideosUrl() {
        HttpResponse<byte[]> create = client.create(form());
        JsonNode created = json(create, 200);
        String id = created.get("id").asText();

        assertThat(id).matches("task_[0-9A-Za-z]{32}");
        assertThat(fieldNames(created)).containsExactly("id", "task_id", "object", "model", "status", "progress",
                "created_at");
        assertThat(created.get("task_id").asText()).isEqualTo(id);
        assertThat(created.get("model").asText()).isEqualTo(MODEL);
        assertThat(created.get("status").asText()).isEqualTo("queued");
        assertThat(create.headers().firstValue("X-New-Api-Other-Ratios")).hasValue("{}");
        assertThat(create.headers().firstValue("Content-Type")).hasValue("application/json; charset=utf-8");

        JsonNode unknown = json(client.status(id), 200);
        clock.advance(Duration.ofSeconds(5));
        JsonNode queued = json(client.status(id), 200);
        clock.advance(Duration.ofSeconds(5));
        JsonNode running = json(client.status(id), 200);
        assertThat(client.content(id).statusCode()).isEqualTo(400);
        clock.advance(Duration.ofSeconds(20));
        HttpResponse<byte[]> doneResponse = client.status(id);
        JsonNode done = json(doneResponse, 200);

        assertThat(doneResponse.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(fieldNames(done)).containsExactly("id", "task_id", "object", "model", "status", "progress",
                "created_at", "completed_at", "metadata");
        assertThat(Stream.of(unknown, queued, running, done).map(j -> j.get("status").asText()))
                .containsExactly("unknown", "queued", "in_progress", "completed");
        assertThat(Stream.of(unknown, queued, running, done).map(j -> j.get("progress").asInt()))
                .containsExactly(0, 10, 50, 100);
        // completed_at is the row's updated_at: there all along, moving with the task.
        assertThat(unknown.get("completed_at").asLong()).isEqualTo(created.get("created_at").asLong());
        assertThat(done.get("completed_at").asLong()).isEqualTo(created.get("created_at").asLong() + 30);
        assertThat(running.path("metadata").path("url").asText()).isEmpty();

        URI url = URI.create(done.path("metadata").path("url").asText());
        HttpResponse<byte[]> file = client.fetchWithoutKey(url);
        assertThat(url.getPath()).isEqualTo("/files/" + id + ".mp4");
        assertThat(file.statusCode()).isEqualTo(200);
        assertThat(file.body()).isEqualTo(api.video(id).orElseThrow());
        assertThat(Mp4Frames.decode(file.body())).hasSize(PictureToMp4.FRAMES);
        assertThat(api.storageSawAuthorization()).isFalse();
        assertThat(api.storageDownloads()).isEqualTo(1);
    }

    @Test
    void contentStreamsTheVideoWithTheKeyAndIgnoresTheThumbnailVariant() {
        String id = json(client.create(form()), 200).get("id").asText();
        clock.advance(Duration.ofSeconds(30));

        HttpResponse<byte[]> video = client.content(id);
        HttpResponse<byte[]> thumbnail = client.get("/v1/videos/" + id + "/content?variant=thumbnail", KEY);

        assertThat(video.statusCode()).isEqualTo(200);
        assertThat(video.headers().firstValue("Content-Type")).hasValue("video/mp4");
        assertThat(video.headers().firstValue("Cache-Control")).hasValue("public, max-age=86400");
        assertThat(thumbnail.headers().firstValue("Content-Type")).hasValue("video/mp4");
        assertThat(thumbnail.body()).isEqualTo(video.body());
    }

    @Test
    void aFilePartIsDroppedSilentlyTheJobHasNoPicture() {
        Form fileOnly = form().without("image").withFile("input_reference", "scene.png", "image/png", PNG);

        String id = json(client.create(fileOnly), 200).get("id").asText();
        clock.advance(Duration.ofSeconds(30));

        assertThat(api.receivedImage(id)).isEmpty();
        var frame = Mp4Frames.decode(client.content(id).body()).get(0);
        assertThat(PictureToMp4Test.squareDistance(frame)).isGreaterThan(40);
    }

    @Test
    void anImageUrlIsDownloadedAsVolcengineWouldAPresignedS3UrlOnLoopback() throws Exception {
        try (S3ProxyServer s3 = S3ProxyServer.inMemory();
                S3Client s3Client = S3Client.builder().endpointOverride(s3.endpoint()).region(Region.US_EAST_1)
                        .credentialsProvider(credentials()).httpClient(UrlConnectionHttpClient.create())
                        .forcePathStyle(true).build();
                S3Presigner presigner = S3Presigner.builder().endpointOverride(s3.endpoint()).region(Region.US_EAST_1)
                        .credentialsProvider(credentials())
                        .serviceConfiguration(S3Configuration.builder().pathStyleAccessEnabled(true).build()).build()) {
            s3Client.createBucket(b -> b.bucket("inputs"));
            s3Client.putObject(b -> b.bucket("inputs").key("scene.png").contentType("image/png"),
                    RequestBody.fromBytes(PNG));
            URI presigned = presigner.presignGetObject(p -> p.signatureDuration(Duration.ofMinutes(5))
                    .getObjectRequest(g -> g.bucket("inputs").key("scene.png"))).url().toURI();

            String id = json(client.create(form().without("image").with("image", presigned.toString())), 200)
                    .get("id").asText();

            assertThat(api.receivedImage(id)).hasValueSatisfying(image -> assertThat(image).isEqualTo(PNG));
        }
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY,
                S3ProxyServer.SECRET_KEY));
    }

    @Test
    void aFailedTaskCarriesTheUpstreamsErrorAndNoUrl() {
        String id = json(client.create(form().without("prompt").with("prompt", "make it fail")), 200)
                .get("id").asText();
        clock.advance(Duration.ofSeconds(30));

        JsonNode failed = json(client.status(id), 200);
        JsonNode content = json(client.content(id), 400);

        assertThat(failed.get("status").asText()).isEqualTo("failed");
        assertThat(failed.get("progress").asInt()).isEqualTo(100);
        assertThat(fieldNames(failed.get("error"))).containsExactly("message", "code");
        assertThat(fieldNames(failed)).containsSubsequence("completed_at", "error", "metadata");
        assertThat(failed.path("metadata").path("url").asText()).isEmpty();
        assertThat(content.path("error").path("message").asText())
                .isEqualTo("Task is not completed yet, current status: FAILURE");
    }

    static Stream<Arguments> refusals() {
        return Stream.of(
                Arguments.of("no model", form().without("model"), 400,
                        "{\"error\":{\"code\":\"\",\"message\":\"Model name not specified, model name cannot be empty"),
                Arguments.of("a model no channel offers", form().without("model").with("model", "sora-2"), 503,
                        "{\"error\":{\"code\":\"model_not_found\",\"message\":\"No available channel for model sora-2"),
                Arguments.of("a blank prompt", form().without("prompt").with("prompt", " "), 400,
                        "{\"code\":\"invalid_request\",\"message\":\"prompt is required\",\"data\":null}"),
                Arguments.of("one images value", form().with("images", "https://a/b.png"), 400,
                        "{\"code\":\"invalid_request\",\"message\":\"json: cannot unmarshal string"),
                Arguments.of("an image URL off this machine", form().without("image")
                        .with("image", "https://example.com/scene.png"), 400,
                        "{\"code\":\"fail_to_fetch_task\",\"message\":\"{\\\"error\\\":{\\\"code\\\":\\\"InvalidParameter\\\""),
                Arguments.of("a data URL that is no picture", form().without("image")
                        .with("image", "data:image/png;base64,bm90IGEgcGljdHVyZQ=="), 400,
                        "{\"code\":\"fail_to_fetch_task\""));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusals")
    void refusesInTheEnvelopeOfTheLayerThatRefuses(String why, Form form, int status, String bodyStart) {
        HttpResponse<byte[]> response = client.create(form);

        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(new String(response.body(), StandardCharsets.UTF_8)).startsWith(bodyStart);
        assertThat(api.jobsCreated()).isZero();
    }

    @Test
    void aWrongKeyIsAnInvalidTokenWithTheRequestIdAndNeverEchoed() {
        HttpResponse<byte[]> wrong = client.createWithKey(form(), "sk-wrong");
        HttpResponse<byte[]> missing = client.get("/v1/videos/task_x", null);

        for (HttpResponse<byte[]> response : List.of(wrong, missing)) {
            JsonNode body = json(response, 401);
            String requestId = response.headers().firstValue("X-Oneapi-Request-Id").orElseThrow();
            assertThat(fieldNames(body.get("error"))).containsExactly("code", "message", "type");
            assertThat(body.path("error").path("message").asText())
                    .isEqualTo("Invalid token (request id: " + requestId + ")");
            assertThat(requestId).matches("[0-9]{14}[0-9]{1,9}[0-9a-f]{8}[0-9A-Za-z]{8}");
            assertThat(body.path("error").path("type").asText()).isEqualTo("new_api_error");
            assertThat(body.toString()).doesNotContain("sk-wrong");
        }
        assertThat(api.jobsCreated()).isZero();
    }

    @Test
    void unknownTasksAndRoutesAnswerInTheirOwnShapes() {
        assertThat(new String(client.status("task_nope").body(), StandardCharsets.UTF_8))
                .isEqualTo("{\"code\":\"task_not_exist\",\"message\":\"task_not_exist\",\"data\":null}");
        assertThat(client.status("task_nope").statusCode()).isEqualTo(400);
        assertThat(json(client.content("task_nope"), 404).toString())
                .isEqualTo("{\"error\":{\"message\":\"Task not found\",\"type\":\"invalid_request_error\"}}");
        assertThat(json(client.get("/v1/videos", KEY), 404).toString()).isEqualTo("{\"error\":{\"message\":"
                + "\"Invalid URL (GET /v1/videos)\",\"type\":\"invalid_request_error\",\"param\":\"\",\"code\":\"\"}}");
        assertThat(client.fetchWithoutKey(api.baseUrl().resolve("/files/task_nope.mp4")).statusCode()).isEqualTo(404);
    }

    @Test
    void aKeySentToTheVideosUrlIsRecorded() {
        String id = json(client.create(form()), 200).get("id").asText();
        clock.advance(Duration.ofSeconds(30));
        URI url = URI.create(json(client.status(id), 200).path("metadata").path("url").asText());

        client.send(HttpRequest.newBuilder(url).header("Authorization", "Bearer " + KEY).GET().build());

        assertThat(api.storageSawAuthorization()).isTrue();
    }
}
