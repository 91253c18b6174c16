package io.s3imagetovideo.record;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The right of one invocation to call the host for one upload, until {@code expiresAt} (its own
 * deadline). {@code token} makes every claim unique, so that a write confirmed by reading it back was
 * this claimant's. A released claim was handed back: free to take at once after transient failures,
 * or, while a busy host is waited for, from {@code nextTryAt} on. {@code waitingSince}: when the
 * upload first found the host busy, kept from claim to claim so that its wait is bounded
 * ({@code SUBMIT_MAX_WAIT_SECONDS}).
 */
public record Claim(Instant expiresAt, String token, boolean released, Optional<Instant> nextTryAt,
        Optional<Instant> waitingSince) {

    public Claim {
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(token, "token");
        Objects.requireNonNull(nextTryAt, "nextTryAt");
        Objects.requireNonNull(waitingSince, "waitingSince");
    }

    public Claim(Instant expiresAt, String token, boolean released) {
        this(expiresAt, token, released, Optional.empty(), Optional.empty());
    }

    /** Held until {@code expiresAt}, rounded up to the whole second that the record writes. */
    public static Claim until(Instant expiresAt) {
        return new Claim(RecordJson.wholeSecondUp(expiresAt), UUID.randomUUID().toString(), false, Optional.empty(),
                Optional.empty());
    }

    /** The same claim, for an upload that has waited for a busy host since {@code since}. */
    public Claim waitingSince(Optional<Instant> since) {
        return new Claim(expiresAt, token, released, nextTryAt, since);
    }

    /** Handed back at {@code now}: another invocation may take the upload over. */
    public Claim releasedAt(Instant now) {
        return new Claim(now, UUID.randomUUID().toString(), true, Optional.empty(), waitingSince);
    }

    /** Handed back at {@code now} while a busy host is waited for: the next attempt is not before {@code next}. */
    public Claim releasedUntil(Instant now, Instant next) {
        return new Claim(now, UUID.randomUUID().toString(), true, Optional.of(next),
                waitingSince.or(() -> Optional.of(now)));
    }

    /**
     * Whether another invocation may take the upload: a released claim at once, a held one only once
     * its holder is past its deadline by more than {@code grace} (clock skew between instances).
     */
    public boolean isFreeAt(Instant now, Duration grace) {
        return released || now.isAfter(expiresAt.plus(grace));
    }
}
