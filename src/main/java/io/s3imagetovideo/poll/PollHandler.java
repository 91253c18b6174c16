package io.s3imagetovideo.poll;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.config.PollConfig;
import io.s3imagetovideo.lambda.InvocationDeadline;
import io.s3imagetovideo.log.Log;
import io.s3imagetovideo.queue.StatusCheck;
import io.s3imagetovideo.wiring.Dependencies;
import io.s3imagetovideo.wiring.DependencyFactory;
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
 * dead-letter queue); the other messages of the batch are done with.
 */
public final class PollHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

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
