package io.s3imagetovideo.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.s3imagetovideo.storage.ETags;
import io.s3imagetovideo.record.JobRecord;
import io.s3imagetovideo.record.RecordJson;
import io.s3imagetovideo.record.RecordStore;
import io.s3imagetovideo.record.StoredRecord;
import io.s3imagetovideo.storage.Write;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Job records in memory, with S3's conditional writes: {@code If-None-Match: *} creates only where
 * nothing is, {@code If-Match} replaces only the version with that ETag, and a failed condition is a
 * {@link Write.LostRace} with the status {@code S3RecordStore} reports (412; 404 for If-Match on a
 * record that is not there), unless the document stored is already exactly the one being written,
 * which {@code S3RecordStore} reports as written (that is how it settles its own retried PUT). Records are kept as the bytes {@code S3RecordStore} would upload and
 * parsed on every read, so a codec mistake shows here as it would on S3. The ETag is the MD5 of
 * those bytes, as S3 computes it for a single PUT: a write that changes the document changes its
 * ETag, and a write of the very same bytes gets the same one back, exactly as on S3.
 */
public final class InMemoryRecordStore implements RecordStore {

    private record Location(String bucket, String key) {}

    private record Stored(byte[] body, String etag) {}

    private final ConcurrentHashMap<Location, Stored> objects = new ConcurrentHashMap<>();
    private final ObjectMapper mapper;
    private final ObjectWriter writer;
    private final RecordJson json;
    private final AtomicInteger writes = new AtomicInteger();
    private final AtomicInteger lostRaces = new AtomicInteger();

    public InMemoryRecordStore() {
        this(new ObjectMapper());
    }

    public InMemoryRecordStore(ObjectMapper mapper) {
        this.mapper = mapper;
        // the same writer as S3RecordStore, so that the bytes (and so the ETags) are the same
        this.writer = mapper.writerWithDefaultPrettyPrinter();
        this.json = new RecordJson(mapper);
    }

    @Override
    public Optional<StoredRecord> read(String bucket, String key) {
        Stored stored = objects.get(new Location(bucket, key));
        if (stored == null) {
            return Optional.empty();
        }
        return Optional.of(new StoredRecord(json.read(parse(stored.body()), bucket), stored.etag()));
    }

    @Override
    public Write write(String bucket, String key, JobRecord record, Optional<String> expectedEtag) {
        byte[] body;
        try {
            body = writer.writeValueAsBytes(json.write(record));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Write result = putIf(new Location(bucket, key), body, expectedEtag.map(ETags::normalize));
        (result instanceof Write.Written ? writes : lostRaces).incrementAndGet();
        return result;
    }

    /** The stored document, parsed; fails when there is none. */
    public JsonNode json(String bucket, String key) {
        return parse(stored(bucket, key).body());
    }

    /** The stored document exactly as it would be in the S3 object. */
    public String body(String bucket, String key) {
        return new String(stored(bucket, key).body(), StandardCharsets.UTF_8);
    }

    public Optional<String> etag(String bucket, String key) {
        return Optional.ofNullable(objects.get(new Location(bucket, key))).map(Stored::etag);
    }

    public boolean contains(String bucket, String key) {
        return objects.containsKey(new Location(bucket, key));
    }

    /** {@link #write}s that came out {@link Write.Written}, over all keys (one that found its very document already stored too). */
    public int writes() {
        return writes.get();
    }

    /** {@link #write}s refused because their condition failed, over all keys. */
    public int lostRaces() {
        return lostRaces.get();
    }

    /**
     * Someone else's unconditional PUT at {@code key} (a user's, a stale tool's): whatever it holds,
     * even what is not JSON. Not counted in {@link #writes()}. Returns the new ETag.
     */
    public String putDocument(String bucket, String key, String document) {
        byte[] body = document.getBytes(StandardCharsets.UTF_8);
        Stored stored = new Stored(body, md5(body));
        objects.put(new Location(bucket, key), stored);
        return stored.etag();
    }

    /** The record deleted behind the functions' back (a user cleaning up, a lifecycle rule). */
    public void delete(String bucket, String key) {
        objects.remove(new Location(bucket, key));
    }

    private Write putIf(Location location, byte[] body, Optional<String> expectedEtag) {
        AtomicReference<Write> result = new AtomicReference<>();
        // compute() runs atomically per key: the check and the replacement are one step, as in S3
        objects.compute(location, (l, current) -> {
            Optional<Integer> failed = expectedEtag.isEmpty()
                    ? (current == null ? Optional.empty() : Optional.of(412))
                    // S3 answers If-Match on a missing key with 404 NoSuchKey
                    : current == null ? Optional.of(404)
                    : expectedEtag.get().equals(current.etag()) ? Optional.empty() : Optional.of(412);
            if (failed.isPresent()) {
                // S3RecordStore settles a failed condition by reading back: what is stored now being
                // exactly what it wrote, the write counts as done (its PUT was retried after success)
                boolean ours = current != null && parse(current.body()).equals(parse(body));
                result.set(ours ? new Write.Written(current.etag()) : new Write.LostRace(failed.get()));
                return current;
            }
            Stored next = new Stored(body, md5(body));
            result.set(new Write.Written(next.etag()));
            return next;
        });
        return result.get();
    }

    private Stored stored(String bucket, String key) {
        Stored stored = objects.get(new Location(bucket, key));
        if (stored == null) {
            throw new IllegalStateException("no record at s3://" + bucket + "/" + key);
        }
        return stored;
    }

    /** As S3RecordStore parses: a document that is not JSON counts as present, with nothing in it. */
    private JsonNode parse(byte[] bytes) {
        try {
            return mapper.readTree(bytes);
        } catch (IOException e) {
            return mapper.createObjectNode();
        }
    }

    private static String md5(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
