package io.s3imagetovideo.record;

/** The {@code status} values of a job record (DESIGN.md, "Job record"). */
public final class JobStatus {
    /** One of the pair is not there yet; {@code missing} says which. */
    public static final String WAITING = "waiting";
    /**
     * Claimed: one invocation holds the right to call the API for this upload until
     * {@code claim_expires_at}. Added by the exactly-once issue; never left behind by a living invocation.
     */
    public static final String SUBMITTING = "submitting";
    public static final String REJECTED = "rejected";
    public static final String QUEUED = "queued";
    public static final String IN_PROGRESS = "in_progress";
    public static final String COMPLETED = "completed";
    public static final String FAILED = "failed";
    public static final String EXPIRED = "expired";

    private JobStatus() {}
}
