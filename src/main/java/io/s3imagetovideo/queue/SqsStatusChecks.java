package io.s3imagetovideo.queue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.log.Log;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Status checks as delayed SQS messages (SQS delays a message by at most 900 seconds). */
public final class SqsStatusChecks implements StatusChecks {

    public static final int SQS_MAX_DELAY_SECONDS = 900;

    private final SqsClient sqs;
    private final String queueUrl;
    private final ObjectMapper mapper;

    public SqsStatusChecks(SqsClient sqs, String queueUrl, ObjectMapper mapper) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.mapper = mapper;
    }

    @Override
    public void send(StatusCheck check, int delaySeconds) {
        int delay = Math.max(0, Math.min(SQS_MAX_DELAY_SECONDS, delaySeconds));
        String body = check.toJson(mapper).toString();
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body).delaySeconds(delay));
        Log.info("status_check_scheduled", "bucket", check.bucket(), "record", check.recordKey(),
                "job_id", check.jobId(), "check", check.check(), "delay_seconds", delay);
    }
}
