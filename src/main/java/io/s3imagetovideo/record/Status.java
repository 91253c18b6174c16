package io.s3imagetovideo.record;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The {@code status} of a job record (docs/contract.md, "Job record"): always one of these words. */
public enum Status {
    /** One of the pair is not there yet; {@code missing} says which. */
    WAITING,
    /** An invocation holds the claim and is calling the host, or handed the claim back after transient failures. */
    SUBMITTING,
    /** The day's spend cap is reached; the upload goes on by itself at {@code resumes_at}. */
    HELD,
    /** The input is wrong; nothing was sent. */
    REJECTED,
    QUEUED,
    IN_PROGRESS,
    COMPLETED,
    /** The host refused the request, or the job failed. */
    FAILED,
    /** The job did not finish within the polling limit. */
    EXPIRED,
    /** Read only, never written: a document at the record's key that is not a record of ours. */
    FOREIGN;

    /** The word in the record. */
    public String word() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Status> ofWord(String word) {
        return Arrays.stream(values()).filter(s -> s != FOREIGN && s.word().equals(word)).findFirst();
    }

    /** A job in one of these states is not followed any more. */
    public boolean isTerminal() {
        return this == COMPLETED || this == FAILED || this == EXPIRED || this == REJECTED;
    }
}
