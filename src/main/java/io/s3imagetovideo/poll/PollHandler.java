package io.s3imagetovideo.poll;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestHandler;
import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.events.SQSEvent.SQSMessage;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.api.ApiKeySource;
import io.s3imagetovideo.api.RetryPolicy;
import io.s3imagetovideo.api.Sleeper;
import io.s3imagetovideo.api.VideoApiClient;
import io.s3imagetovideo.aws.AwsClients;
import io.s3imagetovideo.aws.InvocationDeadline;
import io.s3imagetovideo.config.Config;
import io.s3imagetovideo.config.ConfigException;
import io.s3imagetovideo.log.Log;
import io.s3imagetovideo.record.RecordStore;
import io.s3imagetovideo.submit.ApiKeys;
import java.net.http.HttpClient;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * The poll function: SQS batches of {@link StatusCheck}s. Thin by design: it parses each message and
 * hands it to {@link PollService}. A check that failed transiently is reported in
 * {@code batchItemFailures}, so the queue delivers it again (and, after its receive limit, to the
 * dead-letter queue); the other messages of the batch are done with.
 */
public final class PollHandler implements RequestHandler<SQSEvent, SQSBatchResponse> {

    /** A check is not started with less time than this left; the queue hands it to a later invocation. */
    static final Duration MIN_TIME_TO_START = Duration.ofSeconds(30);
    /** Few attempts, short waits: the queue is the place to wait out a longer outage. */
    static final int STATUS_MAX_ATTEMPTS = 3;
    static final Duration STATUS_RETRY_MAX_DELAY = Duration.ofSeconds(5);

    private final PollService service;
    private final ObjectMapper mapper;
    private final Clock clock;

    /** The constructor Lambda calls: clients are built once per container, from the environment. */
    public PollHandler() {
        this(PollPriming.registered(Wiring.fromEnvironment(System.getenv())));
    }

    /** For tests and local runs: every client and the clock are given. */
    public PollHandler(Config config, S3Client s3, SqsClient sqs, HttpClient http, ObjectMapper mapper,
            ApiKeySource keys, Clock clock, Sleeper sleeper) {
        this(new Wiring(config, s3, sqs, http, mapper, keys, clock, sleeper));
    }

    private PollHandler(Wiring wiring) {
        this.service = wiring.pollService();
        this.mapper = wiring.mapper();
        this.clock = wiring.clock();
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
            Optional<StatusCheck> check = parse(message.getBody());
            if (check.isEmpty()) {
                // Retrying cannot make it readable: dropped, not left to cycle into the dead-letter queue.
                Log.warn("poll_message_malformed", "message_id", messageId, "body_chars",
                        message.getBody() == null ? 0 : message.getBody().length());
                continue;
            }
            try {
                service.check(check.get(), deadline);
            } catch (RuntimeException e) {
                // The other messages still get their turn; this one goes back to the queue.
                Log.error("poll_failed", "message_id", messageId, "bucket", check.get().bucket(),
                        "record", check.get().recordKey(), "job_id", check.get().jobId(),
                        "check", check.get().check(), "error", e.getClass().getSimpleName(), "message", e.getMessage());
                failures.add(new SQSBatchResponse.BatchItemFailure(messageId));
            }
        }
        return new SQSBatchResponse(failures);
    }

    private Optional<StatusCheck> parse(String body) {
        if (body == null || body.isBlank()) {
            return Optional.empty();
        }
        try {
            return StatusCheck.fromJson(mapper.readTree(body))
                    .filter(c -> !c.bucket().isBlank() && !c.recordKey().isBlank() && !c.jobId().isBlank());
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    /** Everything the function needs, built once. */
    record Wiring(Config config, S3Client s3, SqsClient sqs, HttpClient http, ObjectMapper mapper,
            ApiKeySource keys, Clock clock, Sleeper sleeper) {

        static Wiring fromEnvironment(Map<String, String> env) {
            Config config = Config.fromEnv(env);
            queueUrl(config);
            ObjectMapper mapper = new ObjectMapper();
            SdkHttpClient awsHttp = AwsClients.httpClient();
            S3Client s3 = AwsClients.s3(env, awsHttp);
            SqsClient sqs = AwsClients.sqs(env, awsHttp);
            ApiKeySource keys = ApiKeys.fromConfig(config, env, awsHttp, mapper);
            HttpClient http = VideoApiClient.newHttpClient(config.apiConnectTimeout());
            return new Wiring(config, s3, sqs, http, mapper, keys, Clock.systemUTC(), Sleeper.SYSTEM);
        }

        /** The poll function reschedules its own checks, so it cannot do without the queue. */
        static String queueUrl(Config config) {
            return config.pollQueueUrl().orElseThrow(() -> new ConfigException(
                    "POLL_QUEUE_URL is not set: the poll function sends the next status check to that queue"));
        }

        PollService pollService() {
            Duration maxDelay = config.apiRetryMaxDelay().compareTo(STATUS_RETRY_MAX_DELAY) < 0
                    ? config.apiRetryMaxDelay() : STATUS_RETRY_MAX_DELAY;
            var retry = new RetryPolicy(Math.min(config.apiMaxAttempts(), STATUS_MAX_ATTEMPTS),
                    config.apiRetryInitialDelay(), maxDelay, RetryPolicy.DEFAULT_SAFETY_MARGIN);
            var api = new VideoApiClient(http, config.videoApiBaseUrl(), keys, mapper, retry,
                    config.apiRequestTimeout(), clock, sleeper, new SecureRandom());
            var scheduler = new SqsJobScheduler(sqs, queueUrl(config), mapper, config.pollInitialDelaySeconds());
            var schedule = new PollSchedule(config.pollInitialDelaySeconds(), config.pollMaxDelaySeconds(),
                    Duration.ofSeconds(config.pollMaxAgeSeconds()));
            return new PollService(new RecordStore(s3, mapper), mapper, api, s3, scheduler, schedule, clock);
        }
    }
}
