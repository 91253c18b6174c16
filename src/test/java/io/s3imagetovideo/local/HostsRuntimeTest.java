package io.s3imagetovideo.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.local.SandboxVideoApi.Host;
import io.s3imagetovideo.support.ElasticMqBackend;
import io.s3imagetovideo.support.EventSourceMapping;
import io.s3imagetovideo.support.Events;
import io.s3imagetovideo.support.Images;
import io.s3imagetovideo.support.LambdaRuntimeProcess;
import io.s3imagetovideo.support.S3ProxyBackend;
import io.s3imagetovideo.support.S3ProxyServer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Issue 13's acceptance, run as Lambda runs it: both functions in their own JVMs under the real
 * runtime interface client, built from their environment alone (the settings of the README's host
 * table), fed by event source mappings on real queues (ElasticMQ), the upload's notification arriving
 * through the submission queue as the bucket sends it, against the sandbox's strict stand-in of each
 * live host (built from the hosts' source; see the host classes beside {@link SandboxVideoApi}).
 */
class HostsRuntimeTest {

    @RegisterExtension
    static final S3ProxyBackend S3 = new S3ProxyBackend();
    @RegisterExtension
    static final ElasticMqBackend SQS = new ElasticMqBackend();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LIMIT = Duration.ofSeconds(90);

    /** The README's host table; for new-api, the image as a presigned S3 link (the local run sends a data: URL). */
    static Map<String, String> settingsFor(Host host) {
        Map<String, String> settings = new HashMap<>(host.settings());
        if (host == Host.NEW_API) {
            settings.put("VIDEO_IMAGE_SEND_AS", "presigned_url");
        }
        return settings;
    }

    @ParameterizedTest
    @EnumSource(value = Host.class, names = {"NEW_API", "LITELLM", "VLLM_OMNI"})
    void oneUploadBecomesOneCompletedRecordAndTheHostsOwnMp4(Host host) throws Exception {
        String bucket = "hosts-" + host.name().toLowerCase().replace('_', '-') + "-"
                + UUID.randomUUID().toString().substring(0, 6);
        try (S3Client s3 = S3.newClient(); SqsClient sqs = SQS.newClient();
                SandboxVideoApi sandbox = host == Host.VLLM_OMNI
                        // A deployment with its videos in an object store: /content redirects there.
                        ? SandboxVideoApi.startRedirectingToStorage(SandboxVideoApi.DEFAULT_KEY, Clock.systemUTC(),
                                Duration.ofSeconds(1), Duration.ofSeconds(2))
                        : SandboxVideoApi.start(host, SandboxVideoApi.DEFAULT_KEY, Clock.systemUTC(),
                                Duration.ofSeconds(1), Duration.ofSeconds(2))) {
            s3.createBucket(b -> b.bucket(bucket));
            String submissionQueue = SQS.newQueue(sqs, "submission", 30);
            String pollQueue = SQS.newQueue(sqs, "poll", 30);
            Map<String, String> env = new HashMap<>(Map.of(
                    "AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY,
                    "AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY,
                    "AWS_ENDPOINT_URL_S3", S3.endpoint().toString(),
                    "AWS_ENDPOINT_URL_SQS", SQS.endpoint().toString(),
                    "VIDEO_API_BASE_URL", sandbox.baseUrl().toString(),
                    "VIDEO_API_KEY", SandboxVideoApi.DEFAULT_KEY,
                    "POLL_QUEUE_URL", pollQueue,
                    "SUBMISSION_QUEUE_URL", submissionQueue,
                    "POLL_INITIAL_DELAY_SECONDS", "1",
                    "POLL_MAX_DELAY_SECONDS", "1"));
            env.putAll(settingsFor(host));

            // Given the pair in the bucket, and the notifications S3 sends for it in the submission queue
            byte[] png = Images.png(640, 480);
            for (var file : List.of(Map.entry("in/scene.prompt.json",
                    "{\"prompt\": \"the cow drives\"}".getBytes()), Map.entry("in/scene.png", png))) {
                var put = s3.putObject(b -> b.bucket(bucket).key(file.getKey()), RequestBody.fromBytes(file.getValue()));
                String body = Events.notificationJson(List.of(new Events.Put(bucket, file.getKey(),
                        file.getValue().length, put.eTag())));
                sqs.sendMessage(b -> b.queueUrl(submissionQueue).messageBody(body));
            }

            // When both functions run until the record is done
            JsonNode record;
            try (LambdaRuntimeProcess submit = new LambdaRuntimeProcess("submit",
                    "io.s3imagetovideo.submit.SubmitHandler::handleRequest", env);
                    LambdaRuntimeProcess poll = new LambdaRuntimeProcess("poll",
                            "io.s3imagetovideo.poll.PollHandler::handleRequest", env)) {
                var submissions = new EventSourceMapping(sqs, submissionQueue, submit, 10);
                var checks = new EventSourceMapping(sqs, pollQueue, poll, 10);
                Instant until = Instant.now().plus(LIMIT);
                record = JSON.createObjectNode();
                while (!record.path("status").asText().matches("completed|failed|rejected|expired")) {
                    assertThat(Instant.now()).as("done within %s; submit said:%n%s%npoll said:%n%s", LIMIT,
                            submit.output(), poll.output()).isBefore(until);
                    submissions.pollOnce(0);
                    checks.pollOnce(1);
                    record = record(s3, bucket, "in/scene.video.json");
                }
                assertThat(submissions.failedInvocations() + checks.failedInvocations()).isZero();
            }

            // Then one job, a completed record in our words, and the very bytes the host served
            assertThat(record.path("status").asText()).as(record.toString()).isEqualTo("completed");
            assertThat(sandbox.jobsCreated()).isEqualTo(1);
            String jobId = record.path("id").asText();
            byte[] saved = s3.getObjectAsBytes(b -> b.bucket(bucket).key("in/scene.mp4")).asByteArray();
            assertThat(saved).isEqualTo(sandbox.video(jobId).orElseThrow());
            assertThat(record.path("output").path("bytes").asLong()).isEqualTo(saved.length);
            assertThat(sandbox.receivedImage(jobId)).as("the host received the picture").isPresent();
            assertThat(sandbox.storageSawAuthorization()).as("the key went to the storage host").isFalse();
            if (host == Host.VLLM_OMNI) {
                // The video, and the thumbnail asked for (vLLM-Omni ignores ?variant=: the video again, left unread).
                assertThat(sandbox.storageDownloads()).isEqualTo(2);
                assertThat(record.path("output").has("thumbnail")).isFalse();
            }
            if (host == Host.LITELLM) {
                // LiteLLM's word for a running Veo job is not ours: it was followed, never recorded as a status.
                assertThat(record.path("api_status").isMissingNode() || record.path("api_status").isNull()).isTrue();
            }
        }
    }

    private static JsonNode record(S3Client s3, String bucket, String key) throws Exception {
        try {
            return JSON.readTree(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
        } catch (NoSuchKeyException e) {
            return JSON.createObjectNode();
        }
    }
}
