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
 *                      │                                     └──► failed      the host refused
 *                      └──► submitting, released (transient failures) ──► taken over by a redelivery
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
        return new JobRecord(Status.WAITING, Optional.empty(), null, Optional.of(missing), Optional.empty(), Optional.empty(), source,
                Optional.empty(), previousId, Optional.empty(), Optional.empty(), Optional.empty(), now);
    }

    public static JobRecord rejected(Source source, String code, String message, Optional<String> previousId,
            Instant now) {
        return new JobRecord(Status.REJECTED, Optional.empty(), null, Optional.empty(), Optional.empty(),
                Optional.of(RecordError.of(code, message)), source, Optional.empty(), previousId, Optional.empty(),
                Optional.empty(), Optional.empty(), now);
    }

    /** This invocation alone may call the host for this upload until {@code expiresAt}. */
    public static JobRecord claimed(Source source, RequestSummary request, Optional<String> previousId, Instant now,
            Instant expiresAt) {
        return new JobRecord(Status.SUBMITTING, Optional.empty(), null, Optional.empty(), Optional.of(Claim.until(expiresAt)),
                Optional.empty(), source, Optional.of(request), previousId, Optional.empty(), Optional.empty(),
                Optional.empty(), now);
    }

    /**
     * The claim handed back after transient failures, so that a redelivery may submit; {@code error}
     * tells the user why there is no job yet.
     */
    public static JobRecord released(JobRecord claim, String code, String message, OptionalInt httpStatus,
            Instant now) {
        return new JobRecord(Status.SUBMITTING, Optional.empty(), null, Optional.empty(),
                Optional.of(claim.claim().orElseGet(() -> Claim.until(now)).releasedAt(now)),
                Optional.of(RecordError.of(code, message + " The submission will be retried.", httpStatus)),
                claim.source(), claim.request(), claim.previousId(), Optional.empty(), Optional.empty(),
                Optional.empty(), now);
    }

    /** The host created {@code job}; the record follows it from now on. */
    public static JobRecord submitted(JobRecord claim, ObjectNode job, HostStatus status, Instant now) {
        Optional<RecordError> error = status.status() == Status.FAILED
                ? Optional.of(jobError(job.get("error"))) : Optional.empty();
        return new JobRecord(status.status(), status.word(), RecordJson.hostFields(job), Optional.empty(),
                Optional.empty(), error, claim.source(), claim.request(), claim.previousId(), Optional.of(now),
                Optional.empty(), Optional.empty(), now);
    }

    /** The host refused to create the job. */
    public static JobRecord refused(JobRecord claim, String code, String message, OptionalInt httpStatus,
            Instant now) {
        return new JobRecord(Status.FAILED, Optional.empty(), null, Optional.empty(), Optional.empty(),
                Optional.of(RecordError.of(code, message, httpStatus)), claim.source(), claim.request(),
                claim.previousId(), Optional.empty(), Optional.empty(), Optional.empty(), now);
    }

    /** The job runs on: {@code answer} merged in, the next check due at {@code nextCheckAt}. */
    public static JobRecord progressed(JobRecord current, ObjectNode answer, HostStatus status, int check,
            Instant nextCheckAt, Instant now) {
        return following(current, merged(current, answer), status.status(), status.word(), Optional.empty(),
                Optional.empty(), PollState.after(check, nextCheckAt), now);
    }

    /** The video is saved. */
    public static JobRecord completed(JobRecord current, ObjectNode answer, int check, Output output, Instant now) {
        return following(current, merged(current, answer), Status.COMPLETED, wordOf(answer, Status.COMPLETED),
                Optional.empty(), Optional.of(output), PollState.last(check), now);
    }

    /** The host says the job failed: its {@code error} is kept, as {@code {code, message}} at least. */
    public static JobRecord jobFailed(JobRecord current, ObjectNode answer, int check, Instant now) {
        return following(current, merged(current, answer), Status.FAILED, wordOf(answer, Status.FAILED),
                Optional.of(jobError(answer.get("error"))), Optional.empty(), PollState.last(check), now);
    }

    /** The host refused the status read itself (the job is unknown to it, say). */
    public static JobRecord readRefused(JobRecord current, String code, String message, OptionalInt httpStatus,
            int check, Instant now) {
        return following(current, merged(current, null), Status.FAILED, Optional.empty(),
                Optional.of(RecordError.of(code, message, httpStatus)), Optional.empty(), PollState.last(check), now);
    }

    /** The job did not finish in time; {@code answer} is the last one, or null when there was none. */
    public static JobRecord expired(JobRecord current, ObjectNode answer, int check, String message, Instant now) {
        return following(current, merged(current, answer), Status.EXPIRED,
                answer == null ? current.apiStatus() : HostStatus.of(answer.path("status").asText(null)).word(),
                Optional.of(RecordError.of("job_expired", message)), Optional.empty(), PollState.last(check), now);
    }

    private static JobRecord following(JobRecord current, ObjectNode job, Status status, Optional<String> apiStatus,
            Optional<RecordError> error, Optional<Output> output, PollState poll, Instant now) {
        return new JobRecord(status, apiStatus, job, Optional.empty(), Optional.empty(), error, current.source(),
                current.request(), current.previousId(), current.submittedAt(), output, Optional.of(poll), now);
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
