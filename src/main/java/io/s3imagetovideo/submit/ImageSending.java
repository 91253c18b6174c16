package io.s3imagetovideo.submit;

import io.s3imagetovideo.api.ImagePart;
import io.s3imagetovideo.config.ImageTransport;
import io.s3imagetovideo.api.ImageUpload;
import io.s3imagetovideo.layout.BucketLayout;
import io.s3imagetovideo.storage.ObjectLinks;
import java.time.Duration;
import java.util.Optional;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Puts the fitted image into the create form the way the host takes it ({@code VIDEO_IMAGE_FIELD},
 * {@code VIDEO_IMAGE_SEND_AS}). For {@code presigned_url} the fitted image is first stored under
 * {@code .s3-image-to-video/inputs/<upload>/} in the upload's own bucket, where no function reacts
 * to it and the template's lifecycle rule removes it after a day, and the host gets a GET link to it
 * that is valid for {@link #LINK_LIFETIME}.
 */
final class ImageSending {

    /** Long enough for a gateway to hand the link to its upstream and that to fetch it, short enough to leak little. */
    static final Duration LINK_LIFETIME = Duration.ofHours(1);

    private final ImageTransport transport;
    private final S3Client s3;
    private final Optional<ObjectLinks> links;

    ImageSending(ImageTransport transport, S3Client s3, Optional<ObjectLinks> links) {
        if (transport.sendAs() == ImageTransport.SendAs.PRESIGNED_URL && links.isEmpty()) {
            throw new IllegalArgumentException("VIDEO_IMAGE_SEND_AS=presigned_url needs an S3 presigner");
        }
        this.transport = transport;
        this.s3 = s3;
        this.links = links;
    }

    /** The image's form field for one upload; {@code uploadId} names its stored copy (the idempotency key). */
    ImagePart part(String bucket, String uploadId, ImageUpload image) {
        return switch (transport.sendAs()) {
            case FILE -> new ImagePart.File(transport.field(), image);
            case DATA_URL -> ImagePart.dataUrl(transport.field(), image);
            case PRESIGNED_URL -> {
                String key = BucketLayout.inputKey(uploadId, image.fileName());
                s3.putObject(b -> b.bucket(bucket).key(key).contentType(image.contentType()),
                        RequestBody.fromBytes(image.bytes()));
                yield new ImagePart.Text(transport.field(), links.orElseThrow().get(bucket, key, LINK_LIFETIME).toString());
            }
        };
    }
}
