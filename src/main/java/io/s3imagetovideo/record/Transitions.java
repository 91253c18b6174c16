package io.s3imagetovideo.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Every state a job record can move to, for both functions, in one place:
 * <pre>
 *   (none) / waiting ──► rejected                         the input is wrong, nothing sent
 *          │
 *          └──► submitting (claimed until the holder's deadline) ──► queued / in_progress / completed
 *                 │    │                                  └──► failed      the host refused
 *                 │    ├──► held (the day's cap is reached) ──► submitting again once the next day opens
 *                 │    └──► submitting, released: transient failures, or a busy host until next_try_at
 *                 │              └──► taken over by a redelivery ──► (as above)
 *                 └──► failed   the host stayed busy past SUBMIT_MAX_WAIT_SECONDS
 *   queued / in_progress ──► the same, next check due   (poll)
 *          ├──► completed   the video saved (output)
 *          ├──► failed      the job failed, or the status read was refused
 *          └──► expired     not finished within the polling limit
 * </pre>
 * A new version of the image or the prompt file starts again from the top; its record keeps the
 * replaced job's id as {@code previous_id}.
 */
public final class Transitions {

    private Transitions() {}

    public static JobRecord waiting(Source source, String missing, Optional<String> previousId, Instant now) {
        return JobRecord.of(Status.WAITING, source, now).missing(missing).previousId(previousId).build();
    }

    public static JobRecord rejected(Source source, String code, String message, Optional<String> previousId,
            Instant now) {
        return JobRecord.of(Status.REJECTED, source, now).error(Optional.of(RecordError.of(code, message)))
                .previousId(previousId).build();
    }

    /**
     * This invocation alone may call the host for this upload until {@code expiresAt}. {@code remixOf}:
     * the completed job whose video the new prompt remixes, when it is a remix; {@code waitingSince}:
     * when the upload first found the host busy, if it did.
     */
    public static JobRecord claimed(Source source, RequestSummary request, Optional<String> previousId, Instant now,
            Instant expiresAt, Optional<String> remixOf, Optional<Instant> waitingSince) {
        return JobRecord.of(Status.SUBMITTING, source, now)
                .claim(Optional.of(Claim.until(expiresAt).waitingSince(waitingSince)))
                .request(Optional.of(request)).previousId(previousId).remixedFrom(remixOf).build();
    }

    /**
     * The claim handed back after transient failures, so that a redelivery may submit; {@code error}
     * tells the user why there is no job yet.
     */
    public static JobRecord released(JobRecord claim, String code, String message, OptionalInt httpStatus,
            Instant now) {
        return claim.toBuilder().updatedAt(now)
                .claim(Optional.of(claimOf(claim, now).releasedAt(now)))
                .error(Optional.of(RecordError.of(code, message + " The submission will be retried.", httpStatus)))
                .build();
    }

    /** The host is busy: the upload waits in the queue, and is not tried again before {@code nextTryAt}. */
    public static JobRecord waitingForHost(JobRecord claim, String code, String message, OptionalInt httpStatus,
            Instant nextTryAt, Instant now) {
        return claim.toBuilder().updatedAt(now)
                .claim(Optional.of(claimOf(claim, now).releasedUntil(now, nextTryAt)))
                .error(Optional.of(RecordError.of(code, message + " The video host is busy; the upload waits in"
                        + " the queue and is tried again at " + RecordJson.timestamp(nextTryAt) + ".", httpStatus)))
                .build();
    }

    /** The day's spend cap is reached: the upload goes on by itself at {@code resumesAt}. */
    public static JobRecord held(JobRecord claim, String message, Instant resumesAt, Instant now) {
        return JobRecord.of(Status.HELD, claim.source(), now).request(claim.request()).previousId(claim.previousId())
                .remixedFrom(claim.remixedFrom()).error(Optional.of(RecordError.of("daily_limit", message)))
                .resumesAt(Optional.of(resumesAt)).build();
    }

    /** The host created {@code job}; the record follows it from now on. */
    public static JobRecord submitted(JobRecord claim, ObjectNode job, HostStatus status, Instant now) {
        Optional<RecordError> error = status.status() == Status.FAILED
                ? Optional.of(jobError(job.get("error"))) : Optional.empty();
        return JobRecord.of(status.status(), claim.source(), now).apiStatus(status.word())
                .job(RecordJson.hostFields(job)).error(error).request(claim.request()).previousId(claim.previousId())
                .remixedFrom(claim.remixedFrom()).submittedAt(Optional.of(now)).build();
    }

    /** The host refused to create the job, or stayed busy for longer than the upload may wait. */
    public static JobRecord refused(JobRecord claim, String code, String message, OptionalInt httpStatus,
            Instant now) {
        return JobRecord.of(Status.FAILED, claim.source(), now)
                .error(Optional.of(RecordError.of(code, message, httpStatus))).request(claim.request())
                .previousId(claim.previousId()).remixedFrom(claim.remixedFrom()).build();
    }

    /** The job runs on: {@code answer} merged in, the next check due at {@code nextCheckAt}. */
    public static JobRecord progressed(JobRecord current, ObjectNode answer, HostStatus status, int check,
            Instant nextCheckAt, Instant now) {
        return following(current, merged(current, answer), status.status(), now).apiStatus(status.word())
                .poll(Optional.of(PollState.after(check, nextCheckAt))).build();
    }

    /** The video is saved. */
    public static JobRecord completed(JobRecord current, ObjectNode answer, int check, Output output, Instant now) {
        return following(current, merged(current, answer), Status.COMPLETED, now)
                .apiStatus(wordOf(answer, Status.COMPLETED)).output(Optional.of(output))
                .poll(Optional.of(PollState.last(check))).build();
    }

    /** The host says the job failed: its {@code error} is kept, as {@code {code, message}} at least. */
    public static JobRecord jobFailed(JobRecord current, ObjectNode answer, int check, Instant now) {
        return following(current, merged(current, answer), Status.FAILED, now).apiStatus(wordOf(answer, Status.FAILED))
                .error(Optional.of(jobError(answer.get("error")))).poll(Optional.of(PollState.last(check))).build();
    }

    /** The host refused the status read itself (the job is unknown to it, say). */
    public static JobRecord readRefused(JobRecord current, String code, String message, OptionalInt httpStatus,
            int check, Instant now) {
        return following(current, merged(current, null), Status.FAILED, now)
                .error(Optional.of(RecordError.of(code, message, httpStatus))).poll(Optional.of(PollState.last(check)))
                .build();
    }

    /** The job did not finish in time; {@code answer} is the last one, or null when there was none. */
    public static JobRecord expired(JobRecord current, ObjectNode answer, int check, String message, Instant now) {
        return following(current, merged(current, answer), Status.EXPIRED, now)
                .apiStatus(answer == null ? current.apiStatus()
                        : HostStatus.of(answer.path("status").asText(null)).word())
                .error(Optional.of(RecordError.of("job_expired", message))).poll(Optional.of(PollState.last(check)))
                .build();
    }

    private static Claim claimOf(JobRecord claim, Instant now) {
        return claim.claim().orElseGet(() -> Claim.until(now));
    }

    /** A record that follows a job: what the submission recorded, carried over. */
    private static JobRecord.Builder following(JobRecord current, ObjectNode job, Status status, Instant now) {
        return JobRecord.of(status, current.source(), now).job(job).request(current.request())
                .previousId(current.previousId()).submittedAt(current.submittedAt())
                .remixedFrom(current.remixedFrom());
    }

    /** The host's word for a state we already know it means, when the word is not ours. */
    private static Optional<String> wordOf(ObjectNode answer, Status ours) {
        String word = answer.path("status").asText(null);
        return word == null || word.equals(ours.word()) ? Optional.empty() : Optional.of(word);
    }

    /** Earlier answers' fields, overwritten by the latest answer's; the id stays the one the record follows. */
    private static ObjectNode merged(JobRecord current, ObjectNode answer) {
        ObjectNode job = current.job().deepCopy();
        if (answer != null) {
            job.setAll(RecordJson.hostFields(answer));
        }
        current.jobId().ifPresent(id -> job.put("id", id));
        return job;
    }

    /** The host's error as it sent it when it is {@code {code, message}}; otherwise made into that shape. */
    static RecordError jobError(JsonNode hostError) {
        String code = hostError == null ? null : text(hostError.get("code"));
        String message = hostError != null && hostError.isTextual() ? hostError.textValue()
                : text(hostError == null ? null : hostError.get("message"));
        return new RecordError(code == null ? "job_failed" : code,
                message == null ? "The video API reported the job as failed without saying why." : message,
                OptionalInt.empty(), hostError instanceof ObjectNode object ? object
                        : JsonNodeFactory.instance.objectNode());
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.isTextual() ? node.textValue() : node.toString();
    }
}
