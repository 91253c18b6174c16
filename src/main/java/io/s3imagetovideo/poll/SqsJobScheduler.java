package io.s3imagetovideo.poll;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.s3imagetovideo.log.Log;
import software.amazon.awssdk.services.sqs.SqsClient;

/** Schedules status checks as delayed SQS messages (SQS delays reach 900 seconds at most). */
public final class SqsJobScheduler implements JobScheduler {

    private final SqsClient sqs;
    private final String queueUrl;
    private final ObjectMapper mapper;
    private final int initialDelaySeconds;

    public SqsJobScheduler(SqsClient sqs, String queueUrl, ObjectMapper mapper, int initialDelaySeconds) {
        this.sqs = sqs;
        this.queueUrl = queueUrl;
        this.mapper = mapper;
        this.initialDelaySeconds = initialDelaySeconds;
    }

    @Override
    public void scheduleFirstCheck(String bucket, String recordKey, String jobId) {
        send(new StatusCheck(bucket, recordKey, jobId, 1), initialDelaySeconds);
    }

    public void send(StatusCheck check, int delaySeconds) {
        int delay = Math.max(0, Math.min(900, delaySeconds));
        ObjectNode body = check.toJson(mapper);
        sqs.sendMessage(b -> b.queueUrl(queueUrl).messageBody(body.toString()).delaySeconds(delay));
        Log.info("status_check_scheduled", "bucket", check.bucket(), "record", check.recordKey(),
                "job_id", check.jobId(), "check", check.check(), "delay_seconds", delay);
    }
}
