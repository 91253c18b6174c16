package io.s3imagetovideo.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The delays between status checks, and the moment a job is given up. */
class PollScheduleTest {

    static final PollSchedule DEFAULTS = new PollSchedule(15, 900, Duration.ofSeconds(7200));

    @Test
    void doublesFromTheInitialDelayUpToTheMaximum() {
        // check 1 was sent by the submit function after 15 s; each later one waits twice as long
        assertThat(IntStream.rangeClosed(1, 8).map(DEFAULTS::delayAfter).toArray())
                .containsExactly(30, 60, 120, 240, 480, 900, 900, 900);
    }

    @Test
    void neverPassesTheSqsLimitHoweverManyChecks() {
        assertThat(DEFAULTS.delayAfter(1_000_000)).isEqualTo(900);
        assertThat(new PollSchedule(900, 900, Duration.ofHours(2)).delayAfter(40)).isEqualTo(900);
    }

    @Test
    void growsFromOneSecondWhenTheFirstCheckIsImmediate() {
        PollSchedule immediate = new PollSchedule(0, 900, Duration.ofHours(2));
        assertThat(IntStream.rangeClosed(1, 4).map(immediate::delayAfter).toArray()).containsExactly(2, 4, 8, 16);
        assertThat(new PollSchedule(0, 0, Duration.ofHours(2)).delayAfter(5)).isZero();
    }

    @Test
    void theLastCheckIsDueWhenTheJobExpires() {
        Instant submitted = Instant.parse("2026-11-24T10:00:00Z");
        Instant expires = DEFAULTS.expiresAt(submitted);
        assertThat(expires).isEqualTo(Instant.parse("2026-11-24T12:00:00Z"));
        assertThat(DEFAULTS.delayAfter(9, expires.minusSeconds(100), expires)).isEqualTo(100);
        assertThat(DEFAULTS.delayAfter(9, expires.minusMillis(1500), expires)).isEqualTo(2);
        assertThat(DEFAULTS.delayAfter(3, submitted, expires)).isEqualTo(120);
    }

    @Test
    void refusesDelaysSqsCannotKeep() {
        assertThatThrownBy(() -> new PollSchedule(15, 901, Duration.ofHours(2)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PollSchedule(15, 900, Duration.ZERO)).isInstanceOf(IllegalArgumentException.class);
    }
}
