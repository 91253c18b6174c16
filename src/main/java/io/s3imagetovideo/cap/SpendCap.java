package io.s3imagetovideo.cap;

/**
 * How much a bucket may start in one UTC day: {@code maxJobs} jobs ({@code MAX_JOBS_PER_DAY}) and
 * {@code maxVideoSeconds} seconds of video ({@code MAX_VIDEO_SECONDS_PER_DAY}); 0 means no cap.
 */
public record SpendCap(int maxJobs, long maxVideoSeconds) {

    public boolean isOff() {
        return maxJobs == 0 && maxVideoSeconds == 0;
    }

    /** Whether one more job of {@code seconds} fits beside {@code jobs} jobs and {@code videoSeconds} already started. */
    boolean admits(int jobs, long videoSeconds, long seconds) {
        return (maxJobs == 0 || jobs + 1 <= maxJobs) && (maxVideoSeconds == 0 || videoSeconds + seconds <= maxVideoSeconds);
    }
}
