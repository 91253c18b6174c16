package io.s3imagetovideo.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.support.Mp4s;
import io.s3imagetovideo.support.SteppingClock;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one command of "Try it locally", run the way it runs, with a faster sandbox and faster checks. */
class LocalRunFunctionTest {

    @TempDir
    Path bucketRoot;

    @Test
    void theSampleBecomesACompletedRecordAndTheSandboxesMp4InTheBucketFolder() throws Exception {
        var output = new ByteArrayOutputStream();
        String firstJob = null;
        // Twice, as a user runs the command twice: the second run starts afresh in the same folder.
        for (int run = 1; run <= 2; run++) {
            // The sandbox's clock moves one second per read: a job is queued at the first status check,
            // in progress at the second and done at the third, however long each check takes here.
            var clock = new SteppingClock(Instant.parse("2026-11-24T10:00:00Z"), Duration.ofSeconds(1));
            try (SandboxVideoApi sandbox = SandboxVideoApi.start(SandboxVideoApi.DEFAULT_KEY, clock,
                    Duration.ofMillis(1500), Duration.ofMillis(1500))) {
                var api = new LocalRun.Api(sandbox.baseUrl(), SandboxVideoApi.DEFAULT_KEY, "the test's sandbox", true);
                Map<String, String> userEnv = Map.of("POLL_INITIAL_DELAY_SECONDS", "0", "POLL_MAX_DELAY_SECONDS", "1");

                LocalRun.Result result = new LocalRun(Path.of("samples"), bucketRoot, "scene", api, userEnv,
                        new PrintStream(output, true, StandardCharsets.UTF_8)).run();

                Path folder = bucketRoot.resolve(LocalRun.BUCKET);
                String jobId = result.record().get("id").asText();
                byte[] served = sandbox.video(jobId).orElseThrow();
                assertThat(result.status()).isEqualTo("completed");
                assertThat(sandbox.jobsCreated()).isEqualTo(1);
                assertThat(jobId).isNotEqualTo(firstJob);
                assertThat(result.videoFile()).hasValue(folder.resolve("scene.mp4"));
                assertThat(Files.readAllBytes(folder.resolve("scene.mp4"))).isEqualTo(served);
                assertThat(Mp4s.looksLikeMp4(served)).isTrue();
                assertThat(result.record().path("output").path("video").asText()).isEqualTo("scene.mp4");
                assertThat(result.record().path("output").path("bytes").asLong()).isEqualTo(served.length);
                assertThat(Files.readAllBytes(folder.resolve("scene.png")))
                        .isEqualTo(Files.readAllBytes(Path.of("samples/scene.png")));
                assertThat(new ObjectMapper().readTree(result.recordFile().toFile())).isEqualTo(result.record());
                firstJob = jobId;
            }
        }
        String printed = output.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("Video API: the test's sandbox", "S3 event for scene.prompt.json",
                "S3 event for scene.png", "record queued", "record in_progress", "record completed",
                "Removed the files of an earlier run: " + bucketRoot.resolve("videos/scene.png"),
                bucketRoot.resolve("videos/scene.mp4").toString(), "\"status\" : \"completed\"")
                .doesNotContain(SandboxVideoApi.DEFAULT_KEY);
    }

    @Test
    void anUploadTheBusySandboxTurnsAwayWaitsInTheQueueAndGoesOnAsLiteLlmWouldServeIt() throws Exception {
        // Given the sandbox playing LiteLLM, at its limit for the first job, with LiteLLM's settings
        var output = new ByteArrayOutputStream();
        try (SandboxVideoApi sandbox = SandboxVideoApi.start(SandboxVideoApi.Host.LITELLM, SandboxVideoApi.DEFAULT_KEY,
                java.time.Clock.systemUTC(), Duration.ofMillis(500), Duration.ofMillis(500)).busyFor(1)) {
            var api = new LocalRun.Api(sandbox.baseUrl(), SandboxVideoApi.DEFAULT_KEY, "the busy sandbox", true,
                    SandboxVideoApi.Host.LITELLM.settings());

            // When the local run goes through both queues
            LocalRun.Result result = new LocalRun(Path.of("samples"), bucketRoot, "scene", api,
                    Map.of("POLL_INITIAL_DELAY_SECONDS", "0", "POLL_MAX_DELAY_SECONDS", "1"),
                    new PrintStream(output, true, StandardCharsets.UTF_8)).run();

            // Then the upload waited for the host, came back by itself, and its video is LiteLLM's
            assertThat(result.status()).isEqualTo("completed");
            assertThat(sandbox.jobsCreated()).isEqualTo(1);
            String jobId = result.record().get("id").asText();
            assertThat(jobId).startsWith("video_").endsWith("=");
            assertThat(Files.readAllBytes(result.videoFile().orElseThrow())).isEqualTo(sandbox.video(jobId).orElseThrow());
            assertThat(result.record().path("request").path("seconds").asText()).isEqualTo("8");
        }
        assertThat(output.toString(StandardCharsets.UTF_8)).contains("the host was busy: it waits in the queue until",
                "the waiting upload, sent back to the queue", "record completed");
    }

    @Test
    void aRefusalEndsTheRunWithTheFailedRecordAndNoVideo() throws Exception {
        var output = new ByteArrayOutputStream();
        try (SandboxVideoApi sandbox = SandboxVideoApi.start()) {
            var api = new LocalRun.Api(sandbox.baseUrl(), "sk-not-the-sandboxes", "a sandbox with another key", false);

            LocalRun.Result result = new LocalRun(Path.of("samples"), bucketRoot, "scene", api, Map.of(),
                    new PrintStream(output, true, StandardCharsets.UTF_8)).run();

            assertThat(result.status()).isEqualTo("failed");
            assertThat(result.record().path("error").path("http_status").asInt()).isEqualTo(401);
            assertThat(result.videoFile()).isEmpty();
            assertThat(sandbox.jobsCreated()).isZero();
        }
        assertThat(output.toString(StandardCharsets.UTF_8)).contains("the record is failed; its error says why");
    }

    @Test
    void theEnvironmentNamesARealApiWithBothVariablesOrNone() {
        assertThat(LocalRun.externalApi(Map.of())).isEmpty();
        var api = LocalRun.externalApi(Map.of("VIDEO_API_BASE_URL", "https://api.example.com",
                "VIDEO_API_KEY", "sk-real")).orElseThrow();
        assertThat(api.baseUrl()).hasToString("https://api.example.com");
        assertThat(api.sandbox()).isFalse();
        assertThat(api.description() + api).doesNotContain("sk-real");
        assertThatThrownBy(() -> LocalRun.externalApi(Map.of("VIDEO_API_KEY", "sk-real")))
                .hasMessageContaining("VIDEO_API_BASE_URL is not set");
        assertThatThrownBy(() -> LocalRun.externalApi(Map.of("VIDEO_API_BASE_URL", "https://api.example.com")))
                .hasMessageContaining("VIDEO_API_KEY is not set");
    }
}
