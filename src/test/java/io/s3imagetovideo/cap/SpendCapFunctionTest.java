package io.s3imagetovideo.cap;

import static io.s3imagetovideo.support.FunctionHarness.failedIds;
import static io.s3imagetovideo.support.FunctionHarness.jobAccepted;
import static io.s3imagetovideo.support.FunctionHarness.openAiError;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import io.s3imagetovideo.support.ElasticMqBackend;
import io.s3imagetovideo.support.FunctionHarness;
import io.s3imagetovideo.support.Images;
import io.s3imagetovideo.support.S3ProxyBackend;
import io.s3imagetovideo.support.TestContext;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The spend cap across instances: one ledger object per UTC day, moved by S3 conditional writes on a
 * real S3 server, never a share too many, whichever instance asks.
 */
class SpendCapFunctionTest {

    @RegisterExtension
    static final S3ProxyBackend S3 = new S3ProxyBackend();
    /** Where held uploads are sent back to, as in the stack: without it, waiting would be a failed message. */
    @RegisterExtension
    static final ElasticMqBackend SQS = new ElasticMqBackend();

    private static final int UPLOADS = 300;
    private static final int CAP = 100;
    private static final int INSTANCES = 8;
    private static final Instant DAY_2 = Instant.parse("2026-11-25T00:00:00Z");
    private static final Instant DAY_3 = Instant.parse("2026-11-26T00:00:00Z");

    private FunctionHarness h;

    @BeforeEach
    void start() {
        h = new FunctionHarness(S3, SQS);
        h.env("MAX_JOBS_PER_DAY", Integer.toString(CAP));
        // The images go as they are: this test is about the ledger, not about fitting 900 images.
        h.env("DEFAULT_FIT", "none");
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void threeHundredUploadsOnEightInstancesStartExactlyTheCapEachDayAndTheRestGoOnByThemselves() throws Exception {
        // Given 300 complete uploads at once and a cap of 100 jobs a day
        h.stubCreate(jobAccepted());
        List<SQSEvent> events = new ArrayList<>();
        for (int i = 0; i < UPLOADS; i++) {
            h.put("cap/upload " + i + ".prompt.json", FunctionHarness.PROMPT);
            h.put("cap/upload " + i + ".png", Images.png(4, 4));
            events.add(h.eventFor("cap/upload " + i + ".png"));
        }

        // When eight instances handle their events at once
        deliverOnInstances(events);

        // Then exactly 100 jobs that day, in the ledger too, and 200 uploads held until the next day opens
        assertThat(h.posts()).hasSize(CAP);
        assertThat(ledger("2026-11-24").path("jobs").asInt()).isEqualTo(CAP);
        assertThat(ledger("2026-11-24").path("uploads").size()).isEqualTo(CAP);
        Map<String, Long> statuses = statuses();
        assertThat(statuses).isEqualTo(Map.of("queued", 100L, "held", 200L));
        JsonNode held = heldRecord();
        assertThat(held.path("resumes_at").asText()).isEqualTo("2026-11-25T00:00:00Z");
        assertThat(held.path("error").path("code").asText()).isEqualTo("daily_limit");
        assertThat(held.path("error").path("message").asText()).contains("MAX_JOBS_PER_DAY", "2026-11-25T00:00:00Z");

        // When the next day opens and the held uploads come back (as their sent-back messages do)
        h.clock.set(DAY_2);
        deliverOnInstances(events);

        // Then 100 more start that day, and the last 100 wait for the day after
        assertThat(h.posts()).hasSize(2 * CAP);
        assertThat(ledger("2026-11-25").path("jobs").asInt()).isEqualTo(CAP);
        assertThat(statuses()).isEqualTo(Map.of("queued", 200L, "held", 100L));
        assertThat(heldRecord().path("resumes_at").asText()).isEqualTo("2026-11-26T00:00:00Z");

        h.clock.set(DAY_3);
        deliverOnInstances(events);

        // And every upload has exactly one job: 300 POSTs, one idempotency key each
        assertThat(h.posts()).hasSize(UPLOADS);
        assertThat(h.posts().stream().map(p -> p.getHeader("Idempotency-Key")).distinct()).hasSize(UPLOADS);
        assertThat(statuses()).isEqualTo(Map.of("queued", 300L));
    }

    @Test
    void aJobTheHostRefusedGivesItsShareBack() {
        // Given a cap of one job, and a host that refuses the first request
        h.env("MAX_JOBS_PER_DAY", "1");
        h.stubCreate(openAiError(400, "invalid_value", "Invalid size"));
        h.put("a.prompt.json", FunctionHarness.PROMPT);
        h.put("a.png", Images.png(4, 4));
        h.invoke(h.eventFor("a.png"));
        assertThat(h.recordAt("a.video.json").path("status").asText()).isEqualTo("failed");
        assertThat(ledger("2026-11-24").path("jobs").asInt()).isZero();

        // When another upload comes the same day
        h.api.resetMappings();
        h.stubCreate(jobAccepted());
        h.put("b.prompt.json", FunctionHarness.PROMPT);
        h.put("b.png", Images.png(4, 4));
        h.invoke(h.eventFor("b.png"));

        // Then it has the day's one share
        assertThat(h.recordAt("b.video.json").path("status").asText()).isEqualTo("queued");
        assertThat(ledger("2026-11-24").path("jobs").asInt()).isEqualTo(1);
    }

    @Test
    void aClaimReleasedAfterTransientFailuresGivesItsShareBackAndTakesItAgainWhenItSubmits() {
        // Given a cap of one job, and a host that fails (500) through every attempt of the first delivery
        h.env("MAX_JOBS_PER_DAY", "1").env("VIDEO_API_MAX_ATTEMPTS", "2");
        h.stubCreate(openAiError(500, "server_error", "The server had an error"));
        h.put("a.prompt.json", FunctionHarness.PROMPT);
        h.put("a.png", Images.png(4, 4));
        SQSEvent event = h.eventFor("a.png");
        assertThat(failedIds(h.invoke(event))).hasSize(1);

        // Then the released claim holds no share of the day
        assertThat(h.recordAt("a.video.json").path("status").asText()).isEqualTo("submitting");
        assertThat(ledger("2026-11-24").path("jobs").asInt()).isZero();

        // And when the host recovers, the redelivery takes the share again and submits
        h.api.resetMappings();
        h.stubCreate(jobAccepted());
        assertThat(failedIds(h.invoke(event))).isEmpty();
        assertThat(h.recordAt("a.video.json").path("status").asText()).isEqualTo("queued");
        assertThat(ledger("2026-11-24").path("jobs").asInt()).isEqualTo(1);
    }

    @Test
    void videoSecondsAreCappedToo() {
        h.env("MAX_VIDEO_SECONDS_PER_DAY", "25");
        h.stubCreate(jobAccepted());
        for (String name : List.of("one", "two", "three")) {
            h.put(name + ".prompt.json", FunctionHarness.PROMPT); // 10 seconds each
            h.put(name + ".png", Images.png(4, 4));
            h.invoke(h.eventFor(name + ".png"));
        }

        assertThat(h.posts()).hasSize(2);
        assertThat(h.recordAt("three.video.json").path("status").asText()).isEqualTo("held");
        assertThat(ledger("2026-11-24").path("video_seconds").asInt()).isEqualTo(20);
    }

    /** What the event source mapping does with many instances: each message to one of them, failed ones again. */
    private void deliverOnInstances(List<SQSEvent> events) throws Exception {
        List<SQSEvent> pending = events;
        for (int round = 0; round < 10 && !pending.isEmpty(); round++) {
            ConcurrentLinkedQueue<SQSEvent> queue = new ConcurrentLinkedQueue<>(pending);
            ConcurrentLinkedQueue<SQSEvent> failed = new ConcurrentLinkedQueue<>();
            ExecutorService instances = Executors.newFixedThreadPool(INSTANCES);
            try {
                List<Future<?>> running = new ArrayList<>();
                for (int i = 0; i < INSTANCES; i++) {
                    var handler = h.handler();
                    running.add(instances.submit(() -> {
                        for (SQSEvent event = queue.poll(); event != null; event = queue.poll()) {
                            if (!failedIds(handler.handleRequest(event, new TestContext(Duration.ofMinutes(5))))
                                    .isEmpty()) {
                                failed.add(event);
                            }
                        }
                    }));
                }
                for (Future<?> f : running) {
                    f.get(5, TimeUnit.MINUTES);
                }
            } finally {
                instances.shutdownNow();
            }
            pending = List.copyOf(failed);
        }
        assertThat(pending.size()).as("messages still failing after ten deliveries").isZero();
    }

    private Map<String, Long> statuses() {
        return h.keys().stream().filter(k -> k.endsWith(".video.json"))
                .map(k -> h.recordAt(k).path("status").asText())
                .collect(Collectors.groupingBy(s -> s, TreeMap::new, Collectors.counting()));
    }

    private JsonNode heldRecord() {
        return h.keys().stream().filter(k -> k.endsWith(".video.json")).map(h::recordAt)
                .filter(r -> r.path("status").asText().equals("held")).findFirst().orElseThrow();
    }

    private JsonNode ledger(String day) {
        return h.record(".s3-image-to-video/ledger/" + day + ".json").orElseGet(h.mapper::createObjectNode);
    }
}
