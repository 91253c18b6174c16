package io.s3imagetovideo.api;

import io.s3imagetovideo.time.Sleeper;
import io.s3imagetovideo.log.Log;
import io.s3imagetovideo.log.Metrics;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * The one retry loop: attempts through {@link ApiTransport}, each answer read by the resource that asked,
 * each failure classified by {@link ApiErrors}, each "again?" decided by {@link RetryPolicy}, each wait
 * on the injected {@link Sleeper} so that tests own time.
 */
public final class Retrying {

    private final ApiTransport transport;
    private final ApiErrors errors;
    private final RetryPolicy policy;
    private final Clock clock;
    private final Sleeper sleeper;
    private final RandomGenerator random;

    public Retrying(ApiTransport transport, ApiErrors errors, RetryPolicy policy, Clock clock, Sleeper sleeper,
            RandomGenerator random) {
        this.transport = transport;
        this.errors = errors;
        this.policy = policy;
        this.clock = clock;
        this.sleeper = sleeper;
        this.random = random;
    }

    public ApiTransport transport() {
        return transport;
    }

    public ApiErrors errors() {
        return errors;
    }

    /** The same loop under another policy (fewer attempts for a status check, say). */
    public Retrying with(RetryPolicy other) {
        return new Retrying(transport, errors, other, clock, sleeper, random);
    }

    /** How a resource reads an answer that arrived: the value it wanted, or the error it stands for. */
    @FunctionalInterface
    public interface Reader<B, T> {
        Reading<T> read(ApiTransport.Attempt.Answered<B> answered);
    }

    public sealed interface Reading<T> {
        record Value<T>(T value) implements Reading<T> {}

        record Error<T>(ApiError error) implements Reading<T> {}
    }

    public <B, T> ApiResult<T> call(ApiRequest request, HttpResponse.BodyHandler<B> handler, Reader<B, T> reader,
            Instant deadline) {
        int exchanges = 0;
        ApiError previous = null;
        for (int attempt = 1; ; attempt++) {
            ApiTransport.Attempt<B> sent = transport.send(request, handler, deadline);
            exchanges += sent.exchanges();
            if (previous != null && sent.exchanges() == 0) {
                // The wait ate the time left (a sleep runs a little long): the host's last word says more.
                return new ApiResult.Failed<>(previous, exchanges);
            }
            Reading<T> reading = switch (sent) {
                case ApiTransport.Attempt.NoAnswer<B> none -> {
                    if (none.exchanges() > 0) {
                        Metrics.count(Metrics.Metric.HOST_UNREACHABLE);
                    }
                    yield new Reading.Error<>(none.error());
                }
                case ApiTransport.Attempt.Answered<B> answered -> {
                    Metrics.hostAnswer(answered.response().statusCode());
                    yield reader.read(answered);
                }
            };
            ApiError error;
            switch (reading) {
                case Reading.Value<T> value -> {
                    return new ApiResult.Ok<>(value.value(), exchanges);
                }
                case Reading.Error<T> failed -> error = failed.error();
            }
            RetryPolicy.Decision decision = policy.decide(error, attempt, clock.instant(), deadline, random);
            switch (decision) {
                case RetryPolicy.Decision.GiveUp giveUp -> {
                    if (giveUp.reason() == RetryPolicy.Reason.DEADLINE) {
                        Log.warn("api_retry_abandoned", "operation", request.operation(), "attempt", attempt,
                                "code", error.code(), "reason", "the wait would pass the invocation's deadline");
                    }
                    return new ApiResult.Failed<>(error, exchanges);
                }
                case RetryPolicy.Decision.Retry retry -> {
                    Log.info("api_retry", "operation", request.operation(), "attempt", attempt,
                            "http_status", error.httpStatus().isPresent() ? error.httpStatus().getAsInt() : null,
                            "code", error.code(), "wait_ms", retry.delay().toMillis());
                    Metrics.count(Metrics.Metric.API_RETRIES);
                    previous = error;
                    try {
                        sleeper.sleep(retry.delay());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return new ApiResult.Failed<>(new ApiError.Unreachable("interrupted",
                                "Interrupted while waiting to retry."), exchanges);
                    }
                }
            }
        }
    }
}
