package io.s3imagetovideo.storage;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** Short-lived links that let a video host read one object without credentials (presigned GETs). */
@FunctionalInterface
public interface ObjectLinks {

    URI get(String bucket, String key, Duration validFor);

    static ObjectLinks of(S3Presigner presigner) {
        return (bucket, key, validFor) -> {
            try {
                return presigner.presignGetObject(p -> p.signatureDuration(validFor)
                        .getObjectRequest(g -> g.bucket(bucket).key(key))).url().toURI();
            } catch (java.net.URISyntaxException e) {
                throw new IllegalStateException("the presigner made a link that is not a URI", e);
            }
        };
    }
}
