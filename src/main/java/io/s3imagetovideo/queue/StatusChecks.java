package io.s3imagetovideo.queue;

/**
 * The poll queue's contract, shared by both functions: the submit function sends a job's first status
 * check, the poll function each next one.
 */
public interface StatusChecks {

    /** Sends nothing: for runs without a poll queue. */
    StatusChecks NONE = (check, delaySeconds) -> { };

    /** Sends {@code check}, to be delivered after {@code delaySeconds} (SQS allows 0 to 900). */
    void send(StatusCheck check, int delaySeconds);
}
