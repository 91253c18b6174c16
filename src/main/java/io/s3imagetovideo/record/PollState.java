package io.s3imagetovideo.record;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code poll: {checks, next_check_at, token, progress, progress_since, early_checks}}: {@code checks}
 * is the number of the last status check that moved the record. A check whose number is not above it is
 * a duplicate or a stale redelivery and is dropped, which stops a duplicated message from starting a
 * second chain of checks. {@code token} is new with every write, so that two twins of one check, running
 * in the same second with the same answer, still write different records: the second loses its
 * conditional write instead of taking the first one's for its own when it reads the record back.
 *
 * <p>{@code progress} and {@code progress_since} are the host's progress at the last check and since when
 * it has stood at that value, and {@code early_checks} how many checks the schedule brought forward to
 * the finish it expected: what the poll schedule remembers from one check to the next. A record written
 * before they existed reads without them.
 */
public record PollState(int checks, Optional<Instant> nextCheckAt, String token, Optional<Progress> progress,
        int earlyChecks) {

    /** The host's {@code progress} (0 to 100) and the moment it was first seen at that value. */
    public record Progress(double percent, Instant since) {
        public Progress {
            Objects.requireNonNull(since, "since");
        }
    }

    public PollState {
        Objects.requireNonNull(nextCheckAt, "nextCheckAt");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(progress, "progress");
    }

    /** A state without the schedule's memory, as records written before it hold. */
    public PollState(int checks, Optional<Instant> nextCheckAt, String token) {
        this(checks, nextCheckAt, token, Optional.empty(), 0);
    }

    /** Check {@code checks} moved the record; the next is due at {@code nextCheckAt}. */
    public static PollState after(int checks, Instant nextCheckAt) {
        return new PollState(checks, Optional.of(nextCheckAt), UUID.randomUUID().toString());
    }

    /** Check {@code checks} was the last: the job is done with. */
    public static PollState last(int checks) {
        return new PollState(checks, Optional.empty(), UUID.randomUUID().toString());
    }

    /** The same state, with what the schedule keeps for the next check. */
    public PollState remembering(Optional<Progress> seen, int early) {
        return new PollState(checks, nextCheckAt, token, seen, early);
    }
}
