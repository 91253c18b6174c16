package io.s3imagetovideo.submit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.s3imagetovideo.api.ApiError;
import io.s3imagetovideo.api.ApiResult;
import io.s3imagetovideo.api.VideoJobs;
import io.s3imagetovideo.layout.BucketLayout;
import io.s3imagetovideo.layout.UploadName;
import io.s3imagetovideo.log.Log;
import io.s3imagetovideo.log.Metrics;
import io.s3imagetovideo.queue.StatusCheck;
import io.s3imagetovideo.queue.StatusChecks;
import io.s3imagetovideo.record.ETags;
import io.s3imagetovideo.record.HostStatus;
import io.s3imagetovideo.record.JobRecord;
import io.s3imagetovideo.record.RecordStore;
import io.s3imagetovideo.record.RequestSummary;
import io.s3imagetovideo.record.Source;
import io.s3imagetovideo.record.Status;
import io.s3imagetovideo.record.StoredRecord;
import io.s3imagetovideo.record.Transitions;
import io.s3imagetovideo.record.Write;
import io.s3imagetovideo.submit.SubmitOutcome.Action;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Turns an uploaded image or prompt file into at most one paid job per upload. Knows nothing of Lambda:
 * it is given a bucket, a key and the time by which it must be done.
 *
 * <p>The record next to the image is the only state; its states are {@link Transitions}'s and each
 * move is a conditional write, so two invocations that race for one upload cannot both reach the host.
 * The input is checked ({@link InputCheck}) before anything is claimed; only the claim holder calls
 * the host, and every attempt carries the same {@code Idempotency-Key}.
 */
public final class SubmitService {

    /** How long a dead instance's claim is respected past its own deadline (clock skew between instances). */
    static final Duration CLAIM_GRACE = Duration.ofSeconds(5);
    /** Re-reads after losing a conditional write before giving the event back. */
    private static final int MAX_ROUNDS = 8;

    private final UploadObjects objects;
    private final InputCheck inputs;
    private final RecordStore records;
    private final VideoJobs jobs;
    private final StatusChecks statusChecks;
    private final int firstCheckDelaySeconds;
    private final Clock clock;

    SubmitService(UploadObjects objects, InputCheck inputs, RecordStore records, VideoJobs jobs,
            StatusChecks statusChecks, int firstCheckDelaySeconds, Clock clock) {
        this.objects = objects;
        this.inputs = inputs;
        this.records = records;
        this.jobs = jobs;
        this.statusChecks = statusChecks;
        this.firstCheckDelaySeconds = firstCheckDelaySeconds;
        this.clock = clock;
    }

    /** One round's result: the outcome, or why the round must be played again from a fresh read. */
    private sealed interface Round {
        record Done(SubmitOutcome outcome) implements Round {}

        record Again(String reason) implements Round {}
    }

    /** Handles one created object. */
    public SubmitOutcome handle(String bucket, String key, Instant deadline) {
        Optional<BucketLayout.PairMember> member = BucketLayout.classify(key);
        if (member.isEmpty()) {
            Log.info("key_ignored", "bucket", bucket, "key", key, "reason", "neither an image nor a prompt sidecar");
            return new SubmitOutcome(Action.IGNORED, Optional.empty(), Optional.empty(), Optional.empty());
        }
        UploadName upload = member.get().upload();
        long started = System.nanoTime();
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            switch (decide(bucket, upload, deadline)) {
                case Round.Done done -> {
                    SubmitOutcome outcome = done.outcome();
                    Log.info("submit_decision", "bucket", bucket, "key", key, "record", upload.recordKey(),
                            "action", outcome.action().name().toLowerCase(java.util.Locale.ROOT), "status", outcome.status().map(Status::word).orElse(null),
                            "job_id", outcome.jobId().orElse(null), "round", round,
                            "latency_ms", (System.nanoTime() - started) / 1_000_000);
                    count(outcome.action());
                    return outcome;
                }
                case Round.Again again -> Log.info("submit_conflict", "bucket", bucket, "key", key, "round", round,
                        "reason", again.reason());
            }
        }
        return SubmitOutcome.later("The record " + upload.recordKey() + " kept changing during " + MAX_ROUNDS
                + " attempts.");
    }

    private static void count(Action action) {
        switch (action) {
            case SUBMITTED -> Metrics.count(Metrics.Metric.JOBS_SUBMITTED);
            case REJECTED -> Metrics.count(Metrics.Metric.JOBS_REJECTED);
            case FAILED -> Metrics.count(Metrics.Metric.JOBS_FAILED);
            case IGNORED, WAITING, DUPLICATE, LATER -> {
                // not a job's outcome
            }
        }
    }

    private Round decide(String bucket, UploadName upload, Instant deadline) {
        UploadObjects.Pair pair = objects.list(bucket, upload);
        Optional<StoredRecord> existing = records.read(bucket, upload.recordKey());
        Optional<String> previousId = existing.flatMap(s -> s.record().lastJobId());
        Instant now = clock.instant();
        String sidecarKey = pair.sidecar().map(S3Object::key).orElse(null);
        String sidecarEtag = pair.sidecar().map(o -> ETags.normalize(o.eTag())).orElse(null);

        if (pair.images().size() > 1) {
            List<String> keys = pair.images().stream().map(S3Object::key).sorted().toList();
            Source source = new Source(bucket, null, null, sidecarKey, sidecarEtag, keys);
            return writeUnlessSame(bucket, upload, existing, Transitions.rejected(source, "ambiguous_image",
                    "Two images share the name '" + upload.name() + "': " + String.join(" and ", keys)
                            + ". Delete or rename all but one of them, then upload the prompt file again.",
                    previousId, now), Action.REJECTED);
        }
        Optional<S3Object> image = pair.image();
        if (image.isEmpty() || pair.sidecar().isEmpty()) {
            Source source = new Source(bucket, image.map(S3Object::key).orElse(null),
                    image.map(o -> ETags.normalize(o.eTag())).orElse(null), sidecarKey, sidecarEtag, List.of());
            return writeUnlessSame(bucket, upload, existing,
                    Transitions.waiting(source, image.isEmpty() ? "image" : "prompt", previousId, now), Action.WAITING);
        }

        Source source = Source.pair(bucket, image.get().key(), ETags.normalize(image.get().eTag()), sidecarKey,
                sidecarEtag);
        if (existing.isPresent() && source.sameUploadAs(existing.get().record().source())
                && existing.get().record().status() != Status.WAITING) {
            JobRecord current = existing.get().record();
            if (!current.claimIsFree(now, CLAIM_GRACE)) {
                // A redelivery, a concurrent twin, or a claim still held by a living invocation.
                return new Round.Done(new SubmitOutcome(Action.DUPLICATE, Optional.of(current.status()),
                        current.jobId(), Optional.empty()));
            }
            Log.warn("claim_taken_over", "bucket", bucket, "record", upload.recordKey(), "claim_expires_at",
                    current.claim().map(c -> c.expiresAt().toString()).orElse(null));
        }

        return switch (inputs.check(bucket, image.get(), pair.sidecar().get())) {
            case InputCheck.SourceChanged changed -> new Round.Again(changed.key() + " changed since it was listed");
            case InputCheck.Rejected rejected -> writeUnlessSame(bucket, upload, existing,
                    Transitions.rejected(source, rejected.code(), rejected.message(), previousId, now), Action.REJECTED);
            case InputCheck.Accepted accepted -> {
                JobRecord claim = Transitions.claimed(source, RequestSummary.of(accepted.request()), previousId, now,
                        deadline);
                yield switch (records.write(bucket, upload.recordKey(), claim, existing.map(StoredRecord::etag))) {
                    case Write.LostRace lost -> new Round.Again("another invocation moved the record first");
                    case Write.Written written -> submit(bucket, upload, claim, written.etag(), accepted, deadline);
                };
            }
        };
    }

    /** Calls the host as the claim holder, and records what it said. */
    private Round submit(String bucket, UploadName upload, JobRecord claim, String claimEtag,
            InputCheck.Accepted accepted, Instant deadline) {
        ApiResult<ObjectNode> created = jobs.create(accepted.request(), accepted.image(),
                idempotencyKey(claim.source()), deadline);
        Instant now = clock.instant();
        return switch (created) {
            case ApiResult.Failed<ObjectNode> failed -> {
                ApiError error = failed.error();
                boolean later = error.isTransient();
                JobRecord next = later
                        ? Transitions.released(claim, error.code(), error.message(), error.httpStatus(), now)
                        : Transitions.refused(claim, error.code(), error.message(), error.httpStatus(), now);
                yield switch (records.write(bucket, upload.recordKey(), next, Optional.of(claimEtag))) {
                    case Write.LostRace lost -> new Round.Again("the claim was taken over while the host answered");
                    case Write.Written written -> new Round.Done(later
                            ? SubmitOutcome.later("Could not submit " + upload.recordKey() + " yet: " + error.describe())
                            : SubmitOutcome.of(Action.FAILED, Status.FAILED));
                };
            }
            case ApiResult.Ok<ObjectNode> ok -> recordJob(bucket, upload, claim, claimEtag, ok.value(), now);
        };
    }

    /**
     * The job exists and is paid for: its record must not be lost. A lost race here means another
     * invocation took the claim over while this one waited for the host (past its deadline): the
     * invocation fails, loudly, and the retry finds the upload handled or resubmits with the same
     * idempotency key.
     */
    private Round recordJob(String bucket, UploadName upload, JobRecord claim, String claimEtag, ObjectNode job,
            Instant now) {
        String jobId = job.get("id").textValue();
        HostStatus status = HostStatus.of(job.path("status").asText(null));
        JobRecord submitted = Transitions.submitted(claim, job, status, now);
        return switch (records.write(bucket, upload.recordKey(), submitted, Optional.of(claimEtag))) {
            case Write.LostRace lost -> {
                Log.error("job_record_lost", "bucket", bucket, "record", upload.recordKey(), "job_id", jobId,
                        "reason", "the claim was taken over while the host created the job");
                yield new Round.Done(SubmitOutcome.later("The record " + upload.recordKey()
                        + " was taken over while job " + jobId + " was created."));
            }
            case Write.Written written -> {
                statusChecks.send(new StatusCheck(bucket, upload.recordKey(), jobId, 1), firstCheckDelaySeconds);
                yield new Round.Done(new SubmitOutcome(Action.SUBMITTED, Optional.of(submitted.status()),
                        Optional.of(jobId), Optional.empty()));
            }
        };
    }

    private Round writeUnlessSame(String bucket, UploadName upload, Optional<StoredRecord> existing, JobRecord record,
            Action action) {
        if (existing.isPresent() && existing.get().record().withoutTimes().equals(record.withoutTimes())) {
            return new Round.Done(SubmitOutcome.of(Action.DUPLICATE, record.status()));
        }
        return switch (records.write(bucket, upload.recordKey(), record, existing.map(StoredRecord::etag))) {
            case Write.LostRace lost -> new Round.Again("another invocation moved the record first");
            case Write.Written written -> new Round.Done(SubmitOutcome.of(action, record.status()));
        };
    }

    /** The same for every attempt and every invocation that submits this very upload. */
    static String idempotencyKey(Source source) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : List.of(source.bucket(), source.image(), source.imageEtag(), source.prompt(),
                    source.promptEtag())) {
                sha.update(part.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return "s3i2v-" + HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
