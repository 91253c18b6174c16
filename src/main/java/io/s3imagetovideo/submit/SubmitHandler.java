package io.s3imagetovideo.submit;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import io.s3imagetovideo.config.ImageTransport;
import io.s3imagetovideo.api.RetryPolicy;
import io.s3imagetovideo.config.Env;
import io.s3imagetovideo.config.SubmitConfig;
import io.s3imagetovideo.lambda.InvocationDeadline;
import io.s3imagetovideo.lambda.SqsBatchJson;
import io.s3imagetovideo.log.Log;
import io.s3imagetovideo.queue.SubmissionMessages;
import io.s3imagetovideo.queue.SubmissionQueue;
import io.s3imagetovideo.queue.UploadEvent;
import io.s3imagetovideo.wiring.Dependencies;
import io.s3imagetovideo.wiring.DependencyFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The submit function: messages of the submission queue, each an S3 event notification, an EventBridge
 * S3 event, or an upload it sent back itself (docs/contract.md, "Submission queue"). Thin by design: it
 * reads each message's uploads and hands each to {@link SubmitService}. An upload that waits (a busy
 * host, the day's cap) is sent back as a new, delayed message, so that waiting never counts as a failed
 * receive; one that must come again for another reason is a batch item failure, kept out of sight a
 * while longer each time, until the queue's bounded receive count moves it to the dead-letter queue.
 * A typed handler for callers in Java and a stream handler for Lambda's runtime, which so maps no event.
 */
public final class SubmitHandler implements RequestHandler<SQSEvent, SQSBatchResponse>, RequestStreamHandler {

    private final SubmitService service;
    private final SubmissionMessages messages;
    private final SubmissionQueue queue;
    private final Clock clock;
    private final ObjectMapper mapper;

    /** The constructor Lambda calls: clients are built once per container, from the environment. */
    public SubmitHandler() {
        Map<String, String> env = System.getenv();
        SubmitConfig config = SubmitConfig.fromEnv(env);
        Dependencies dependencies = DependencyFactory.fromEnvironment(env, config.api(),
                config.pollQueueUrl().isPresent() || config.submissionQueueUrl().isPresent());
        if (config.image().sendAs() == ImageTransport.SendAs.PRESIGNED_URL) {
            dependencies = dependencies.withLinks(DependencyFactory.presignedLinks(new Env(env)));
        }
        SubmitPriming.register(config, dependencies);
        this.service = SubmitFunction.service(config, dependencies);
        this.messages = new SubmissionMessages(dependencies.mapper());
        this.queue = SubmitFunction.queue(config, dependencies);
        this.clock = dependencies.clock();
        this.mapper = dependencies.mapper();
    }

    /** For tests and local runs: the settings, every client and the clock are given. */
    public SubmitHandler(SubmitConfig config, Dependencies dependencies) {
        this.service = SubmitFunction.service(config, dependencies);
        this.messages = new SubmissionMessages(dependencies.mapper());
        this.queue = SubmitFunction.queue(config, dependencies);
        this.clock = dependencies.clock();
        this.mapper = dependencies.mapper();
    }

    /**
     * What Lambda's runtime calls: of two {@code handleRequest} methods it takes the one with more
     * parameters, and a stream handler's event and answer it passes as they are, without its serialiser.
     * The SQS event's JSON in, the partial batch response's JSON out, read and written as the typed
     * method below would have them ({@link SqsBatchJson}).
     */
    @Override
    public void handleRequest(InputStream event, OutputStream response, Context context) throws IOException {
        SqsBatchJson.write(handleRequest(SqsBatchJson.read(event, mapper), context), response, mapper);
    }

    /** The batch's uploads, each to the service; the messages that must come again are the answer. */
    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        Log.requestId(context == null ? null : context.getAwsRequestId());
        Instant deadline = InvocationDeadline.of(clock, context);
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        List<SQSEvent.SQSMessage> received = event == null || event.getRecords() == null ? List.of() : event.getRecords();
        for (SQSEvent.SQSMessage message : received) {
            boolean handled;
            if (clock.instant().isAfter(deadline.minus(RetryPolicy.DEFAULT_SAFETY_MARGIN))) {
                Log.warn("message_not_started", "message_id", message.getMessageId(), "reason",
                        "no time left in this invocation; the message comes again");
                handled = false;
            } else {
                handled = handle(message, deadline);
            }
            if (!handled) {
                failures.add(SQSBatchResponse.BatchItemFailure.builder()
                        .withItemIdentifier(message.getMessageId()).build());
                if (message.getReceiptHandle() != null) {
                    queue.delayRedelivery(message.getReceiptHandle(), RetryPolicy.redeliveryAfter(receiveCount(message)));
                }
            }
        }
        return SQSBatchResponse.builder().withBatchItemFailures(failures).build();
    }

    /** Whether the message is done with: false when it must come again. */
    private boolean handle(SQSEvent.SQSMessage message, Instant deadline) {
        List<UploadEvent> uploads;
        switch (messages.parse(message.getBody())) {
            case SubmissionMessages.Parsed.Ignored ignored -> {
                Log.info("message_ignored", "message_id", message.getMessageId(), "reason", ignored.reason());
                return true;
            }
            case SubmissionMessages.Parsed.Uploads parsed -> {
                parsed.skipped().forEach(reason -> Log.info("event_ignored", "message_id", message.getMessageId(),
                        "reason", reason));
                uploads = parsed.uploads();
            }
        }
        boolean done = true;
        for (UploadEvent upload : uploads) {
            done &= handle(upload, deadline);
        }
        return done;
    }

    private boolean handle(UploadEvent upload, Instant deadline) {
        try {
            Instant now = clock.instant();
            if (upload.notBefore().filter(now::isBefore).isPresent() && queue.canSendBack()) {
                // Its wait is longer than one SQS delay: another hop, without a look at S3 or the host.
                queue.sendBack(upload, upload.notBefore().get(), now);
                return true;
            }
            SubmitOutcome outcome = service.handle(upload.bucket(), upload.key(), deadline);
            if (outcome.comeBackAt().isPresent()) {
                return comeBack(upload, outcome);
            }
            if (outcome.action() == SubmitOutcome.Action.LATER) {
                Log.warn("submit_later", "bucket", upload.bucket(), "key", upload.key(), "reason",
                        outcome.reason().orElse(null));
                return false;
            }
            return true;
        } catch (RuntimeException e) {
            // S3 or SQS failing, say: a fault, not an outcome; the message comes again all the same.
            Log.error("submit_failed", "bucket", upload.bucket(), "key", upload.key(), "error",
                    e.getClass().getSimpleName(), "message", e.getMessage());
            return false;
        }
    }

    /** The upload waits: sent back to come again at its time, or, without a queue to send to, failed. */
    private boolean comeBack(UploadEvent upload, SubmitOutcome outcome) {
        Instant at = outcome.comeBackAt().orElseThrow();
        if (outcome.action() == SubmitOutcome.Action.NOT_YET && upload.notBefore().filter(t -> !t.equals(at)).isPresent()) {
            // A sent-back copy from an earlier wait (a duplicate notification made one): the record's own
            // next try has its message already, so this one ends here instead of circling beside it.
            Log.info("upload_wait_duplicate_dropped", "bucket", upload.bucket(), "key", upload.key(), "not_before",
                    upload.notBefore().get().toString(), "record_until", at.toString());
            return true;
        }
        if (queue.canSendBack()) {
            queue.sendBack(upload, at, clock.instant());
            return true;
        }
        Log.warn("upload_waits", "bucket", upload.bucket(), "key", upload.key(), "action",
                outcome.action().name().toLowerCase(Locale.ROOT), "until", at.toString(), "reason",
                "no SUBMISSION_QUEUE_URL to send it back to: the message fails and comes again on the queue's timeout");
        return false;
    }

    private static int receiveCount(SQSEvent.SQSMessage message) {
        String count = message.getAttributes() == null ? null : message.getAttributes().get("ApproximateReceiveCount");
        try {
            return count == null ? 1 : Integer.parseInt(count);
        } catch (NumberFormatException e) {
            return 1;
        }
    }
}
