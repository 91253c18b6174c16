package io.s3imagetovideo.poll;

import static io.s3imagetovideo.support.HostStubs.API_KEY;
import static io.s3imagetovideo.support.HostStubs.JOB_ID;
import static io.s3imagetovideo.support.HostStubs.contentOf;
import static io.s3imagetovideo.support.HostStubs.job;
import static io.s3imagetovideo.support.HostStubs.json;
import static io.s3imagetovideo.support.HostStubs.statusOf;
import static io.s3imagetovideo.support.HostStubs.video;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.s3imagetovideo.support.ElasticMqBackend;
import io.s3imagetovideo.support.FunctionHarness;
import io.s3imagetovideo.support.LambdaRuntimeProcess;
import io.s3imagetovideo.support.Mp4s;
import io.s3imagetovideo.support.S3ProxyBackend;
import io.s3imagetovideo.support.S3ProxyServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The poll function run as Lambda runs it: a new JVM under the real runtime interface client, built
 * from the environment alone, given the SQS event the event source mapping would send for the check
 * the submit function put on a real queue.
 */
class PollRuntimeTest {

    @RegisterExtension
    static final S3ProxyBackend S3 = new S3ProxyBackend();
    @RegisterExtension
    static final ElasticMqBackend SQS = new ElasticMqBackend();

    private FunctionHarness h;
    private String lastOutput;

    @BeforeEach
    void start() {
        h = new FunctionHarness(S3, SQS);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void completedJobLeavesTheVideoByteIdenticalNextToTheImage() throws Exception {
        // Given a queued job whose first check is on the queue, and an API that has finished it
        byte[] mp4 = Mp4s.ofSize(3 * 1024 * 1024 + 17, 11);
        h.submit("in box/场景 1+x");
        h.api.stubFor(statusOf(JOB_ID).willReturn(json(job("completed", 100))));
        h.api.stubFor(contentOf(JOB_ID).willReturn(video(mp4)));

        // When the poll function, started from scratch, receives that check
        String result = pollInRuntime();
        String output = lastOutput;

        // Then no message failed, the video is byte for byte what the API served, and the record says so
        assertThat(result).startsWith("response:").contains("\"batchItemFailures\":[]");
        assertThat(h.object("in box/场景 1+x.mp4")).hasValueSatisfying(saved -> assertThat(saved).isEqualTo(mp4));
        assertThat(h.contentType("in box/场景 1+x.mp4")).isEqualTo("video/mp4");
        JsonNode record = h.recordAt("in box/场景 1+x.video.json");
        assertThat(record.path("status").asText()).isEqualTo("completed");
        assertThat(record.path("output").path("bytes").asLong()).isEqualTo(mp4.length);
        assertThat(record.path("output").path("video").asText()).isEqualTo("in box/场景 1+x.mp4");
        assertThat(h.multipartUploads()).isEmpty();
        assertThat(output).as("the EMF metric CloudWatch would extract").contains("\"JobsCompleted\":1");
    }

    @Test
    void failedJobLeavesTheApisErrorInTheRecord() throws Exception {
        // Given a queued job that the API then gives up on
        h.submit("in/scene");
        ObjectNode failed = (ObjectNode) io.s3imagetovideo.support.HostStubs.read(job("failed", 0));
        failed.set("error", io.s3imagetovideo.support.HostStubs.read(
                "{\"code\":\"moderation_blocked\",\"message\":\"Your request was blocked by our moderation system.\"}"));
        h.api.stubFor(statusOf(JOB_ID).willReturn(json(failed.toString())));

        // When the poll function receives the check
        String result = pollInRuntime();

        // Then the record carries the API's own error and no video appears
        assertThat(result).startsWith("response:").contains("\"batchItemFailures\":[]");
        JsonNode record = h.recordAt("in/scene.video.json");
        assertThat(record.path("status").asText()).isEqualTo("failed");
        assertThat(record.path("error").path("code").asText()).isEqualTo("moderation_blocked");
        assertThat(record.path("error").path("message").asText())
                .isEqualTo("Your request was blocked by our moderation system.");
        assertThat(h.object("in/scene.mp4")).isEmpty();
    }

    private String pollInRuntime() throws InterruptedException {
        List<Message> messages = h.receive(2);
        assertThat(messages).as("the submit function's first check").hasSize(1);
        try (LambdaRuntimeProcess function = new LambdaRuntimeProcess("poll",
                "io.s3imagetovideo.poll.PollHandler::handleRequest", Map.of(
                        "AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY,
                        "AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY,
                        "AWS_ENDPOINT_URL_S3", S3.endpoint().toString(),
                        "AWS_ENDPOINT_URL_SQS", SQS.endpoint().toString(),
                        "POLL_QUEUE_URL", h.queueUrl,
                        // The harness's clock is fixed in 2026; the child JVM reads the real one.
                        "POLL_MAX_AGE_SECONDS", Integer.toString(Integer.MAX_VALUE),
                        "VIDEO_API_BASE_URL", h.api.baseUrl(),
                        "VIDEO_API_KEY", API_KEY))) {
            String result = function.invoke(io.s3imagetovideo.support.SqsEvents.json(messages));
            lastOutput = function.output();
            assertThat(lastOutput).doesNotContain(API_KEY);
            return result;
        }
    }
}
