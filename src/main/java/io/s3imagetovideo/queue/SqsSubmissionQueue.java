package io.s3imagetovideo.queue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.log.Log;
import java.time.Duration;
import java.time.Instant;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.sqs.SqsClient;

/** {@link SubmissionQueue} on SQS ({@code SUBMISSION_QUEUE_URL}). */
public final class SqsSubmissionQueue implements SubmissionQueue {

    /** SQS's longest visibility timeout, 12 hours. */
    static final long MAX_VISIBILITY_SECONDS = 43_200;

    private final SqsClient sqs;
    private final String queueUrl;
    private final ObjectMapper mapper;

    public SqsSubmissionQueue(SqsClient sqs, String queueUrl, ObjectMapper mapper) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.mapper = mapper;
    }

    @Override
    public boolean canSendBack() {
        return true;
    }

    @Override
    public void sendBack(UploadEvent upload, Instant notBefore, Instant now) {
        // Rounded up: a message back a fraction of a second early would only hop again, at once.
        long seconds = (Duration.between(now, notBefore).toMillis() + 999) / 1000;
        int delay = (int) Math.max(0, Math.min(SqsStatusChecks.SQS_MAX_DELAY_SECONDS, seconds));
        String body = upload.sentBackBody(mapper, notBefore).toString();
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body).delaySeconds(delay));
        Log.info("upload_sent_back", "bucket", upload.bucket(), "key", upload.key(), "not_before", notBefore.toString(),
                "delay_seconds", delay);
    }

    @Override
    public void delayRedelivery(String receiptHandle, Duration wait) {
        int seconds = (int) Math.max(0, Math.min(MAX_VISIBILITY_SECONDS, wait.toSeconds()));
        try {
            sqs.changeMessageVisibility(b -> b.queueUrl(queueUrl).receiptHandle(receiptHandle).visibilityTimeout(seconds));
        } catch (SdkException e) {
            // The message comes again on the queue's own visibility timeout instead: later, never lost.
            Log.warn("redelivery_delay_not_set", "error", e.getClass().getSimpleName(), "message", e.getMessage());
        }
    }
}
