package io.s3imagetovideo.api;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How often and how long to retry a transient failure: exponential backoff with full jitter
 * (a random wait between zero and {@code min(maxDelay, initialDelay * 2^retry)}), unless the API says
 * how long to wait. {@code safetyMargin} is kept free before the invocation's deadline for writing
 * the outcome.
 */
public record RetryPolicy(int maxAttempts, Duration initialDelay, Duration maxDelay, Duration safetyMargin) {

    public static final Duration DEFAULT_SAFETY_MARGIN = Duration.ofSeconds(10);

    public RetryPolicy {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
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
