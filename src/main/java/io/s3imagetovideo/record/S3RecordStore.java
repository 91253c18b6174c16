package io.s3imagetovideo.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
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
 * Job records as S3 objects ({@code application/json}), moved on with S3's conditional writes:
 * {@code If-None-Match: *} to create one, {@code If-Match: <etag>} to replace it. A write whose answer
 * never arrived is settled by reading the record back: stored as written is a success, anything else
 * that breaks the condition is a lost race.
 */
public final class S3RecordStore implements RecordStore {

    private final S3Client s3;
    private final ObjectMapper mapper;
    private final ObjectWriter writer;
    private final RecordJson json;

    public S3RecordStore(S3Client s3, ObjectMapper mapper) {
        this.s3 = s3;
        this.mapper = mapper;
        this.writer = mapper.writerWithDefaultPrettyPrinter();
        this.json = new RecordJson(mapper);
    }

    @Override
    public Optional<StoredRecord> read(String bucket, String key) {
        ResponseBytes<GetObjectResponse> bytes;
        try {
            bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
        return Optional.of(new StoredRecord(json.read(parse(bytes.asByteArrayUnsafe()), bucket),
                ETags.normalize(bytes.response().eTag())));
    }

    @Override
    public Write write(String bucket, String key, JobRecord record, Optional<String> expectedEtag) {
        byte[] body;
        try {
            body = writer.writeValueAsBytes(json.write(record));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(bucket).key(key).contentType("application/json");
        expectedEtag.ifPresentOrElse(etag -> put.ifMatch(ETags.quote(etag)), () -> put.ifNoneMatch("*"));
        try {
            return new Write.Written(ETags.normalize(s3.putObject(put.build(), RequestBody.fromBytes(body)).eTag()));
        } catch (S3Exception e) {
            int status = e.statusCode();
            // 412: the precondition failed; 409: a concurrent conditional write; 404: If-Match on a deleted record.
            if (status == 412 || status == 409 || (status == 404 && expectedEtag.isPresent())) {
                // The SDK retries a PUT whose answer was lost; that retry then fails its own condition.
                // If what is stored now is exactly what we wrote, the write did happen.
                return confirmed(bucket, key, body).<Write>map(Write.Written::new)
                        .orElseGet(() -> new Write.LostRace(status));
            }
            throw e;
        } catch (SdkClientException e) {
            // No answer reached us. S3 may answer a PUT before it has read the body (a failed
            // condition, say) and close the connection; the URL-connection client, still writing,
            // then reports a broken pipe instead of the 412. The write may or may not have happened:
            // what is stored now tells.
            Optional<String> ours = confirmed(bucket, key, body);
            if (ours.isPresent()) {
                return new Write.Written(ours.get());
            }
            Optional<String> storedEtag = etagOf(bucket, key);
            boolean conditionFailed = expectedEtag.map(etag -> !storedEtag.equals(Optional.of(etag)))
                    .orElse(storedEtag.isPresent());
            if (conditionFailed) {
                return new Write.LostRace(412);
            }
            throw e;
        }
    }

    /** The ETag of the record stored at {@code key} when it holds exactly what {@code written} holds. */
    private Optional<String> confirmed(String bucket, String key, byte[] written) {
        JsonNode ours = parse(written);
        try {
            ResponseBytes<GetObjectResponse> now = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
            // Compared as parsed JSON, so that a number written as a long equals the same number read as an int.
            return parse(now.asByteArrayUnsafe()).equals(ours)
                    ? Optional.of(ETags.normalize(now.response().eTag())) : Optional.empty();
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    private Optional<String> etagOf(String bucket, String key) {
        return read(bucket, key).map(StoredRecord::etag);
    }

    private JsonNode parse(byte[] bytes) {
        try {
            return mapper.readTree(bytes);
        } catch (IOException e) {
            // a record someone overwrote with something else: it still counts as present, with nothing in it
            return mapper.createObjectNode();
        }
    }
}
