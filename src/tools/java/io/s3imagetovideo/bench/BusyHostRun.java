package io.s3imagetovideo.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.bench.sim.BusyHost;
import io.s3imagetovideo.support.EventSourceMapping;
import io.s3imagetovideo.support.Events;
import io.s3imagetovideo.support.Images;
import io.s3imagetovideo.support.LambdaRuntimeProcess;
import io.s3imagetovideo.support.S3ProxyServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * Issue 14's acceptance, in real time and run as Lambda runs it: {@code ./mvnw -B -Pbusy test-compile
 * exec:java} (12 uploads, jobs of 90 s; {@code -Dbusy.uploads=}, {@code -Dbusy.jobSeconds=}). The
 * functions run in their own JVMs under the real runtime interface client ({@link LambdaRuntimeProcess}),
 * built from their environment alone; {@code busy.instances} submit instances (the template's
 * SubmitMaxConcurrency, 5) and one poll instance take their events from real queues (ElasticMQ, the
 * template's visibility timeout and a dead-letter queue after 10 receives) as event source mappings do.
 * The bucket is S3Proxy, which sends no notifications: the run sends each PUT's notification to the
 * submission queue as the bucket's QueueConfiguration would. The host runs 2 jobs at a time and
 * answers 429 with {@code Retry-After: 10} beyond that. It takes about ten minutes.
 */
public final class BusyHostRun {

    static final int UPLOADS = Integer.getInteger("busy.uploads", 12);
    static final int JOB_SECONDS = Integer.getInteger("busy.jobSeconds", 90);
    static final int INSTANCES = Integer.getInteger("busy.instances", 5);
    static final int SLOTS = 2;
    static final Duration LIMIT = Duration.ofMinutes(30);

    public static void main(String[] args) throws Exception {
        System.exit(new BusyHostRun().run() ? 0 : 1);
    }

    boolean run() throws Exception {
        ObjectMapper mapper = new ObjectMapper();
        Instant started = Instant.now();
        SQSRestServer mq = SQSRestServerBuilder.withDynamicPort().withInterface("127.0.0.1").start();
        URI sqsEndpoint = URI.create("http://127.0.0.1:" + mq.waitUntilStarted().localAddress().getPort());
        var credentials = StaticCredentialsProvider.create(
                AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY));
        try (BusyHost host = new BusyHost(Clock.systemUTC(), SLOTS, Duration.ofSeconds(JOB_SECONDS), 10, 0);
                S3ProxyServer s3Server = S3ProxyServer.inMemory();
                S3Client s3 = S3Client.builder().endpointOverride(s3Server.endpoint()).forcePathStyle(true)
                        .region(Region.US_EAST_1).credentialsProvider(credentials)
                        .httpClient(UrlConnectionHttpClient.builder().build()).build();
                SqsClient sqs = SqsClient.builder().endpointOverride(sqsEndpoint).region(Region.US_EAST_1)
                        .credentialsProvider(credentials).httpClient(UrlConnectionHttpClient.builder().build()).build()) {
            String bucket = "busy";
            s3.createBucket(b -> b.bucket(bucket));
            String dlq = sqs.createQueue(b -> b.queueName("SubmissionDeadLetterQueue")).queueUrl();
            String dlqArn = sqs.getQueueAttributes(b -> b.queueUrl(dlq).attributeNames(QueueAttributeName.QUEUE_ARN))
                    .attributes().get(QueueAttributeName.QUEUE_ARN);
            // The template's submission queue: visibility 1800 s, the dead-letter queue after 10 receives.
            String submission = sqs.createQueue(b -> b.queueName("SubmissionQueue").attributes(Map.of(
                    QueueAttributeName.VISIBILITY_TIMEOUT, "1800",
                    QueueAttributeName.REDRIVE_POLICY, "{\"deadLetterTargetArn\":\"" + dlqArn
                            + "\",\"maxReceiveCount\":\"10\"}"))).queueUrl();
            String poll = sqs.createQueue(b -> b.queueName("PollQueue").attributes(Map.of(
                    QueueAttributeName.VISIBILITY_TIMEOUT, "1800"))).queueUrl();
            Map<String, String> env = Map.of(
                    "AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY,
                    "AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY,
                    "AWS_ENDPOINT_URL_S3", s3Server.endpoint().toString(),
                    "AWS_ENDPOINT_URL_SQS", sqsEndpoint.toString(),
                    "VIDEO_API_BASE_URL", host.baseUrl().toString(),
                    "VIDEO_API_KEY", "sk-soak",
                    "SUBMISSION_QUEUE_URL", submission,
                    "POLL_QUEUE_URL", poll);

            System.out.println("busy host run: " + UPLOADS + " uploads at once, a host of " + SLOTS + " slots, jobs of "
                    + JOB_SECONDS + " s, 429 with Retry-After 10 beyond; " + INSTANCES + " submit instances");
            List<LambdaRuntimeProcess> functions = new ArrayList<>();
            ExecutorService mappings = Executors.newFixedThreadPool(INSTANCES + 1);
            AtomicBoolean done = new AtomicBoolean();
            List<EventSourceMapping> submitMappings = new ArrayList<>();
            try {
                for (int i = 0; i < INSTANCES; i++) {
                    var function = new LambdaRuntimeProcess("submit-" + i,
                            "io.s3imagetovideo.submit.SubmitHandler::handleRequest", env);
                    functions.add(function);
                    submitMappings.add(new EventSourceMapping(sqs, submission, function, 10));
                }
                var pollFunction = new LambdaRuntimeProcess("poll", "io.s3imagetovideo.poll.PollHandler::handleRequest",
                        env);
                functions.add(pollFunction);
                var pollMapping = new EventSourceMapping(sqs, poll, pollFunction, 10);

                // The folder arrives: each PUT, and its notification in the submission queue
                byte[] png = Images.png(720, 1280);
                for (int n = 0; n < UPLOADS; n++) {
                    for (var file : List.of(Map.entry("folder/scene " + n + ".prompt.json",
                            ("{\"prompt\": \"soak upload #" + n + "\"}").getBytes(StandardCharsets.UTF_8)),
                            Map.entry("folder/scene " + n + ".png", png))) {
                        var put = s3.putObject(b -> b.bucket(bucket).key(file.getKey()),
                                RequestBody.fromBytes(file.getValue()));
                        String body = Events.notificationJson(List.of(new Events.Put(bucket, file.getKey(),
                                file.getValue().length, put.eTag())));
                        sqs.sendMessage(b -> b.queueUrl(submission).messageBody(body));
                    }
                }
                List<Future<?>> running = new ArrayList<>();
                for (EventSourceMapping mapping : submitMappings) {
                    running.add(mappings.submit(() -> keepPolling(mapping, done)));
                }
                running.add(mappings.submit(() -> keepPolling(pollMapping, done)));

                int completed = 0;
                Instant lastChange = Instant.now();
                while (completed < UPLOADS && Duration.between(started, Instant.now()).compareTo(LIMIT) < 0) {
                    Thread.sleep(5_000);
                    int now = count(s3, mapper, bucket, "completed");
                    if (now != completed) {
                        System.out.printf(Locale.ROOT, "  %4.0f s: %d completed, %d POSTs so far%n",
                                Duration.between(started, Instant.now()).toMillis() / 1000.0, now, host.posts());
                        completed = now;
                        lastChange = Instant.now();
                    }
                }
                done.set(true);
                for (Future<?> f : running) {
                    f.get();
                }
                double seconds = Duration.between(started, Instant.now()).toMillis() / 1000.0;
                int videos = 0;
                for (int n = 0; n < UPLOADS; n++) {
                    String base = "folder/scene " + n;
                    try {
                        JsonNode record = mapper.readTree(
                                s3.getObjectAsBytes(b -> b.bucket(bucket).key(base + ".video.json")).asByteArray());
                        byte[] video = s3.getObjectAsBytes(b -> b.bucket(bucket).key(base + ".mp4")).asByteArray();
                        if (java.util.Arrays.equals(video, host.video(record.path("id").asText()))) {
                            videos++;
                        }
                    } catch (NoSuchKeyException e) {
                        System.out.println("  " + base + ": not done");
                    }
                }
                int dead = Integer.parseInt(sqs.getQueueAttributes(b -> b.queueUrl(dlq).attributeNames(
                        QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).attributes()
                        .get(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES));
                int receives = submitMappings.stream().mapToInt(EventSourceMapping::received).sum();
                int failedInvocations = submitMappings.stream().mapToInt(EventSourceMapping::failedInvocations).sum()
                        + pollMapping.failedInvocations();
                System.out.printf(Locale.ROOT, """
                        completed with their MP4:  %d of %d (the last after %.0f s; the host's minimum: %d s)
                        jobs:                      %d (duplicates: %d); at most %d ran at once
                        POSTs:                     %d, %.1f per upload; host answers %s
                        submission receives:       %d (%.1f per upload); failed invocations %d
                        dead-letter queue:         %d
                        """, videos, UPLOADS, Duration.between(started, lastChange).toMillis() / 1000.0,
                        (UPLOADS + SLOTS - 1) / SLOTS * JOB_SECONDS, host.jobs(), host.duplicates().size(),
                        host.maxRunning(), host.posts(), host.posts() / (double) UPLOADS, host.answers(), receives,
                        receives / (double) UPLOADS, failedInvocations, dead);
                boolean pass = videos == UPLOADS && host.jobs() == UPLOADS && dead == 0
                        && host.posts() <= 15 * UPLOADS && failedInvocations == 0;
                System.out.println(pass ? "busy host run: PASS" : "busy host run: FAIL");
                if (!pass) {
                    System.out.println(functions.get(0).output());
                }
                return pass;
            } finally {
                done.set(true);
                mappings.shutdownNow();
                functions.forEach(LambdaRuntimeProcess::close);
            }
        } finally {
            mq.stopAndWait();
        }
    }

    private static Void keepPolling(EventSourceMapping mapping, AtomicBoolean done) throws InterruptedException {
        while (!done.get()) {
            // Lambda's pollers long-poll; 2 s keeps the run's end prompt.
            mapping.pollOnce(2);
        }
        return null;
    }

    private static int count(S3Client s3, ObjectMapper mapper, String bucket, String status) throws Exception {
        int n = 0;
        for (var object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix("folder/")).contents()) {
            if (object.key().endsWith(".video.json")) {
                JsonNode record = mapper.readTree(s3.getObjectAsBytes(b -> b.bucket(bucket).key(object.key())).asByteArray());
                if (status.equals(record.path("status").asText())) {
                    n++;
                }
            }
        }
        return n;
    }
}
