package io.s3imagetovideo.poll;

import java.time.Duration;
import java.time.Instant;

/**
 * When a job is looked at again, and when it is given up: the delay between checks doubles from
 * {@code POLL_INITIAL_DELAY_SECONDS} up to {@code POLL_MAX_DELAY_SECONDS}, and a job that has not
 * finished {@code POLL_MAX_AGE_SECONDS} after its submission is expired.
 */
public record PollSchedule(int initialDelaySeconds, int maxDelaySeconds, Duration maxAge) {

    /** SQS delays a message by at most 15 minutes. */
    public static final int SQS_MAX_DELAY_SECONDS = 900;
    /** An initial delay of 0 (check at once) still has to grow: doubling starts from one second. */
    private static final int MIN_BASE_SECONDS = 1;
    /** 2^30 seconds is far past any cap; a larger shift would overflow. */
    private static final int MAX_DOUBLINGS = 30;

    public PollSchedule {
        if (initialDelaySeconds < 0 || maxDelaySeconds < 0 || maxDelaySeconds > SQS_MAX_DELAY_SECONDS) {
            throw new IllegalArgumentException("delays must be between 0 and " + SQS_MAX_DELAY_SECONDS + " seconds");
        }
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge must be positive");
        }
    }

    /**
     * The delay before check {@code check + 1}: {@code min(max, initial * 2^check)}. The first check
     * (sent by the submit function) waits {@code initial}; the checks after it 2x, 4x, 8x as long.
     */
    public int delayAfter(int check) {
        long base = Math.max(MIN_BASE_SECONDS, initialDelaySeconds);
        long grown = base << Math.min(Math.max(check, 0), MAX_DOUBLINGS);
        return (int) Math.min(maxDelaySeconds, grown);
    }

    /** As {@link #delayAfter(int)}, but never later than the moment the job expires, so that it expires on time. */
    public int delayAfter(int check, Instant now, Instant expiresAt) {
        long millisLeft = Math.max(0, Duration.between(now, expiresAt).toMillis());
        long secondsLeft = (millisLeft + 999) / 1000;
        return (int) Math.min(delayAfter(check), secondsLeft);
    }

    public Instant expiresAt(Instant submittedAt) {
        return submittedAt.plus(maxAge);
    }
}
