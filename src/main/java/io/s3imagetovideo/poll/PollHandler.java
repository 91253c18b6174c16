package io.s3imagetovideo.poll;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.config.PollConfig;
import io.s3imagetovideo.lambda.InvocationDeadline;
import io.s3imagetovideo.lambda.SqsBatchJson;
import io.s3imagetovideo.log.Log;
import io.s3imagetovideo.queue.StatusCheck;
import io.s3imagetovideo.wiring.Dependencies;
import io.s3imagetovideo.wiring.DependencyFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The poll function: SQS batches of {@link StatusCheck}s. Thin by design: it parses each message and
 * hands it to {@link PollService}. A check that must come again is reported in
 * {@code batchItemFailures}, so the queue delivers it again (and, after its receive limit, to the
 * dead-letter queue); the other messages of the batch are done with. A typed handler for callers in
 * Java and a stream handler for Lambda's runtime, which so maps no event.
 */
public final class PollHandler implements RequestHandler<SQSEvent, SQSBatchResponse>, RequestStreamHandler {

    /** A check is not started with less time than this left; the queue hands it to a later invocation. */
    static final Duration MIN_TIME_TO_START = Duration.ofSeconds(30);

    private final PollService service;
    private final ObjectMapper mapper;
    private final Clock clock;

    /** The constructor Lambda calls: clients are built once per container, from the environment. */
    public PollHandler() {
        PollConfig config = PollConfig.fromEnv(System.getenv());
        Dependencies dependencies = DependencyFactory.fromEnvironment(System.getenv(), config.api(), true);
        PollPriming.register(config, dependencies);
        this.service = PollFunction.service(config, dependencies);
        this.mapper = dependencies.mapper();
        this.clock = dependencies.clock();
    }

    /** For tests and local runs: the settings, every client and the clock are given. */
    public PollHandler(PollConfig config, Dependencies dependencies) {
        this.service = PollFunction.service(config, dependencies);
        this.mapper = dependencies.mapper();
        this.clock = dependencies.clock();
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

    /** The batch's status checks, each to the service; the checks that must come again are the answer. */
    @Override
    public SQSBatchResponse handleRequest(SQSEvent event, Context context) {
        Log.requestId(context == null ? null : context.getAwsRequestId());
        Instant deadline = InvocationDeadline.of(clock, context);
        List<SQSBatchResponse.BatchItemFailure> failures = new ArrayList<>();
        List<SQSMessage> messages = event == null || event.getRecords() == null ? List.of() : event.getRecords();
        for (SQSMessage message : messages) {
            String messageId = message.getMessageId();
            if (Duration.between(clock.instant(), deadline).compareTo(MIN_TIME_TO_START) < 0) {
                Log.warn("poll_not_started", "message_id", messageId, "reason", "too little time left");
                failures.add(new SQSBatchResponse.BatchItemFailure(messageId));
                continue;
            }
            Optional<StatusCheck> check = StatusCheck.parse(message.getBody(), mapper);
            if (check.isEmpty()) {
                // Retrying cannot make it readable: dropped, not left to cycle into the dead-letter queue.
                Log.warn("poll_message_malformed", "message_id", messageId, "body_chars",
                        message.getBody() == null ? 0 : message.getBody().length());
                continue;
            }
            PollOutcome outcome;
            try {
                outcome = service.check(check.get(), deadline);
            } catch (RuntimeException e) {
                // S3 or SQS failing, say: the other messages still get their turn, this one comes again.
                outcome = PollOutcome.later(e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            if (outcome.action() == PollOutcome.Action.LATER) {
                Log.error("poll_failed", "message_id", messageId, "bucket", check.get().bucket(),
                        "record", check.get().recordKey(), "job_id", check.get().jobId(),
                        "check", check.get().check(), "message", outcome.reason().orElse(""));
                failures.add(new SQSBatchResponse.BatchItemFailure(messageId));
            }
        }
        return new SQSBatchResponse(failures);
    }
}
