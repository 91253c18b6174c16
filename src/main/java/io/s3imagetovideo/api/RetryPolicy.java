package io.s3imagetovideo.api;

import java.time.Duration;
import java.time.Instant;
import java.util.random.RandomGenerator;

/**
 * Whether and when to try a failed call again; every retry decision of the functions is made here.
 * Exponential backoff with full jitter (a random wait between zero and {@code min(maxDelay,
 * initialDelay * 2^retry)}), unless the host says how long to wait. {@code safetyMargin} is kept free
 * before the invocation's deadline for writing the outcome.
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay, Duration safetyMargin) {

    public static final Duration DEFAULT_SAFETY_MARGIN = Duration.ofSeconds(10);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
    }

    /** The same policy with at most {@code attempts} attempts and waits of at most {@code delay}. */
    public RetryPolicy atMost(int attempts, Duration delay) {
        return new RetryPolicy(Math.min(maxAttempts, attempts), initialDelay,
                maxDelay.compareTo(delay) < 0 ? maxDelay : delay, safetyMargin);
    }

    /** What to do after attempt {@code attempt} failed with {@code error}. */
    public sealed interface Decision {
        record Retry(Duration delay) implements Decision {}

        record GiveUp(Reason reason) implements Decision {}
    }

    public enum Reason { NOT_RETRYABLE, ATTEMPTS_USED, DEADLINE }

    public Decision decide(ApiError error, int attempt, Instant now, Instant deadline, RandomGenerator random) {
        if (!isRetryable(error) || Thread.currentThread().isInterrupted()) {
            return new Decision.GiveUp(Reason.NOT_RETRYABLE);
        }
        if (attempt >= maxAttempts) {
            return new Decision.GiveUp(Reason.ATTEMPTS_USED);
        }
        Duration wait = error.retryAfter().orElseGet(() -> backoff(attempt, random));
        Instant nextStart = now.plus(wait).plus(ApiTransport.MIN_ATTEMPT_TIME);
        if (nextStart.isAfter(deadline.minus(safetyMargin))) {
            return new Decision.GiveUp(Reason.DEADLINE);
        }
        return new Decision.Retry(wait);
    }

    /** Connection errors, timeouts, 408, 409, 429 and 5xx: the same request may succeed later. */
    static boolean isRetryable(ApiError error) {
        // No time left, or told to stop: another attempt in this invocation cannot help.
        boolean outOfTime = error instanceof ApiError.Unreachable u
                && (u.code().equals("deadline") || u.code().equals("interrupted"));
        return error.isTransient() && !outOfTime;
    }

    /** The wait before retry number {@code retry} (1 for the first retry). */
    public Duration backoff(int retry, RandomGenerator random) {
        long ceiling = initialDelay.toMillis() << Math.min(retry - 1, 30);
        if (ceiling < 0 || ceiling > maxDelay.toMillis()) {
            ceiling = maxDelay.toMillis();
        }
        return Duration.ofMillis(ceiling <= 0 ? 0 : random.nextLong(ceiling + 1));
    }
}
