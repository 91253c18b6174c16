package io.s3imagetovideo.submit;

import io.s3imagetovideo.record.Status;
import java.util.Optional;

/** What became of one created object. {@code reason}: why an upload must be tried again later. */
public record SubmitOutcome(Action action, Optional<Status> status, Optional<String> jobId, Optional<String> reason) {

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
        /** The host refused the job. */
        FAILED,
        /** Not done now (the host failed transiently, or the record kept changing): deliver the event again. */
        LATER
    }

    static SubmitOutcome of(Action action, Status status) {
        return new SubmitOutcome(action, Optional.of(status), Optional.empty(), Optional.empty());
    }

    static SubmitOutcome later(String reason) {
        return new SubmitOutcome(Action.LATER, Optional.empty(), Optional.empty(), Optional.of(reason));
    }
}
