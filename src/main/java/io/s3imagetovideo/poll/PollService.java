package io.s3imagetovideo.poll;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.s3imagetovideo.api.VideoApiClient;
import io.s3imagetovideo.api.VideoApiClient.VideoDownload;
import io.s3imagetovideo.api.VideoApiException;
import io.s3imagetovideo.layout.UploadName;
import io.s3imagetovideo.log.Log;
import io.s3imagetovideo.log.Metrics;
import io.s3imagetovideo.record.JobRecords;
import io.s3imagetovideo.record.JobStatus;
import io.s3imagetovideo.record.RecordConflictException;
import io.s3imagetovideo.record.RecordStore;
import io.s3imagetovideo.record.StoredRecord;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.Set;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Follows one job through one status check. Knows nothing of Lambda or SQS events: it is given a
 * {@link StatusCheck} and the time by which it must be done.
 *
 * <pre>
 *   queued / in_progress ──► the same, next check scheduled (delay doubling up to the maximum)
 *          │         └────► expired        not finished POLL_MAX_AGE_SECONDS after submitted_at
 *          ├──► completed   the video streamed to &lt;p&gt;/&lt;name&gt;.mp4, then the record
 *          └──► failed      the API's error
 * </pre>
 * Every record write is conditional on the ETag read at the start, so a check that lost a race
 * never overwrites what the winner wrote. A check is dropped, without a write, when the record is
 * gone, follows another job (a newer upload), is already terminal, or has seen this check already.
 * A transient failure throws {@link PollLaterException}: the queue delivers the check again.
 */
public final class PollService {

    /**
     * Time for one status GET, retries included; the client keeps its safety margin of it free. A
     * longer outage is the queue's to wait out, not this invocation's.
     */
    static final Duration STATUS_CALL_BUDGET = Duration.ofSeconds(40);
    /** Kept free at the end of the invocation to abort an unfinished upload and report the outcome. */
    static final Duration DOWNLOAD_SAFETY_MARGIN = Duration.ofSeconds(10);
    /** Re-reads after losing a conditional write before giving the message back to the queue. */
    private static final int MAX_ROUNDS = 3;
    /** A record in one of these states is not followed any more. */
    private static final Set<String> TERMINAL = Set.of(JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.EXPIRED,
            JobStatus.REJECTED);
    /** HTTP refusals that say more about our key than about the job: the queue retries them. */
    private static final Set<Integer> KEY_PROBLEMS = Set.of(401, 403);

    private final RecordStore records;
    private final PollRecords shapes;
    private final VideoApiClient api;
    private final VideoUploader uploader;
    private final SqsJobScheduler scheduler;
    private final PollSchedule schedule;
    private final Clock clock;

    public PollService(RecordStore records, ObjectMapper mapper, VideoApiClient api, S3Client s3,
            SqsJobScheduler scheduler, PollSchedule schedule, Clock clock) {
        this.records = records;
        this.shapes = new PollRecords(mapper);
        this.api = api;
        this.uploader = new VideoUploader(s3, clock);
        this.scheduler = scheduler;
        this.schedule = schedule;
        this.clock = clock;
    }

    /**
     * What became of one check. {@code action}: {@code rescheduled}, {@code completed}, {@code failed},
     * {@code expired} or {@code dropped}; {@code reason} says why a check was dropped.
     */
    public record Outcome(String action, String status, String reason) {}

    /**
     * Looks at the job once and moves its record on.
     *
     * @throws PollLaterException when the API or the download failed transiently, or the record kept
     *     changing: the check must be delivered again
     */
    public Outcome check(StatusCheck check, Instant deadline) {
        if (!check.recordKey().endsWith(UploadName.RECORD_SUFFIX)) {
            return log(check, new Outcome("dropped", null, "not_a_job_record"), 0);
        }
        UploadName upload = UploadName.of(check.recordKey().substring(0,
                check.recordKey().length() - UploadName.RECORD_SUFFIX.length()));
        Answer answer = null;
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            Optional<StoredRecord> stored = records.read(check.bucket(), check.recordKey());
            Optional<String> stale = staleness(stored, check);
            if (stale.isPresent()) {
                return log(check, new Outcome("dropped", stored.map(StoredRecord::status).orElse(null), stale.get()),
                        round);
            }
            if (answer == null) {
                answer = ask(check, deadline);
            }
            try {
                return log(check, decide(check, upload, stored.get(), answer, deadline), round);
            } catch (RecordConflictException e) {
                Log.info("poll_conflict", "bucket", check.bucket(), "record", check.recordKey(),
                        "job_id", check.jobId(), "check", check.check(), "round", round, "reason", e.getMessage());
            }
        }
        throw new PollLaterException(check.recordKey(), "the record kept changing", null);
    }

    /** Why this check has nothing to do, if it has nothing to do. */
    private static Optional<String> staleness(Optional<StoredRecord> stored, StatusCheck check) {
        if (stored.isEmpty()) {
            return Optional.of("record_missing");
        }
        ObjectNode json = stored.get().json();
        if (!check.jobId().equals(json.path("id").asText(null))) {
            return Optional.of("record_follows_another_job");
        }
        // A job the API reported completed in its very first answer has no video yet: fetch it.
        boolean videoStillToFetch = JobStatus.COMPLETED.equals(stored.get().status()) && !json.has("output");
        if (TERMINAL.contains(stored.get().status()) && !videoStillToFetch) {
            return Optional.of("record_already_" + stored.get().status());
        }
        if (json.path("poll").path("checks").asInt(0) >= check.check()) {
            return Optional.of("check_already_done");
        }
        return Optional.empty();
    }

    /** The API's answer: the job, or the reason there is none. */
    private record Answer(ObjectNode job, VideoApiException refusal) {}

    private Answer ask(StatusCheck check, Instant deadline) {
        Instant budget = clock.instant().plus(STATUS_CALL_BUDGET);
        try {
            return new Answer(api.getVideo(check.jobId(), budget.isBefore(deadline) ? budget : deadline), null);
        } catch (VideoApiException e) {
            return new Answer(null, e);
        }
    }

    private Outcome decide(StatusCheck check, UploadName upload, StoredRecord stored, Answer answer,
            Instant deadline) {
        ObjectNode current = stored.json();
        Instant now = clock.instant();
        Optional<Instant> expiresAt = submittedAt(current).map(schedule::expiresAt);
        boolean pastMaxAge = expiresAt.isPresent() && !now.isBefore(expiresAt.get());

        if (answer.refusal() != null) {
            VideoApiException e = answer.refusal();
            boolean transientFailure = e.isRetryable() || KEY_PROBLEMS.contains(e.httpStatus());
            if (transientFailure && pastMaxAge) {
                write(check, stored, shapes.expired(current, null, check.jobId(), check.check(),
                        expiredMessage(current, "the last status check failed (" + e.code() + ")"), now));
                return new Outcome("expired", JobStatus.EXPIRED, null);
            }
            if (transientFailure) {
                throw new PollLaterException(check.recordKey(), e.getMessage(), e);
            }
            write(check, stored, shapes.failedHttp(current, check.jobId(), check.check(), e.code(), e.apiMessage(),
                    e.httpStatus(), now));
            return new Outcome("failed", JobStatus.FAILED, "http_" + e.httpStatus());
        }

        ObjectNode job = answer.job();
        String status = job.path("status").asText();
        if (job.path("id").isTextual() && !check.jobId().equals(job.get("id").textValue())) {
            Log.warn("poll_answer_other_id", "bucket", check.bucket(), "record", check.recordKey(),
                    "job_id", check.jobId(), "answer_id", job.get("id").textValue());
        }
        switch (status) {
            case JobStatus.COMPLETED -> {
                return complete(check, upload, stored, job, deadline);
            }
            case JobStatus.FAILED -> {
                write(check, stored, shapes.failed(current, job, check.jobId(), check.check(), now));
                return new Outcome("failed", JobStatus.FAILED, null);
            }
            default -> {
                if (!JobStatus.QUEUED.equals(status) && !JobStatus.IN_PROGRESS.equals(status)) {
                    // Not OpenAI's vocabulary: recorded as said, and followed like a job still running.
                    Log.warn("poll_unknown_status", "bucket", check.bucket(), "record", check.recordKey(),
                            "job_id", check.jobId(), "status", status);
                }
                if (pastMaxAge) {
                    write(check, stored, shapes.expired(current, job, check.jobId(), check.check(),
                            expiredMessage(current, "its last status was " + describe(job)), now));
                    return new Outcome("expired", JobStatus.EXPIRED, null);
                }
                int delay = expiresAt.map(at -> schedule.delayAfter(check.check(), now, at))
                        .orElseGet(() -> schedule.delayAfter(check.check()));
                // Sent before the record is written: if the write then fails, the redelivered check
                // finds the record unmoved and goes on; a duplicate next check is dropped by its number.
                scheduler.send(check.next(), delay);
                write(check, stored, shapes.progressed(current, job, check.jobId(), check.check(),
                        now.plusSeconds(delay), now));
                return new Outcome("rescheduled", status, null);
            }
        }
    }

    private Outcome complete(StatusCheck check, UploadName upload, StoredRecord stored, ObjectNode job,
            Instant deadline) {
        String videoKey = upload.videoKey();
        VideoDownload download;
        Instant downloadDeadline = deadline.minus(DOWNLOAD_SAFETY_MARGIN);
        try {
            Optional<URI> videoUrl = videoUrl(job, check);
            download = videoUrl.isPresent()
                    ? api.downloadVideoUrl(videoUrl.get(), downloadDeadline)
                    : api.downloadContent(check.jobId(), downloadDeadline);
        } catch (VideoApiException e) {
            throw new PollLaterException(check.recordKey(), "the video download did not start: " + e.getMessage(), e);
        }
        VideoUploader.Result result;
        try {
            result = uploader.upload(check.bucket(), videoKey, PollRecords.VIDEO_CONTENT_TYPE, download,
                    downloadDeadline, () -> sameRecord(check, stored));
        } catch (VideoUploader.DownloadFailedException e) {
            throw new PollLaterException(check.recordKey(), e.getMessage(), e);
        }
        if (result.superseded()) {
            throw new RecordConflictException(check.recordKey(), 412);
        }
        Log.info("video_saved", "bucket", check.bucket(), "video", videoKey, "job_id", check.jobId(),
                "bytes", result.bytes(), "parts", result.parts(), "host", download.host());
        write(check, stored, shapes.completed(stored.json(), job, check.jobId(), check.check(), videoKey,
                result.bytes(), clock.instant()));
        return new Outcome("completed", JobStatus.COMPLETED, null);
    }

    /** Asked just before the video is completed: the record is still the one this check started from. */
    private boolean sameRecord(StatusCheck check, StoredRecord stored) {
        return records.read(check.bucket(), check.recordKey())
                .map(now -> now.etag().equals(stored.etag()))
                .orElse(false);
    }

    /** The reseller's download link, when the job has a usable one. */
    private static Optional<URI> videoUrl(ObjectNode job, StatusCheck check) {
        JsonNode url = job.get("video_url");
        if (url == null || !url.isTextual() || url.textValue().isBlank()) {
            return Optional.empty();
        }
        try {
            URI uri = new URI(url.textValue().trim());
            if (uri.getHost() != null && ("https".equalsIgnoreCase(uri.getScheme())
                    || "http".equalsIgnoreCase(uri.getScheme()))) {
                return Optional.of(uri);
            }
        } catch (URISyntaxException e) {
            // described below
        }
        Log.warn("video_url_unusable", "bucket", check.bucket(), "record", check.recordKey(), "job_id", check.jobId(),
                "reason", "not an absolute http(s) URL; downloading /content instead");
        return Optional.empty();
    }

    private void write(StatusCheck check, StoredRecord stored, ObjectNode record) {
        records.write(check.bucket(), check.recordKey(), record, Optional.of(stored.etag()));
    }

    /** When the job was submitted: our {@code submitted_at}, else the API's {@code created_at}. */
    private static Optional<Instant> submittedAt(ObjectNode record) {
        try {
            if (record.path("submitted_at").isTextual()) {
                return Optional.of(Instant.parse(record.get("submitted_at").textValue()));
            }
        } catch (DateTimeParseException e) {
            // fall back to the API's own time
        }
        if (record.path("created_at").canConvertToLong() && record.get("created_at").asLong() > 0) {
            return Optional.of(Instant.ofEpochSecond(record.get("created_at").asLong()));
        }
        return Optional.empty();
    }

    private String expiredMessage(ObjectNode record, String lastState) {
        String since = submittedAt(record).map(JobRecords::timestamp).orElse("its submission");
        return "The job did not finish within " + schedule.maxAge().toSeconds() + " seconds (POLL_MAX_AGE_SECONDS)"
                + " of its submission at " + since + "; " + lastState + ". To try again, upload a changed prompt"
                + " file (an unchanged upload is taken for the same one).";
    }

    private static String describe(ObjectNode job) {
        String status = job.path("status").asText("unknown");
        return job.path("progress").isNumber() ? status + " (" + job.get("progress").asText() + "%)" : status;
    }

    private static Outcome log(StatusCheck check, Outcome outcome, int round) {
        Log.info("poll_decision", "bucket", check.bucket(), "record", check.recordKey(), "job_id", check.jobId(),
                "check", check.check(), "action", outcome.action(), "status", outcome.status(),
                "reason", outcome.reason(), "round", round);
        switch (outcome.action()) {
            case "completed" -> Metrics.count(Metrics.JOBS_COMPLETED);
            case "failed" -> Metrics.count(Metrics.JOBS_FAILED);
            case "expired" -> Metrics.count(Metrics.JOBS_EXPIRED);
            default -> {
                // rescheduled, dropped: the job goes on or is someone else's
            }
        }
        return outcome;
    }
}
