package io.s3imagetovideo.storage;

import java.util.Arrays;
import java.util.Optional;
import java.util.function.BiPredicate;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Small JSON objects that several invocations move on at once (job records, the spend-cap ledger), with
 * S3's conditional writes: {@code If-None-Match: *} to create one, {@code If-Match: <etag>} to replace
 * it. Of racing writers exactly one wins; the others get {@link Write.LostRace}.
 *
 * <p>A write whose answer never arrived is settled by reading the object back. The SDK retries a PUT
 * whose answer was lost, and that retry then fails its own condition; and S3 may answer a PUT before it
 * has read the body (a failed condition, say) and close the connection, which the URL-connection client,
 * still writing, reports as a broken pipe instead of the 412. Stored as written is a success; anything
 * else that breaks the condition is a lost race.
 */
public final class ConditionalObjects {

    /** An object as read, with the ETag a conditional write must match. */
    public record Stored(byte[] bytes, String etag) {}

    private final S3Client s3;
    private final String contentType;
    /** Whether two bodies say the same (JSON compared as parsed, so that a long equals the int it reads back as). */
    private final BiPredicate<byte[], byte[]> sameContent;

    public ConditionalObjects(S3Client s3, String contentType, BiPredicate<byte[], byte[]> sameContent) {
        this.s3 = s3;
        this.contentType = contentType;
        this.sameContent = sameContent;
    }

    public Optional<Stored> read(String bucket, String key) {
        try {
            ResponseBytes<GetObjectResponse> bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
            return Optional.of(new Stored(bytes.asByteArrayUnsafe(), ETags.normalize(bytes.response().eTag())));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        }
    }

    /** Writes {@code body} where nothing is ({@code expectedEtag} empty), or over the version with {@code expectedEtag}. */
    public Write write(String bucket, String key, byte[] body, Optional<String> expectedEtag) {
        PutObjectRequest.Builder put = PutObjectRequest.builder().bucket(bucket).key(key).contentType(contentType);
        expectedEtag.ifPresentOrElse(etag -> put.ifMatch(ETags.quote(etag)), () -> put.ifNoneMatch("*"));
        try {
            return new Write.Written(ETags.normalize(s3.putObject(put.build(), RequestBody.fromBytes(body)).eTag()));
        } catch (S3Exception e) {
            int status = e.statusCode();
            // 412: the precondition failed; 409: a concurrent conditional write; 404: If-Match on a deleted object.
            if (status == 412 || status == 409 || (status == 404 && expectedEtag.isPresent())) {
                return settle(bucket, key, body, status);
            }
            throw e;
        } catch (SdkClientException e) {
            // One read decides what happened, from one version of the object.
            Optional<Stored> now = read(bucket, key);
            if (holds(now, body)) {
                return new Write.Written(now.get().etag());
            }
            Optional<String> etag = now.map(Stored::etag);
            if (expectedEtag.map(expected -> etag.equals(Optional.of(expected))).orElse(etag.isEmpty())) {
                // Nothing was written and nothing else happened: a plain transport failure, for the caller to retry.
                throw e;
            }
            return new Write.LostRace(412);
        }
    }

    /** Written when the object holds exactly {@code body} now (our own earlier attempt), else a lost race. */
    private Write settle(String bucket, String key, byte[] body, int status) {
        Optional<Stored> now = read(bucket, key);
        return holds(now, body) ? new Write.Written(now.get().etag()) : new Write.LostRace(status);
    }

    private boolean holds(Optional<Stored> now, byte[] body) {
        return now.isPresent() && (Arrays.equals(now.get().bytes(), body) || sameContent.test(now.get().bytes(), body));
    }
}
