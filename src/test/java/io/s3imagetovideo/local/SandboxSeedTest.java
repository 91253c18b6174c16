package io.s3imagetovideo.local;

import static io.s3imagetovideo.local.SandboxClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3imagetovideo.local.SandboxClient.Form;
import io.s3imagetovideo.support.Mp4Frames;
import io.s3imagetovideo.support.MutableClock;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the seed host serves besides what SandboxVideoApiTest checks: the picture's video and its thumbnail. */
class SandboxSeedTest {

    static final String KEY = "sk-seed";
    private static final byte[] PNG = PictureToMp4Test.picture(1280, 720, "png");

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
    private SandboxVideoApi api;
    private SandboxClient client;

    @BeforeEach
    void start() throws Exception {
        api = SandboxVideoApi.start(KEY, clock, Duration.ofSeconds(2), Duration.ofSeconds(10));
        client = new SandboxClient(api.baseUrl(), KEY);
    }

    @AfterEach
    void stop() {
        api.close();
    }

    private static Form form(String prompt) {
        return Form.of("model", "sora-2", "prompt", prompt, "seconds", "10", "size", "1280x720")
                .withFile("input_reference", "scene.png", "image/png", PNG);
    }

    @Test
    void theVideoIsThePictureAndTheThumbnailAJpegOfItsFirstFrame() throws Exception {
        String id = json(client.create(form("a cow")), 200).get("id").asText();
        clock.advance(Duration.ofSeconds(12));

        HttpResponse<byte[]> video = client.content(id);
        HttpResponse<byte[]> thumbnail = client.get("/v1/videos/" + id + "/content?variant=thumbnail", KEY);
        HttpResponse<byte[]> spritesheet = client.get("/v1/videos/" + id + "/content?variant=spritesheet", KEY);

        var frame = Mp4Frames.decode(video.body()).get(0);
        assertThat(frame.width()).isEqualTo(640);
        assertThat(frame.height()).isEqualTo(360);
        assertThat(PictureToMp4Test.squareDistance(frame)).isLessThanOrEqualTo(PictureToMp4Test.TOLERANCE);
        assertThat(thumbnail.statusCode()).isEqualTo(200);
        assertThat(thumbnail.headers().firstValue("Content-Type")).hasValue("image/jpeg");
        BufferedImage jpeg = ImageIO.read(new ByteArrayInputStream(thumbnail.body()));
        assertThat(jpeg.getWidth()).isEqualTo(640);
        assertThat(jpeg.getHeight()).isEqualTo(360);
        assertThat(json(spritesheet, 400).path("error").path("param").asText()).isEqualTo("variant");
    }

    @Test
    void theThumbnailWaitsForTheVideoLikeTheVideo() {
        String id = json(client.create(form("a cow")), 200).get("id").asText();

        assertThat(client.get("/v1/videos/" + id + "/content?variant=thumbnail", KEY).statusCode()).isEqualTo(404);
    }

    @Test
    void aPromptThatAsksToFailEndsFailedWithAnError() {
        String id = json(client.create(form("a cow that should fail")), 200).get("id").asText();
        clock.advance(Duration.ofSeconds(12));

        JsonNode failed = json(client.status(id), 200);

        assertThat(failed.get("status").asText()).isEqualTo("failed");
        assertThat(failed.path("error").path("code").asText()).isEqualTo("video_generation_failed");
        assertThat(failed.has("completed_at")).isFalse();
        assertThat(client.content(id).statusCode()).isEqualTo(404);
    }
}
