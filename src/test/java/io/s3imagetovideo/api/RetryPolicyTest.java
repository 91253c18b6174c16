package io.s3imagetovideo.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RetryPolicyTest {

    private static final Duration INITIAL = Duration.ofMillis(500);
    private static final Duration MAX = Duration.ofSeconds(30);
    private final RetryPolicy policy = new RetryPolicy(5, INITIAL, MAX, RetryPolicy.DEFAULT_SAFETY_MARGIN);

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8, 10})
    void backoffStaysWithinExponentialCeiling(int retry) {
        long ceiling = Math.min(MAX.toMillis(), INITIAL.toMillis() * (1L << (retry - 1)));
        Random random = new Random(42 + retry);

        for (int i = 0; i < 2_000; i++) {
            assertThat(policy.backoff(retry, random).toMillis()).isBetween(0L, ceiling);
        }
    }

    @Test
    void backoffIsJitteredAcrossTheWholeRange() {
        // Given the third retry: ceiling 2000 ms
        Random random = new Random(7);
        Set<Long> seen = new HashSet<>();
        long lowest = Long.MAX_VALUE;
        long highest = Long.MIN_VALUE;

        for (int i = 0; i < 5_000; i++) {
            long ms = policy.backoff(3, random).toMillis();
            seen.add(ms);
            lowest = Math.min(lowest, ms);
            highest = Math.max(highest, ms);
        }

        // Then the waits spread out over [0, 2000], not one fixed value
        assertThat(seen.size()).isGreaterThan(100);
        assertThat(lowest).isLessThan(200);
        assertThat(highest).isGreaterThan(1_800).isLessThanOrEqualTo(2_000);
    }

    @ParameterizedTest
    @ValueSource(ints = {7, 20, 31, 32, 40, 63, 64, 100, Integer.MAX_VALUE})
    void backoffCapsAtMaxDelayForLargeRetryNumbers(int retry) {
        Random random = new Random(retry);
        long highest = 0;

        for (int i = 0; i < 2_000; i++) {
            long ms = policy.backoff(retry, random).toMillis();
            assertThat(ms).isBetween(0L, MAX.toMillis());
            highest = Math.max(highest, ms);
        }

        // Then the ceiling is the max delay itself, not an overflowed small or negative number
        assertThat(highest).isGreaterThan(MAX.toMillis() * 9 / 10);
    }

    @Test
    void zeroInitialDelayGivesZeroWait() {
        RetryPolicy noWait = new RetryPolicy(5, Duration.ZERO, MAX, RetryPolicy.DEFAULT_SAFETY_MARGIN);
        Random random = new Random(1);

        for (int retry = 1; retry <= 40; retry++) {
            assertThat(noWait.backoff(retry, random)).isEqualTo(Duration.ZERO);
        }
    }

    @Test
    void zeroMaxDelayGivesZeroWait() {
        RetryPolicy noWait = new RetryPolicy(5, INITIAL, Duration.ZERO, RetryPolicy.DEFAULT_SAFETY_MARGIN);

        assertThat(noWait.backoff(3, new Random(1))).isEqualTo(Duration.ZERO);
    }

    @Test
    void rejectsFewerThanOneAttempt() {
        assertThatThrownBy(() -> new RetryPolicy(0, INITIAL, MAX, RetryPolicy.DEFAULT_SAFETY_MARGIN))
                .isInstanceOf(IllegalArgumentException.class);
    }

    // --- a busy host: the wait in the queue --------------------------------------------------------

    @Test
    void aBusyHostIsNeverAskedBeforeItsRetryAfter() {
        Random random = new Random(3);
        for (int i = 0; i < 1_000; i++) {
            assertThat(RetryPolicy.whileBusy(java.util.Optional.of(Duration.ofSeconds(40)), Duration.ZERO, random))
                    .isGreaterThanOrEqualTo(Duration.ofSeconds(40));
        }
    }

    @Test
    void theWaitForABusyHostGrowsWithTheTimeWaitedBetweenItsFloorAndCeiling() {
        Random random = new Random(5);
        java.util.Optional<Duration> none = java.util.Optional.empty();

        // Fresh: about the floor; after ten minutes: about half of it; after a day: about the ceiling
        assertThat(RetryPolicy.whileBusy(none, Duration.ZERO, random)).isBetween(Duration.ofSeconds(8), Duration.ofSeconds(12));
        assertThat(RetryPolicy.whileBusy(none, Duration.ofMinutes(10), random))
                .isBetween(Duration.ofSeconds(240), Duration.ofSeconds(360));
        assertThat(RetryPolicy.whileBusy(none, Duration.ofDays(1), random))
                .isBetween(Duration.ofSeconds(240), Duration.ofSeconds(360));
    }

    @Test
    void anUploadThatWaitsADayForABusyHostAsksItAFewHundredTimes() {
        // Given an upload that finds the host busy on every try, with Retry-After: 10
        Random random = new Random(11);
        Duration waited = Duration.ZERO;
        int asks = 0;
        while (waited.compareTo(Duration.ofDays(1)) < 0) {
            waited = waited.plus(RetryPolicy.whileBusy(java.util.Optional.of(Duration.ofSeconds(10)), waited, random));
            asks++;
        }

        // Then its asks thin out: about 20 in the first hour, about 300 in the day
        assertThat(asks).isBetween(250, 350);
    }

    @Test
    void aMessageThatFailedStaysOutOfSightLongerEachTimeUpToFifteenMinutes() {
        assertThat(RetryPolicy.redeliveryAfter(1)).isEqualTo(Duration.ofSeconds(30));
        assertThat(RetryPolicy.redeliveryAfter(2)).isEqualTo(Duration.ofSeconds(60));
        assertThat(RetryPolicy.redeliveryAfter(5)).isEqualTo(Duration.ofSeconds(480));
        assertThat(RetryPolicy.redeliveryAfter(6)).isEqualTo(Duration.ofSeconds(900));
        assertThat(RetryPolicy.redeliveryAfter(1_000)).isEqualTo(Duration.ofSeconds(900));
    }
}
