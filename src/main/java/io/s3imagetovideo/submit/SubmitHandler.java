package io.s3imagetovideo.submit;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.events.models.s3.S3EventNotification.S3EventNotificationRecord;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.api.ApiKeySource;
import io.s3imagetovideo.api.RetryPolicy;
import io.s3imagetovideo.api.Sleeper;
import io.s3imagetovideo.api.VideoApiClient;
import io.s3imagetovideo.aws.AwsClients;
import io.s3imagetovideo.aws.InvocationDeadline;
import io.s3imagetovideo.config.Config;
import io.s3imagetovideo.image.ImageFitter;
import io.s3imagetovideo.layout.BucketLayout;
import io.s3imagetovideo.log.Log;
import io.s3imagetovideo.poll.JobScheduler;
import io.s3imagetovideo.poll.SqsJobScheduler;
import io.s3imagetovideo.record.JobRecords;
import io.s3imagetovideo.record.RecordStore;
import io.s3imagetovideo.sidecar.SidecarDefaults;
import io.s3imagetovideo.sidecar.SidecarParser;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The submit function: S3 {@code ObjectCreated} events for images and prompt sidecars. Thin by design:
 * it decodes each record's key and hands it to {@link SubmitService}.
 */
public final class SubmitHandler implements RequestHandler<S3Event, String> {


    private final SubmitService service;
    private final Clock clock;

    /** The constructor Lambda calls: clients are built once per container, from the environment. */
    public SubmitHandler() {
        this(SubmitPriming.registered(Wiring.fromEnvironment(System.getenv())));
    }

    /** For tests and local runs: every client and the clock are given. */
    public SubmitHandler(Config config, S3Client s3, SqsClient sqs, HttpClient http, ObjectMapper mapper,
            ApiKeySource keys, Clock clock, Sleeper sleeper) {
        this(new Wiring(config, s3, sqs, http, mapper, keys, clock, sleeper));
    }

    private SubmitHandler(Wiring wiring) {
        this.service = wiring.submitService();
        this.clock = wiring.clock();
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
            String key;
            try {
                key = BucketLayout.decodeEventKey(rawKey);
            } catch (IllegalArgumentException e) {
                Log.warn("key_undecodable", "bucket", bucket, "raw_key", rawKey, "reason", e.getMessage());
                summary.add(rawKey + ": ignored (malformed key encoding)");
                continue;
            }
            try {
                SubmitService.Outcome outcome = service.handle(bucket, key, deadline);
                summary.add(key + ": " + outcome.action()
                        + (outcome.status() == null ? "" : " (" + outcome.status() + ")")
                        + (outcome.jobId() == null ? "" : " " + outcome.jobId()));
            } catch (RuntimeException e) {
                // Other records still get their turn; the invocation fails at the end so Lambda retries.
                Log.error("submit_failed", "bucket", bucket, "key", key, "error", e.getClass().getSimpleName(),
                        "message", e.getMessage());
                summary.add(key + ": failed, will be retried");
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
        return String.join("\n", summary);
    }

    /** Everything the function needs, built once. */
    record Wiring(Config config, S3Client s3, SqsClient sqs, HttpClient http, ObjectMapper mapper,
            ApiKeySource keys, Clock clock, Sleeper sleeper) {

        static Wiring fromEnvironment(Map<String, String> env) {
            Config config = Config.fromEnv(env);
            ObjectMapper mapper = new ObjectMapper();
            SdkHttpClient awsHttp = AwsClients.httpClient();
            S3Client s3 = AwsClients.s3(env, awsHttp);
            SqsClient sqs = config.pollQueueUrl().isPresent() ? AwsClients.sqs(env, awsHttp) : null;
            ApiKeySource keys = ApiKeys.fromConfig(config, env, awsHttp, mapper);
            HttpClient http = VideoApiClient.newHttpClient(config.apiConnectTimeout());
            return new Wiring(config, s3, sqs, http, mapper, keys, Clock.systemUTC(), Sleeper.SYSTEM);
        }

        SubmitService submitService() {
            var defaults = new SidecarDefaults(config.defaultModel(), config.defaultSeconds(), config.defaultSize(),
                    config.defaultWatermark(), config.defaultPrivate(), config.defaultFit());
            var retry = new RetryPolicy(config.apiMaxAttempts(), config.apiRetryInitialDelay(),
                    config.apiRetryMaxDelay(), RetryPolicy.DEFAULT_SAFETY_MARGIN);
            var api = new VideoApiClient(http, config.videoApiBaseUrl(), keys, mapper, retry,
                    config.apiRequestTimeout(), clock, sleeper, new SecureRandom());
            JobScheduler scheduler = sqs == null || config.pollQueueUrl().isEmpty()
                    ? JobScheduler.NONE
                    : new SqsJobScheduler(sqs, config.pollQueueUrl().get(), mapper, config.pollInitialDelaySeconds());
            return new SubmitService(s3, new RecordStore(s3, mapper), new JobRecords(mapper),
                    new SidecarParser(mapper, defaults), api, scheduler, config.maxImageBytes(),
                    new ImageFitter(config.maxImagePixels()), clock);
        }
    }
}
