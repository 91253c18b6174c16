package io.s3imagetovideo.record;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * The right of one invocation to call the host for one upload, until {@code expiresAt} (its own
 * deadline). {@code token} makes every claim unique, so that a write confirmed by reading it back was
 * this claimant's. A released claim was handed back after transient failures: free to take at once.
 */
public record Claim(Instant expiresAt, String token, boolean released) {

    public Claim {
        Objects.requireNonNull(expiresAt, "expiresAt");
        Objects.requireNonNull(token, "token");
    }

    /** Held until {@code expiresAt}, rounded up to the whole second that the record writes. */
    public static Claim until(Instant expiresAt) {
        Instant whole = expiresAt.truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
        return new Claim(whole.equals(expiresAt) ? whole : whole.plusSeconds(1), UUID.randomUUID().toString(), false);
    }

    /** Handed back at {@code now}: another invocation may take the upload over. */
    public Claim releasedAt(Instant now) {
        return new Claim(now, UUID.randomUUID().toString(), true);
    }

    /**
     * Whether another invocation may take the upload: a released claim at once, a held one only once
     * its holder is past its deadline by more than {@code grace} (clock skew between instances).
     */
    public boolean isFreeAt(Instant now, java.time.Duration grace) {
        return released || now.isAfter(expiresAt.plus(grace));
    }
}
