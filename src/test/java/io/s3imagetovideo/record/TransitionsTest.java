package io.s3imagetovideo.record;

import static io.s3imagetovideo.record.RecordFixtures.BUCKET;
import static io.s3imagetovideo.record.RecordFixtures.DEADLINE;
import static io.s3imagetovideo.record.RecordFixtures.GRACE;
import static io.s3imagetovideo.record.RecordFixtures.KEY;
import static io.s3imagetovideo.record.RecordFixtures.T0;
import static io.s3imagetovideo.record.RecordFixtures.claimed;
import static io.s3imagetovideo.record.RecordFixtures.createdJob;
import static io.s3imagetovideo.record.RecordFixtures.job;
import static io.s3imagetovideo.record.RecordFixtures.progressed;
import static io.s3imagetovideo.record.RecordFixtures.request;
import static io.s3imagetovideo.record.RecordFixtures.source;
import static io.s3imagetovideo.record.RecordFixtures.submitted;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.s3imagetovideo.support.InMemoryRecordStore;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TransitionsTest {

    private static final Instant LATER = T0.plusSeconds(300);

    // before the host is called

    @Test
    void waitingSaysWhatIsMissingAndHoldsNothingElse() {
        JobRecord waiting = Transitions.waiting(source(), "prompt", Optional.of("video_old"), T0);

        assertThat(waiting.status()).isEqualTo(Status.WAITING);
        assertThat(waiting.missing()).contains("prompt");
        assertThat(waiting.previousId()).contains("video_old");
        assertThat(waiting.updatedAt()).isEqualTo(T0);
        assertThat(waiting.job()).isEmpty();
        assertThat(waiting.claim()).isEmpty();
        assertThat(waiting.error()).isEmpty();
        assertThat(waiting.request()).isEmpty();
        assertThat(waiting.submittedAt()).isEmpty();
        assertThat(waiting.poll()).isEmpty();
        assertThat(waiting.output()).isEmpty();
    }

    @Test
    void rejectedHoldsTheCodeAndMessageWithoutAnHttpStatus() {
        JobRecord rejected = Transitions.rejected(source(), "invalid_size", "Use 720x1280.", Optional.of("v0"), T0);

        assertThat(rejected.status()).isEqualTo(Status.REJECTED);
        assertThat(rejected.error()).contains(RecordError.of("invalid_size", "Use 720x1280."));
        assertThat(rejected.error().orElseThrow().httpStatus()).isEmpty();
        assertThat(rejected.previousId()).contains("v0");
        assertThat(rejected.claim()).isEmpty();
        assertThat(rejected.request()).isEmpty();
        assertThat(rejected.missing()).isEmpty();
    }

    @Test
    void aClaimHoldsTheRequestAndIsHeldUntilTheDeadline() {
        JobRecord claim = claimed();

        assertThat(claim.status()).isEqualTo(Status.SUBMITTING);
        assertThat(claim.claim()).hasValueSatisfying(c -> {
            assertThat(c.expiresAt()).isEqualTo(DEADLINE);
            assertThat(c.released()).isFalse();
        });
        assertThat(claim.request()).contains(request());
        assertThat(claim.previousId()).contains("video_old");
        assertThat(claim.error()).isEmpty();
        assertThat(claim.job()).isEmpty();
        assertThat(claim.submittedAt()).isEmpty();
    }

    @Test
    void everyClaimHasItsOwnToken() {
        // the token is what tells two claimants' identical writes apart
        assertThat(claimed().claim().orElseThrow().token()).isNotEqualTo(claimed().claim().orElseThrow().token());
    }

    @Test
    void aHeldClaimIsFreeOnlyOnceItsDeadlineAndTheGraceHavePassed() {
        JobRecord claim = claimed();

        assertThat(claim.claimIsFree(T0, GRACE)).isFalse();
        assertThat(claim.claimIsFree(DEADLINE, GRACE)).isFalse();
        assertThat(claim.claimIsFree(DEADLINE.plus(GRACE), GRACE)).isFalse();
        assertThat(claim.claimIsFree(DEADLINE.plus(GRACE).plusMillis(1), GRACE)).isTrue();
    }

    @Test
    void aReleasedClaimIsFreeAtOnceAndSaysWhy() {
        Instant releasedAt = T0.plusSeconds(30);
        JobRecord claim = claimed();

        JobRecord released = Transitions.released(claim, "api_unavailable", "The video API answered 503.",
                OptionalInt.of(503), releasedAt);

        assertThat(released.status()).isEqualTo(Status.SUBMITTING);
        assertThat(released.claimIsFree(releasedAt, GRACE)).isTrue();
        assertThat(released.claim()).hasValueSatisfying(c -> {
            assertThat(c.released()).isTrue();
            assertThat(c.token()).isNotEqualTo(claim.claim().orElseThrow().token());
        });
        assertThat(released.error()).hasValueSatisfying(e -> {
            assertThat(e.code()).isEqualTo("api_unavailable");
            assertThat(e.message()).isEqualTo("The video API answered 503. The submission will be retried.");
            assertThat(e.httpStatus()).hasValue(503);
        });
        assertThat(released.source()).isEqualTo(claim.source());
        assertThat(released.request()).isEqualTo(claim.request());
        assertThat(released.previousId()).isEqualTo(claim.previousId());
    }

    @Test
    void aReleasedClaimReadBackIsStillFree() {
        // "released" is not a field: it is read from a submitting record with an error
        InMemoryRecordStore store = new InMemoryRecordStore();
        Instant releasedAt = T0.plusSeconds(30);
        store.write(BUCKET, KEY, Transitions.released(claimed(), "api_unavailable", "503.", OptionalInt.of(503),
                releasedAt), Optional.empty());

        assertThat(store.read(BUCKET, KEY).orElseThrow().record().claimIsFree(releasedAt, GRACE)).isTrue();
    }

    @Test
    void onlyASubmittingRecordHasAClaimToTake() {
        assertThat(submitted().claimIsFree(DEADLINE.plusSeconds(3600), GRACE)).isFalse();
        assertThat(Transitions.rejected(source(), "invalid_size", "m", Optional.empty(), T0)
                .claimIsFree(LATER, GRACE)).isFalse();
    }

    @Test
    void theSameRejectionWrittenAgainLaterIsARepeat() {
        JobRecord first = Transitions.rejected(source(), "invalid_size", "Use 720x1280.", Optional.empty(), T0);
        JobRecord again = Transitions.rejected(source(), "invalid_size", "Use 720x1280.", Optional.empty(), LATER);

        assertThat(again).isNotEqualTo(first);
        assertThat(again.withoutTimes()).isEqualTo(first.withoutTimes());
    }

    @Test
    void aRejectionReadBackFromTheStoreIsARepeatOfTheSameRejection() {
        // what SubmitService compares: the stored record against the one it is about to write
        InMemoryRecordStore store = new InMemoryRecordStore();
        store.write(BUCKET, KEY, Transitions.rejected(source(), "invalid_size", "Use 720x1280.", Optional.empty(),
                T0), Optional.empty());
        JobRecord stored = store.read(BUCKET, KEY).orElseThrow().record();

        assertThat(stored.withoutTimes()).isEqualTo(
                Transitions.rejected(source(), "invalid_size", "Use 720x1280.", Optional.empty(), LATER)
                        .withoutTimes());
        assertThat(stored.withoutTimes()).isNotEqualTo(
                Transitions.rejected(source(), "invalid_seconds", "Use 10.", Optional.empty(), LATER)
                        .withoutTimes());
    }

    @Test
    void aWaitingRecordReadBackIsARepeatOfTheSameWait() {
        InMemoryRecordStore store = new InMemoryRecordStore();
        store.write(BUCKET, KEY, Transitions.waiting(source(), "image", Optional.empty(), T0), Optional.empty());

        assertThat(store.read(BUCKET, KEY).orElseThrow().record().withoutTimes())
                .isEqualTo(Transitions.waiting(source(), "image", Optional.empty(), LATER).withoutTimes())
                .isNotEqualTo(Transitions.waiting(source(), "prompt", Optional.empty(), LATER).withoutTimes());
    }

    // the host's answer to the submission

    @Test
    void aCreatedJobIsFollowedAndTheClaimIsGone() {
        Instant now = T0.plusSeconds(2);

        JobRecord submitted = Transitions.submitted(claimed(), createdJob(), HostStatus.of("queued"), now);

        assertThat(submitted.status()).isEqualTo(Status.QUEUED);
        assertThat(submitted.apiStatus()).isEmpty();
        assertThat(submitted.jobId()).contains("video_123");
        assertThat(submitted.job()).isEqualTo(RecordJson.hostFields(createdJob()));
        assertThat(submitted.job().has("status")).isFalse();
        assertThat(submitted.claim()).isEmpty();
        assertThat(submitted.error()).isEmpty();
        assertThat(submitted.submittedAt()).contains(now);
        assertThat(submitted.previousId()).contains("video_old");
        assertThat(submitted.request()).contains(request());
        assertThat(submitted.poll()).isEmpty();
    }

    @Test
    void aHostWordThatIsNotOursIsKeptBesideOurs() {
        JobRecord submitted = Transitions.submitted(claimed(), job("{'id': 'task_1', 'status': 'unknown'}"),
                HostStatus.of("unknown"), T0);

        assertThat(submitted.status()).isEqualTo(Status.IN_PROGRESS);
        assertThat(submitted.apiStatus()).contains("unknown");
    }

    @Test
    void aJobThatFailedAtOnceKeepsTheHostsError() {
        JobRecord submitted = Transitions.submitted(claimed(),
                job("{'id': 'v', 'status': 'failed', 'error': {'code': 'moderation_blocked', 'message': 'No.'}}"),
                HostStatus.of("failed"), T0);

        assertThat(submitted.status()).isEqualTo(Status.FAILED);
        assertThat(submitted.error()).contains(RecordError.of("moderation_blocked", "No."));
        assertThat(submitted.job().has("error")).isFalse();
    }

    @Test
    void aJobCompletedAtOnceStillHasItsVideoToFetch() {
        JobRecord submitted = Transitions.submitted(claimed(), job("{'id': 'v', 'status': 'succeeded'}"),
                HostStatus.of("succeeded"), T0);

        assertThat(submitted.status()).isEqualTo(Status.COMPLETED);
        assertThat(submitted.videoStillToFetch()).isTrue();
    }

    @Test
    void aRefusalFailsTheRecordWithTheHttpStatusAndNoJob() {
        JobRecord refused = Transitions.refused(claimed(), "invalid_request", "Bad size.", OptionalInt.of(400),
                T0.plusSeconds(3));

        assertThat(refused.status()).isEqualTo(Status.FAILED);
        assertThat(refused.error()).contains(RecordError.of("invalid_request", "Bad size.", OptionalInt.of(400)));
        assertThat(refused.claim()).isEmpty();
        assertThat(refused.job()).isEmpty();
        assertThat(refused.lastJobId()).contains("video_old");
        assertThat(refused.submittedAt()).isEmpty();
        assertThat(refused.request()).contains(request());
    }

    // while the job is polled

    @Test
    void everyWriteOfTheSameCheckIsUniqueSoThatTwinsCannotBothWin() {
        JobRecord one = Transitions.progressed(submitted(), job("{'status': 'queued'}"), HostStatus.of("queued"), 2,
                T0.plusSeconds(60), T0);
        JobRecord twin = Transitions.progressed(submitted(), job("{'status': 'queued'}"), HostStatus.of("queued"), 2,
                T0.plusSeconds(60), T0);

        assertThat(twin).isNotEqualTo(one);
        assertThat(twin.poll().orElseThrow().token()).isNotEqualTo(one.poll().orElseThrow().token());
    }

    @Test
    void aRunningJobHasItsNextCheckDue() {
        Instant next = T0.plusSeconds(120);

        JobRecord progressed = Transitions.progressed(submitted(), job("{'status': 'running', 'progress': 30}"),
                HostStatus.of("running"), 3, next, T0.plusSeconds(60));

        assertThat(progressed.status()).isEqualTo(Status.IN_PROGRESS);
        assertThat(progressed.apiStatus()).contains("running");
        assertThat(progressed.poll().map(p -> p.checks())).contains(3);
        assertThat(progressed.poll().flatMap(PollState::nextCheckAt)).contains(next);
        assertThat(progressed.job().path("progress").intValue()).isEqualTo(30);
        assertThat(progressed.submittedAt()).isEqualTo(submitted().submittedAt());
        assertThat(progressed.previousId()).contains("video_old");
        assertThat(progressed.claim()).isEmpty();
        assertThat(progressed.error()).isEmpty();
        assertThat(progressed.updatedAt()).isEqualTo(T0.plusSeconds(60));
    }

    @Test
    void laterAnswersOverwriteEarlierFieldsAndKeepTheRest() {
        JobRecord first = Transitions.progressed(submitted(),
                job("{'status': 'in_progress', 'progress': 10, 'eta': 300}"), HostStatus.of("in_progress"), 2,
                T0, T0);

        JobRecord second = Transitions.progressed(first, job("{'status': 'in_progress', 'progress': 60}"),
                HostStatus.of("in_progress"), 3, T0, T0);

        assertThat(second.job()).isEqualTo(job("{'id': 'video_123', 'object': 'video', 'model': 'sora-2',"
                + " 'progress': 60, 'created_at': 1764000000, 'seconds': '10', 'size': '720x1280', 'eta': 300}"));
    }

    @Test
    void theIdStaysTheOneTheRecordFollows() {
        JobRecord progressed = Transitions.progressed(submitted(),
                job("{'id': 'video_other', 'status': 'queued'}"), HostStatus.of("queued"), 2, T0, T0);

        assertThat(progressed.jobId()).contains("video_123");
        assertThat(progressed.follows("video_123")).isTrue();
        assertThat(progressed.follows("video_other")).isFalse();
    }

    @Test
    void theHostsStatusAndErrorNeverEnterTheJob() {
        JobRecord progressed = Transitions.progressed(submitted(),
                job("{'status': 'processing', 'error': null, 'progress': 5}"), HostStatus.of("processing"), 2,
                T0, T0);

        assertThat(progressed.job().has("status")).isFalse();
        assertThat(progressed.job().has("error")).isFalse();
    }

    @Test
    void aCompletedJobHasItsOutputAndNoNextCheck() {
        Output output = new Output("in/scene.mp4", 5_368_709_120L, Output.VIDEO_CONTENT_TYPE);

        JobRecord completed = Transitions.completed(progressed(),
                job("{'status': 'completed', 'progress': 100}"), 7, output, LATER);

        assertThat(completed.status()).isEqualTo(Status.COMPLETED);
        assertThat(completed.apiStatus()).isEmpty();
        assertThat(completed.output()).contains(output);
        assertThat(completed.videoStillToFetch()).isFalse();
        assertThat(completed.poll().map(PollState::checks)).contains(7);
        assertThat(completed.poll().flatMap(PollState::nextCheckAt)).isEmpty();
        assertThat(completed.job().path("progress").intValue()).isEqualTo(100);
        assertThat(completed.jobId()).contains("video_123");
    }

    @Test
    void aCompletedJobKeepsTheHostsOwnWordForIt() {
        JobRecord completed = Transitions.completed(progressed(), job("{'status': 'succeeded'}"), 7,
                new Output("in/scene.mp4", 1, Output.VIDEO_CONTENT_TYPE), LATER);

        assertThat(completed.apiStatus()).contains("succeeded");
    }

    @Test
    void aFailedJobKeepsTheHostsErrorAndWord() {
        JobRecord failed = Transitions.jobFailed(progressed(),
                job("{'status': 'error', 'error': {'code': 'gpu_lost', 'message': 'GPU lost.', 'node': 'a1'}}"),
                4, LATER);

        assertThat(failed.status()).isEqualTo(Status.FAILED);
        assertThat(failed.apiStatus()).contains("error");
        assertThat(failed.error()).hasValueSatisfying(e -> {
            assertThat(e.code()).isEqualTo("gpu_lost");
            assertThat(e.message()).isEqualTo("GPU lost.");
            assertThat(e.more()).isEqualTo(job("{'node': 'a1'}"));
        });
        assertThat(failed.poll().map(PollState::checks)).contains(4);
        assertThat(failed.poll().flatMap(PollState::nextCheckAt)).isEmpty();
        assertThat(failed.output()).isEmpty();
    }

    @Test
    void aRefusedStatusReadFailsTheRecordButKeepsTheJob() {
        JobRecord failed = Transitions.readRefused(progressed(), "not_found", "No such video.",
                OptionalInt.of(404), 5, LATER);

        assertThat(failed.status()).isEqualTo(Status.FAILED);
        assertThat(failed.apiStatus()).isEmpty();
        assertThat(failed.error()).contains(RecordError.of("not_found", "No such video.", OptionalInt.of(404)));
        assertThat(failed.job()).isEqualTo(progressed().job());
        assertThat(failed.poll().map(PollState::checks)).contains(5);
        assertThat(failed.poll().flatMap(PollState::nextCheckAt)).isEmpty();
    }

    @Test
    void anExpiredJobSaysSoAndKeepsTheHostsLastWord() {
        JobRecord expired = Transitions.expired(progressed(), job("{'status': 'generating', 'progress': 99}"),
                30, "Not finished within 2 hours.", LATER);

        assertThat(expired.status()).isEqualTo(Status.EXPIRED);
        assertThat(expired.apiStatus()).contains("generating");
        assertThat(expired.error()).contains(RecordError.of("job_expired", "Not finished within 2 hours."));
        assertThat(expired.job().path("progress").intValue()).isEqualTo(99);
        assertThat(expired.poll().map(PollState::checks)).contains(30);
        assertThat(expired.poll().flatMap(PollState::nextCheckAt)).isEmpty();
    }

    @Test
    void aJobExpiredWithoutAnAnswerKeepsTheWordItHad() {
        // progressed() was last told "processing"
        JobRecord expired = Transitions.expired(progressed(), null, 30, "Not finished.", LATER);

        assertThat(expired.apiStatus()).contains("processing");
        assertThat(expired.job()).isEqualTo(progressed().job());
    }

    @Test
    void aJobExpiredWhileTheHostUsedOurWordHasNoApiStatus() {
        JobRecord expired = Transitions.expired(progressed(), job("{'status': 'in_progress'}"), 30, "Late.",
                LATER);

        assertThat(expired.apiStatus()).isEmpty();
    }

    // the host's error of a failed job

    @Test
    void anErrorObjectWithCodeAndMessageIsKeptAsItCame() {
        RecordError error = Transitions.jobError(
                job("{'code': 'moderation_blocked', 'message': 'Blocked.', 'type': 'invalid_request_error'}"));

        assertThat(error.code()).isEqualTo("moderation_blocked");
        assertThat(error.message()).isEqualTo("Blocked.");
        assertThat(error.more()).isEqualTo(job("{'type': 'invalid_request_error'}"));
        assertThat(error.httpStatus()).isEmpty();
    }

    @Test
    void anErrorWithoutACodeIsAJobFailure() {
        RecordError error = Transitions.jobError(job("{'message': 'Out of memory.'}"));

        assertThat(error.code()).isEqualTo("job_failed");
        assertThat(error.message()).isEqualTo("Out of memory.");
    }

    @Test
    void anErrorThatIsAStringBecomesTheMessage() {
        RecordError error = Transitions.jobError(TextNode.valueOf("CUDA out of memory"));

        assertThat(error).isEqualTo(RecordError.of("job_failed", "CUDA out of memory"));
    }

    @Test
    void aNumericCodeIsKeptAsItsText() {
        // new-api's errors may carry a number as their code
        RecordError error = Transitions.jobError(job("{'code': 500, 'message': 'Upstream error.'}"));

        assertThat(error.code()).isEqualTo("500");
    }

    static Stream<JsonNode> noErrors() {
        return Stream.of(null, NullNode.getInstance(), JsonNodeFactory.instance.objectNode());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("noErrors")
    void noErrorAtAllStillSaysTheJobFailed(JsonNode none) {
        RecordError error = Transitions.jobError(none);

        assertThat(error.code()).isEqualTo("job_failed");
        assertThat(error.message()).isEqualTo("The video API reported the job as failed without saying why.");
    }
}
