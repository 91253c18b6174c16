package io.s3imagetovideo.submit;

import io.s3imagetovideo.record.Status;
import java.time.Instant;
import java.util.Optional;

/**
 * What became of one created object. {@code reason}: why an upload must be tried again;
 * {@code comeBackAt}: when an upload that waits (for a busy host, for the next day) is looked at again.
 */
public record SubmitOutcome(Action action, Optional<Status> status, Optional<String> jobId, Optional<String> reason,
        Optional<Instant> comeBackAt) {

    public enum Action {
        /** Neither an image nor a prompt file. */
        IGNORED,
        /** One of the pair is missing. */
        WAITING,
        /** The input is wrong; nothing was sent. */
        REJECTED,
        /** A repeat of an upload already handled, or one another invocation is handling. */
        DUPLICATE,
        /** The host created the job. */
        SUBMITTED,
        /** The host refused the job, or stayed busy for longer than the upload may wait. */
        FAILED,
        /** The host is busy: the upload comes again at {@code comeBackAt}. */
        HOST_BUSY,
        /** The day's spend cap is reached: the upload comes again when the next day opens. */
        HELD,
        /** The upload already waits (for a busy host, or the next day) until {@code comeBackAt}: not asked now. */
        NOT_YET,
        /** Not done now (the host failed transiently, or the record kept changing): deliver the event again. */
        LATER
    }

    public SubmitOutcome(Action action, Optional<Status> status, Optional<String> jobId, Optional<String> reason) {
        this(action, status, jobId, reason, Optional.empty());
    }

    static SubmitOutcome of(Action action, Status status) {
        return new SubmitOutcome(action, Optional.of(status), Optional.empty(), Optional.empty());
    }

    static SubmitOutcome later(String reason) {
        return new SubmitOutcome(Action.LATER, Optional.empty(), Optional.empty(), Optional.of(reason));
    }

    /** The upload waits, in {@code status}, until {@code at}. */
    static SubmitOutcome waitsUntil(Action action, Status status, Instant at) {
        return new SubmitOutcome(action, Optional.of(status), Optional.empty(), Optional.empty(), Optional.of(at));
    }
}
