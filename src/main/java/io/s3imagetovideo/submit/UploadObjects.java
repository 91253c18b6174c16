package io.s3imagetovideo.submit;

import io.s3imagetovideo.layout.BucketLayout;
import io.s3imagetovideo.layout.UploadName;
import io.s3imagetovideo.storage.ETags;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.core.exception.RetryableException;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.utils.IoUtils;

/** The user's objects of one upload in S3: which are there (one listing), and their bytes, version-exact. */
final class UploadObjects {

    private final S3Client s3;

    UploadObjects(S3Client s3) {
        this.s3 = s3;
    }

    /**
     * The objects that make up one upload, as S3 lists them right now, and whether the upload's record
     * was among them.
     */
    record Pair(List<S3Object> images, Optional<S3Object> sidecar, boolean recordListed) {
        Optional<S3Object> image() {
            return images.size() == 1 ? Optional.of(images.get(0)) : Optional.empty();
        }
    }

    Pair list(String bucket, UploadName upload) {
        List<S3Object> images = new ArrayList<>();
        S3Object sidecar = null;
        boolean recordListed = false;
        // One listing finds every spelling of the image's extension, with ETags and sizes, without a download.
        // URL-encoded keys: a key with a control character that XML 1.0 cannot hold (ESC, BEL, 0x01...)
        // would otherwise make the whole listing unreadable, and the invocation fail on every retry.
        for (S3Object object : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(upload.base() + ".")
                .encodingType(EncodingType.URL)).contents()) {
            if (object.key().equals(upload.sidecarKey())) {
                sidecar = object;
            } else if (object.key().equals(upload.recordKey())) {
                recordListed = true;
            } else if (BucketLayout.isImageOf(upload, object.key())) {
                images.add(object);
            }
        }
        return new Pair(List.copyOf(images), Optional.ofNullable(sidecar), recordListed);
    }

    /**
     * Exactly the listed version's bytes, or empty when the object changed or went since it was listed:
     * the listing is stale, and the caller starts over.
     */
    Optional<byte[]> download(String bucket, S3Object object) {
        try {
            return Optional.of(s3.getObject(b -> b.bucket(bucket).key(object.key())
                    .ifMatch(ETags.quote(object.eTag())), UploadObjects::readExactly));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 412) {
                return Optional.empty();
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
}
