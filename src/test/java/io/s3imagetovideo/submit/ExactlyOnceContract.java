package io.s3imagetovideo.submit;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.s3imagetovideo.support.FunctionHarness.JOB_ID;
import static io.s3imagetovideo.support.FunctionHarness.jobAccepted;
import static io.s3imagetovideo.support.FunctionHarness.openAiError;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.s3imagetovideo.storage.ETags;
import io.s3imagetovideo.record.RecordJson;
import io.s3imagetovideo.record.RequestSummary;
import io.s3imagetovideo.record.Source;
import io.s3imagetovideo.record.Transitions;
import io.s3imagetovideo.support.FunctionHarness;
import io.s3imagetovideo.support.Images;
import io.s3imagetovideo.support.S3Backend;
import io.s3imagetovideo.support.TestContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * "Exactly one paid job per upload": duplicates, concurrency, transient API failures and dead
 * instances, all against a real S3 server's conditional writes.
 */
abstract class ExactlyOnceContract {

    static final String PROMPT = "{\"prompt\": \"a lighthouse in a storm\"}";

    protected FunctionHarness h;

    protected abstract S3Backend backend();

    @BeforeEach
    void start() {
        h = new FunctionHarness(backend());
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void sameEventOnEightInstancesAtOnceWithASlowApiPostsOnce() throws Exception {
        // Given a complete pair and an API that takes its time to answer
        h.stubCreate(jobAccepted().withFixedDelay(1500));
        h.put("race.png", Images.png(8, 8));
        h.put("race.prompt.json", PROMPT);
        SQSEvent event = h.eventFor("race.png");

        // When eight function instances receive the same notification at the same moment
        List<SQSBatchResponse> responses = runConcurrently(8,
                () -> h.handler().handleRequest(event, TestContext.withMinutes(5)));

        // Then one of them submitted, the others found its claim, and none asks for the message again
        assertThat(h.posts()).hasSize(1);
        assertThat(responses).allSatisfy(r -> assertThat(r.getBatchItemFailures()).isEmpty());
        assertThat(h.record("race.video.json").orElseThrow().path("id").asText()).isEqualTo(JOB_ID);
    }

    @Test
    void imageAndPromptEventsOnFourInstancesAtOncePostOnce() throws Exception {
        h.stubCreate(jobAccepted().withFixedDelay(500));
        h.put("both.png", Images.png(8, 8));
        h.put("both.prompt.json", PROMPT);
        SQSEvent image = h.eventFor("both.png");
        SQSEvent prompt = h.eventFor("both.prompt.json");

        runConcurrently(4, new java.util.function.Supplier<>() {
            private final java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();

            @Override
            public SQSBatchResponse get() {
                return h.handler().handleRequest(n.getAndIncrement() % 2 == 0 ? image : prompt, TestContext.withMinutes(5));
            }
        });

        assertThat(h.posts()).hasSize(1);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"I i P p", "P p I i", "I P i p", "P I p i", "I P p i"})
    void everyEventDeliveredTwiceInEitherOrderPostsOnce(String script) {
        // Capital letter: upload the object and deliver its event; small letter: deliver that event again.
        h.stubCreate(jobAccepted());
        SQSEvent image = null;
        SQSEvent prompt = null;
        for (String step : script.split(" ")) {
            switch (step) {
                case "I" -> {
                    h.put("twice.png", Images.png(8, 8));
                    image = h.eventFor("twice.png");
                    h.invoke(image);
                }
                case "P" -> {
                    h.put("twice.prompt.json", PROMPT);
                    prompt = h.eventFor("twice.prompt.json");
                    h.invoke(prompt);
                }
                case "i" -> h.invoke(image);
                case "p" -> h.invoke(prompt);
                default -> throw new IllegalArgumentException(step);
            }
        }
        assertThat(h.posts()).hasSize(1);
        assertThat(h.record("twice.video.json").orElseThrow().path("status").asText()).isEqualTo("queued");
    }

    @Test
    void aBusyHostIsNotAskedAgainWithinTheInvocationAndTheRedeliveryAfterRetryAfterSubmitsOnce() {
        // Given a host at its concurrency limit for one more answer, asking for a ten-second wait
        scenario("rate", List.of(
                openAiError(429, "rate_limit_exceeded", "Rate limit reached").withHeader("Retry-After", "10"),
                jobAccepted()));
        h.put("busy.png", Images.png(8, 8));
        h.put("busy.prompt.json", PROMPT);
        SQSEvent event = h.eventFor("busy.png");

        // When the upload arrives: one POST, no sleep, and (without a queue to send it back to) a batch failure
        SQSBatchResponse first = h.invoke(event);
        assertThat(first.getBatchItemFailures()).hasSize(1);
        assertThat(h.posts()).hasSize(1);
        assertThat(h.sleeper.sleeps()).isEmpty();
        JsonNode waiting = h.record("busy.video.json").orElseThrow();
        assertThat(waiting.path("status").asText()).isEqualTo("submitting");
        assertThat(waiting.path("error").path("http_status").asInt()).isEqualTo(429);
        java.time.Instant nextTry = java.time.Instant.parse(waiting.path("next_try_at").asText());
        assertThat(nextTry).isAfterOrEqualTo(h.clock.instant().plusSeconds(10));

        // And a redelivery before next_try_at does not ask the host
        h.invoke(event);
        assertThat(h.posts()).hasSize(1);

        // Then the delivery after it submits, with the same idempotency key, once
        h.clock.set(nextTry);
        assertThat(h.invoke(event).getBatchItemFailures()).isEmpty();
        h.invoke(event);
        assertThat(h.posts()).hasSize(2);
        assertThat(h.posts().stream().map(r -> r.getHeader("Idempotency-Key")).distinct().toList())
                .singleElement().asString().startsWith("s3i2v-");
        JsonNode record = h.record("busy.video.json").orElseThrow();
        assertThat(record.path("id").asText()).isEqualTo(JOB_ID);
        assertThat(record.has("next_try_at")).isFalse();
        assertThat(record.has("error")).isFalse();
    }

    @Test
    void releasesTheClaimWhen5xxOutlastRetriesAndARedeliverySubmitsOnce() {
        // Given an API that fails with 500 and an HTML 502 from its proxy
        h.env("VIDEO_API_MAX_ATTEMPTS", "3");
        scenario("down", List.of(
                openAiError(500, "server_error", "The server had an error"),
                aResponse().withStatus(502).withHeader("Content-Type", "text/html")
                        .withBody("<html><body><h1>502 Bad Gateway</h1></body></html>"),
                openAiError(500, "server_error", "The server had an error")));
        h.put("down.png", Images.png(8, 8));
        h.put("down.prompt.json", PROMPT);
        SQSEvent event = h.eventFor("down.png");

        // When retries run out, the message is reported as failed so that SQS delivers it again
        assertThat(h.invoke(event).getBatchItemFailures()).hasSize(1);
        JsonNode released = h.record("down.video.json").orElseThrow();
        assertThat(released.path("status").asText()).isEqualTo("submitting");
        assertThat(java.time.Instant.parse(released.path("claim_expires_at").asText())).isBeforeOrEqualTo(h.clock.instant());
        assertThat(released.path("error").path("message").asText()).contains("retried");
        assertThat(h.posts()).hasSize(3);

        // And once the API recovers, the redelivered event submits, exactly once
        h.api.resetMappings();
        h.stubCreate(jobAccepted());
        h.invoke(event);
        h.invoke(event);

        assertThat(successfulCreates()).isEqualTo(1);
        JsonNode record = h.record("down.video.json").orElseThrow();
        assertThat(record.path("status").asText()).isEqualTo("queued");
        assertThat(record.has("error")).isFalse();
        assertThat(h.posts().stream().map(r -> r.getHeader("Idempotency-Key")).distinct()).hasSize(1);
    }

    @Test
    void retriesAConnectionResetAndASlowAnswerThenRecordsOneJob() {
        // Given a reset connection, then an answer slower than the request timeout, then a prompt one
        h.env("VIDEO_API_TIMEOUT_MS", "1000");
        scenario("flaky", List.of(
                aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER),
                jobAccepted().withFixedDelay(3000),
                aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                        .withBody(FunctionHarness.JOB_JSON.replace(JOB_ID, "video_third"))));
        h.put("flaky.png", Images.png(8, 8));
        h.put("flaky.prompt.json", PROMPT);

        h.invoke(h.eventFor("flaky.png"));

        assertThat(h.posts()).hasSize(3);
        assertThat(h.record("flaky.video.json").orElseThrow().path("id").asText()).isEqualTo("video_third");
    }

    @Test
    void takesOverAClaimLeftByADeadInstanceOnlyAfterItExpires() {
        // Given the claim a dead instance left, valid for five more minutes
        h.stubCreate(jobAccepted());
        var image = h.put("dead.png", Images.png(8, 8));
        var prompt = h.put("dead.prompt.json", PROMPT);
        var source = Source.pair(h.bucket, "dead.png", ETags.normalize(image.eTag()),
                "dead.prompt.json", ETags.normalize(prompt.eTag()));
        var claim = Transitions.claimed(source, new RequestSummary("sora-2", "10", "720x1280", "false", "true",
                Map.of()), Optional.empty(), h.clock.instant(), h.clock.instant().plus(Duration.ofMinutes(5)),
                Optional.empty(), Optional.empty());
        h.put("dead.video.json", new RecordJson(h.mapper).write(claim).toString());
        SQSEvent redelivered = h.eventFor("dead.png");

        // When the event is redelivered before the claim expires, nothing is sent
        h.clock.advance(Duration.ofMinutes(5));
        h.invoke(redelivered);
        assertThat(h.posts()).isEmpty();
        assertThat(h.record("dead.video.json").orElseThrow().path("status").asText()).isEqualTo("submitting");

        // Then after it expired, the next delivery takes it over and submits once
        h.clock.advance(SubmitService.CLAIM_GRACE.plusSeconds(1));
        h.invoke(redelivered);
        h.invoke(redelivered);
        assertThat(h.posts()).hasSize(1);
        assertThat(h.record("dead.video.json").orElseThrow().path("id").asText()).isEqualTo(JOB_ID);
    }

    @Test
    void aNewVersionOfTheSidecarMakesANewJobThatRemembersThePreviousOne() {
        scenario("again", List.of(jobAccepted(), aResponse().withStatus(200)
                .withHeader("Content-Type", "application/json")
                .withBody(FunctionHarness.JOB_JSON.replace(JOB_ID, "video_second"))));
        h.put("again.png", Images.png(8, 8));
        h.put("again.prompt.json", PROMPT);
        h.invoke(h.eventFor("again.png"));

        h.put("again.prompt.json", "{\"prompt\": \"the same lighthouse at dawn\"}");
        h.invoke(h.eventFor("again.prompt.json"));
        h.invoke(h.eventFor("again.prompt.json"));

        JsonNode record = h.record("again.video.json").orElseThrow();
        assertThat(h.posts()).hasSize(2);
        assertThat(record.path("id").asText()).isEqualTo("video_second");
        assertThat(record.path("previous_id").asText()).isEqualTo(JOB_ID);
        assertThat(h.posts().get(0).getHeader("Idempotency-Key")).isNotEqualTo(h.posts().get(1).getHeader("Idempotency-Key"));
    }

    @Test
    void neverRetriesWrongInputAndRecordsItOnce() {
        h.stubCreate(jobAccepted());
        h.put("wrong.png", Images.png(8, 8));
        h.put("wrong.prompt.json", "{\"prompt\": \"x\", \"size\": \"big\"}");
        SQSEvent event = h.eventFor("wrong.prompt.json");

        h.invoke(event);
        String etagAfterFirst = h.s3.headObject(b -> b.bucket(h.bucket).key("wrong.video.json")).eTag();
        h.invoke(event);

        assertThat(h.posts()).isEmpty();
        assertThat(h.s3.headObject(b -> b.bucket(h.bucket).key("wrong.video.json")).eTag()).isEqualTo(etagAfterFirst);
    }

    @Test
    void neverRetriesAnApiRefusal() {
        h.stubCreate(openAiError(400, "invalid_value", "Invalid size"));
        h.put("no.png", Images.png(8, 8));
        h.put("no.prompt.json", PROMPT);
        SQSEvent event = h.eventFor("no.png");

        h.invoke(event);
        h.invoke(event);

        assertThat(h.posts()).hasSize(1);
        assertThat(h.record("no.video.json").orElseThrow().path("status").asText()).isEqualTo("failed");
    }

    private void scenario(String name, List<ResponseDefinitionBuilder> answers) {
        for (int i = 0; i < answers.size(); i++) {
            h.api.stubFor(h.strictCreate()
                    .inScenario(name)
                    .whenScenarioStateIs(i == 0 ? STARTED : name + i)
                    .willSetStateTo(name + (i + 1))
                    .willReturn(answers.get(i)));
        }
    }

    private long successfulCreates() {
        return h.api.getAllServeEvents().stream()
                .filter(e -> e.getRequest().getUrl().equals("/v1/videos"))
                .map(ServeEvent::getResponse)
                .filter(r -> r.getStatus() == 200)
                .count();
    }

    private static List<SQSBatchResponse> runConcurrently(int n, java.util.function.Supplier<SQSBatchResponse> work)
            throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<SQSBatchResponse>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                futures.add(pool.submit(() -> {
                    start.await();
                    return work.get();
                }));
            }
            start.countDown();
            List<SQSBatchResponse> results = new ArrayList<>();
            for (Future<SQSBatchResponse> f : futures) {
                results.add(f.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
