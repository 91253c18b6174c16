package io.s3imagetovideo.queue;

import java.time.Duration;
import java.time.Instant;

/**
 * The submission queue as the submit function uses it: an upload that must wait (a busy host, the
 * day's cap) is sent back as a new message, delayed, so that waiting never counts as a failed
 * receive and never leads to the dead-letter queue; an upload that failed for another reason stays
 * out of sight a while longer before SQS delivers it again.
 */
public interface SubmissionQueue {

    /** Whether messages can be sent back: false where the function runs without its queue (a local invoke). */
    boolean canSendBack();

    /**
     * Sends {@code upload} back to come again at {@code notBefore}. SQS delays a message by at most 900 s;
     * a longer wait is several hops, each cut short without touching S3 or the host.
     */
    void sendBack(UploadEvent upload, Instant notBefore, Instant now);

    /** Keeps a failed message out of sight for {@code wait} before SQS delivers it again; best effort. */
    void delayRedelivery(String receiptHandle, Duration wait);

    /** No queue: nothing is sent back, failed messages come again on the queue's own timeout. */
    SubmissionQueue NONE = new SubmissionQueue() {
        @Override
        public boolean canSendBack() {
            return false;
        }

        @Override
        public void sendBack(UploadEvent upload, Instant notBefore, Instant now) {
            throw new IllegalStateException("no submission queue: SUBMISSION_QUEUE_URL is not set");
        }

        @Override
        public void delayRedelivery(String receiptHandle, Duration wait) {
            // nothing to delay: the queue's visibility timeout decides
        }
    };
}
