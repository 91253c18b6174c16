package io.s3imagetovideo.record;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * {@code poll: {checks, next_check_at, token}}: {@code checks} is the number of the last status check
 * that moved the record. A check whose number is not above it is a duplicate or a stale redelivery and
 * is dropped, which stops a duplicated message from starting a second chain of checks. {@code token}
 * is new with every write, so that two twins of one check, running in the same second with the same
 * answer, still write different records: the second loses its conditional write instead of taking
 * the first one's for its own when it reads the record back.
 */
public record PollState(int checks, Optional<Instant> nextCheckAt, String token) {

    public PollState {
        Objects.requireNonNull(nextCheckAt, "nextCheckAt");
        Objects.requireNonNull(token, "token");
    }

    /** Check {@code checks} moved the record; the next is due at {@code nextCheckAt}. */
    public static PollState after(int checks, Instant nextCheckAt) {
        return new PollState(checks, Optional.of(nextCheckAt), UUID.randomUUID().toString());
    }

    /** Check {@code checks} was the last: the job is done with. */
    public static PollState last(int checks) {
        return new PollState(checks, Optional.empty(), UUID.randomUUID().toString());
    }
}
