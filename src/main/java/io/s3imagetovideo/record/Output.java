package io.s3imagetovideo.record;

import java.util.Objects;
import java.util.Optional;

/** Where the video was saved ({@code output} of a completed record), and its thumbnail when the host served one. */
public record Output(String video, long bytes, String contentType, Optional<String> thumbnail) {

    public static final String VIDEO_CONTENT_TYPE = "video/mp4";

    public Output {
        Objects.requireNonNull(thumbnail, "thumbnail");
    }

    public Output(String video, long bytes, String contentType) {
        this(video, bytes, contentType, Optional.empty());
    }

    public Output withThumbnail(String key) {
        return new Output(video, bytes, contentType, Optional.of(key));
    }
}
