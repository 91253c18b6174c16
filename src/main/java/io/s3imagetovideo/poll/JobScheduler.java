package io.s3imagetovideo.poll;

/** Arranges the status checks that follow a job after it was submitted. */
public interface JobScheduler {

    /** Schedules nothing: for runs without a poll queue. */
    JobScheduler NONE = (bucket, recordKey, jobId) -> { };

    void scheduleFirstCheck(String bucket, String recordKey, String jobId);
}
