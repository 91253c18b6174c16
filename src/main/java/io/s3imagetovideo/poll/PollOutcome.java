package io.s3imagetovideo.poll;

import io.s3imagetovideo.record.Status;
import java.util.Optional;

/** What became of one status check; {@code reason} says why it was dropped or must come again. */
public record PollOutcome(Action action, Optional<Status> status, Optional<String> reason) {

    public enum Action {
        /** The job runs on; its next check is on the queue. */
        RESCHEDULED,
        /** The video is saved next to the image. */
        COMPLETED,
        /** The job failed, or the host refused the status read. */
        FAILED,
        /** Not finished within the polling limit. */
        EXPIRED,
        /** Nothing to do: the record is gone, follows another job, is done, or has seen this check. */
        DROPPED,
        /** Not done now (the host or the download failed transiently): the check comes again. */
        LATER
    }

    static PollOutcome of(Action action, Status status) {
        return new PollOutcome(action, Optional.of(status), Optional.empty());
    }

    static PollOutcome dropped(Optional<Status> status, String reason) {
        return new PollOutcome(Action.DROPPED, status, Optional.of(reason));
    }

    static PollOutcome later(String reason) {
        return new PollOutcome(Action.LATER, Optional.empty(), Optional.of(reason));
    }
}
