package io.s3imagetovideo.poll;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.s3imagetovideo.support.HostStubs.API_KEY;
import static io.s3imagetovideo.support.HostStubs.JOB_ID;
import static io.s3imagetovideo.support.HostStubs.contentOf;
import static io.s3imagetovideo.support.HostStubs.job;
import static io.s3imagetovideo.support.HostStubs.json;
import static io.s3imagetovideo.support.HostStubs.statusOf;
import static io.s3imagetovideo.support.HostStubs.video;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.s3imagetovideo.config.ConfigException;
import io.s3imagetovideo.config.PollConfig;
import io.s3imagetovideo.queue.StatusCheck;
import io.s3imagetovideo.support.ElasticMqBackend;
import io.s3imagetovideo.support.Events;
import io.s3imagetovideo.support.FunctionHarness;
import io.s3imagetovideo.support.HostStubs;
import io.s3imagetovideo.support.Mp4s;
import io.s3imagetovideo.support.S3ProxyBackend;
import io.s3imagetovideo.support.SqsEvents;
import io.s3imagetovideo.support.TestContext;
import io.s3imagetovideo.wiring.Dependencies;
import io.s3imagetovideo.wiring.DependencyFactory;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;
import software.amazon.awssdk.services.sqs.model.SendMessageRequest;

/**
 * The poll function (issue "Follow each job to completion"), against S3Proxy, ElasticMQ and a WireMock
 * video API. Status checks travel through the real queue; events reach the handler through the Lambda
 * runtime's own serializer.
 */
class PollFunctionTest {

    @RegisterExtension
    static final S3ProxyBackend S3 = new S3ProxyBackend();
    @RegisterExtension
    static final ElasticMqBackend SQS = new ElasticMqBackend();

    static final String RECORD = "in/scene.video.json";
    static final String VIDEO = "in/scene.mp4";

    FunctionHarness h;

    @BeforeEach
    void start() {
        h = new FunctionHarness(S3, SQS);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    // --- the job's life, from the submit function's first check to the video --------------------

    @Test
    void followsTheJobFromQueuedThroughInProgressToCompletedAndSavesTheVideo() {
        byte[] mp4 = Mp4s.small();
        h.api.stubFor(statusOf(JOB_ID).inScenario("job").whenScenarioStateIs(STARTED)
                .willReturn(json(job("queued", 0))).willSetStateTo("running"));
        h.api.stubFor(statusOf(JOB_ID).inScenario("job").whenScenarioStateIs("running")
                .willReturn(json(job("in_progress", 40))).willSetStateTo("done"));
        h.api.stubFor(statusOf(JOB_ID).inScenario("job").whenScenarioStateIs("done")
                .willReturn(json(job("completed", 100, "completed_at", "1761623400"))));
        h.api.stubFor(contentOf(JOB_ID).willReturn(video(mp4)));

        // Given a job the submit function created, which sent the first check to the queue
        h.submit("in/scene");
        assertThat(h.recordAt(RECORD).path("status").asText()).isEqualTo("queued");

        // When the checks arrive one by one
        h.clock.advance(Duration.ofSeconds(15));
        assertThat(h.pollNext().failedIds()).isEmpty();
        JsonNode queued = h.recordAt(RECORD);
        assertThat(queued.path("status").asText()).isEqualTo("queued");
        assertThat(queued.path("poll").path("checks").asInt()).isEqualTo(1);

        h.clock.advance(Duration.ofSeconds(30));
        assertThat(h.pollNext().failedIds()).isEmpty();
        JsonNode running = h.recordAt(RECORD);
        assertThat(running.path("status").asText()).isEqualTo("in_progress");
        assertThat(running.path("progress").asInt()).isEqualTo(40);
        assertThat(h.object(VIDEO)).isEmpty();

        h.clock.advance(Duration.ofSeconds(60));
        assertThat(h.pollNext().failedIds()).isEmpty();

        // Then the video lands next to the image, byte for byte what the API served
        byte[] saved = h.object(VIDEO).orElseThrow();
        assertThat(saved).isEqualTo(mp4);
        assertThat(Mp4s.looksLikeMp4(saved)).isTrue();
        assertThat(h.contentType(VIDEO)).isEqualTo("video/mp4");

        // And the record says so, keeping the API's fields and where the job came from
        JsonNode done = h.recordAt(RECORD);
        assertThat(done.path("status").asText()).isEqualTo("completed");
        assertThat(done.path("progress").asInt()).isEqualTo(100);
        assertThat(done.path("completed_at").asText()).isEqualTo("1761623400");
        assertThat(done.path("id").asText()).isEqualTo(JOB_ID);
        assertThat(done.path("object").asText()).isEqualTo("video");
        assertThat(done.path("output").path("video").asText()).isEqualTo(VIDEO);
        assertThat(done.path("output").path("bytes").asLong()).isEqualTo(mp4.length);
        assertThat(done.path("output").path("content_type").asText()).isEqualTo("video/mp4");
        assertThat(done.path("source").path("image").asText()).isEqualTo("in/scene.png");
        assertThat(done.path("request").path("model").asText()).isEqualTo("sora-2");
        assertThat(done.path("submitted_at").asText()).isEqualTo("2026-11-24T10:00:00Z");
        assertThat(done.path("updated_at").asText()).isEqualTo("2026-11-24T10:01:45Z");
        assertThat(done.has("error")).isFalse();
        assertThat(done.toString()).doesNotContain(API_KEY);
        assertThat(h.contentType(RECORD)).startsWith("application/json");

        // And nothing is left to check
        assertThat(h.receive(1)).isEmpty();
        assertThat(h.count(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).isZero();
        assertThat(h.multipartUploads()).isEmpty();
    }

    @Test
    void savesTheVideoWhenTheApiAnsweredTheCreateWithAJobAlreadyCompleted() {
        // Given a provider that replays a finished job's state for a repeated idempotency key
        byte[] mp4 = Mp4s.small();
        h.submit("in/scene", job("completed", 100));
        assertThat(h.recordAt(RECORD).path("status").asText()).isEqualTo("completed");
        h.api.stubFor(statusOf(JOB_ID).willReturn(json(job("completed", 100))));
        h.api.stubFor(contentOf(JOB_ID).willReturn(video(mp4)));

        // When its first check arrives
        assertThat(h.pollNext().failedIds()).isEmpty();

        // Then the video is fetched after all, not dropped as if it were already there
        assertThat(h.object(VIDEO)).hasValueSatisfying(saved -> assertThat(saved).isEqualTo(mp4));
        assertThat(h.recordAt(RECORD).path("output").path("bytes").asLong()).isEqualTo(mp4.length);
    }

    @Test
    void downloadsTheVideoUrlFromAnotherHostWithoutTheKeyFollowingItsRedirects() {
        byte[] mp4 = Mp4s.ofSize(6 * 1024, 7);
        // The link carries a signature; the host sends the client on to where the file is
        String videoUrl = h.cdn().baseUrl() + "/share/v.mp4?sig=s3cr3t&expires=1761627000";
        h.cdn().stubFor(get(urlPathEqualTo("/share/v.mp4"))
                .willReturn(aResponse().withStatus(302).withHeader("Location", "/files/blob-1")));
        h.cdn().stubFor(get(urlPathEqualTo("/files/blob-1"))
                .willReturn(aResponse().withStatus(307).withHeader("Location", h.cdn().baseUrl() + "/files/blob-2")));
        // No Content-Length: the body comes chunked
        h.cdn().stubFor(get(urlPathEqualTo("/files/blob-2"))
                .willReturn(video(mp4).withChunkedDribbleDelay(4, 50)));
        h.api.stubFor(statusOf(JOB_ID).willReturn(json(job("completed", 100, "video_url", videoUrl))));
        h.submit("in/scene");

        assertThat(h.pollNext().failedIds()).isEmpty();

        assertThat(h.object(VIDEO).orElseThrow()).isEqualTo(mp4);
        JsonNode record = h.recordAt(RECORD);
        assertThat(record.path("status").asText()).isEqualTo("completed");
        assertThat(record.path("video_url").asText()).isEqualTo(videoUrl);
        assertThat(record.path("output").path("bytes").asLong()).isEqualTo(mp4.length);
        // The key went to the API only, never to the video's host; OpenAI's /content was not needed
        List<LoggedRequest> cdnRequests = h.cdn().findAll(anyRequestedFor(anyUrl()));
        assertThat(cdnRequests).hasSize(3);
        assertThat(cdnRequests).allSatisfy(r -> assertThat(r.containsHeader("Authorization")).isFalse());
        assertThat(cdnRequests.get(0).getUrl()).contains("sig=s3cr3t");
        h.cdn().verify(3, anyRequestedFor(anyUrl()).withHeader("Authorization", absent()));
        h.api.verify(0, getRequestedFor(urlEqualTo("/v1/videos/" + JOB_ID + "/content")));
    }

    @Test
    void streamsALargeVideoToS3InPartsOf8MiB() {
        byte[] mp4 = Mp4s.ofSize(17 * 1024 * 1024 + 123, 3);
        h.api.stubFor(statusOf(JOB_ID).willReturn(json(job("completed", 100))));
        h.api.stubFor(contentOf(JOB_ID).willReturn(video(mp4)));
        h.submit("in/scene");
        List<Long> partSizes = new CopyOnWriteArrayList<>();
        S3Client recording = recordingPartSizes(h.s3, partSizes);

        List<Message> messages = h.receive(2);
        SQSBatchResponse response = h.poll(h.pollHandler(recording), SqsEvents.of(messages));

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(partSizes).containsExactly(8L * 1024 * 1024, 8L * 1024 * 1024, 1024L * 1024 + 123);
        assertThat(h.object(VIDEO).orElseThrow()).isEqualTo(mp4);
        assertThat(h.recordAt(RECORD).path("output").path("bytes").asLong()).isEqualTo(mp4.length);
    }

    @Test
    void recordsTheApisErrorWhenTheJobFailed() {
        ObjectNode failed = (ObjectNode) HostStubs.read(job("failed", 0));
        failed.set("error", HostStubs.read("{\"code\":\"moderation_blocked\","
                + "\"message\":\"The request was blocked by our moderation system.\"}"));
        h.api.stubFor(statusOf(JOB_ID).willReturn(json(failed.toString())));
        h.submit("in/scene");

        assertThat(h.pollNext().failedIds()).isEmpty();

        JsonNode record = h.recordAt(RECORD);
        assertThat(record.path("status").asText()).isEqualTo("failed");
        assertThat(record.path("error").path("code").asText()).isEqualTo("moderation_blocked");
        assertThat(record.path("error").path("message").asText())
                .isEqualTo("The request was blocked by our moderation system.");
        assertThat(record.has("output")).isFalse();
        assertThat(h.object(VIDEO)).isEmpty();
        assertThat(h.receive(1)).isEmpty();
    }

    @Test
    void recordsAJobTheApiDoesNotKnowAsFailedWithTheHttpStatus() {
        h.api.stubFor(statusOf(JOB_ID).willReturn(FunctionHarness.openAiError(404, "video_not_found",
                "Video with id '" + JOB_ID + "' not found.")));
        h.submit("in/scene");

        assertThat(h.pollNext().failedIds()).isEmpty();

        JsonNode record = h.recordAt(RECORD);
        assertThat(record.path("status").asText()).isEqualTo("failed");
        assertThat(record.path("error").path("code").asText()).isEqualTo("video_not_found");
        assertThat(record.path("error").path("http_status").asInt()).isEqualTo(404);
        assertThat(record.path("id").asText()).isEqualTo(JOB_ID);
        assertThat(h.receive(1)).isEmpty();
    }

    @Test
    void expiresAJobThatNeverFinishesOnceTheClockPassesTheMaximumAge() {
        h.env("POLL_MAX_AGE_SECONDS", "3600");
        h.api.stubFor(statusOf(JOB_ID).willReturn(json(job("in_progress", 12))));
        h.submit("in/scene");

        h.clock.advance(Duration.ofSeconds(3599));
        assertThat(h.pollNext().failedIds()).isEmpty();
        assertThat(h.recordAt(RECORD).path("status").asText()).isEqualTo("in_progress");

        h.clock.advance(Duration.ofSeconds(1));
        assertThat(h.pollNext().failedIds()).isEmpty();

        JsonNode record = h.recordAt(RECORD);
        assertThat(record.path("status").asText()).isEqualTo("expired");
        // docs/contract.md: an expired record says job_expired
        assertThat(record.path("error").path("code").asText()).isEqualTo("job_expired");
        assertThat(record.path("error").path("message").asText()).contains("3600").contains("POLL_MAX_AGE_SECONDS")
                .contains("in_progress (12%)");
        assertThat(record.path("progress").asInt()).isEqualTo(12);
        assertThat(h.receive(1)).isEmpty();
        assertThat(h.count(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).isZero();
    }

    // --- faults ---------------------------------------------------------------------------------

    @Test
    void aDownloadThatBreaksHalfWayIsRetriedByTheQueueAndLeavesNothingBehind() throws Exception {
        byte[] mp4 = Mp4s.ofSize(17 * 1024 * 1024, 5);
        try (BrokenVideoServer broken = new BrokenVideoServer(mp4, 12 * 1024 * 1024)) {
            h.api.stubFor(statusOf(JOB_ID).willReturn(json(job("completed", 100, "video_url",
                    broken.url("/v.mp4?sig=abc").toString()))));
            h.submit("in/scene");
            List<Message> messages = h.receive(2);

            SQSBatchResponse response = h.poll(SqsEvents.of(messages));
            h.acknowledge(messages, response);

            // The check goes back to the queue...
            assertThat(FunctionHarness.Delivery.failedIds(response)).containsExactly(messages.get(0).messageId());
            assertThat(broken.requests()).isEqualTo(1);
            // ...and neither a partial video nor the part already uploaded is left
            assertThat(h.object(VIDEO)).isEmpty();
            assertThat(h.multipartUploads()).isEmpty();
            assertThat(h.recordAt(RECORD).path("status").asText()).isEqualTo("queued");
            assertThat(h.recordAt(RECORD).has("output")).isFalse();
            assertThat(h.count(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).isEqualTo(1);

            // When the same check is delivered again and the download works this time
            h.api.stubFor(statusOf(JOB_ID).willReturn(json(job("completed", 100))));
            h.api.stubFor(contentOf(JOB_ID).willReturn(video(mp4)));
            SQSBatchResponse retry = h.poll(SqsEvents.of(messages));

            assertThat(retry.getBatchItemFailures()).isEmpty();
            assertThat(h.object(VIDEO).orElseThrow()).isEqualTo(mp4);
            assertThat(h.recordAt(RECORD).path("status").asText()).isEqualTo("completed");
        }
    }

    @Test
    void aDownloadAnsweredWithGarbageIsRetriedByTheQueueAndLeavesNothingBehind() {
        h.api.stubFor(statusOf(JOB_ID).willReturn(json(job("completed", 100))));
        h.api.stubFor(contentOf(JOB_ID).willReturn(aResponse().withFault(Fault.RANDOM_DATA_THEN_CLOSE)));
        h.submit("in/scene");

        FunctionHarness.Delivery delivery = h.pollNext();

        assertThat(delivery.failedIds()).containsExactly(delivery.message().messageId());
        assertThat(h.object(VIDEO)).isEmpty();
        assertThat(h.multipartUploads()).isEmpty();
        assertThat(h.recordAt(RECORD).path("status").asText()).isEqualTo("queued");
    }

    @Test
    void aVideoUrlThatRedirectsInCirclesIsGivenUpAfterFiveRedirects() {
        h.cdn().stubFor(get(urlPathEqualTo("/loop.mp4"))
                .willReturn(aResponse().withStatus(302).withHeader("Location", "/loop.mp4?again=1")));
        h.api.stubFor(statusOf(JOB_ID).willReturn(json(job("completed", 100, "video_url",
                h.cdn().baseUrl() + "/loop.mp4"))));
        h.submit("in/scene");

        FunctionHarness.Delivery delivery = h.pollNext();

        assertThat(delivery.failedIds()).containsExactly(delivery.message().messageId());
        h.cdn().verify(1 + io.s3imagetovideo.api.VideoDownloads.MAX_REDIRECTS,
                getRequestedFor(urlPathEqualTo("/loop.mp4")));
        assertThat(h.object(VIDEO)).isEmpty();
        assertThat(h.multipartUploads()).isEmpty();
    }

    @Test
    void aBusyHostsStatusReadComesBackAfterItsRetryAfterAsTheSameCheck() {
        h.env("POLL_MAX_DELAY_SECONDS", "900");
        h.api.stubFor(statusOf(JOB_ID).willReturn(FunctionHarness.openAiError(429, "rate_limit_exceeded", "slow down")
                .withHeader("Retry-After", "600")));
        h.submit("in/scene");
        String before = h.etag(RECORD);

        FunctionHarness.Delivery delivery = h.pollNext();

        // The message is done with, the record untouched, and the same check waits in the queue 600 s
        assertThat(delivery.failedIds()).isEmpty();
        assertThat(h.etag(RECORD)).isEqualTo(before);
        h.api.verify(1, getRequestedFor(urlPathEqualTo("/v1/videos/" + JOB_ID)));
        assertThat(h.sleeper.sleeps()).isEmpty();
        assertThat(h.count(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).isEqualTo(1);
        assertThat(h.receive(1)).isEmpty();
    }

    @Test
    void aTransientStatusErrorIsRetriedByTheQueueAfterAFewQuickAttempts() {
        h.api.stubFor(statusOf(JOB_ID).willReturn(FunctionHarness.openAiError(502, "bad_gateway", "try later")
                .withHeader("Retry-After", "600")));
        h.submit("in/scene");
        String before = h.etag(RECORD);

        FunctionHarness.Delivery delivery = h.pollNext();

        assertThat(delivery.failedIds()).containsExactly(delivery.message().messageId());
        assertThat(h.etag(RECORD)).isEqualTo(before);
        // A Retry-After of ten minutes is the queue's to wait, not the invocation's: one attempt, no sleep
        h.api.verify(1, getRequestedFor(urlPathEqualTo("/v1/videos/" + JOB_ID)));
        assertThat(h.sleeper.sleeps()).isEmpty();
        assertThat(h.receive(1)).isEmpty(); // the failed check is in flight, no second one was sent
        assertThat(h.count(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_NOT_VISIBLE)).isEqualTo(1);
    }

    @Test
    void retriesAShortTransientStatusErrorWithinTheInvocation() {
        h.api.stubFor(statusOf(JOB_ID).inScenario("flaky").whenScenarioStateIs(STARTED)
                .willReturn(FunctionHarness.openAiError(502, "bad_gateway", "upstream hiccup")).willSetStateTo("up"));
        h.api.stubFor(statusOf(JOB_ID).inScenario("flaky").whenScenarioStateIs("up")
                .willReturn(json(job("in_progress", 5))));
        h.submit("in/scene");

        assertThat(h.pollNext().failedIds()).isEmpty();

        assertThat(h.recordAt(RECORD).path("progress").asInt()).isEqualTo(5);
        h.api.verify(2, getRequestedFor(urlPathEqualTo("/v1/videos/" + JOB_ID)));
        assertThat(h.sleeper.sleeps()).hasSize(1);
    }

    @Test
    void dropsACheckForAnOlderJobWithoutAnyWrite() {
        // The user uploaded again: the record now follows a newer job
        String newerJob = "video_99999999-0000-4000-8000-000000000001";
        h.submit("in/scene", FunctionHarness.JOB_JSON.replace(JOB_ID, newerJob));
        h.receive(2).forEach(m -> h.sqs.orElseThrow().deleteMessage(b -> b.queueUrl(h.queueUrl).receiptHandle(m.receiptHandle())));
        String before = h.etag(RECORD);
        SQSEvent oldCheck = SqsEvents.ofBody(new StatusCheck(h.bucket, RECORD, JOB_ID, 3).toJson(h.mapper).toString());

        SQSBatchResponse response = h.poll(oldCheck);

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(h.etag(RECORD)).isEqualTo(before);
        assertThat(h.recordAt(RECORD).path("id").asText()).isEqualTo(newerJob);
        h.api.verify(0, getRequestedFor(urlPathEqualTo("/v1/videos/" + JOB_ID)));
        assertThat(h.receive(1)).isEmpty();
        assertThat(h.object(VIDEO)).isEmpty();
    }

    @Test
    void dropsADuplicateOfACheckAlreadyDoneSoThatOneChainOfChecksRemains() {
        h.api.stubFor(statusOf(JOB_ID).willReturn(json(job("in_progress", 20))));
        h.submit("in/scene");
        List<Message> first = h.receive(2);
        SQSEvent event = SqsEvents.of(first);

        assertThat(h.poll(event).getBatchItemFailures()).isEmpty();
        String after = h.etag(RECORD);
        // SQS delivers the same check a second time
        assertThat(h.poll(event).getBatchItemFailures()).isEmpty();

        assertThat(h.etag(RECORD)).isEqualTo(after);
        h.api.verify(1, getRequestedFor(urlPathEqualTo("/v1/videos/" + JOB_ID)));
        h.acknowledge(first, new SQSBatchResponse(List.of()));
        List<Message> next = h.receive(1);
        assertThat(next).hasSize(1);
        assertThat(HostStubs.read(next.get(0).body()).path("check").asInt()).isEqualTo(2);
    }

    @Test
    void dropsACheckForARecordThatIsAlreadyTerminal() {
        h.api.stubFor(statusOf(JOB_ID).willReturn(json(job("completed", 100))));
        h.api.stubFor(contentOf(JOB_ID).willReturn(video(Mp4s.small())));
        h.submit("in/scene");
        List<Message> first = h.receive(2);
        h.poll(SqsEvents.of(first));
        String after = h.etag(RECORD);

        SQSBatchResponse late = h.poll(SqsEvents.ofBody(
                new StatusCheck(h.bucket, RECORD, JOB_ID, 7).toJson(h.mapper).toString()));

        assertThat(late.getBatchItemFailures()).isEmpty();
        assertThat(h.etag(RECORD)).isEqualTo(after);
        h.api.verify(1, getRequestedFor(urlPathEqualTo("/v1/videos/" + JOB_ID)));
    }

    @Test
    void dropsMalformedMessagesInsteadOfRetryingThemForever() {
        SQSBatchResponse response = h.poll(SqsEvents.ofBody("this is not JSON"));
        SQSBatchResponse missingJob = h.poll(SqsEvents.ofBody("{\"bucket\":\"" + h.bucket + "\",\"record\":\"a.video.json\"}"));
        SQSBatchResponse notARecord = h.poll(SqsEvents.ofBody(
                new StatusCheck(h.bucket, "in/scene.png", JOB_ID, 1).toJson(h.mapper).toString()));
        SQSBatchResponse namelessRecord = h.poll(SqsEvents.ofBody(
                new StatusCheck(h.bucket, "in/.video.json", JOB_ID, 1).toJson(h.mapper).toString()));

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(missingJob.getBatchItemFailures()).isEmpty();
        assertThat(notARecord.getBatchItemFailures()).isEmpty();
        assertThat(namelessRecord.getBatchItemFailures()).isEmpty();
        assertThat(h.keys()).isEmpty();
        h.api.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void reportsOnlyTheFailedMessagesOfABatch() {
        h.api.stubFor(statusOf(JOB_ID).willReturn(json(job("in_progress", 50))));
        String other = "video_aaaaaaaa-0000-4000-8000-000000000002";
        h.api.stubFor(statusOf(other).willReturn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER)));
        h.submit("in/scene");
        h.submit("in/other", FunctionHarness.JOB_JSON.replace(JOB_ID, other));
        List<Message> both = h.receive(2);
        assertThat(both).hasSize(2);

        SQSBatchResponse response = h.poll(SqsEvents.of(both));

        String failedId = both.stream().filter(m -> m.body().contains(other)).findFirst().orElseThrow().messageId();
        assertThat(FunctionHarness.Delivery.failedIds(response)).containsExactly(failedId);
        assertThat(h.recordAt(RECORD).path("progress").asInt()).isEqualTo(50);
        assertThat(h.recordAt("in/other.video.json").path("status").asText()).isEqualTo("queued");
    }

    // --- scheduling ---------------------------------------------------------------------------------

    /**
     * The delays are long enough that no test machine is slow enough to see a message come out of its
     * delay while the test looks: the delay is read from the SendMessage call itself and from the
     * queue's count of delayed messages, not by waiting for ElasticMQ to deliver it.
     */
    @Test
    void aYoungJobsNextCheckWaitsTheInitialDelayAndTheRecordRemembersItsProgress() {
        h.env("POLL_INITIAL_DELAY_SECONDS", "20").env("POLL_MAX_DELAY_SECONDS", "900");
        h.api.stubFor(statusOf(JOB_ID).willReturn(json(job("in_progress", 10))));
        h.submit("in/scene");
        // The submit function's first check waits the initial delay
        assertThat(h.count(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).isEqualTo(1);
        assertThat(h.count(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).isZero();
        h.sqs.orElseThrow().purgeQueue(b -> b.queueUrl(h.queueUrl));
        h.clock.advance(Duration.ofSeconds(20));
        SQSEvent firstCheck = SqsEvents.ofBody(new StatusCheck(h.bucket, RECORD, JOB_ID, 1).toJson(h.mapper).toString());
        List<SendMessageRequest> sent = new CopyOnWriteArrayList<>();

        SQSBatchResponse response = h.poll(h.pollHandler(h.s3, recordingSends(h.sqs.orElseThrow(), sent)), firstCheck);

        // 10% in 20 s points 180 s ahead, past the guard: the second check waits the initial delay again
        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(sent).hasSize(1);
        assertThat(sent.get(0).delaySeconds()).isEqualTo(20);
        JsonNode body = HostStubs.read(sent.get(0).messageBody());
        assertThat(body.path("check").asInt()).isEqualTo(2);
        assertThat(body.path("job_id").asText()).isEqualTo(JOB_ID);
        assertThat(body.path("record").asText()).isEqualTo(RECORD);
        assertThat(body.path("bucket").asText()).isEqualTo(h.bucket);
        assertThat(h.count(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).isEqualTo(1);
        assertThat(h.count(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).isZero();
        JsonNode poll = h.recordAt(RECORD).path("poll");
        assertThat(poll.path("next_check_at").asText()).isEqualTo("2026-11-24T10:00:40Z");
        assertThat(poll.path("progress").asInt()).isEqualTo(10);
        assertThat(poll.path("progress_since").asText()).isEqualTo("2026-11-24T10:00:20Z");
        assertThat(poll.has("early_checks")).isFalse();
    }

    @Test
    void withTheDefaultDelaysAJobWithoutProgressIsCheckedAgainAfterFifteenSeconds() {
        h.env("POLL_INITIAL_DELAY_SECONDS", "15").env("POLL_MAX_DELAY_SECONDS", "900");
        h.api.stubFor(statusOf(JOB_ID).willReturn(json(job("queued", 0))));
        h.submit("in/scene");
        h.clock.advance(Duration.ofSeconds(15));
        SQSEvent firstCheck = SqsEvents.ofBody(new StatusCheck(h.bucket, RECORD, JOB_ID, 1).toJson(h.mapper).toString());
        h.sqs.orElseThrow().purgeQueue(b -> b.queueUrl(h.queueUrl));

        assertThat(h.poll(firstCheck).getBatchItemFailures()).isEmpty();

        assertThat(h.count(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES_DELAYED)).isEqualTo(1);
        assertThat(h.count(QueueAttributeName.APPROXIMATE_NUMBER_OF_MESSAGES)).isZero();
        assertThat(h.recordAt(RECORD).path("poll").path("next_check_at").asText()).isEqualTo("2026-11-24T10:00:30Z");
    }

    @Test
    void anOldJobWithoutProgressIsCheckedAgainAfterATenthOfItsAge() {
        h.env("POLL_MAX_DELAY_SECONDS", "900");
        h.api.stubFor(statusOf(JOB_ID).willReturn(json(job("in_progress", 0))));
        h.submit("in/scene");
        h.sqs.orElseThrow().purgeQueue(b -> b.queueUrl(h.queueUrl));
        h.clock.advance(Duration.ofMinutes(20));
        List<SendMessageRequest> sent = new CopyOnWriteArrayList<>();

        h.poll(h.pollHandler(h.s3, recordingSends(h.sqs.orElseThrow(), sent)),
                SqsEvents.ofBody(new StatusCheck(h.bucket, RECORD, JOB_ID, 9).toJson(h.mapper).toString()));

        // Where today's doubling would wait 900 s, 20 minutes in the next check comes 2 minutes later
        assertThat(sent).singleElement().satisfies(m -> assertThat(m.delaySeconds()).isEqualTo(120));
    }

    @Test
    void progressThatPointsToAFinishBeforeTheGuardsCheckBringsTheCheckForward() {
        h.env("POLL_MAX_DELAY_SECONDS", "900");
        // Given a job 5 minutes in whose record still says 0% from its submission
        h.api.stubFor(statusOf(JOB_ID).willReturn(json(job("in_progress", 95))));
        h.submit("in/scene");
        h.sqs.orElseThrow().purgeQueue(b -> b.queueUrl(h.queueUrl));
        h.clock.advance(Duration.ofMinutes(5));
        List<SendMessageRequest> sent = new CopyOnWriteArrayList<>();

        // When the host says 95%
        h.poll(h.pollHandler(h.s3, recordingSends(h.sqs.orElseThrow(), sent)),
                SqsEvents.ofBody(new StatusCheck(h.bucket, RECORD, JOB_ID, 5).toJson(h.mapper).toString()));

        // Then the 5% left, 16 s away at that pace, come before the guard's 30 s
        assertThat(sent).singleElement().satisfies(m -> assertThat(m.delaySeconds()).isEqualTo(16));
        JsonNode poll = h.recordAt(RECORD).path("poll");
        assertThat(poll.path("next_check_at").asText()).isEqualTo("2026-11-24T10:05:16Z");
        assertThat(poll.path("early_checks").asInt()).isEqualTo(1);
    }

    // --- the event file for sam local invoke --------------------------------------------------------

    @Test
    void handlesTheEventFileForSamLocalInvoke() {
        SQSEvent event = EventLoader.loadSQSEvent(Events.DIR.resolve("sqs-poll.json").toString());
        StatusCheck check = StatusCheck.fromJson(HostStubs.read(event.getRecords().get(0).getBody())).orElseThrow();
        assertThat(check.recordKey()).isEqualTo("in box/场景 1+x.video.json");
        assertThat(check.jobId()).isEqualTo(JOB_ID);
        try (FunctionHarness example = new FunctionHarness(S3, SQS, check.bucket(), java.util.function.UnaryOperator.identity())) {
            byte[] mp4 = Mp4s.small();
            example.api.stubFor(statusOf(JOB_ID).willReturn(json(job("completed", 100))));
            example.api.stubFor(contentOf(JOB_ID).willReturn(video(mp4)));
            example.submit("in box/场景 1+x");

            SQSBatchResponse response = example.poll(event);

            assertThat(response.getBatchItemFailures()).isEmpty();
            assertThat(example.object("in box/场景 1+x.mp4").orElseThrow()).isEqualTo(mp4);
            assertThat(example.recordAt("in box/场景 1+x.video.json").path("output").path("video").asText())
                    .isEqualTo("in box/场景 1+x.mp4");
        }
    }

    // --- the handler's own duties: its wiring from the environment, its time budget -----------------

    @Test
    void buildsItsClientsFromTheEnvironment() {
        Map<String, String> env = Map.of("VIDEO_API_KEY", "k", "POLL_QUEUE_URL",
                "http://127.0.0.1:1/000000000000/poll", "AWS_ENDPOINT_URL", "http://127.0.0.1:1");
        PollConfig config = PollConfig.fromEnv(env);
        Dependencies dependencies = DependencyFactory.fromEnvironment(env, config.api(), true);

        assertThat(new PollHandler(config, dependencies)).isNotNull();
        assertThat(dependencies.sqs()).isPresent();
        assertThat(config.pollMaxAge()).isEqualTo(Duration.ofSeconds(7200));
    }

    @Test
    void refusesToStartWithoutTheQueueItReschedulesTo() {
        assertThatThrownBy(() -> PollConfig.fromEnv(Map.of("VIDEO_API_KEY", "k",
                "AWS_ENDPOINT_URL", "http://127.0.0.1:1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("POLL_QUEUE_URL");
    }

    @Test
    void handsChecksBackToTheQueueWhenTooLittleTimeIsLeftToStartThem() {
        h.api.stubFor(statusOf(JOB_ID).willReturn(json(job("in_progress", 1))));
        h.submit("late");
        var messages = h.receive(2);

        SQSBatchResponse response = h.pollHandler().handleRequest(SqsEvents.of(messages),
                new TestContext("poll", Duration.ofSeconds(5), "req"));

        assertThat(FunctionHarness.Delivery.failedIds(response)).containsExactly(messages.get(0).messageId());
        h.api.verify(0, WireMock.getRequestedFor(WireMock.urlPathEqualTo("/v1/videos/" + JOB_ID)));
        assertThat(h.recordAt("late.video.json").path("status").asText()).isEqualTo("queued");
    }

    @Test
    void expiresAJobWhoseStatusCannotBeHadOnceItIsPastTheMaximumAge() {
        h.api.stubFor(statusOf(JOB_ID).willReturn(FunctionHarness.openAiError(503, "overloaded", "try later")));
        h.submit("old");
        h.clock.advance(Duration.ofSeconds(7200));

        assertThat(h.pollNext().failedIds()).isEmpty();

        var record = h.recordAt("old.video.json");
        assertThat(record.path("status").asText()).isEqualTo("expired");
        assertThat(record.path("error").path("message").asText()).contains("7200").contains("overloaded");
        assertThat(h.receive(1)).isEmpty();
    }

    /** An SQS client that passes every call on and notes each message sent. */
    static SqsClient recordingSends(SqsClient real, List<SendMessageRequest> sent) {
        return (SqsClient) Proxy.newProxyInstance(SqsClient.class.getClassLoader(), new Class<?>[] {SqsClient.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("sendMessage") && args != null && args.length == 1) {
                        @SuppressWarnings("unchecked")
                        SendMessageRequest request = args[0] instanceof SendMessageRequest r ? r
                                : SendMessageRequest.builder()
                                        .applyMutation((Consumer<SendMessageRequest.Builder>) args[0]).build();
                        sent.add(request);
                        return real.sendMessage(request);
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    /** An S3 client that passes every call on and notes the size of each uploaded part. */
    static S3Client recordingPartSizes(S3Client real, List<Long> partSizes) {
        return (S3Client) Proxy.newProxyInstance(S3Client.class.getClassLoader(), new Class<?>[] {S3Client.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("uploadPart") && args != null && args.length == 2
                            && args[1] instanceof RequestBody body) {
                        partSizes.add(body.optionalContentLength().orElse(-1L));
                    }
                    try {
                        return method.invoke(real, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }
}
