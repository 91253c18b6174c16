package io.s3imagetovideo.poll;

/**
 * A status check could not be finished now (the API or the download failed transiently, or time ran
 * out). The message goes back to the queue as a batch item failure, and SQS delivers it again.
 */
public final class PollLaterException extends RuntimeException {
    public PollLaterException(String recordKey, String reason, Throwable cause) {
        super("Could not finish the status check of " + recordKey + " yet: " + reason, cause);
    }
}
