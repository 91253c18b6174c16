package io.s3imagetovideo.record;

import java.util.List;
import java.util.Objects;

/**
 * The objects one record is about, with the versions (ETags) that were read. Any key may be absent
 * while the pair is incomplete; {@code images} lists them all when two images share one name.
 */
public record Source(String bucket, String image, String imageEtag, String prompt, String promptEtag,
        List<String> images) {

    public Source {
        Objects.requireNonNull(bucket, "bucket");
        images = List.copyOf(images);
    }

    public static Source pair(String bucket, String image, String imageEtag, String prompt, String promptEtag) {
        return new Source(bucket, image, imageEtag, prompt, promptEtag, List.of());
    }

    public boolean isComplete() {
        return image != null && prompt != null;
    }

    /** True when both describe the very same image and prompt file versions. */
    public boolean sameUploadAs(Source other) {
        return isComplete() && other != null && image.equals(other.image) && Objects.equals(imageEtag, other.imageEtag)
                && prompt.equals(other.prompt) && Objects.equals(promptEtag, other.promptEtag);
    }
}
