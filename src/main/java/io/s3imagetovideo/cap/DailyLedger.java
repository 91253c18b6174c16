package io.s3imagetovideo.cap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.s3imagetovideo.time.Sleeper;
import io.s3imagetovideo.layout.BucketLayout;
import io.s3imagetovideo.log.Log;
import io.s3imagetovideo.storage.ConditionalObjects;
import io.s3imagetovideo.storage.Write;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The spend cap's ledger of one UTC day: the object {@code .s3-image-to-video/ledger/<yyyy-mm-dd>.json}
 * in the bucket, changed only by conditional writes, so that every instance counts against one total,
 * exactly. Each upload holds at most one entry (keyed by its idempotency key): taking a share twice is
 * one share, giving back a share that is not there changes nothing.
 * <pre>
 *   {"day": "2026-11-24", "jobs": 2, "video_seconds": 20,
 *    "uploads": {"s3i2v-...": {"record": "in/scene.video.json", "seconds": 10, "at": "2026-11-24T10:00:00Z"}}}
 * </pre>
 */
public final class DailyLedger {

    /** Rounds of read and conditional write before giving up on a crowded ledger; each loser waits a little. */
    static final int MAX_ROUNDS = 40;
    static final Duration MAX_JITTER = Duration.ofMillis(50);

    private final ConditionalObjects objects;
    private final ObjectMapper mapper;
    private final SpendCap cap;
    private final Sleeper sleeper;
    private final RandomGenerator random;

    public DailyLedger(S3Client s3, ObjectMapper mapper, SpendCap cap, Sleeper sleeper, RandomGenerator random) {
        this.objects = new ConditionalObjects(s3, "application/json", (a, b) -> parse(a).equals(parse(b)));
        this.mapper = mapper;
        this.cap = cap;
        this.sleeper = sleeper;
        this.random = random;
    }

    /** What taking a share came to. */
    public sealed interface Share {
        /** Taken (or already held by this upload): it counts against {@code day}. */
        record Taken(LocalDate day) implements Share {}

        /** The day's cap is reached: no share until the next day opens at {@code resumesAt}. */
        record Full(LocalDate day, Instant resumesAt, String message) implements Share {}

        /** The ledger kept changing under this invocation: try again later. */
        record Crowded(LocalDate day) implements Share {}
    }

    /** Takes {@code upload}'s share (one job, {@code seconds} of video) of the day {@code now} falls in. */
    public Share take(String bucket, String upload, String recordKey, long seconds, Instant now) {
        LocalDate day = LocalDate.ofInstant(now, ZoneOffset.UTC);
        if (cap.isOff()) {
            return new Share.Taken(day);
        }
        String key = BucketLayout.ledgerKey(day);
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            Optional<ConditionalObjects.Stored> stored = objects.read(bucket, key);
            ObjectNode ledger = stored.map(s -> (ObjectNode) parse(s.bytes())).orElseGet(() -> empty(day));
            ObjectNode uploads = uploads(ledger);
            if (uploads.has(upload)) {
                return new Share.Taken(day);
            }
            int jobs = uploads.size();
            long videoSeconds = videoSeconds(uploads);
            if (!cap.admits(jobs, videoSeconds, seconds)) {
                Instant resumesAt = day.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
                return new Share.Full(day, resumesAt, "The spend cap of " + day + " is reached: " + jobs + " jobs and "
                        + videoSeconds + " seconds of video have been started (MAX_JOBS_PER_DAY " + cap.maxJobs()
                        + ", MAX_VIDEO_SECONDS_PER_DAY " + cap.maxVideoSeconds() + "; 0 is no cap). The upload goes on by"
                        + " itself when the next UTC day opens, at " + resumesAt + ".");
            }
            uploads.putObject(upload).put("record", recordKey).put("seconds", seconds).put("at", now.toString());
            if (write(bucket, key, ledger, stored)) {
                return new Share.Taken(day);
            }
            pause();
        }
        Log.warn("ledger_crowded", "bucket", bucket, "day", day.toString(), "rounds", MAX_ROUNDS);
        return new Share.Crowded(day);
    }

    /** Gives {@code upload}'s share of {@code day} back: the host refused the job, or the claim was released. */
    public void giveBack(String bucket, String upload, LocalDate day) {
        if (cap.isOff()) {
            return;
        }
        String key = BucketLayout.ledgerKey(day);
        for (int round = 1; round <= MAX_ROUNDS; round++) {
            Optional<ConditionalObjects.Stored> stored = objects.read(bucket, key);
            if (stored.isEmpty()) {
                return;
            }
            ObjectNode ledger = (ObjectNode) parse(stored.get().bytes());
            if (!uploads(ledger).has(upload)) {
                return;
            }
            uploads(ledger).remove(upload);
            if (write(bucket, key, ledger, stored)) {
                return;
            }
            pause();
        }
        // The share stays taken: the cap errs on the side of spending less, never more.
        Log.warn("ledger_share_kept", "bucket", bucket, "day", day.toString(), "reason", "the ledger kept changing");
    }

    private boolean write(String bucket, String key, ObjectNode ledger, Optional<ConditionalObjects.Stored> stored) {
        ObjectNode uploads = uploads(ledger);
        ledger.put("jobs", uploads.size());
        ledger.put("video_seconds", videoSeconds(uploads));
        ledger.set("uploads", ledger.remove("uploads"));
        byte[] body;
        try {
            body = mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(ledger);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return objects.write(bucket, key, body, stored.map(ConditionalObjects.Stored::etag)) instanceof Write.Written;
    }

    private ObjectNode empty(LocalDate day) {
        ObjectNode ledger = mapper.createObjectNode().put("day", day.toString()).put("jobs", 0).put("video_seconds", 0);
        ledger.putObject("uploads");
        return ledger;
    }

    private ObjectNode uploads(ObjectNode ledger) {
        return ledger.get("uploads") instanceof ObjectNode uploads ? uploads : ledger.putObject("uploads");
    }

    private static long videoSeconds(ObjectNode uploads) {
        long total = 0;
        for (Map.Entry<String, JsonNode> entry : uploads.properties()) {
            total += entry.getValue().path("seconds").asLong(0);
        }
        return total;
    }

    private void pause() {
        try {
            sleeper.sleep(Duration.ofMillis(random.nextLong(MAX_JITTER.toMillis() + 1)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private JsonNode parse(byte[] bytes) {
        try {
            JsonNode node = mapper.readTree(bytes);
            return node instanceof ObjectNode ? node : mapper.createObjectNode();
        } catch (IOException e) {
            // Someone wrote over the ledger: counted from what is there, which is nothing.
            return mapper.createObjectNode();
        }
    }
}
