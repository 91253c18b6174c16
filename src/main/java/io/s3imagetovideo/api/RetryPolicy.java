package io.s3imagetovideo.api;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
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

    /**
     * Connection errors, timeouts, 408, 409 and 5xx: the same request may succeed in a moment. A busy
     * host is not asked again within the invocation: a job slot frees in minutes, not seconds, and the
     * upload waits for it in the queue ({@link #whileBusy}) instead of in a billed sleep.
     */
    static boolean isRetryable(ApiError error) {
        // No time left, or told to stop: another attempt in this invocation cannot help.
        boolean outOfTime = error instanceof ApiError.Unreachable u
                && (u.code().equals("deadline") || u.code().equals("interrupted"));
        return error.isTransient() && !(error instanceof ApiError.Busy) && !outOfTime;
    }

    /** The shortest wait before a busy host is asked again, when it does not say. */
    public static final Duration BUSY_MIN_WAIT = Duration.ofSeconds(10);
    /** The longest: a freed slot is taken within this even by the last of a few waiting uploads. */
    public static final Duration BUSY_MAX_WAIT = Duration.ofSeconds(300);

    /**
     * When an upload that found the host busy asks again, having waited {@code waited} so far: never
     * before the host's {@code Retry-After}, and half as long again as it has waited already (between
     * {@link #BUSY_MIN_WAIT} and {@link #BUSY_MAX_WAIT}, give or take a fifth at random so that uploads
     * that arrived together spread out). The asks thin out geometrically: an upload that waits an hour
     * asks about 20 times, one that waits a day about 300, and a host that frees a slot every few minutes
     * is still asked within seconds of it by one of many waiting uploads.
     */
    public static Duration whileBusy(Optional<Duration> retryAfter, Duration waited, RandomGenerator random) {
        long grown = Math.max(BUSY_MIN_WAIT.toMillis(), Math.min(BUSY_MAX_WAIT.toMillis(), waited.toMillis() / 2));
        long jittered = (long) (grown * (0.8 + 0.4 * random.nextDouble()));
        long floor = retryAfter.map(Duration::toMillis).orElse(0L);
        return Duration.ofMillis(Math.max(floor, jittered));
    }

    /**
     * How long a message that failed for another reason (the host failing, S3 failing) stays out of
     * sight before its delivery number {@code receiveCount + 1}: 30 s, doubling, at most 15 minutes, so
     * that the queue's bounded receive count spans about an hour and a half, not ten quick failures.
     */
    public static Duration redeliveryAfter(int receiveCount) {
        long seconds = 30L << Math.min(Math.max(receiveCount - 1, 0), 10);
        return Duration.ofSeconds(Math.min(900, seconds));
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
