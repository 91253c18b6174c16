package io.s3imagetovideo.submit;

import static io.s3imagetovideo.support.FunctionHarness.JOB_ID;
import static io.s3imagetovideo.support.FunctionHarness.PROMPT;
import static io.s3imagetovideo.support.FunctionHarness.failedIds;
import static io.s3imagetovideo.support.FunctionHarness.jobAccepted;
import static io.s3imagetovideo.support.FunctionHarness.openAiError;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import io.s3imagetovideo.queue.UploadEvent;
import io.s3imagetovideo.support.ElasticMqBackend;
import io.s3imagetovideo.support.Events;
import io.s3imagetovideo.support.FunctionHarness;
import io.s3imagetovideo.support.Images;
import io.s3imagetovideo.support.S3ProxyBackend;
import io.s3imagetovideo.support.SqsEvents;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The submission queue as Lambda's event source mapping runs it, on a real SQS server (ElasticMQ, whose
 * delays and visibility timeouts are real) and a real S3 server: uploads that wait for a busy host are
 * sent back as new messages; other failures come again later, each time a little later.
 */
class SubmissionQueueFunctionTest {

    @RegisterExtension
    static final S3ProxyBackend S3 = new S3ProxyBackend();
    @RegisterExtension
    static final ElasticMqBackend SQS = new ElasticMqBackend();

    private FunctionHarness h;

    @BeforeEach
    void start() {
        h = new FunctionHarness(S3, SQS);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void anUploadTheHostIsTooBusyForIsSentBackToTheQueueAndSubmitsWhenItComesAgain() {
        // Given a host at its concurrency limit for one answer (LiteLLM's shape, Retry-After one second)
        h.api.stubFor(h.strictCreate().inScenario("busy").whenScenarioStateIs("Started").willSetStateTo("free")
                .willReturn(openAiError(429, "429", "Rate limit exceeded for api_key. Limit type: max_parallel_requests")
                        .withHeader("Retry-After", "1")));
        h.api.stubFor(h.strictCreate().inScenario("busy").whenScenarioStateIs("free").willReturn(jobAccepted()));
        h.put("busy.png", Images.png(8, 8));
        h.put("busy.prompt.json", PROMPT);

        // When S3's notification arrives through the queue
        h.notifySubmissionQueue("busy.png");
        assertThat(h.deliverSubmissions(1)).isEqualTo(1);

        // Then the upload waits in the queue, not in the invocation, and its record says until when
        JsonNode waiting = h.recordAt("busy.video.json");
        assertThat(waiting.path("status").asText()).isEqualTo("submitting");
        assertThat(waiting.path("error").path("http_status").asInt()).isEqualTo(429);
        Instant nextTry = Instant.parse(waiting.path("next_try_at").asText());
        assertThat(nextTry).isBetween(h.clock.instant().plusSeconds(8), h.clock.instant().plusSeconds(12));
        assertThat(h.sleeper.sleeps()).isEmpty();
        assertThat(h.submissionsQueued()).as("the sent-back message, delayed").isEqualTo(1);

        // And when it comes back (SQS delays it for real; the function's clock is moved to the same time)
        h.clock.set(nextTry);
        int delivered = 0;
        for (int i = 0; i < 20 && delivered == 0; i++) {
            delivered = h.deliverSubmissions(1);
        }

        // Then it submits, once, and nothing is left in the queue
        assertThat(delivered).isEqualTo(1);
        assertThat(h.posts()).hasSize(2);
        JsonNode record = h.recordAt("busy.video.json");
        assertThat(record.path("id").asText()).isEqualTo(JOB_ID);
        assertThat(record.has("next_try_at")).isFalse();
        assertThat(h.submissionsQueued()).isZero();
    }

    @Test
    void aSentBackUploadWhoseTimeHasNotComeGoesOnWithoutALookAtS3OrTheHost() {
        // Given an upload held until tomorrow, sent back: SQS delays a message by at most 15 minutes
        h.put("held.png", Images.png(8, 8));
        List<String> before = h.keys();
        Instant tomorrow = Instant.parse("2026-11-25T00:00:00Z");
        String body = new UploadEvent(h.bucket, "held.png", UploadEvent.Origin.S3_NOTIFICATION, Optional.empty())
                .sentBackBody(h.mapper, tomorrow).toString();

        var response = h.invoke(SqsEvents.ofBody(body));

        // Then another hop is on its way, and nothing else happened
        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(h.submissionsQueued()).isEqualTo(1);
        assertThat(h.keys()).isEqualTo(before);
        assertThat(h.api.getAllServeEvents()).isEmpty();
    }

    @Test
    void aSentBackCopyFromAnEarlierWaitEndsWhileTheRecordsOwnNextTryGoesOn() {
        // Given an upload waiting for a busy host, its next try sent back to the queue
        h.stubCreate(openAiError(429, "rate_limit_exceeded", "Too many jobs running").withHeader("Retry-After", "60"));
        h.put("twice.png", Images.png(8, 8));
        h.put("twice.prompt.json", PROMPT);
        h.invoke(h.eventFor("twice.png"));
        Instant nextTry = Instant.parse(h.recordAt("twice.video.json").path("next_try_at").asText());
        assertThat(h.submissionsQueued()).isEqualTo(1);

        // When a copy sent back for an earlier moment arrives (a duplicate notification started it)
        String stale = new UploadEvent(h.bucket, "twice.png", UploadEvent.Origin.S3_NOTIFICATION, Optional.empty())
                .sentBackBody(h.mapper, h.clock.instant().plusSeconds(5)).toString();
        h.clock.advance(Duration.ofSeconds(6));
        var response = h.invoke(SqsEvents.ofBody(stale));

        // Then it ends there: the host is not asked, and only the record's own next try is in the queue
        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(h.posts()).hasSize(1);
        assertThat(h.submissionsQueued()).isEqualTo(1);
        assertThat(Instant.parse(h.recordAt("twice.video.json").path("next_try_at").asText())).isEqualTo(nextTry);
    }

    @Test
    void aSentBackUploadDueInLessThanASecondHopsWithADelayRatherThanAtOnce() {
        // Given an upload due 400 ms from now: a delay rounded down to 0 would bring it back at once, and again
        Instant soon = h.clock.instant().plusMillis(400);
        String body = new UploadEvent(h.bucket, "soon.png", UploadEvent.Origin.S3_NOTIFICATION, Optional.empty())
                .sentBackBody(h.mapper, soon).toString();

        h.invoke(SqsEvents.ofBody(body));

        assertThat(h.submissionsDelayed()).isEqualTo(1);
        assertThat(h.deliverSubmissions(0)).isZero();
    }

    @Test
    void aMessageThatFailsForAnotherReasonStaysOutOfSightLongerThanTheQueuesOwnTimeout() throws Exception {
        // Given a host that keeps failing (not busy: broken), and a queue that would redeliver after 4 s
        h.env("VIDEO_API_MAX_ATTEMPTS", "1");
        h.stubCreate(openAiError(500, "server_error", "The server had an error"));
        h.put("broken.png", Images.png(8, 8));
        h.put("broken.prompt.json", PROMPT);
        h.notifySubmissionQueue("broken.png");

        // When the message fails
        assertThat(h.deliverSubmissions(1)).isEqualTo(1);

        // Then it is not deleted, and does not come back after the queue's 4 s but after 30 s
        Thread.sleep((FunctionHarness.SUBMISSION_VISIBILITY_SECONDS + 1) * 1000L);
        assertThat(h.deliverSubmissions(0)).isZero();
        assertThat(h.submissionsQueued()).isEqualTo(1);
        assertThat(h.recordAt("broken.video.json").path("error").path("message").asText()).contains("retried");
    }

    @Test
    void anEventBridgeEventOfAnExistingBucketSubmitsLikeTheBucketsOwnNotification() {
        h.stubCreate(jobAccepted());
        String image = "in box/场景 2+y.png";
        h.put("in box/场景 2+y.prompt.json", PROMPT);
        h.put(image, Images.png(8, 8));

        var response = h.invoke(h.eventBridgeEventFor(image));

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(h.posts()).hasSize(1);
        assertThat(h.recordAt("in box/场景 2+y.video.json").path("source").path("image").asText()).isEqualTo(image);
    }

    @Test
    void theEventFilesOfEventsAreReadAsTheRuntimeReadsThem() {
        // The test event S3 sends when the notification is set up: nothing to do
        h.put("in box/场景 1+x.png", Images.png(8, 8));
        List<String> before = h.keys();
        SQSEvent test = Events.load("sqs-s3-test-event.json");

        assertThat(failedIds(h.invoke(test))).isEmpty();
        assertThat(h.keys()).isEqualTo(before);
        assertThat(h.api.getAllServeEvents()).isEmpty();
    }

    @Test
    void anUploadThatWaitsForABusyHostLongerThanSubmitMaxWaitFailsWithTheHostsLastAnswer() {
        // Given a host that stays at its limit, and an upload that may wait two minutes
        h.env("SUBMIT_MAX_WAIT_SECONDS", "120");
        h.stubCreate(openAiError(429, "rate_limit_exceeded", "Too many jobs running").withHeader("Retry-After", "30"));
        h.put("patient.png", Images.png(8, 8));
        h.put("patient.prompt.json", PROMPT);
        SQSEvent event = h.eventFor("patient.png");

        // When the upload comes back each time its record says, for as long as it takes
        for (int tries = 0; tries < 10 && h.record("patient.video.json").map(r -> r.path("status").asText())
                .orElse("submitting").equals("submitting"); tries++) {
            h.invoke(event);
            JsonNode record = h.recordAt("patient.video.json");
            if (record.path("next_try_at").isTextual()) {
                h.clock.set(Instant.parse(record.path("next_try_at").asText()));
            }
        }

        // Then it failed, with the host's answer and why, after one ask per Retry-After or longer
        JsonNode record = h.recordAt("patient.video.json");
        assertThat(record.path("status").asText()).isEqualTo("failed");
        assertThat(record.path("error").path("http_status").asInt()).isEqualTo(429);
        assertThat(record.path("error").path("message").asText()).contains("SUBMIT_MAX_WAIT_SECONDS", "Too many jobs running");
        assertThat(h.posts()).hasSizeBetween(3, 5);
        assertThat(Duration.between(Instant.parse("2026-11-24T10:00:00Z"), h.clock.instant()))
                .isLessThanOrEqualTo(Duration.ofSeconds(120));
    }
}
