package io.s3imagetovideo.bench;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.api.ApiKeySource;
import io.s3imagetovideo.api.ApiTransport;
import io.s3imagetovideo.bench.sim.BusyHost;
import io.s3imagetovideo.bench.sim.SimulatedQueues;
import io.s3imagetovideo.config.PollConfig;
import io.s3imagetovideo.config.Secret;
import io.s3imagetovideo.config.SubmitConfig;
import io.s3imagetovideo.poll.PollHandler;
import io.s3imagetovideo.submit.SubmitHandler;
import io.s3imagetovideo.support.Events;
import io.s3imagetovideo.support.Images;
import io.s3imagetovideo.support.MutableClock;
import io.s3imagetovideo.support.S3ProxyServer;
import io.s3imagetovideo.support.SqsEvents;
import io.s3imagetovideo.support.TestContext;
import io.s3imagetovideo.wiring.Dependencies;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The soak run of issue 14: {@code ./mvnw -B -Psoak test-compile exec:exec} (1,000 uploads; fewer with
 * {@code -Dsoak.uploads=200}). A folder of uploads (image and prompt in random order, 20% of the
 * notifications delivered twice, 5% twice at the same moment) against a host that runs at most 2 jobs
 * at a time, each for 60 s, answers 429 with {@code Retry-After: 10} beyond that and a 500 to 10% of
 * all requests. Exits non-zero when an upload has no job, two jobs, no video, or ends in a dead-letter
 * queue.
 *
 * <p>The functions are the deployed handlers on a real S3 server (S3Proxy); time is simulated, because
 * the run spans over eight hours of the host's time: one clock for the functions, the host and the
 * queues ({@link SimulatedQueues}, which keep SQS's delays, visibility timeouts, receive counts and
 * dead-letter queue). Within a moment, the event source mappings run up to {@link #SUBMIT_CONCURRENCY}
 * submit instances (the template's SubmitMaxConcurrency) and as many poll instances at once, each with
 * a batch of up to 10 messages; then the clock moves to the next moment anything happens.
 */
public final class SoakRun {

    static final int UPLOADS = Integer.getInteger("soak.uploads", 1000);
    static final double DUPLICATED = 0.20;
    static final double CONCURRENT = 0.05;
    static final int SLOTS = 2;
    static final Duration JOB_TIME = Duration.ofSeconds(60);
    static final int RETRY_AFTER_SECONDS = 10;
    static final double FAILURES = 0.10;
    static final int SUBMIT_CONCURRENCY = 5;
    static final int BATCH = 10;
    /** The folder sync: every file arrives within this time of the first. */
    static final Duration ARRIVALS = Duration.ofMinutes(2);
    static final Instant START = Instant.parse("2026-12-01T08:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private final Random random = new Random(14);
    private final ObjectMapper mapper = new ObjectMapper();
    private final AtomicInteger notifications = new AtomicInteger();
    private final AtomicInteger duplicateNotifications = new AtomicInteger();
    private final AtomicInteger concurrentNotifications = new AtomicInteger();
    private final AtomicInteger submitInvocations = new AtomicInteger();
    private final AtomicInteger pollInvocations = new AtomicInteger();
    private final java.io.PrintStream out;

    SoakRun(java.io.PrintStream out) {
        this.out = out;
    }

    /** A file that arrives in the bucket at {@code at}, with how many notifications S3 sends for it. */
    private record Arrival(Instant at, String key, byte[] body, int copies, boolean together) {}

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        // The functions' log and metric lines (hundreds of thousands) would drown the report.
        java.io.PrintStream report = System.out;
        System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
        int failures = new SoakRun(report).run();
        System.exit(failures == 0 ? 0 : 1);
    }

    int run() throws Exception {
        long started = System.nanoTime();
        SimulatedQueues sqs = new SimulatedQueues(clock);
        SimulatedQueues.Queue submission = sqs.create("SubmissionQueue", Duration.ofSeconds(1800), 10);
        SimulatedQueues.Queue poll = sqs.create("PollQueue", Duration.ofSeconds(1800), 10);
        try (BusyHost host = new BusyHost(clock, SLOTS, JOB_TIME, RETRY_AFTER_SECONDS, FAILURES);
                S3ProxyServer s3Server = S3ProxyServer.inMemory();
                S3Client s3 = S3Client.builder().endpointOverride(s3Server.endpoint()).forcePathStyle(true)
                        .region(Region.US_EAST_1)
                        .credentialsProvider(StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)))
                        .httpClient(UrlConnectionHttpClient.builder().build()).build()) {
            String bucket = "soak";
            s3.createBucket(b -> b.bucket(bucket));
            Map<String, String> env = Map.of(
                    "VIDEO_API_BASE_URL", host.baseUrl().toString(),
                    "VIDEO_API_KEY", "sk-soak",
                    "SUBMISSION_QUEUE_URL", submission.url(),
                    "POLL_QUEUE_URL", poll.url());
            SubmitConfig submitConfig = SubmitConfig.fromEnv(env);
            PollConfig pollConfig = PollConfig.fromEnv(env);
            Dependencies dependencies = new Dependencies(s3, Optional.of(sqs),
                    ApiTransport.newHttpClient(submitConfig.api().connectTimeout()),
                    ApiKeySource.fixed(new Secret("sk-soak")), mapper, clock,
                    // Time stands still within an invocation: a retry's wait is not simulated.
                    duration -> { }, new Random(7));

            PriorityQueue<Arrival> arrivals = arrivals(bucket);
            ExecutorService instances = Executors.newFixedThreadPool(SUBMIT_CONCURRENCY);
            try {
                while (true) {
                    while (!arrivals.isEmpty() && !arrivals.peek().at().isAfter(clock.instant())) {
                        arrive(arrivals.poll(), bucket, s3, sqs, submission);
                    }
                    // Everything due now, until nothing is: a message sent back without a delay is due at once.
                    int handled;
                    do {
                        handled = deliver(sqs, submission, instances,
                                () -> new SubmitHandler(submitConfig, dependencies)::handleRequest, submitInvocations);
                        handled += deliver(sqs, poll, instances,
                                () -> new PollHandler(pollConfig, dependencies)::handleRequest, pollInvocations);
                    } while (handled > 0);
                    Optional<Instant> next = sqs.nextVisible();
                    if (!arrivals.isEmpty() && (next.isEmpty() || arrivals.peek().at().isBefore(next.get()))) {
                        next = Optional.of(arrivals.peek().at());
                    }
                    if (next.isEmpty()) {
                        break;
                    }
                    clock.set(next.get().isAfter(clock.instant()) ? next.get() : clock.instant());
                }
            } finally {
                instances.shutdownNow();
            }
            return report(bucket, s3, host, submission, poll, (System.nanoTime() - started) / 1e9);
        }
    }

    private PriorityQueue<Arrival> arrivals(String bucket) {
        PriorityQueue<Arrival> arrivals = new PriorityQueue<>(Comparator.comparing(Arrival::at));
        byte[] png = Images.png(16, 16);
        for (int n = 0; n < UPLOADS; n++) {
            String base = "folder/upload " + n + "+é";
            List<String> keys = new ArrayList<>(List.of(base + ".png", base + ".prompt.json"));
            Collections.shuffle(keys, random);
            Instant first = START.plusMillis((long) (random.nextDouble() * ARRIVALS.toMillis()));
            for (int i = 0; i < 2; i++) {
                String key = keys.get(i);
                byte[] body = key.endsWith(".png") ? png
                        : ("{\"prompt\": \"soak upload #" + n + "\"}").getBytes(StandardCharsets.UTF_8);
                double roll = random.nextDouble();
                boolean together = roll < CONCURRENT;
                int copies = roll < CONCURRENT + DUPLICATED ? 2 : 1;
                arrivals.add(new Arrival(first.plusMillis(i * (long) (random.nextDouble() * 5_000)), key, body, copies,
                        together));
            }
        }
        return arrivals;
    }

    /** The PUT, and S3's notification of it in the submission queue: once, twice later, or twice at once. */
    private void arrive(Arrival arrival, String bucket, S3Client s3, SimulatedQueues sqs,
            SimulatedQueues.Queue submission) {
        var put = s3.putObject(b -> b.bucket(bucket).key(arrival.key()), RequestBody.fromBytes(arrival.body()));
        String body = Events.notificationJson(List.of(new Events.Put(bucket, arrival.key(), arrival.body().length,
                put.eTag())));
        sqs.send(submission, body, clock.instant());
        notifications.incrementAndGet();
        if (arrival.copies() == 2) {
            Instant again = arrival.together() ? clock.instant()
                    : clock.instant().plusSeconds(1 + random.nextInt(300));
            sqs.send(submission, body, again);
            (arrival.together() ? concurrentNotifications : duplicateNotifications).incrementAndGet();
        }
    }

    private interface Invocation {
        SQSBatchResponse handle(com.amazonaws.services.lambda.runtime.events.SQSEvent event,
                com.amazonaws.services.lambda.runtime.Context context);
    }

    /**
     * One moment of an event source mapping: receives what is due (up to a batch per instance), runs the
     * batches on the instances at once, deletes what did not fail. The number of messages handled.
     */
    private int deliver(SimulatedQueues sqs, SimulatedQueues.Queue queue, ExecutorService instances,
            java.util.function.Supplier<Invocation> handler, AtomicInteger invocations) throws Exception {
        List<List<Message>> batches = new ArrayList<>();
        for (int i = 0; i < SUBMIT_CONCURRENCY; i++) {
            List<Message> batch = sqs.receive(queue, BATCH);
            if (batch.isEmpty()) {
                break;
            }
            batches.add(batch);
        }
        List<Future<?>> running = new ArrayList<>();
        for (List<Message> batch : batches) {
            running.add(instances.submit(() -> {
                invocations.incrementAndGet();
                SQSBatchResponse response = handler.get().handle(SqsEvents.of(batch),
                        new TestContext(Duration.ofMinutes(5)));
                Set<String> failed = response.getBatchItemFailures().stream()
                        .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).collect(Collectors.toSet());
                for (Message m : batch) {
                    if (!failed.contains(m.messageId())) {
                        sqs.delete(queue, m.receiptHandle());
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : running) {
            f.get();
        }
        return batches.stream().mapToInt(List::size).sum();
    }

    private int report(String bucket, S3Client s3, BusyHost host, SimulatedQueues.Queue submission,
            SimulatedQueues.Queue poll, double seconds) throws Exception {
        Map<String, Integer> outcomes = new java.util.TreeMap<>();
        int withVideo = 0;
        List<String> problems = new ArrayList<>();
        for (int n = 0; n < UPLOADS; n++) {
            String base = "folder/upload " + n + "+é";
            JsonNode record;
            try {
                record = mapper.readTree(s3.getObjectAsBytes(b -> b.bucket(bucket).key(base + ".video.json")).asByteArray());
            } catch (NoSuchKeyException e) {
                problems.add(base + ": no record");
                continue;
            }
            outcomes.merge(record.path("status").asText(), 1, Integer::sum);
            try {
                byte[] video = s3.getObjectAsBytes(b -> b.bucket(bucket).key(base + ".mp4")).asByteArray();
                if (java.util.Arrays.equals(video, host.video(record.path("id").asText()))) {
                    withVideo++;
                } else if (problems.size() < 10) {
                    problems.add(base + ": the video is not the host's");
                }
            } catch (NoSuchKeyException e) {
                if (problems.size() < 10) {
                    problems.add(base + ": no video; record " + record);
                }
            }
        }
        Map<String, Integer> answers = host.answers();
        int jobs = host.jobs();
        out.printf(java.util.Locale.ROOT, """
                soak run: %d uploads against a host of %d slots, jobs of %d s, 429 with Retry-After %d beyond that, 500 to %.0f%% of requests
                notifications:                 %d (%d delivered again later, %d twice at once)
                submit: receives %d (%.1f per upload), invocations %d; poll: receives %d, invocations %d
                host answers:                  %s
                POSTs:                         %d for %d jobs (%.1f per job); at most %d jobs ran at once
                records:                       %s
                videos saved, the host's bytes: %d
                duplicate jobs:                %d
                dead-letter queues:            submission %d, poll %d
                simulated time:                %s to the last record's end
                wall time:                     %.1f s
                """, UPLOADS, SLOTS, JOB_TIME.toSeconds(), RETRY_AFTER_SECONDS, FAILURES * 100, notifications.get(),
                duplicateNotifications.get(), concurrentNotifications.get(), submission.received(),
                submission.received() / (double) UPLOADS, submitInvocations.get(), poll.received(),
                pollInvocations.get(), answers, host.posts(), jobs, host.posts() / (double) Math.max(1, jobs),
                host.maxRunning(), outcomes, withVideo, host.duplicates().size(), submission.deadLetters(),
                poll.deadLetters(), Duration.between(START, clock.instant()), seconds);
        problems.forEach(p -> out.println("  " + p));
        int failures = 0;
        failures += check(jobs == UPLOADS, "jobs != uploads");
        failures += check(host.duplicates().isEmpty(), "duplicate jobs: " + host.duplicates());
        failures += check(withVideo == UPLOADS, "uploads without their video");
        failures += check(submission.deadLetters() + poll.deadLetters() == 0, "messages in a dead-letter queue");
        failures += check(host.maxRunning() <= SLOTS, "the host ran more jobs than its slots");
        out.println(failures == 0 ? "soak: PASS" : "soak: FAIL");
        return failures;
    }

    private int check(boolean ok, String failure) {
        if (!ok) {
            out.println("FAIL: " + failure);
        }
        return ok ? 0 : 1;
    }
}
