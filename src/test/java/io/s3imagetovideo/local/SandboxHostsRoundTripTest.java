package io.s3imagetovideo.local;

import static io.s3imagetovideo.local.SandboxClient.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.s3imagetovideo.local.SandboxClient.Form;
import io.s3imagetovideo.local.SandboxVideoApi.Host;
import io.s3imagetovideo.support.Mp4Frames;
import io.s3imagetovideo.support.Mp4Frames.Frame;
import io.s3imagetovideo.support.MutableClock;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Each host, driven over HTTP the way the functions drive it: the picture sent in that host's
 * transport, the job read until it is done, the video downloaded (a redirect followed without the
 * key), and the video decoded: it is the picture that host received.
 */
class SandboxHostsRoundTripTest {

    static final String KEY = "sk-round-trip";
    static final Set<String> DONE = Set.of("completed", "failed");

    /** How one host takes the picture, and what video it makes of it. */
    record Case(String name, Host host, boolean redirect, Function<byte[], Form> form, List<String> statuses,
            int width, int height) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Arguments> hosts() {
        return Stream.of(
                new Case("seed: a file part whose pixel size is the size", Host.SEED, false, png -> Form.of(
                        "model", "sora-2", "prompt", "a cow", "seconds", "10", "size", "720x1280")
                        .withFile("input_reference", "scene.png", "image/png", png),
                        List.of("queued", "in_progress", "completed"), 360, 640),
                new Case("new-api: a data URL in the text field image", Host.NEW_API, false, png -> Form.of(
                        "model", "doubao-seedance-1-0-pro-250528", "prompt", "a cow", "seconds", "5",
                        "image", "data:image/png;base64," + Base64.getEncoder().encodeToString(png)),
                        List.of("unknown", "queued", "in_progress", "completed"), 360, 640),
                new Case("litellm: a file part, 720x1280 as 9:16", Host.LITELLM, false, png -> Form.of(
                        "model", "veo-3.1-fast-generate-preview", "prompt", "a cow", "seconds", "8", "size", "720x1280")
                        .withFile("input_reference", "scene.png", "image/png", png), List.of("processing", "completed"),
                        360, 640),
                new Case("vllm-omni: a file part of any pixel size", Host.VLLM_OMNI, false, png -> Form.of(
                        "model", VllmOmniHost.SERVED_MODEL, "prompt", "a cow", "seconds", "4", "size", "480x832")
                        .withFile("input_reference", "scene.png", "image/png", png),
                        List.of("queued", "in_progress", "completed"), 370, 640),
                new Case("vllm-omni: /content redirected to a storage host", Host.VLLM_OMNI, true, png -> Form.of(
                        "prompt", "a cow", "size", "480x832")
                        .withFile("input_reference", "any-name.bin", "application/octet-stream", png),
                        List.of("queued", "in_progress", "completed"), 370, 640))
                .map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hosts")
    void thePictureSentIsTheVideoServed(Case c) throws Exception {
        var clock = new MutableClock(Instant.parse("2026-12-01T10:00:00Z"));
        byte[] png = PictureToMp4Test.picture(720, 1280, "png");
        try (SandboxVideoApi api = c.redirect()
                ? SandboxVideoApi.startRedirectingToStorage(KEY, clock, Duration.ofSeconds(2), Duration.ofSeconds(4))
                : SandboxVideoApi.start(c.host(), KEY, clock, Duration.ofSeconds(2), Duration.ofSeconds(4))) {
            var client = new SandboxClient(api.baseUrl(), KEY);

            String id = json(client.create(c.form().apply(png)), 200).get("id").asText();
            JsonNode job = json(client.status(id), 200);
            List<String> seen = new ArrayList<>(List.of(job.get("status").asText()));
            for (int read = 0; read < 20 && !DONE.contains(job.get("status").asText()); read++) {
                clock.advance(Duration.ofSeconds(1));
                job = json(client.status(id), 200);
                seen.add(job.get("status").asText());
            }
            HttpResponse<byte[]> content = client.content(id);
            if (content.statusCode() == 307) {
                URI location = URI.create(content.headers().firstValue("Location").orElseThrow());
                assertThat(location.getPort()).isNotEqualTo(api.baseUrl().getPort());
                content = client.fetchWithoutKey(location);
            }

            assertThat(seen.stream().distinct()).containsExactlyElementsOf(c.statuses());
            assertThat(content.statusCode()).isEqualTo(200);
            assertThat(content.headers().firstValue("Content-Type")).hasValue("video/mp4");
            assertThat(content.body()).isEqualTo(api.video(id).orElseThrow());
            assertThat(api.receivedImage(id)).hasValueSatisfying(image -> assertThat(image).isEqualTo(png));
            List<Frame> frames = Mp4Frames.decode(content.body());
            assertThat(frames).hasSize(PictureToMp4.FRAMES);
            Frame last = frames.get(frames.size() - 1);
            assertThat(last.width()).isEqualTo(c.width());
            assertThat(last.height()).isEqualTo(c.height());
            assertThat(PictureToMp4Test.squareDistance(last)).isLessThanOrEqualTo(PictureToMp4Test.TOLERANCE);
            assertThat(api.jobsCreated()).isEqualTo(1);
            assertThat(api.storageSawAuthorization()).isFalse();
            assertThat(api.storageDownloads()).isEqualTo(c.redirect() ? 1 : 0);
        }
    }
}
