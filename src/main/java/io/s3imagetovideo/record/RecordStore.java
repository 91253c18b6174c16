package io.s3imagetovideo.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Job records in S3, written only with conditional writes: {@code If-None-Match: *} to create one,
 * {@code If-Match: <etag>} to move it on. Whoever loses a race gets {@link RecordConflictException}
 * and must read again; that is what makes one upload one job. A write whose answer never arrived is
 * settled by reading the record back: stored as written is a success, anything else that breaks the
 * condition is a lost race.
 */
public final class RecordStore {

    private final S3Client s3;
    private final ObjectMapper mapper;
    private final ObjectWriter writer;

    public RecordStore(S3Client s3, ObjectMapper mapper) {
        this.s3 = s3;
        this.mapper = mapper;
        this.writer = mapper.writerWithDefaultPrettyPrinter();
    }

    public Optional<StoredRecord> read(String bucket, String key) {
        ResponseBytes<GetObjectResponse> bytes;
        try {
            bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
        String etag = ETags.normalize(bytes.response().eTag());
        try {
            JsonNode json = mapper.readTree(bytes.asByteArrayUnsafe());
            if (json instanceof ObjectNode object) {
                return Optional.of(new StoredRecord(object, etag));
            }
        } catch (IOException e) {
            // a record someone overwrote with something else: it still counts as present, with nothing in it
        }
        return Optional.of(new StoredRecord(mapper.createObjectNode(), etag));
    }

    /** Writes a record where none is, or replaces the one with {@code expectedEtag}; returns the new ETag. */
    public String write(String bucket, String key, ObjectNode record, Optional<String> expectedEtag) {
        byte[] body;
        try {
            body = writer.writeValueAsBytes(record);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PutObjectRequest.Builder put = PutObjectRequest.builder()
                .bucket(bucket)
                .key(key)
                .contentType("application/json");
        expectedEtag.ifPresentOrElse(etag -> put.ifMatch(ETags.quote(etag)), () -> put.ifNoneMatch("*"));
        try {
            return ETags.normalize(s3.putObject(put.build(), RequestBody.fromBytes(body)).eTag());
        } catch (S3Exception e) {
            int status = e.statusCode();
            // 412: the precondition failed; 409: a concurrent conditional write; 404: If-Match on a deleted record.
            if (status == 412 || status == 409 || (status == 404 && expectedEtag.isPresent())) {
                // The SDK retries a PUT whose answer was lost; that retry then fails its own condition.
                // If what is stored now is exactly what we wrote, the write did happen.
                return confirmed(bucket, key, body).orElseThrow(() -> new RecordConflictException(key, status));
            }
            throw e;
        } catch (SdkClientException e) {
            // No answer reached us. S3 may answer a PUT before it has read the body (a failed
            // condition, say) and close the connection; the URL-connection client, still writing,
            // then reports a broken pipe instead of the 412. The write may or may not have happened:
            // what is stored now tells.
            Optional<StoredRecord> now = read(bucket, key);
            if (now.isPresent() && now.get().json().equals(parse(body))) {
                return now.get().etag();
            }
            boolean conditionFailed = expectedEtag
                    .map(etag -> now.isEmpty() || !now.get().etag().equals(etag))
                    .orElse(now.isPresent());
            if (conditionFailed) {
                throw new RecordConflictException(key, 412);
            }
            throw e;
        }
    }

    /** The ETag of the record stored at {@code key} when it is exactly what {@code written} holds. */
    private Optional<String> confirmed(String bucket, String key, byte[] written) {
        JsonNode ours = parse(written);
        return read(bucket, key).filter(now -> now.json().equals(ours)).map(StoredRecord::etag);
    }

    /** Compared as read back, so that a number written as a long equals the same number read as an int. */
    private JsonNode parse(byte[] written) {
        try {
            return mapper.readTree(written);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
