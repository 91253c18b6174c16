package io.s3imagetovideo.poll;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.s3imagetovideo.record.JobRecord;
import io.s3imagetovideo.record.PollState;
import io.s3imagetovideo.record.PollState.Progress;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Stream;

/**
 * When a job is looked at again, and when it is given up. After a check at which the job, {@code age}
 * after its submission, is not finished:
 * <ol>
 *   <li><b>Guard.</b> The next check comes at most {@code max(POLL_INITIAL_DELAY_SECONDS, age / 10)}
 *       later. A job the host finishes between two checks was not finished at the first, so its
 *       generation time {@code G} is longer than that check's age: the check that sees it comes less
 *       than {@code max(POLL_INITIAL_DELAY_SECONDS, G / 10)} after the finish, whatever the host says or
 *       does not say about its progress. With the default 15 s, that is the notice target,
 *       {@code max(15 s, 10% of G)}.
 *   <li><b>Estimate.</b> When the host's {@code progress} rose since the last check, the rate of that
 *       rise (from the value it stood at, since it was first seen there, to the value now) gives the
 *       expected finish. When that comes before the guard's check, the next check is brought forward to
 *       it, at most {@value #MAX_EARLY_CHECKS} times per job, so that a host whose progress keeps
 *       promising the end too soon costs a few reads, not one every few seconds. Progress that stands
 *       still, is absent or is 0 gives no estimate, and the guard alone decides.
 *   <li><b>Floor and cap.</b> No gap is shorter than {@code POLL_MIN_DELAY_SECONDS} nor longer than
 *       {@code POLL_MAX_DELAY_SECONDS} (at most 900 s, SQS's limit); the cap wins over the floor and
 *       the guard. A job not finished {@code POLL_MAX_AGE_SECONDS} after its submission is expired: the
 *       last gap ends at that moment, so that it expires on time.
 * </ol>
 * The first check is the submit function's, {@code POLL_INITIAL_DELAY_SECONDS} after submission. What a
 * check leaves for the next (the progress, since when it stood there, the early checks so far) is kept
 * in the record's {@code poll}; a record without it starts from its last answer's {@code progress}.
 *
 * <p><b>Reads.</b> Without early checks the checks follow the guard's chain (with the defaults: every
 * 15 s up to 150 s, then each 10% later than the one before); an early check only moves the rest of the
 * chain later. So a job the host finishes {@code G} after submission is read at most
 * {@link #readBound(Duration)} times: the guard chain's checks up to {@code G}, plus
 * {@value #MAX_EARLY_CHECKS}. With the defaults that is 5 reads for a 30 s job, 7 for 1 minute, 19 for 4
 * minutes, 28 for 10 minutes, 40 for 30 minutes, and 54 for a job followed until it expires at 2 hours:
 * about 24 more per tenfold longer job. A busy host's Retry-After and the queue's redelivery after a
 * failed read come on top.
 *
 * <p>Deterministic: the same answers at the same moments give the same delays.
 */
public record PollSchedule(int initialDelaySeconds, int minDelaySeconds, int maxDelaySeconds, Duration maxAge) {

    /** SQS delays a message by at most 15 minutes. */
    public static final int SQS_MAX_DELAY_SECONDS = 900;
    /** The guard's gap is the job's age divided by this: the notice target's 10%. */
    static final int AGE_DIVISOR = 10;
    /** Checks brought forward by the estimate, per job: what the estimate may add to the guard's reads. */
    public static final int MAX_EARLY_CHECKS = 3;
    /** Job timestamps above this are milliseconds: seconds reach it only in the year 5138. */
    private static final long MILLISECONDS_THRESHOLD = 100_000_000_000L;

    public PollSchedule {
        if (Math.min(initialDelaySeconds, Math.min(minDelaySeconds, maxDelaySeconds)) < 0
                || Math.max(initialDelaySeconds, Math.max(minDelaySeconds, maxDelaySeconds)) > SQS_MAX_DELAY_SECONDS) {
            throw new IllegalArgumentException("delays must be between 0 and " + SQS_MAX_DELAY_SECONDS + " seconds");
        }
        if (maxAge.isNegative() || maxAge.isZero()) {
            throw new IllegalArgumentException("maxAge must be positive");
        }
    }

    /**
     * What one status check saw: its moment, the record's {@code submitted_at}, the host's
     * {@code created_at}, and the host's {@code progress} (0 to 100), when it said.
     */
    public record Reading(Instant at, Optional<Instant> submittedAt, Optional<Instant> createdAt,
            OptionalDouble progress) {}

    /** The delay before the next check, and what the record keeps of this one for the check after it. */
    public record Next(int delaySeconds, Optional<Progress> progress, int earlyChecks) {

        /** {@code moved}, the record the check writes, with this memory in its {@code poll}. */
        public JobRecord remembered(JobRecord moved) {
            return moved.toBuilder().poll(moved.poll().map(p -> p.remembering(progress, earlyChecks))).build();
        }
    }

    /**
     * The next check after {@code answer}, the host's reply at {@code now} about the job of
     * {@code current} (the record as the last check left it), due no later than {@code expiresAt}.
     */
    public Next next(JobRecord current, ObjectNode answer, Instant now, Optional<Instant> expiresAt) {
        Optional<Instant> created = createdAt(answer).or(() -> createdAt(current.job()));
        Reading reading = new Reading(now, current.submittedAt(), created, progress(answer));
        Optional<PollState> state = current.poll();
        Optional<Progress> before = state.flatMap(PollState::progress).or(() -> lastAnswer(current, reading));
        return next(reading, before, state.map(PollState::earlyChecks).orElse(0), expiresAt);
    }

    /** The rule of the class comment, on what a check saw and what the one before it left. */
    public Next next(Reading reading, Optional<Progress> before, int earlyChecks, Optional<Instant> expiresAt) {
        long guard = clamp(guardSeconds(age(reading)));
        long delay = guard;
        int early = earlyChecks;
        OptionalDouble remaining = remainingSeconds(reading, before);
        if (remaining.isPresent() && early < MAX_EARLY_CHECKS) {
            long toFinish = clamp((long) Math.ceil(remaining.getAsDouble()));
            if (toFinish < guard) {
                delay = toFinish;
                early++;
            }
        }
        if (expiresAt.isPresent()) {
            delay = Math.min(delay, secondsUntil(reading.at(), expiresAt.get()));
        }
        return new Next((int) delay, seen(reading, before), early);
    }

    public Instant expiresAt(Instant submittedAt) {
        return submittedAt.plus(maxAge);
    }

    /**
     * The most status reads of a job the host finishes {@code generation} after its submission (or of one
     * followed until it expires, when that is longer): the guard chain's checks up to that moment plus
     * {@value #MAX_EARLY_CHECKS}; {@link Integer#MAX_VALUE} when the cap of 0 s lets checks come at once.
     * See the class comment for why no job is read more often.
     */
    public int readBound(Duration generation) {
        if (maxDelaySeconds == 0 || (initialDelaySeconds == 0 && minDelaySeconds == 0)) {
            return Integer.MAX_VALUE;
        }
        long until = Math.min(generation.toMillis(), maxAge.toMillis());
        long at = initialDelaySeconds * 1000L;
        int reads = 1;
        while (at < until) {
            at = Math.min(at + clamp(guardSeconds(at / 1000.0)) * 1000L, maxAge.toMillis());
            reads++;
        }
        return reads + MAX_EARLY_CHECKS;
    }

    /** The guard's gap after a check at {@code ageSeconds}, before the floor and the cap. */
    private long guardSeconds(double ageSeconds) {
        return Math.max(initialDelaySeconds, (long) (ageSeconds / AGE_DIVISOR));
    }

    private long clamp(long seconds) {
        return Math.min(maxDelaySeconds, Math.max(minDelaySeconds, seconds));
    }

    /** Seconds since submission: our {@code submitted_at}, else the host's {@code created_at}; 0 if neither. */
    private static double age(Reading reading) {
        return reading.submittedAt().or(() -> reading.createdAt().filter(c -> !c.isAfter(reading.at())))
                .map(start -> Math.max(0, seconds(start, reading.at()))).orElse(0.0);
    }

    /** Until the finish the rise of progress since the last value points to; empty without a rise. */
    private static OptionalDouble remainingSeconds(Reading reading, Optional<Progress> before) {
        if (reading.progress().isEmpty() || before.isEmpty()) {
            return OptionalDouble.empty();
        }
        double now = reading.progress().getAsDouble();
        double rise = now - before.get().percent();
        double seconds = seconds(before.get().since(), reading.at());
        if (rise <= 0 || seconds <= 0) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of((100 - now) * seconds / rise);
    }

    /** The progress to remember: a value seen before keeps the moment it was first seen. */
    private static Optional<Progress> seen(Reading reading, Optional<Progress> before) {
        if (reading.progress().isEmpty()) {
            // A host that leaves the field out once does not lose the rate it showed before.
            return before;
        }
        double now = reading.progress().getAsDouble();
        return before.filter(b -> b.percent() == now).or(() -> Optional.of(new Progress(now, reading.at())));
    }

    /**
     * The last answer's progress, for a record without the schedule's memory (the submit function's, or
     * one written before it existed): seen at the record's last write, or 0 when the job started.
     */
    private static Optional<Progress> lastAnswer(JobRecord current, Reading reading) {
        OptionalDouble last = progress(current.job());
        if (last.isPresent()) {
            return Optional.of(new Progress(last.getAsDouble(), current.updatedAt()));
        }
        // A job starts at 0 when the host took it: the later of our submission and its created_at.
        return Stream.of(reading.submittedAt(), reading.createdAt().filter(c -> !c.isAfter(reading.at())))
                .flatMap(Optional::stream).max(Comparator.naturalOrder()).map(start -> new Progress(0, start));
    }

    /** The host's {@code progress}, 0 to 100: a number, or a string such as {@code "42"} or {@code "42%"}. */
    static OptionalDouble progress(JsonNode job) {
        JsonNode value = job.path("progress");
        double percent;
        if (value.isNumber()) {
            percent = value.doubleValue();
        } else if (value.isTextual()) {
            String text = value.textValue().strip();
            try {
                percent = Double.parseDouble(text.endsWith("%") ? text.substring(0, text.length() - 1).strip() : text);
            } catch (NumberFormatException e) {
                return OptionalDouble.empty();
            }
        } else {
            return OptionalDouble.empty();
        }
        return Double.isFinite(percent) ? OptionalDouble.of(Math.max(0, Math.min(100, percent)))
                : OptionalDouble.empty();
    }

    /** The host's {@code created_at}, in seconds or milliseconds since the epoch. */
    static Optional<Instant> createdAt(JsonNode job) {
        JsonNode created = job.path("created_at");
        if (created.canConvertToLong() && created.asLong() > 0) {
            long value = created.asLong();
            return Optional.of(value > MILLISECONDS_THRESHOLD ? Instant.ofEpochMilli(value)
                    : Instant.ofEpochSecond(value));
        }
        return Optional.empty();
    }

    private static double seconds(Instant from, Instant to) {
        return Duration.between(from, to).toMillis() / 1000.0;
    }

    /** Whole seconds until {@code at}, rounded up: a check due in 1.5 s waits 2, not 1. */
    private static long secondsUntil(Instant now, Instant at) {
        long millisLeft = Math.max(0, Duration.between(now, at).toMillis());
        return (millisLeft + 999) / 1000;
    }
}
