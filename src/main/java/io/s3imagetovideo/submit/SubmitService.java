package io.s3imagetovideo.submit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.s3imagetovideo.api.ImageUpload;
import io.s3imagetovideo.api.VideoApiClient;
import io.s3imagetovideo.api.VideoApiException;
import io.s3imagetovideo.image.ImageFitter;
import io.s3imagetovideo.image.ImageFormat;
import io.s3imagetovideo.layout.BucketLayout;
import io.s3imagetovideo.layout.UploadName;
import io.s3imagetovideo.log.Log;
import io.s3imagetovideo.log.Metrics;
import io.s3imagetovideo.poll.JobScheduler;
import io.s3imagetovideo.record.ETags;
import io.s3imagetovideo.record.JobRecords;
import io.s3imagetovideo.record.JobRecords.Source;
import io.s3imagetovideo.record.JobStatus;
import io.s3imagetovideo.record.RecordConflictException;
import io.s3imagetovideo.record.RecordStore;
import io.s3imagetovideo.record.StoredRecord;
import io.s3imagetovideo.sidecar.SidecarParser;
import io.s3imagetovideo.sidecar.SidecarProblem;
import io.s3imagetovideo.sidecar.VideoRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import software.amazon.awssdk.core.exception.RetryableException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.utils.IoUtils;

/**
 * Turns an uploaded image or sidecar into at most one paid job per upload. Knows nothing of Lambda:
 * it is given a bucket, a key and the time by which it must be done.
 *
 * <p>The record next to the image is the only state. Its transitions are conditional writes, so
 * two invocations that race for one upload cannot both reach the API:
 * <pre>
 *   (none) / waiting ──► rejected                      input is wrong, nothing sent
 *          │
 *          └──► submitting (claim, until claim_expires_at) ──► queued / failed
 *                      │  transient failures outlast the invocation
 *                      └──► submitting, claim expired (released) ──► taken over by a redelivery
 * </pre>
 * A new version of the image or the sidecar (a new ETag) starts again from the top; its record keeps
 * the replaced job's id as {@code previous_id}.
 */
public final class SubmitService {

    /** How long a dead instance's claim is respected past its own deadline (clock skew between instances). */
    static final Duration CLAIM_GRACE = Duration.ofSeconds(5);
    /** Re-reads after losing a conditional write before giving the event back to Lambda. */
    private static final int MAX_ROUNDS = 8;
    /** How many of a prompt file's problems a rejection lists, and how long each may be. */
    static final int MAX_PROBLEMS_IN_RECORD = 10;
    static final int MAX_PROBLEM_CHARS = 600;

    private final S3Client s3;
    private final RecordStore records;
    private final JobRecords recordShapes;
    private final SidecarParser sidecars;
    private final VideoApiClient api;
    private final JobScheduler scheduler;
    private final long maxImageBytes;
    private final ImageFitter fitter;
    private final Clock clock;

    public SubmitService(S3Client s3, RecordStore records, JobRecords recordShapes, SidecarParser sidecars,
            VideoApiClient api, JobScheduler scheduler, long maxImageBytes, ImageFitter fitter, Clock clock) {
        this.s3 = s3;
        this.records = records;
        this.recordShapes = recordShapes;
        this.sidecars = sidecars;
        this.api = api;
        this.scheduler = scheduler;
        this.maxImageBytes = maxImageBytes;
        this.fitter = fitter;
        this.clock = clock;
    }

    /** What became of one key. */
    public record Outcome(String key, String action, String status, String jobId) {}

    /**
     * Handles one created object.
     *
     * @throws SubmitLaterException when the API kept failing transiently: the claim is released and the
     *     event must be delivered again
     */
    public Outcome handle(String bucket, String key, Instant deadline) {
        Optional<BucketLayout.PairMember> member = BucketLayout.classify(key);
        if (member.isEmpty()) {
            Log.info("key_ignored", "bucket", bucket, "key", key, "reason", "neither an image nor a prompt sidecar");
            return new Outcome(key, "ignored", null, null);
        }
        UploadName upload = member.get().upload();
        long started = System.nanoTime();
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            try {
                Outcome outcome = decide(bucket, upload, deadline);
                Log.info("submit_decision", "bucket", bucket, "key", key, "record", upload.recordKey(),
                        "action", outcome.action(), "status", outcome.status(), "job_id", outcome.jobId(),
                        "round", round, "latency_ms", (System.nanoTime() - started) / 1_000_000);
                countJob(outcome.action());
                return new Outcome(key, outcome.action(), outcome.status(), outcome.jobId());
            } catch (RecordConflictException | SourceChangedException e) {
                Log.info("submit_conflict", "bucket", bucket, "key", key, "round", round, "reason", e.getMessage());
            }
        }
        throw new IllegalStateException("The record " + upload.recordKey() + " kept changing during "
                + MAX_ROUNDS + " attempts; the event will be retried.");
    }

    private static void countJob(String action) {
        switch (action) {
            case "submitted" -> Metrics.count(Metrics.JOBS_SUBMITTED);
            case "rejected" -> Metrics.count(Metrics.JOBS_REJECTED);
            case "failed" -> Metrics.count(Metrics.JOBS_FAILED);
            default -> {
                // waiting, duplicate: not a job's outcome
            }
        }
    }

    private Outcome decide(String bucket, UploadName upload, Instant deadline) {
        Pair pair = listPair(bucket, upload);
        Optional<StoredRecord> existing = records.read(bucket, upload.recordKey());
        String previousId = existing.map(StoredRecord::lastJobId).orElse(null);
        Instant now = clock.instant();

        if (pair.images().size() > 1) {
            List<String> keys = pair.images().stream().map(S3Object::key).sorted().toList();
            Source source = new Source(bucket, null, null, pair.sidecarKey(), pair.sidecarEtag(), keys);
            return writeUnlessSame(bucket, upload, existing, recordShapes.rejected(source, "ambiguous_image",
                    "Two images share the name '" + upload.name() + "': " + String.join(" and ", keys)
                            + ". Delete or rename all but one of them, then upload the prompt file again.",
                    previousId, now), "rejected");
        }
        S3Object image = pair.images().isEmpty() ? null : pair.images().get(0);
        if (image == null || pair.sidecar() == null) {
            Source source = new Source(bucket, image == null ? null : image.key(),
                    image == null ? null : ETags.normalize(image.eTag()), pair.sidecarKey(), pair.sidecarEtag(),
                    List.of());
            String missing = image == null ? "image" : "prompt";
            return writeUnlessSame(bucket, upload, existing,
                    recordShapes.waiting(source, missing, previousId, now), "waiting");
        }

        Source source = Source.pair(bucket, image.key(), ETags.normalize(image.eTag()),
                pair.sidecar().key(), ETags.normalize(pair.sidecar().eTag()));
        if (existing.isPresent() && source.sameUploadAs(existing.get().json())
                && !JobStatus.WAITING.equals(existing.get().status())) {
            StoredRecord current = existing.get();
            if (!isAbandonedClaim(current, now)) {
                // A redelivery, a concurrent twin, or a claim still held by a living invocation.
                return new Outcome(null, "duplicate", current.status(), current.json().path("id").asText(null));
            }
            Log.warn("claim_taken_over", "bucket", bucket, "record", upload.recordKey(),
                    "claim_expires_at", current.json().path("claim_expires_at").asText());
        }

        Optional<Rejection> tooBig = checkSizes(image, pair.sidecar());
        if (tooBig.isPresent()) {
            return writeRejection(bucket, upload, existing, source, tooBig.get(), previousId, now);
        }
        SidecarParser.Result parsed = sidecars.parse(download(bucket, pair.sidecar()));
        if (parsed instanceof SidecarParser.Invalid invalid) {
            return writeRejection(bucket, upload, existing, source, rejection(pair.sidecar().key(), invalid), previousId,
                    now);
        }
        SidecarParser.Valid valid = (SidecarParser.Valid) parsed;
        VideoRequest request = valid.request();
        byte[] bytes = download(bucket, image);
        Optional<ImageFormat> format = ImageFormat.detect(bytes);
        if (format.isEmpty()) {
            return writeRejection(bucket, upload, existing, source, new Rejection("invalid_image",
                    "'" + image.key() + "' is not a PNG, JPEG or WebP image (judged by its bytes, not its name). "
                            + "Export it as PNG, JPEG or WebP and upload it again."), previousId, now);
        }
        // Fitted before the claim: an image that cannot be fitted is wrong input, and costs nothing.
        ImageFitter.Result fitted = fitter.fit(fileName(image.key()), bytes, request.size().width(),
                request.size().height(), valid.fit());
        if (fitted instanceof ImageFitter.Rejected refused) {
            return writeRejection(bucket, upload, existing, source,
                    new Rejection(refused.code(), "'" + image.key() + "' " + refused.message()), previousId, now);
        }
        ImageFitter.Fitted sent = (ImageFitter.Fitted) fitted;
        if (!sent.untouched()) {
            Log.info("image_fitted", "bucket", bucket, "key", image.key(), "fit", valid.fit().mode().value(),
                    "size", request.size().value(), "sent_as", sent.fileName(), "bytes", sent.bytes().length);
        }

        String claimEtag = records.write(bucket, upload.recordKey(),
                recordShapes.claim(source, request, previousId, now, deadline), existing.map(StoredRecord::etag));
        return submit(bucket, upload, source, request, new ImageUpload(sent.fileName(), sent.contentType(),
                sent.bytes()), claimEtag, previousId, deadline);
    }

    private Outcome submit(String bucket, UploadName upload, Source source, VideoRequest request, ImageUpload image,
            String claimEtag, String previousId, Instant deadline) {
        VideoApiClient.CreatedJob created;
        try {
            created = api.createVideo(request, image, idempotencyKey(source), deadline);
        } catch (VideoApiException e) {
            if (e.isRetryable()) {
                records.write(bucket, upload.recordKey(), recordShapes.released(source, request, previousId,
                        clock.instant(), e.code(), e.apiMessage(), e.httpStatus()), Optional.of(claimEtag));
                throw new SubmitLaterException(upload.recordKey(), e);
            }
            records.write(bucket, upload.recordKey(), recordShapes.failed(source, request, e.code(), e.apiMessage(),
                    e.httpStatus(), previousId, clock.instant()), Optional.of(claimEtag));
            return new Outcome(null, "failed", JobStatus.FAILED, null);
        }
        ObjectNode job = created.job();
        String jobId = job.get("id").textValue();
        // The job exists and is paid for: this write must not be lost, so a failure here fails the
        // invocation; the retry finds the claim and the provider's idempotency key covers a resubmit.
        records.write(bucket, upload.recordKey(),
                recordShapes.submitted(job, source, request, previousId, clock.instant()), Optional.of(claimEtag));
        scheduler.scheduleFirstCheck(bucket, upload.recordKey(), jobId);
        return new Outcome(null, "submitted", job.path("status").asText(null), jobId);
    }

    private boolean isAbandonedClaim(StoredRecord record, Instant now) {
        if (!JobStatus.SUBMITTING.equals(record.status())) {
            return false;
        }
        if (record.json().has("error")) {
            // Released by its holder after transient failures: free to take at once.
            return true;
        }
        try {
            Instant expires = Instant.parse(record.json().path("claim_expires_at").asText());
            return now.isAfter(expires.plus(CLAIM_GRACE));
        } catch (java.time.format.DateTimeParseException e) {
            return true;
        }
    }

    private Outcome writeUnlessSame(String bucket, UploadName upload, Optional<StoredRecord> existing,
            ObjectNode record, String action) {
        String status = record.path("status").asText();
        if (existing.isPresent() && JobRecords.withoutTimes(existing.get().json()).equals(JobRecords.withoutTimes(record))) {
            return new Outcome(null, "duplicate", status, null);
        }
        records.write(bucket, upload.recordKey(), record, existing.map(StoredRecord::etag));
        return new Outcome(null, action, status, null);
    }

    private Outcome writeRejection(String bucket, UploadName upload, Optional<StoredRecord> existing, Source source,
            Rejection rejection, String previousId, Instant now) {
        return writeUnlessSame(bucket, upload, existing,
                recordShapes.rejected(source, rejection.code(), rejection.message(), previousId, now), "rejected");
    }

    private Optional<Rejection> checkSizes(S3Object image, S3Object sidecar) {
        if (image.size() > maxImageBytes) {
            return Optional.of(new Rejection("image_too_large", "'" + image.key() + "' is " + image.size()
                    + " bytes; the limit is " + maxImageBytes + " bytes (MAX_IMAGE_BYTES). Upload a smaller image."));
        }
        if (image.size() == 0) {
            return Optional.of(new Rejection("invalid_image", "'" + image.key() + "' is empty. Upload the image again."));
        }
        if (sidecar.size() > SidecarParser.MAX_SIDECAR_BYTES) {
            return Optional.of(new Rejection("sidecar_too_large", "'" + sidecar.key() + "' is " + sidecar.size()
                    + " bytes; a prompt file may hold at most " + SidecarParser.MAX_SIDECAR_BYTES + " bytes."));
        }
        return Optional.empty();
    }

    private static Rejection rejection(String sidecarKey, SidecarParser.Invalid invalid) {
        List<SidecarProblem> problems = invalid.problems();
        // A hostile file can hold hundreds of problems, or a 40,000-character field name: the record
        // names the first few, each cut short, so that it stays small whatever the file holds.
        String message = "'" + sidecarKey + "': " + problems.stream().limit(MAX_PROBLEMS_IN_RECORD)
                .map(p -> shorten(p.message(), MAX_PROBLEM_CHARS))
                .collect(Collectors.joining(" "))
                + (problems.size() > MAX_PROBLEMS_IN_RECORD
                        ? " (" + (problems.size() - MAX_PROBLEMS_IN_RECORD) + " more problems not listed.)" : "");
        return new Rejection(problems.get(0).code(), message);
    }

    private static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }

    private record Rejection(String code, String message) {}

    /** The objects that make up one upload, as S3 lists them right now. */
    private record Pair(List<S3Object> images, S3Object sidecar) {
        String sidecarKey() {
            return sidecar == null ? null : sidecar.key();
        }

        String sidecarEtag() {
            return sidecar == null ? null : ETags.normalize(sidecar.eTag());
        }
    }

    private Pair listPair(String bucket, UploadName upload) {
        List<S3Object> images = new ArrayList<>();
        S3Object sidecar = null;
        // One listing finds every spelling of the image's extension, with ETags and sizes, without a download.
        // URL-encoded keys: a key with a control character that XML 1.0 cannot hold (ESC, BEL, 0x01...)
        // would otherwise make the whole listing unreadable, and the invocation fail on every retry.
        for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(upload.base() + ".")
                .encodingType(EncodingType.URL)).contents()) {
            if (object.key().equals(upload.sidecarKey())) {
                sidecar = object;
            } else if (BucketLayout.isImageOf(upload, object.key())) {
                images.add(object);
            }
        }
        return new Pair(List.copyOf(images), sidecar);
    }

    /** Reads exactly the listed version: if the object changed since, the listing is stale and we start over. */
    private byte[] download(String bucket, S3Object object) {
        try {
            return s3.getObject(b -> b.bucket(bucket).key(object.key()).ifMatch(ETags.quote(object.eTag())),
                    SubmitService::readExactly);
        } catch (NoSuchKeyException e) {
            throw new SourceChangedException(object.key());
        } catch (S3Exception e) {
            if (e.statusCode() == 412) {
                throw new SourceChangedException(object.key());
            }
            throw e;
        }
    }

    /**
     * The body into one array of its announced length. The SDK's {@code getObjectAsBytes} grows a buffer
     * by doubling and copies it at the end, up to 2.5 times the image at once; this holds it once.
     * A broken stream is reported as the SDK reports it from its own transformers, so it retries.
     */
    private static byte[] readExactly(GetObjectResponse response, InputStream in) {
        try {
            Long length = response.contentLength();
            if (length == null || length < 0 || length > Integer.MAX_VALUE - 8) {
                return IoUtils.toByteArray(in);
            }
            byte[] bytes = new byte[length.intValue()];
            int read = in.readNBytes(bytes, 0, bytes.length);
            // Reading to the end also lets the SDK's checksum validation see the whole body.
            if (read != bytes.length || in.read() != -1) {
                throw new IOException("S3 announced " + length + " bytes and sent " + (read == bytes.length
                        ? "more" : Integer.toString(read)));
            }
            return bytes;
        } catch (IOException e) {
            throw RetryableException.builder().message("Failed to read the object's body: " + e.getMessage())
                    .cause(e).build();
        }
    }

    /**
     * The image's file name as the API sees it: the key's last segment, made safe for the multipart
     * {@code Content-Disposition} header it travels in. A key may hold line breaks and quotes, which
     * would end the header or the parameter early; they become {@code _}. Other Unicode is kept.
     */
    static String fileName(String key) {
        String name = key.substring(key.lastIndexOf('/') + 1);
        StringBuilder safe = new StringBuilder(name.length());
        name.codePoints().forEach(c -> safe.appendCodePoint(
                Character.isISOControl(c) || c == '"' || c == '\\' || c == 0x2028 || c == 0x2029 ? '_' : c));
        return safe.toString();
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

    private static final class SourceChangedException extends RuntimeException {
        SourceChangedException(String key) {
            super(key + " changed since it was listed");
        }
    }
}
