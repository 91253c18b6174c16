package io.s3imagetovideo.submit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.s3imagetovideo.api.ApiError;
import io.s3imagetovideo.api.RetryPolicy;
import io.s3imagetovideo.cap.DailyLedger;
import io.s3imagetovideo.api.ApiResult;
import io.s3imagetovideo.api.VideoJobs;
import io.s3imagetovideo.layout.BucketLayout;
import io.s3imagetovideo.layout.UploadName;
import io.s3imagetovideo.log.Log;
import io.s3imagetovideo.log.Metrics;
import io.s3imagetovideo.queue.StatusCheck;
import io.s3imagetovideo.queue.StatusChecks;
import io.s3imagetovideo.storage.ETags;
import io.s3imagetovideo.record.HostStatus;
import io.s3imagetovideo.record.JobRecord;
import io.s3imagetovideo.record.RecordJson;
import io.s3imagetovideo.record.RecordStore;
import io.s3imagetovideo.record.RequestSummary;
import io.s3imagetovideo.record.Source;
import io.s3imagetovideo.record.Status;
import io.s3imagetovideo.record.StoredRecord;
import io.s3imagetovideo.record.Transitions;
import io.s3imagetovideo.storage.Write;
import io.s3imagetovideo.submit.SubmitOutcome.Action;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.random.RandomGenerator;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Turns an uploaded image or prompt file into at most one paid job per upload. Knows nothing of Lambda
 * or SQS: it is given a bucket, a key and the time by which it must be done.
 *
 * <p>The record next to the image is the only state; its states are {@link Transitions}'s and each
 * move is a conditional write, so two invocations that race for one upload cannot both reach the host.
 * The input is checked ({@link InputCheck}) before anything is claimed; the claim holder takes the
 * upload's share of the day's spend cap ({@link DailyLedger}) and only then calls the host, every
 * attempt with the same {@code Idempotency-Key}. An upload that must wait (a busy host, a full day)
 * says until when in its outcome; the caller brings it back then.
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
    private final ImageSending images;
    private final DailyLedger ledger;
    private final StatusChecks statusChecks;
    private final int firstCheckDelaySeconds;
    private final Duration maxWait;
    private final Clock clock;
    private final RandomGenerator random;

    SubmitService(UploadObjects objects, InputCheck inputs, RecordStore records, VideoJobs jobs, ImageSending images,
            DailyLedger ledger, StatusChecks statusChecks, int firstCheckDelaySeconds, Duration maxWait, Clock clock,
            RandomGenerator random) {
        this.objects = objects;
        this.inputs = inputs;
        this.records = records;
        this.jobs = jobs;
        this.images = images;
        this.ledger = ledger;
        this.statusChecks = statusChecks;
        this.firstCheckDelaySeconds = firstCheckDelaySeconds;
        this.maxWait = maxWait;
        this.clock = clock;
        this.random = random;
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
            Log.info("key_ignored", "bucket", bucket, "key", key, "reason",
                    "neither an image nor a prompt sidecar, or one of the functions' own objects");
            return new SubmitOutcome(Action.IGNORED, Optional.empty(), Optional.empty(), Optional.empty());
        }
        UploadName upload = member.get().upload();
        long started = System.nanoTime();
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            switch (decide(bucket, upload, deadline)) {
                case Round.Done done -> {
                    SubmitOutcome outcome = done.outcome();
                    Log.info("submit_decision", "bucket", bucket, "key", key, "record", upload.recordKey(),
                            "action", outcome.action().name().toLowerCase(Locale.ROOT),
                            "status", outcome.status().map(Status::word).orElse(null),
                            "job_id", outcome.jobId().orElse(null),
                            "come_back_at", outcome.comeBackAt().map(Instant::toString).orElse(null), "round", round,
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
            case IGNORED, WAITING, DUPLICATE, HOST_BUSY, HELD, NOT_YET, LATER -> {
                // not a job's outcome, or counted where it happened
            }
        }
    }

    private Round decide(String bucket, UploadName upload, Instant deadline) {
        UploadObjects.Pair pair = objects.list(bucket, upload);
        // S3 lists what was written before the listing, so an unlisted record is not read: a record written
        // since is caught by the create-only write below, which then loses and starts a new round.
        Optional<StoredRecord> existing = pair.recordListed() ? records.read(bucket, upload.recordKey())
                : Optional.empty();
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
        Optional<JobRecord> same = existing.map(StoredRecord::record)
                .filter(r -> source.sameUploadAs(r.source()) && r.status() != Status.WAITING);
        if (same.isPresent()) {
            JobRecord current = same.get();
            Optional<Instant> until = current.waitingUntil().filter(now::isBefore);
            if (until.isPresent()) {
                // Waiting for a busy host or for the next day: not asked before its time, whoever asks.
                return new Round.Done(SubmitOutcome.waitsUntil(Action.NOT_YET, current.status(), until.get()));
            }
            if (!current.claimIsFree(now, CLAIM_GRACE)) {
                // A redelivery, a concurrent twin, or a claim still held by a living invocation.
                return new Round.Done(new SubmitOutcome(Action.DUPLICATE, Optional.of(current.status()),
                        current.jobId(), Optional.empty()));
            }
            if (current.status() == Status.SUBMITTING && current.claim().map(c -> !c.released()).orElse(false)) {
                Log.warn("claim_taken_over", "bucket", bucket, "record", upload.recordKey(), "claim_expires_at",
                        current.claim().map(c -> c.expiresAt().toString()).orElse(null));
            }
        }

        return switch (inputs.check(bucket, image.get(), pair.sidecar().get())) {
            case InputCheck.SourceChanged changed -> new Round.Again(changed.key() + " changed since it was listed");
            case InputCheck.Rejected rejected -> writeUnlessSame(bucket, upload, existing,
                    Transitions.rejected(source, rejected.code(), rejected.message(), previousId, now), Action.REJECTED);
            case InputCheck.Accepted accepted -> {
                Optional<String> remixOf = accepted.remix() ? remixOf(bucket, upload, existing, same) : Optional.empty();
                JobRecord claim = Transitions.claimed(source, RequestSummary.of(accepted.request()), previousId, now,
                        deadline, remixOf, same.flatMap(JobRecord::claim).flatMap(c -> c.waitingSince()));
                yield switch (records.write(bucket, upload.recordKey(), claim, existing.map(StoredRecord::etag))) {
                    case Write.LostRace lost -> new Round.Again("another invocation moved the record first");
                    case Write.Written written -> spend(bucket, upload, claim, written.etag(), accepted, deadline);
                };
            }
        };
    }

    /**
     * The completed job whose video a {@code "remix": true} prompt file remixes: the one this upload's
     * claim already named, or else the job of the record's earlier version, when that one completed.
     * Without one, the prompt makes a new video from the image, as it would without {@code remix}.
     */
    private static Optional<String> remixOf(String bucket, UploadName upload, Optional<StoredRecord> existing,
            Optional<JobRecord> same) {
        if (same.isPresent()) {
            return same.get().remixedFrom();
        }
        Optional<String> completed = existing.map(StoredRecord::record)
                .filter(r -> r.status() == Status.COMPLETED).flatMap(JobRecord::jobId);
        if (completed.isEmpty()) {
            Log.info("remix_without_video", "bucket", bucket, "record", upload.recordKey(), "reason",
                    "the record holds no completed job to remix; a new video is made from the image");
        }
        return completed;
    }

    /** Takes the upload's share of the day's cap, then calls the host; a full day holds the upload instead. */
    private Round spend(String bucket, UploadName upload, JobRecord claim, String claimEtag,
            InputCheck.Accepted accepted, Instant deadline) {
        String uploadId = idempotencyKey(claim.source());
        Instant now = clock.instant();
        return switch (ledger.take(bucket, uploadId, upload.recordKey(), seconds(accepted), now)) {
            case DailyLedger.Share.Taken taken -> submit(bucket, upload, claim, claimEtag, accepted, uploadId,
                    taken, deadline);
            case DailyLedger.Share.Full full -> {
                Metrics.count(Metrics.Metric.DAILY_CAP_REACHED);
                JobRecord held = Transitions.held(claim, full.message(), full.resumesAt(), now);
                yield switch (records.write(bucket, upload.recordKey(), held, Optional.of(claimEtag))) {
                    case Write.LostRace lost -> new Round.Again("the claim was taken over while the cap was read");
                    case Write.Written written -> {
                        Metrics.count(Metrics.Metric.JOBS_HELD);
                        yield new Round.Done(SubmitOutcome.waitsUntil(Action.HELD, Status.HELD, full.resumesAt()));
                    }
                };
            }
            case DailyLedger.Share.Crowded crowded -> release(bucket, upload, claim, claimEtag, "spend_cap_busy",
                    "The day's spend-cap ledger kept changing under this invocation.", java.util.OptionalInt.empty());
        };
    }

    private static long seconds(InputCheck.Accepted accepted) {
        return Long.parseLong(accepted.request().seconds());
    }

    /** Calls the host as the claim holder, and records what it said. */
    private Round submit(String bucket, UploadName upload, JobRecord claim, String claimEtag,
            InputCheck.Accepted accepted, String uploadId, DailyLedger.Share.Taken share, Instant deadline) {
        ApiResult<ObjectNode> created = claim.remixedFrom().isPresent()
                ? jobs.remix(claim.remixedFrom().get(), accepted.request().prompt(), uploadId, deadline)
                : jobs.create(accepted.request(), images.part(bucket, uploadId, accepted.image()), uploadId, deadline);
        Instant now = clock.instant();
        return switch (created) {
            case ApiResult.Ok<ObjectNode> ok -> recordJob(bucket, upload, claim, claimEtag, ok.value(), now);
            case ApiResult.Failed<ObjectNode> failed -> {
                // No job was made, so the share goes back (docs/contract.md, "Spend cap": a refusal or a
                // released claim gives it back); a busy host's or a redelivery's next try takes it again,
                // and the same upload holds one share at most.
                ledger.giveBack(bucket, uploadId, share.day());
                yield switch (failed.error()) {
                    case ApiError.Busy busy -> waitForHost(bucket, upload, claim, claimEtag, busy, now);
                    case ApiError error when error.isTransient() ->
                            release(bucket, upload, claim, claimEtag, error.code(), error.message(), error.httpStatus());
                    case ApiError error -> {
                        String message = claim.remixedFrom().isPresent()
                                ? "The video API did not remix job " + claim.remixedFrom().get() + ": " + error.message()
                                        + " To make a new video from the image instead, remove \"remix\" from the prompt file."
                                : error.message();
                        yield settle(bucket, upload, claimEtag, Transitions.refused(claim, error.code(), message,
                                error.httpStatus(), now), SubmitOutcome.of(Action.FAILED, Status.FAILED));
                    }
                };
            }
        };
    }

    /**
     * The host is at its limit: the upload waits in the queue until the next try, as long as
     * {@code SUBMIT_MAX_WAIT_SECONDS} allows; past that it fails with the host's last answer.
     */
    private Round waitForHost(String bucket, UploadName upload, JobRecord claim, String claimEtag, ApiError.Busy busy,
            Instant now) {
        Instant since = claim.claim().flatMap(c -> c.waitingSince()).orElse(now);
        Duration waited = Duration.between(since, now);
        // Whole seconds, as the record writes them: the record and the sent-back message name the same moment.
        Instant nextTry = RecordJson.wholeSecondUp(now.plus(RetryPolicy.whileBusy(busy.retryAfter(), waited, random)));
        if (Duration.between(since, nextTry).compareTo(maxWait) > 0) {
            String message = "The video host stayed busy for " + waited.toSeconds() + " seconds, longer than this upload"
                    + " may wait (SUBMIT_MAX_WAIT_SECONDS " + maxWait.toSeconds() + "). Its last answer: "
                    + busy.message() + " To try again, upload the prompt file again with a change.";
            return settle(bucket, upload, claimEtag, Transitions.refused(claim, busy.code(), message,
                    busy.httpStatus(), now), SubmitOutcome.of(Action.FAILED, Status.FAILED));
        }
        Metrics.count(Metrics.Metric.UPLOADS_WAITING);
        Metrics.seconds(Metrics.Metric.WAITING_UPLOAD_AGE, waited.toSeconds());
        return settle(bucket, upload, claimEtag, Transitions.waitingForHost(claim, busy.code(), busy.message(),
                busy.httpStatus(), nextTry, now), SubmitOutcome.waitsUntil(Action.HOST_BUSY, Status.SUBMITTING, nextTry));
    }

    /** Hands the claim back after transient failures: the event comes again and may submit. */
    private Round release(String bucket, UploadName upload, JobRecord claim, String claimEtag, String code,
            String message, java.util.OptionalInt httpStatus) {
        return settle(bucket, upload, claimEtag, Transitions.released(claim, code, message, httpStatus, clock.instant()),
                SubmitOutcome.later("Could not submit " + upload.recordKey() + " yet: " + message));
    }

    /** Writes the claim holder's next state over its claim, or plays the round again if the claim was taken over. */
    private Round settle(String bucket, UploadName upload, String claimEtag, JobRecord next, SubmitOutcome outcome) {
        return switch (records.write(bucket, upload.recordKey(), next, Optional.of(claimEtag))) {
            case Write.LostRace lost -> new Round.Again("the claim was taken over while the host answered");
            case Write.Written written -> new Round.Done(outcome);
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
