package io.s3imagetovideo.support;

import java.io.InputStream;
import org.gaul.s3proxy.blobstore.BlobStore;
import org.gaul.s3proxy.blobstore.ForwardingBlobStore;
import org.gaul.s3proxy.blobstore.S3Exceptions;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * S3Proxy 4.1.1 checks {@code If-Match}/{@code If-None-Match} and then writes, without a lock, so
 * racing conditional writes can all win (S3ProxyConditionalWritesFunctionTest shows it). S3 itself makes
 * them atomic; this middleware restores that promise for {@code If-None-Match}, and for
 * {@code If-Match} as far as the blob store can see it: one write at a time, conditions decided
 * under the lock.
 */
final class AtomicConditionalWrites extends ForwardingBlobStore {

    AtomicConditionalWrites(BlobStore delegate) {
        super(delegate);
    }

    @Override
    public synchronized PutObjectResponse putBlob(PutObjectRequest request, InputStream content) {
        // S3Proxy's handler compares the conditions before it calls here; decide them again under the lock.
        HeadObjectResponse current = delegate().blobMetadataIfPresent(request.bucket(), request.key());
        boolean fails = request.ifMatch() != null
                ? current == null || !unquote(request.ifMatch()).equals(unquote(current.eTag()))
                : "*".equals(request.ifNoneMatch()) && current != null;
        if (fails) {
            // Read the body first, as S3 does: answering mid-upload makes the client see a broken pipe.
            drain(content);
        }
        if (request.ifMatch() != null) {
            if (current == null) {
                throw S3Exceptions.noSuchKey(request.bucket(), request.key(), null);
            }
            if (!unquote(request.ifMatch()).equals(unquote(current.eTag()))) {
                throw S3Exceptions.preconditionFailed(null);
            }
        }
        if ("*".equals(request.ifNoneMatch()) && current != null) {
            throw S3Exceptions.preconditionFailed(null);
        }
        return super.putBlob(request.toBuilder().ifMatch(null).ifNoneMatch(null).build(), content);
    }

    private static void drain(InputStream content) {
        try {
            content.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (java.io.IOException e) {
            // the client went away; the precondition failure below is still the answer
        }
    }

    private static String unquote(String etag) {
        return etag == null ? "" : etag.replace("\"", "");
    }
}
