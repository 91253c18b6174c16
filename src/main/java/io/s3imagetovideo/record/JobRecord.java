package io.s3imagetovideo.record;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The job record next to an image: the product's only state, and its lock. {@code job} is the host's
 * job object as it sent it (its {@code id}, {@code object}, {@code model}, {@code progress}...), never
 * one of our fields; every other component is ours, typed. {@code apiStatus} is the host's own status
 * word when it is not exactly ours. {@link RecordJson} turns it into the JSON of
 * docs/contract.md and back; {@link Transitions} is the only maker of new states.
 */
public record JobRecord(
        Status status,
        Optional<String> apiStatus,
        ObjectNode job,
        Optional<String> missing,
        Optional<Claim> claim,
        Optional<RecordError> error,
        Source source,
        Optional<RequestSummary> request,
        Optional<String> previousId,
        Optional<Instant> submittedAt,
        Optional<Output> output,
        Optional<PollState> poll,
        Instant updatedAt) {

    public JobRecord {
        Objects.requireNonNull(status, "status");
        job = job == null ? JsonNodeFactory.instance.objectNode() : job;
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(updatedAt, "updatedAt");
    }

    /** The host's id of the job this record follows, if it has one yet. */
    public Optional<String> jobId() {
        return job.path("id").isTextual() ? Optional.of(job.get("id").textValue()) : Optional.empty();
    }

    /** The job this record holds, or else the one it replaced. */
    public Optional<String> lastJobId() {
        return jobId().or(() -> previousId);
    }

    public boolean follows(String jobId) {
        return jobId().map(jobId::equals).orElse(false);
    }

    /** A job the host reported completed whose video is not saved yet (its very first answer said so). */
    public boolean videoStillToFetch() {
        return status == Status.COMPLETED && output.isEmpty();
    }

    /** Whether this record's claim may be taken by another invocation at {@code now}. */
    public boolean claimIsFree(Instant now, Duration grace) {
        return status == Status.SUBMITTING && claim.map(c -> c.isFreeAt(now, grace)).orElse(true);
    }

    /** The same record without what only says when it was written: for "is this write a repeat?". */
    public JobRecord withoutTimes() {
        return new JobRecord(status, apiStatus, job, missing, claim, error, source, request, previousId,
                Optional.empty(), output, poll, Instant.EPOCH);
    }

    /** A document at the record's key that is not one of ours: overwritten like an empty record. */
    static JobRecord foreign(String bucket) {
        return new JobRecord(Status.FOREIGN, Optional.empty(), null, Optional.empty(), Optional.empty(), Optional.empty(),
                new Source(bucket, null, null, null, null, java.util.List.of()), Optional.empty(), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.empty(), Instant.EPOCH);
    }
}
