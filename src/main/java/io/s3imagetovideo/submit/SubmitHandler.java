package io.s3imagetovideo.submit;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3EventNotificationRecord;
import io.s3imagetovideo.config.SubmitConfig;
import io.s3imagetovideo.lambda.InvocationDeadline;
import io.s3imagetovideo.layout.BucketLayout;
import io.s3imagetovideo.log.Log;
import io.s3imagetovideo.wiring.Dependencies;
import io.s3imagetovideo.wiring.DependencyFactory;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The submit function: S3 {@code ObjectCreated} events for images and prompt files. Thin by design: it
 * decodes each record's key and hands it to {@link SubmitService}; an upload that must come again fails
 * the invocation, after the other records had their turn, so that Lambda delivers the event again.
 */
public final class SubmitHandler implements RequestHandler<S3Event, String> {

    private final SubmitService service;
    private final Clock clock;

    /** The constructor Lambda calls: clients are built once per container, from the environment. */
    public SubmitHandler() {
        SubmitConfig config = SubmitConfig.fromEnv(System.getenv());
        Dependencies dependencies = DependencyFactory.fromEnvironment(System.getenv(), config.api(),
                config.pollQueueUrl().isPresent());
        SubmitPriming.register(config, dependencies);
        this.service = SubmitFunction.service(config, dependencies);
        this.clock = dependencies.clock();
    }

    /** For tests and local runs: the settings, every client and the clock are given. */
    public SubmitHandler(SubmitConfig config, Dependencies dependencies) {
        this.service = SubmitFunction.service(config, dependencies);
        this.clock = dependencies.clock();
    }

    @Override
    public String handleRequest(S3Event event, Context context) {
        Log.requestId(context == null ? null : context.getAwsRequestId());
        Instant deadline = InvocationDeadline.of(clock, context);
        List<String> summary = new ArrayList<>();
        RuntimeException failure = null;
        List<S3EventNotificationRecord> records = event == null || event.getRecords() == null
                ? List.of() : event.getRecords();
        for (S3EventNotificationRecord record : records) {
            String bucket = record.getS3().getBucket().getName();
            String rawKey = record.getS3().getObject().getKey();
            if (record.getEventName() != null && !record.getEventName().startsWith("ObjectCreated")) {
                Log.info("event_ignored", "bucket", bucket, "raw_key", rawKey, "event_name", record.getEventName());
                summary.add(rawKey + ": ignored (" + record.getEventName() + ")");
                continue;
            }
            var key = BucketLayout.eventKey(rawKey);
            if (key.isEmpty()) {
                Log.warn("key_undecodable", "bucket", bucket, "raw_key", rawKey, "reason", "malformed percent escape");
                summary.add(rawKey + ": ignored (malformed key encoding)");
                continue;
            }
            RuntimeException failed;
            try {
                SubmitOutcome outcome = service.handle(bucket, key.get(), deadline);
                if (outcome.action() != SubmitOutcome.Action.LATER) {
                    summary.add(key.get() + ": " + outcome.action().name().toLowerCase(Locale.ROOT)
                            + outcome.status().map(s -> " (" + s.word() + ")").orElse("")
                            + outcome.jobId().map(id -> " " + id).orElse(""));
                    continue;
                }
                failed = new SubmitLaterException(outcome.reason().orElse("Could not submit " + key.get() + " yet."));
            } catch (RuntimeException e) {
                // S3 failing, say: a fault, not an outcome; the event comes again all the same.
                failed = e;
            }
            // The other records still get their turn; the invocation fails at the end so Lambda retries.
            Log.error("submit_failed", "bucket", bucket, "key", key.get(), "error", failed.getClass().getSimpleName(),
                    "message", failed.getMessage());
            summary.add(key.get() + ": failed, will be retried");
            if (failure == null) {
                failure = failed;
            } else {
                failure.addSuppressed(failed);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return String.join("\n", summary);
    }
}
