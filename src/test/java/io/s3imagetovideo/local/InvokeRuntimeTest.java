package io.s3imagetovideo.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.support.ElasticMqBackend;
import io.s3imagetovideo.support.Images;
import io.s3imagetovideo.support.S3ProxyBackend;
import io.s3imagetovideo.support.S3ProxyServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The invoke command as a user runs it: a new JVM whose only configuration is its environment, here
 * pointed at S3Proxy, ElasticMQ and the sandbox (as it would be at LocalStack or at AWS).
 */
class InvokeRuntimeTest {

    @RegisterExtension
    static final S3ProxyBackend S3 = new S3ProxyBackend();
    @RegisterExtension
    static final ElasticMqBackend MQ = new ElasticMqBackend();

    private static final ObjectMapper JSON = new ObjectMapper();

    private SandboxVideoApi sandbox;
    private S3Client s3;
    private SqsClient sqs;
    private String queueUrl;

    @BeforeEach
    void start() throws IOException {
        // Jobs complete at once: the test is about invoking, not waiting.
        sandbox = SandboxVideoApi.start(SandboxVideoApi.DEFAULT_KEY, Clock.systemUTC(), Duration.ZERO, Duration.ZERO);
        s3 = S3.newClient();
        sqs = MQ.newClient();
        queueUrl = MQ.newQueue(sqs);
    }

    @AfterEach
    void stop() {
        sandbox.close();
        s3.close();
        sqs.close();
    }

    @Test
    void submitThenPollFromBucketAndKeySavesTheVideo() throws Exception {
        s3.createBucket(b -> b.bucket("invoke-test"));
        s3.putObject(b -> b.bucket("invoke-test").key("in/scene.prompt.json"),
                RequestBody.fromString("{\"prompt\": \"a cow takes the driving test\", \"size\": \"1280x720\"}"));
        s3.putObject(b -> b.bucket("invoke-test").key("in/scene.png"), RequestBody.fromBytes(Images.png(1280, 720)));

        Run submit = invoke("submit", "--bucket", "invoke-test", "--key", "in/scene.png");

        assertThat(submit.exitCode()).as(submit.output()).isZero();
        String jobId = record("invoke-test", "in/scene.video.json").get("id").asText();
        assertThat(submit.lastLine()).isEqualTo("{\"batchItemFailures\":[]}");
        assertThat(record("invoke-test", "in/scene.video.json").get("status").asText()).isEqualTo("queued");
        var scheduled = sqs.receiveMessage(b -> b.queueUrl(queueUrl).waitTimeSeconds(1)).messages();
        assertThat(scheduled).hasSize(1);
        assertThat(JSON.readTree(scheduled.get(0).body()).get("job_id").asText()).isEqualTo(jobId);

        Run poll = invoke("poll", "--bucket", "invoke-test", "--key", "in/scene.video.json");

        assertThat(poll.exitCode()).as(poll.output()).isZero();
        assertThat(poll.lastLine()).isEqualTo("{\"batchItemFailures\":[]}");
        JsonNode record = record("invoke-test", "in/scene.video.json");
        assertThat(record.get("status").asText()).isEqualTo("completed");
        assertThat(s3.getObjectAsBytes(b -> b.bucket("invoke-test").key("in/scene.mp4")).asByteArray())
                .isEqualTo(sandbox.video(jobId).orElseThrow());
    }

    @Test
    void submitWithAnEventsFileAsSamLocalInvokeWouldSendIt() throws Exception {
        // The bucket and the non-ASCII key that events/sqs-s3-put-image.json names.
        s3.createBucket(b -> b.bucket("s3-image-to-video-example"));
        s3.putObject(b -> b.bucket("s3-image-to-video-example").key("in box/场景 1+x.prompt.json"),
                RequestBody.fromString("{\"prompt\": \"a cow takes the driving test\"}"));
        s3.putObject(b -> b.bucket("s3-image-to-video-example").key("in box/场景 1+x.png"),
                RequestBody.fromBytes(Images.png(720, 1280)));

        Run submit = invoke("submit", "events/sqs-s3-put-image.json");

        assertThat(submit.exitCode()).as(submit.output()).isZero();
        assertThat(submit.lastLine()).isEqualTo("{\"batchItemFailures\":[]}");
        assertThat(record("s3-image-to-video-example", "in box/场景 1+x.video.json").get("id").asText())
                .startsWith("video_");
        assertThat(sandbox.jobsCreated()).isEqualTo(1);
    }

    @Test
    void aFailingInvocationPrintsLambdasErrorShapeAndExitsNonZero() throws Exception {
        Run submit = invoke("submit", "--bucket", "no-such-bucket", "--key", "scene.png");

        assertThat(submit.exitCode()).isEqualTo(1);
        assertThat(JSON.readTree(submit.lastLine()).get("errorType").asText()).endsWith("NoSuchKeyException");
    }

    private record Run(int exitCode, String output) {
        String lastLine() {
            List<String> lines = output.lines().toList();
            return lines.isEmpty() ? "" : lines.get(lines.size() - 1);
        }
    }

    private Run invoke(String... args) throws Exception {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        var command = new java.util.ArrayList<>(List.of(java.toString(), "-cp", System.getProperty("java.class.path"),
                Invoke.class.getName()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("AWS_ENDPOINT_URL_S3", S3.endpoint().toString());
        env.put("AWS_ENDPOINT_URL_SQS", MQ.endpoint().toString());
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY);
        env.put("POLL_QUEUE_URL", queueUrl);
        env.put("POLL_INITIAL_DELAY_SECONDS", "0");
        env.put("VIDEO_API_BASE_URL", sandbox.baseUrl().toString());
        env.put("VIDEO_API_KEY", SandboxVideoApi.DEFAULT_KEY);
        Process process = pb.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Run(process.exitValue(), output);
    }

    private JsonNode record(String bucket, String key) throws IOException {
        return JSON.readTree(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
    }
}
