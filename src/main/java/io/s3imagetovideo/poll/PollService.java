package io.s3imagetovideo.poll;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.s3imagetovideo.api.ApiError;
import io.s3imagetovideo.api.ApiResult;
import io.s3imagetovideo.api.RetryPolicy;
import io.s3imagetovideo.api.VideoDownloads.VideoDownload;
import io.s3imagetovideo.api.VideoDownloads;
import io.s3imagetovideo.api.VideoJobs;
import io.s3imagetovideo.layout.UploadName;
import io.s3imagetovideo.log.Log;
import io.s3imagetovideo.log.Metrics;
import io.s3imagetovideo.poll.PollOutcome.Action;
import io.s3imagetovideo.queue.StatusCheck;
import io.s3imagetovideo.queue.StatusChecks;
import io.s3imagetovideo.record.HostStatus;
import io.s3imagetovideo.record.JobRecord;
import io.s3imagetovideo.record.Output;
import io.s3imagetovideo.record.RecordJson;
import io.s3imagetovideo.record.RecordStore;
import io.s3imagetovideo.record.Status;
import io.s3imagetovideo.record.StoredRecord;
import io.s3imagetovideo.record.Transitions;
import io.s3imagetovideo.storage.Write;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Follows one job through one status check. Knows nothing of Lambda or SQS events: it is given a
 * {@link StatusCheck} and the time by which it must be done. The record's states are
 * {@link Transitions}'s; every write is conditional on the ETag read at the start, so a check that
 * lost a race never overwrites what the winner wrote. A check is dropped, without a write, when the
 * record is gone, follows another job (a newer upload), is already terminal, or has seen this check.
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

    private final RecordStore records;
    private final VideoJobs jobs;
    private final VideoDownloads downloads;
    private final VideoUploader uploader;
    private final Thumbnails thumbnails;
    private final StatusChecks statusChecks;
    private final PollSchedule schedule;
    private final Clock clock;
    private final RandomGenerator random;

    PollService(RecordStore records, VideoJobs jobs, VideoDownloads downloads, VideoUploader uploader,
            Thumbnails thumbnails, StatusChecks statusChecks, PollSchedule schedule, Clock clock,
            RandomGenerator random) {
        this.records = records;
        this.jobs = jobs;
        this.downloads = downloads;
        this.uploader = uploader;
        this.thumbnails = thumbnails;
        this.statusChecks = statusChecks;
        this.schedule = schedule;
        this.clock = clock;
        this.random = random;
    }

    private sealed interface Round {
        record Done(PollOutcome outcome) implements Round {}

        record Again(String reason) implements Round {}
    }

    /** Looks at the job once and moves its record on. */
    public PollOutcome check(StatusCheck check, Instant deadline) {
        Optional<UploadName> named = UploadName.ofRecordKey(check.recordKey());
        if (named.isEmpty()) {
            return log(check, PollOutcome.dropped(Optional.empty(), "not_a_job_record"), 0);
        }
        UploadName upload = named.get();
        ApiResult<ObjectNode> answer = null;
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            Optional<StoredRecord> stored = records.read(check.bucket(), check.recordKey());
            Optional<String> stale = staleness(stored, check);
            if (stale.isPresent()) {
                return log(check, PollOutcome.dropped(stored.map(s -> s.record().status()), stale.get()), round);
            }
            if (answer == null) {
                Instant budget = clock.instant().plus(STATUS_CALL_BUDGET);
                answer = jobs.retrieve(check.jobId(), budget.isBefore(deadline) ? budget : deadline);
            }
            switch (decide(check, upload, stored.get(), answer, deadline)) {
                case Round.Done done -> {
                    return log(check, done.outcome(), round);
                }
                case Round.Again again -> Log.info("poll_conflict", "bucket", check.bucket(), "record",
                        check.recordKey(), "job_id", check.jobId(), "check", check.check(), "round", round,
                        "reason", again.reason());
            }
        }
        return log(check, PollOutcome.later("the record kept changing"), MAX_ROUNDS);
    }

    /** Why this check has nothing to do, if it has nothing to do. */
    private static Optional<String> staleness(Optional<StoredRecord> stored, StatusCheck check) {
        if (stored.isEmpty()) {
            return Optional.of("record_missing");
        }
        JobRecord record = stored.get().record();
        if (!record.follows(check.jobId())) {
            return Optional.of("record_follows_another_job");
        }
        if (record.status().isTerminal() && !record.videoStillToFetch()) {
            return Optional.of("record_already_" + record.status().word());
        }
        if (record.poll().map(p -> p.checks() >= check.check()).orElse(false)) {
            return Optional.of("check_already_done");
        }
        return Optional.empty();
    }

    private Round decide(StatusCheck check, UploadName upload, StoredRecord stored, ApiResult<ObjectNode> answer,
            Instant deadline) {
        JobRecord current = stored.record();
        Instant now = clock.instant();
        Optional<Instant> expiresAt = submittedAt(current).map(schedule::expiresAt);
        boolean pastMaxAge = expiresAt.isPresent() && !now.isBefore(expiresAt.get());
        return switch (answer) {
            case ApiResult.Failed<ObjectNode> failed -> refusedOrLater(check, stored, failed.error(), pastMaxAge, now);
            case ApiResult.Ok<ObjectNode> ok -> {
                ObjectNode job = ok.value();
                if (job.path("id").isTextual() && !check.jobId().equals(job.get("id").textValue())) {
                    Log.warn("poll_answer_other_id", "bucket", check.bucket(), "record", check.recordKey(),
                            "job_id", check.jobId(), "answer_id", job.get("id").textValue());
                }
                HostStatus status = HostStatus.of(job.path("status").asText(null));
                yield switch (status.status()) {
                    case COMPLETED -> complete(check, upload, stored, job, deadline);
                    case FAILED -> write(check, stored, Transitions.jobFailed(current, job, check.check(), now),
                            PollOutcome.of(Action.FAILED, Status.FAILED));
                    case EXPIRED -> write(check, stored, Transitions.expired(current, job, check.check(),
                            "The video API reports the job as expired. To try again, upload a changed prompt file.",
                            now), PollOutcome.of(Action.EXPIRED, Status.EXPIRED));
                    default -> runsOn(check, stored, job, status, pastMaxAge, expiresAt, now);
                };
            }
        };
    }

    /** The status read failed: a refusal fails the job, anything else waits in the queue (or expires). */
    private Round refusedOrLater(StatusCheck check, StoredRecord stored, ApiError error, boolean pastMaxAge,
            Instant now) {
        // 401 and 403 say more about our key than about the job: the queue asks again.
        boolean transientFailure = error.isTransient() || error instanceof ApiError.Unauthorized;
        JobRecord current = stored.record();
        if (transientFailure && pastMaxAge) {
            return write(check, stored, Transitions.expired(current, null, check.check(),
                    expiredMessage(current, "the last status check failed (" + error.code() + "): "
                            + error.message()), now),
                    PollOutcome.of(Action.EXPIRED, Status.EXPIRED));
        }
        if (error instanceof ApiError.Busy busy) {
            // The same check again after the host's Retry-After: the record has not moved, so it is not a repeat.
            int delay = (int) Math.min(PollSchedule.SQS_MAX_DELAY_SECONDS,
                    RetryPolicy.whileBusy(busy.retryAfter(), Duration.ZERO, random).toSeconds());
            statusChecks.send(check, delay);
            return new Round.Done(new PollOutcome(Action.RESCHEDULED, Optional.of(current.status()),
                    Optional.of("host_busy")));
        }
        if (transientFailure) {
            return new Round.Done(PollOutcome.later(error.describe()));
        }
        return write(check, stored, Transitions.readRefused(current, error.code(), error.message(), error.httpStatus(),
                check.check(), now), new PollOutcome(Action.FAILED, Optional.of(Status.FAILED),
                Optional.of("http_" + error.httpStatus().orElse(0))));
    }

    /** Still queued or in progress: the next check goes on the queue, unless the job is past its age. */
    private Round runsOn(StatusCheck check, StoredRecord stored, ObjectNode job, HostStatus status, boolean pastMaxAge,
            Optional<Instant> expiresAt, Instant now) {
        JobRecord current = stored.record();
        if (status.isUnknownWord() && !status.word().equals(current.apiStatus())) {
            // Not a word of the list: followed like a job still running, noted once per new word.
            Log.warn("poll_unknown_status", "bucket", check.bucket(), "record", check.recordKey(),
                    "job_id", check.jobId(), "status", status.word().orElse(null));
        }
        if (pastMaxAge) {
            return write(check, stored, Transitions.expired(current, job, check.check(),
                    expiredMessage(current, "its last status was " + describe(job)), now),
                    PollOutcome.of(Action.EXPIRED, Status.EXPIRED));
        }
        PollSchedule.Next next = schedule.next(current, job, now, expiresAt);
        int delay = next.delaySeconds();
        // Sent before the record is written: if the write then fails, the redelivered check finds the
        // record unmoved and goes on; a duplicate next check is dropped by its number.
        statusChecks.send(check.next(), delay);
        return write(check, stored, next.remembered(Transitions.progressed(current, job, status, check.check(),
                now.plusSeconds(delay), now)), PollOutcome.of(Action.RESCHEDULED, status.status()));
    }

    private Round complete(StatusCheck check, UploadName upload, StoredRecord stored, ObjectNode job,
            Instant deadline) {
        String videoKey = upload.videoKey();
        Instant downloadDeadline = deadline.minus(DOWNLOAD_SAFETY_MARGIN);
        ApiResult<VideoDownload> opened = open(check, job, downloadDeadline);
        VideoDownload download;
        switch (opened) {
            case ApiResult.Failed<VideoDownload> failed -> {
                return new Round.Done(PollOutcome.later("the video download did not start: "
                        + failed.error().describe()));
            }
            case ApiResult.Ok<VideoDownload> ok -> download = ok.value();
        }
        return switch (uploader.upload(check.bucket(), videoKey, Output.VIDEO_CONTENT_TYPE, download, downloadDeadline,
                () -> sameRecord(check, stored))) {
            case VideoUploader.Upload.DownloadFailed failed -> new Round.Done(PollOutcome.later(failed.message()));
            case VideoUploader.Upload.Superseded superseded -> new Round.Again("the record moved on during the download");
            case VideoUploader.Upload.Saved saved -> {
                Log.info("video_saved", "bucket", check.bucket(), "video", videoKey, "job_id", check.jobId(),
                        "bytes", saved.bytes(), "parts", saved.parts(), "host", download.host());
                Output output = new Output(videoKey, saved.bytes(), Output.VIDEO_CONTENT_TYPE);
                Optional<String> thumbnail = thumbnails.save(check.bucket(), upload, check.jobId(), downloadDeadline);
                yield write(check, stored, Transitions.completed(stored.record(), job, check.check(),
                        thumbnail.map(output::withThumbnail).orElse(output), clock.instant()),
                        PollOutcome.of(Action.COMPLETED, Status.COMPLETED));
            }
        };
    }

    /**
     * The video's download: from the link the job names, if any ({@code video_url}, the seed
     * reseller's; {@code url}; new-api's {@code metadata.url}), without the key; from {@code /content}
     * with the key when there is none, or when the link is refused (it expired, say).
     */
    private ApiResult<VideoDownload> open(StatusCheck check, ObjectNode job, Instant deadline) {
        Optional<URI> link = videoUrl(job, check);
        if (link.isPresent()) {
            ApiResult<VideoDownload> linked = downloads.url(link.get(), deadline);
            if (!(linked instanceof ApiResult.Failed<VideoDownload> failed) || failed.error().isTransient()) {
                return linked;
            }
            Log.warn("video_url_refused", "bucket", check.bucket(), "record", check.recordKey(), "job_id",
                    check.jobId(), "code", failed.error().code(), "reason", "downloading /content instead");
        }
        return downloads.content(check.jobId(), deadline);
    }

    /** Asked just before the video is completed: the record is still the one this check started from. */
    private boolean sameRecord(StatusCheck check, StoredRecord stored) {
        return records.read(check.bucket(), check.recordKey()).map(now -> now.etag().equals(stored.etag()))
                .orElse(false);
    }

    /** Where hosts name a finished job's video, most specific first. */
    private static final List<String> VIDEO_LINK_FIELDS = List.of("/video_url", "/url", "/metadata/url");

    /** The job's own download link, when it names a usable one. */
    private static Optional<URI> videoUrl(ObjectNode job, StatusCheck check) {
        for (String field : VIDEO_LINK_FIELDS) {
            JsonNode url = job.at(field);
            if (!url.isTextual() || url.textValue().isBlank()) {
                continue;
            }
            try {
                URI uri = new URI(url.textValue().trim());
                if (VideoDownloads.isHttp(uri)) {
                    return Optional.of(uri);
                }
            } catch (URISyntaxException e) {
                // described below
            }
            Log.warn("video_url_unusable", "bucket", check.bucket(), "record", check.recordKey(), "job_id",
                    check.jobId(), "field", field.substring(1).replace('/', '.'), "reason", "not an absolute http(s) URL");
        }
        return Optional.empty();
    }

    private Round write(StatusCheck check, StoredRecord stored, JobRecord next, PollOutcome outcome) {
        return switch (records.write(check.bucket(), check.recordKey(), next, Optional.of(stored.etag()))) {
            case Write.LostRace lost -> new Round.Again("another check moved the record first");
            case Write.Written written -> new Round.Done(outcome);
        };
    }

    /** When the job was submitted: our {@code submitted_at}, else the host's {@code created_at}. */
    private static Optional<Instant> submittedAt(JobRecord record) {
        return record.submittedAt().or(() -> PollSchedule.createdAt(record.job()));
    }

    private String expiredMessage(JobRecord record, String lastState) {
        String since = submittedAt(record).map(RecordJson::timestamp).orElse("its submission");
        return "The job did not finish within " + schedule.maxAge().toSeconds() + " seconds (POLL_MAX_AGE_SECONDS)"
                + " of its submission at " + since + "; " + lastState + ". To try again, upload a changed prompt"
                + " file (an unchanged upload is taken for the same one).";
    }

    private static String describe(ObjectNode job) {
        String status = job.path("status").asText("unknown");
        return job.path("progress").isNumber() ? status + " (" + job.get("progress").asText() + "%)" : status;
    }

    private static PollOutcome log(StatusCheck check, PollOutcome outcome, int round) {
        Log.info("poll_decision", "bucket", check.bucket(), "record", check.recordKey(), "job_id", check.jobId(),
                "check", check.check(), "action", outcome.action().name().toLowerCase(java.util.Locale.ROOT), "status",
                outcome.status().map(Status::word).orElse(null), "reason", outcome.reason().orElse(null),
                "round", round);
        switch (outcome.action()) {
            case COMPLETED -> Metrics.count(Metrics.Metric.JOBS_COMPLETED);
            case FAILED -> Metrics.count(Metrics.Metric.JOBS_FAILED);
            case EXPIRED -> Metrics.count(Metrics.Metric.JOBS_EXPIRED);
            case RESCHEDULED, DROPPED, LATER -> {
                // the job goes on, or is someone else's
            }
        }
        return outcome;
    }
}
