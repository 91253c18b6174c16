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
        Optional<Instant> resumesAt,
        Optional<String> remixedFrom,
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
        return switch (status) {
            case SUBMITTING -> claim.map(c -> c.isFreeAt(now, grace)).orElse(true);
            // Held by the day's cap: free once the next day has opened.
            case HELD -> resumesAt.map(at -> !now.isBefore(at)).orElse(true);
            default -> false;
        };
    }

    /** The same record without what only says when it was written: for "is this write a repeat?". */
    public JobRecord withoutTimes() {
        return new JobRecord(status, apiStatus, job, missing, claim, error, source, request, previousId,
                Optional.empty(), output, poll, resumesAt, remixedFrom, Instant.EPOCH);
    }

    /**
     * When a waiting upload may go on: a busy host's {@code next_try_at}, or the day's cap's
     * {@code resumes_at}; empty when nothing holds it back.
     */
    public Optional<Instant> waitingUntil() {
        return switch (status) {
            case SUBMITTING -> claim.filter(Claim::released).flatMap(Claim::nextTryAt);
            case HELD -> resumesAt;
            default -> Optional.empty();
        };
    }

    /** A document at the record's key that is not one of ours: overwritten like an empty record. */
    static JobRecord foreign(String bucket) {
        return of(Status.FOREIGN, new Source(bucket, null, null, null, null, java.util.List.of()), Instant.EPOCH)
                .build();
    }

    /** A new record of {@code status} about {@code source}, written at {@code updatedAt}; the rest to be given. */
    public static Builder of(Status status, Source source, Instant updatedAt) {
        return new Builder(status, source, updatedAt);
    }

    public Builder toBuilder() {
        Builder b = new Builder(status, source, updatedAt);
        b.apiStatus = apiStatus;
        b.job = job;
        b.missing = missing;
        b.claim = claim;
        b.error = error;
        b.request = request;
        b.previousId = previousId;
        b.submittedAt = submittedAt;
        b.output = output;
        b.poll = poll;
        b.resumesAt = resumesAt;
        b.remixedFrom = remixedFrom;
        return b;
    }

    /** Names the components a state has; everything not named is absent. */
    public static final class Builder {
        private final Status status;
        private final Source source;
        private Instant updatedAt;
        private Optional<String> apiStatus = Optional.empty();
        private ObjectNode job;
        private Optional<String> missing = Optional.empty();
        private Optional<Claim> claim = Optional.empty();
        private Optional<RecordError> error = Optional.empty();
        private Optional<RequestSummary> request = Optional.empty();
        private Optional<String> previousId = Optional.empty();
        private Optional<Instant> submittedAt = Optional.empty();
        private Optional<Output> output = Optional.empty();
        private Optional<PollState> poll = Optional.empty();
        private Optional<Instant> resumesAt = Optional.empty();
        private Optional<String> remixedFrom = Optional.empty();

        private Builder(Status status, Source source, Instant updatedAt) {
            this.status = status;
            this.source = source;
            this.updatedAt = updatedAt;
        }

        public Builder updatedAt(Instant value) {
            updatedAt = value;
            return this;
        }

        public Builder apiStatus(Optional<String> value) {
            apiStatus = value;
            return this;
        }

        public Builder job(ObjectNode value) {
            job = value;
            return this;
        }

        public Builder missing(String value) {
            missing = Optional.of(value);
            return this;
        }

        public Builder claim(Optional<Claim> value) {
            claim = value;
            return this;
        }

        public Builder error(Optional<RecordError> value) {
            error = value;
            return this;
        }

        public Builder request(Optional<RequestSummary> value) {
            request = value;
            return this;
        }

        public Builder previousId(Optional<String> value) {
            previousId = value;
            return this;
        }

        public Builder submittedAt(Optional<Instant> value) {
            submittedAt = value;
            return this;
        }

        public Builder output(Optional<Output> value) {
            output = value;
            return this;
        }

        public Builder poll(Optional<PollState> value) {
            poll = value;
            return this;
        }

        public Builder resumesAt(Optional<Instant> value) {
            resumesAt = value;
            return this;
        }

        public Builder remixedFrom(Optional<String> value) {
            remixedFrom = value;
            return this;
        }

        public JobRecord build() {
            return new JobRecord(status, apiStatus, job, missing, claim, error, source, request, previousId,
                    submittedAt, output, poll, resumesAt, remixedFrom, updatedAt);
        }
    }
}
