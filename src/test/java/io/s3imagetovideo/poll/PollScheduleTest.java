package io.s3imagetovideo.poll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.s3imagetovideo.poll.PollSchedule.Next;
import io.s3imagetovideo.poll.PollSchedule.Reading;
import io.s3imagetovideo.record.JobRecord;
import io.s3imagetovideo.record.PollState;
import io.s3imagetovideo.record.PollState.Progress;
import io.s3imagetovideo.record.RecordJson;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The delays between status checks: how soon a finished job is seen, at how many reads, and when it is given up. */
class PollScheduleTest {

    static final PollSchedule DEFAULTS = new PollSchedule(15, 5, 900, Duration.ofSeconds(7200));
    static final Instant SUBMITTED = Instant.parse("2026-11-24T10:00:00Z");
    static final ObjectMapper MAPPER = new ObjectMapper();

    /** A host's progress by the share of the job done (0 to 1); NaN: the field is not sent. */
    enum Curve {
        LINEAR(x -> 100 * x),
        STALLED_THEN_FAST(x -> x < 0.1 ? 100 * x : x < 0.7 ? 10 : 10 + 300 * (x - 0.7)),
        STUCK_AT_99(x -> Math.min(99, 198 * x)),
        ALWAYS_ZERO(x -> 0),
        ABSENT(x -> Double.NaN),
        STEPS_OF_25(x -> 25 * Math.floor(4 * x)),
        /** Each answer promises the end in a moment: halfway from where it was to 100. */
        EVER_ALMOST_DONE(x -> 100 - 50 / Math.pow(2, 20 * x));

        final DoubleUnaryOperator percent;

        Curve(DoubleUnaryOperator percent) {
            this.percent = percent;
        }
    }

    /** A job followed from its submission to the check that saw it finished. */
    record Followed(double noticeSeconds, int reads, List<Integer> delays) {}

    /**
     * Follows a job the host finishes {@code generationSeconds} after submission, from the submit
     * function's first check on, carrying what each check leaves for the next as the record does.
     */
    static Followed follow(PollSchedule schedule, Curve curve, double generationSeconds) {
        Instant expiresAt = schedule.expiresAt(SUBMITTED);
        Optional<Progress> memory = Optional.of(new Progress(0, SUBMITTED));
        int early = 0;
        long at = schedule.initialDelaySeconds();
        List<Integer> delays = new ArrayList<>();
        for (int reads = 1; ; reads++) {
            if (at >= generationSeconds) {
                return new Followed(at - generationSeconds, reads, delays);
            }
            Instant now = SUBMITTED.plusSeconds(at);
            assertThat(now).as("a job that the host finishes is never expired first").isBefore(expiresAt);
            double percent = Math.floor(curve.percent.applyAsDouble(at / generationSeconds));
            OptionalDouble progress = Double.isNaN(percent) ? OptionalDouble.empty() : OptionalDouble.of(percent);
            Next next = schedule.next(new Reading(now, Optional.of(SUBMITTED), Optional.of(SUBMITTED), progress),
                    memory, early, Optional.of(expiresAt));
            memory = next.progress();
            early = next.earlyChecks();
            delays.add(next.delaySeconds());
            at += next.delaySeconds();
        }
    }

    static double target(double generationSeconds) {
        return Math.max(15, generationSeconds / 10);
    }

    // --- notice delay -------------------------------------------------------------------------------

    @Test
    void aLinearFourMinuteJobIsSeenWithinTheFloorOfItsFinish() {
        Followed job = follow(DEFAULTS, Curve.LINEAR, 240);

        // The target is 24 s; the estimate lands the check within the 5 s floor of the finish
        assertThat(job.noticeSeconds()).isLessThanOrEqualTo(5);
        assertThat(job.noticeSeconds()).isLessThanOrEqualTo(target(240));
    }

    @Test
    void aFourMinuteJobWithoutProgressIsSeenWithinTheTargetStill() {
        Followed job = follow(DEFAULTS, Curve.ALWAYS_ZERO, 240);

        assertThat(job.noticeSeconds()).isLessThanOrEqualTo(target(240));
        // Today's doubling saw it at 7 min 45 s, 225 s late
        assertThat(job.noticeSeconds()).isLessThan(225);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"LINEAR", "STALLED_THEN_FAST", "STUCK_AT_99", "ALWAYS_ZERO", "ABSENT", "STEPS_OF_25",
            "EVER_ALMOST_DONE"})
    void everyJobFromHalfAMinuteToHalfAnHourIsSeenWithinTheTarget(Curve curve) {
        for (double generation = 30; generation <= 1800; generation += 7.3) {
            Followed job = follow(DEFAULTS, curve, generation);

            assertThat(job.noticeSeconds()).as("a job of %.1f s", generation).isLessThanOrEqualTo(target(generation));
            assertThat(job.reads()).as("a job of %.1f s", generation)
                    .isLessThanOrEqualTo(DEFAULTS.readBound(Duration.ofMillis((long) (generation * 1000))));
        }
    }

    // --- reads --------------------------------------------------------------------------------------

    @Test
    void aThirtyMinuteJobWithoutProgressIsReadFewerTimesThanTheBound() {
        Followed zero = follow(DEFAULTS, Curve.ALWAYS_ZERO, 1800);
        Followed absent = follow(DEFAULTS, Curve.ABSENT, 1800);

        assertThat(DEFAULTS.readBound(Duration.ofMinutes(30))).isEqualTo(40);
        assertThat(zero.reads()).isLessThanOrEqualTo(40 - PollSchedule.MAX_EARLY_CHECKS);
        assertThat(absent.reads()).isEqualTo(zero.reads());
        assertThat(zero.noticeSeconds()).isLessThanOrEqualTo(180);
    }

    @Test
    void theReadBoundGrowsByAboutTwentyFourReadsPerTenfoldLongerJob() {
        assertThat(DEFAULTS.readBound(Duration.ofSeconds(30))).isEqualTo(5);
        assertThat(DEFAULTS.readBound(Duration.ofMinutes(4))).isEqualTo(19);
        assertThat(DEFAULTS.readBound(Duration.ofHours(2))).isEqualTo(54);
        assertThat(DEFAULTS.readBound(Duration.ofMinutes(30))).isEqualTo(40);
        // A job followed until it expires: the last gap ends at POLL_MAX_AGE_SECONDS
        assertThat(DEFAULTS.readBound(Duration.ofHours(5))).isEqualTo(DEFAULTS.readBound(Duration.ofHours(2)));
        assertThat(new PollSchedule(15, 5, 0, Duration.ofHours(2)).readBound(Duration.ofMinutes(1)))
                .isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void aHostThatKeepsPromisingTheEndGetsThreeChecksBroughtForwardThenTheGuardAgain() {
        // Given a job at 10 minutes whose progress rises each time to halfway between where it was and 100
        Instant now = SUBMITTED.plusSeconds(600);
        Optional<Progress> memory = Optional.of(new Progress(80, now.minusSeconds(20)));
        List<Integer> delays = new ArrayList<>();
        int early = 0;
        double percent = 90;
        for (int check = 0; check < 5; check++) {
            Next next = DEFAULTS.next(new Reading(now, Optional.of(SUBMITTED), Optional.empty(),
                    OptionalDouble.of(percent)), memory, early, Optional.empty());
            delays.add(next.delaySeconds());
            memory = next.progress();
            early = next.earlyChecks();
            now = now.plusSeconds(next.delaySeconds());
            percent = (percent + 100) / 2;
        }

        // Then three checks come at the finish it promised, 20 s on; after them, the guard's 10% of the age
        assertThat(delays.subList(0, 3)).containsOnly(20);
        assertThat(early).isEqualTo(PollSchedule.MAX_EARLY_CHECKS);
        assertThat(delays.subList(3, 5)).allMatch(d -> d >= 60);
    }

    // --- the rule's parts ---------------------------------------------------------------------------

    @Test
    void withoutProgressTheGapIsTheInitialDelayThenATenthOfTheJobsAge() {
        assertThat(delayAt(15, OptionalDouble.empty(), Optional.empty())).isEqualTo(15);
        assertThat(delayAt(150, OptionalDouble.of(0), Optional.of(new Progress(0, SUBMITTED)))).isEqualTo(15);
        assertThat(delayAt(1000, OptionalDouble.of(0), Optional.of(new Progress(0, SUBMITTED)))).isEqualTo(100);
        assertThat(delayAt(5000, OptionalDouble.empty(), Optional.empty())).isEqualTo(500);
    }

    @Test
    void progressThatStandsStillGivesNoEstimate() {
        // 50% seen since two minutes: no rise, no rate; the guard's 60 s at 600 s of age
        assertThat(delayAt(600, OptionalDouble.of(50), Optional.of(new Progress(50, SUBMITTED.plusSeconds(480)))))
                .isEqualTo(60);
    }

    @Test
    void aRiseThatPointsBeforeTheGuardsCheckBringsTheCheckToTheFinish() {
        // 60% to 80% in the last 40 s: 20% more is 40 s away, before the guard's 60 s
        assertThat(delayAt(600, OptionalDouble.of(80), Optional.of(new Progress(60, SUBMITTED.plusSeconds(560)))))
                .isEqualTo(40);
        // 79% to 80%: the finish is 800 s away, the guard comes first
        assertThat(delayAt(600, OptionalDouble.of(80), Optional.of(new Progress(79, SUBMITTED.plusSeconds(560)))))
                .isEqualTo(60);
    }

    @Test
    void aFinishDueInAMomentWaitsTheFloor() {
        // 98% to 100% in 30 s: due now, but not checked sooner than POLL_MIN_DELAY_SECONDS
        assertThat(delayAt(600, OptionalDouble.of(100), Optional.of(new Progress(98, SUBMITTED.plusSeconds(570)))))
                .isEqualTo(5);
        PollSchedule floorOf20 = new PollSchedule(15, 20, 900, Duration.ofHours(2));
        assertThat(floorOf20.next(reading(600, OptionalDouble.of(100)), Optional.of(new Progress(98,
                SUBMITTED.plusSeconds(570))), 0, Optional.empty()).delaySeconds()).isEqualTo(20);
    }

    @Test
    void theRememberedProgressKeepsTheMomentItWasFirstSeen() {
        Progress first = new Progress(40, SUBMITTED.plusSeconds(100));

        Next same = DEFAULTS.next(reading(200, OptionalDouble.of(40)), Optional.of(first), 0, Optional.empty());
        Next risen = DEFAULTS.next(reading(200, OptionalDouble.of(45)), Optional.of(first), 0, Optional.empty());
        Next silent = DEFAULTS.next(reading(200, OptionalDouble.empty()), Optional.of(first), 0, Optional.empty());

        assertThat(same.progress()).contains(first);
        assertThat(risen.progress()).contains(new Progress(45, SUBMITTED.plusSeconds(200)));
        assertThat(silent.progress()).contains(first);
    }

    // --- the cap, SQS's limit and expiry ------------------------------------------------------------

    @Test
    void noGapIsLongerThanTheCapNorSqssLimit() {
        PollSchedule dayLong = new PollSchedule(15, 5, 900, Duration.ofDays(1));
        // A tenth of 20 hours is two hours; SQS holds a message 15 minutes at most
        assertThat(dayLong.next(reading(72_000, OptionalDouble.empty()), Optional.empty(), 0,
                Optional.of(dayLong.expiresAt(SUBMITTED))).delaySeconds()).isEqualTo(900);
        PollSchedule cappedAt60 = new PollSchedule(15, 5, 60, Duration.ofHours(2));
        assertThat(cappedAt60.next(reading(3000, OptionalDouble.empty()), Optional.empty(), 0, Optional.empty())
                .delaySeconds()).isEqualTo(60);
        // The cap wins over the floor: a cap of 0 checks at once
        PollSchedule immediate = new PollSchedule(0, 5, 0, Duration.ofHours(2));
        assertThat(immediate.next(reading(60, OptionalDouble.of(50)), Optional.empty(), 0, Optional.empty())
                .delaySeconds()).isZero();
    }

    @Test
    void refusesDelaysSqsCannotKeep() {
        assertThatThrownBy(() -> new PollSchedule(15, 5, 901, Duration.ofHours(2)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PollSchedule(901, 5, 900, Duration.ofHours(2)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PollSchedule(15, -1, 900, Duration.ofHours(2)))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PollSchedule(15, 5, 900, Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theLastCheckIsDueWhenTheJobExpires() {
        Instant expires = DEFAULTS.expiresAt(SUBMITTED);
        assertThat(expires).isEqualTo(Instant.parse("2026-11-24T12:00:00Z"));

        // The guard's 710 s at 7100 s of age would pass the expiry by 610 s
        assertThat(delayAt(7100, OptionalDouble.empty(), Optional.empty())).isEqualTo(100);
        // Rounded up: a check due in 1.5 s waits 2, and comes after the expiry, not before it
        assertThat(DEFAULTS.next(new Reading(expires.minusMillis(1500), Optional.of(SUBMITTED), Optional.empty(),
                OptionalDouble.empty()), Optional.empty(), 0, Optional.of(expires)).delaySeconds()).isEqualTo(2);
    }

    @Test
    void aJobThatNeverFinishesIsCheckedLastAtItsExpiry() {
        Instant expires = DEFAULTS.expiresAt(SUBMITTED);
        Instant at = SUBMITTED.plusSeconds(15);
        int reads = 1;
        while (at.isBefore(expires)) {
            at = at.plusSeconds(DEFAULTS.next(new Reading(at, Optional.of(SUBMITTED), Optional.empty(),
                    OptionalDouble.of(0)), Optional.of(new Progress(0, SUBMITTED)), 0, Optional.of(expires))
                    .delaySeconds());
            reads++;
        }

        assertThat(at).isEqualTo(expires);
        assertThat(reads).isLessThanOrEqualTo(DEFAULTS.readBound(Duration.ofHours(2)));
    }

    // --- from the record ----------------------------------------------------------------------------

    @Test
    void readsTheHostsProgressAsANumberOrAPercentString() {
        assertThat(PollSchedule.progress(json("{\"progress\": 42}"))).hasValue(42);
        assertThat(PollSchedule.progress(json("{\"progress\": \"42%\"}"))).hasValue(42);
        assertThat(PollSchedule.progress(json("{\"progress\": \" 42.5 \"}"))).hasValue(42.5);
        assertThat(PollSchedule.progress(json("{\"progress\": 140}"))).hasValue(100);
        assertThat(PollSchedule.progress(json("{\"progress\": null}"))).isEmpty();
        assertThat(PollSchedule.progress(json("{\"progress\": \"soon\"}"))).isEmpty();
        assertThat(PollSchedule.progress(json("{}"))).isEmpty();
    }

    @Test
    void readsCreatedAtInSecondsOrMilliseconds() {
        assertThat(PollSchedule.createdAt(json("{\"created_at\": 1764000000}")))
                .contains(Instant.ofEpochSecond(1764000000));
        assertThat(PollSchedule.createdAt(json("{\"created_at\": 1764000000123}")))
                .contains(Instant.ofEpochMilli(1764000000123L));
        assertThat(PollSchedule.createdAt(json("{\"created_at\": null}"))).isEmpty();
    }

    @Test
    void aRecordWithoutTheMemoryUsesItsLastAnswerAndWritesTheMemoryForTheNextCheck() {
        // Given a record as the submit function (or the schedule before this one) wrote it: progress 0 at submission
        JobRecord record = record("{\"id\":\"video_1\",\"status\":\"in_progress\",\"progress\":0,\"created_at\":"
                + SUBMITTED.getEpochSecond() + ",\"source\":{\"bucket\":\"b\"},\"submitted_at\":\"" + SUBMITTED
                + "\",\"updated_at\":\"" + SUBMITTED + "\",\"poll\":{\"checks\":3,\"token\":\"t\"}}");
        Instant now = SUBMITTED.plusSeconds(300);

        // When the host says 95% five minutes in
        Next next = DEFAULTS.next(record, json("{\"status\":\"in_progress\",\"progress\":95}"), now,
                Optional.of(DEFAULTS.expiresAt(SUBMITTED)));

        // Then the 5% left are 16 s away at that rate, before the guard's 30 s; and the record keeps it
        assertThat(next.delaySeconds()).isEqualTo(16);
        assertThat(next.earlyChecks()).isEqualTo(1);
        JobRecord moved = next.remembered(record.toBuilder().poll(Optional.of(PollState.after(4, now.plusSeconds(16))))
                .build());
        assertThat(moved.poll().flatMap(PollState::progress)).contains(new Progress(95, now));
        assertThat(moved.poll().map(PollState::earlyChecks)).contains(1);
        assertThat(moved.poll().map(PollState::checks)).contains(4);
    }

    @Test
    void withoutSubmittedAtTheAgeIsTheHostsCreatedAtInMilliseconds() {
        JobRecord record = record("{\"id\":\"video_1\",\"status\":\"in_progress\",\"created_at\":"
                + SUBMITTED.toEpochMilli() + ",\"source\":{\"bucket\":\"b\"},\"updated_at\":\"" + SUBMITTED + "\"}");

        Next next = DEFAULTS.next(record, json("{\"status\":\"in_progress\"}"), SUBMITTED.plusSeconds(1200),
                Optional.empty());

        assertThat(next.delaySeconds()).isEqualTo(120);
    }

    private static int delayAt(long ageSeconds, OptionalDouble progress, Optional<Progress> before) {
        return DEFAULTS.next(reading(ageSeconds, progress), before, 0, Optional.of(DEFAULTS.expiresAt(SUBMITTED)))
                .delaySeconds();
    }

    private static Reading reading(long ageSeconds, OptionalDouble progress) {
        return new Reading(SUBMITTED.plusSeconds(ageSeconds), Optional.of(SUBMITTED), Optional.empty(), progress);
    }

    private static ObjectNode json(String text) {
        try {
            return (ObjectNode) MAPPER.readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static JobRecord record(String text) {
        return new RecordJson(MAPPER).read(json(text), "b");
    }
}
