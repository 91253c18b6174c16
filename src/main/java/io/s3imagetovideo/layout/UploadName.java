package io.s3imagetovideo.layout;

import java.util.Objects;
import java.util.Optional;

/**
 * The {@code <p>/<name>} that ties an image, its prompt sidecar, the job record and the video
 * together (docs/contract.md, "Bucket layout"). {@code prefix} is empty or ends with {@code /}.
 */
public record UploadName(String prefix, String name) {

    public static final String SIDECAR_SUFFIX = ".prompt.json";
    public static final String RECORD_SUFFIX = ".video.json";
    public static final String VIDEO_SUFFIX = ".mp4";

    public UploadName {
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(name, "name");
        if (name.isEmpty() || name.contains("/")) {
            throw new IllegalArgumentException("name must be non-empty and hold no '/'");
        }
    }

    /** Splits {@code <p>/<name>} at its last slash. */
    public static UploadName of(String base) {
        int slash = base.lastIndexOf('/');
        return new UploadName(base.substring(0, slash + 1), base.substring(slash + 1));
    }

    /** The upload whose job record {@code key} is, or empty when it is no record key (or names no upload). */
    public static Optional<UploadName> ofRecordKey(String key) {
        if (!key.endsWith(RECORD_SUFFIX)) {
            return Optional.empty();
        }
        String base = key.substring(0, key.length() - RECORD_SUFFIX.length());
        return base.isEmpty() || base.endsWith("/") ? Optional.empty() : Optional.of(of(base));
    }

    /** {@code <p>/<name>}: every key of this upload starts with it. */
    public String base() {
        return prefix + name;
    }

    public String sidecarKey() {
        return base() + SIDECAR_SUFFIX;
    }

    public String recordKey() {
        return base() + RECORD_SUFFIX;
    }

    public String videoKey() {
        return base() + VIDEO_SUFFIX;
    }

    /** {@code <p>/<name>.thumbnail.<extension>}, the extension that of the thumbnail's type. */
    public String thumbnailKey(String extension) {
        return base() + ".thumbnail." + extension;
    }
}
