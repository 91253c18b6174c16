package io.s3imagetovideo.record;

import java.time.Instant;
import java.util.Optional;

/**
 * {@code poll: {checks, next_check_at}}: {@code checks} is the number of the last status check that
 * moved the record. A check whose number is not above it is a duplicate or a stale redelivery and is
 * dropped, which stops a duplicated message from starting a second chain of checks; it also makes
 * every check's write change the record's ETag, so that a concurrent twin loses its conditional write.
 */
public record PollState(int checks, Optional<Instant> nextCheckAt) {

    public static PollState last(int checks) {
        return new PollState(checks, Optional.empty());
    }
}
