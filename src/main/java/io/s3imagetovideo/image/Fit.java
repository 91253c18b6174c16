package io.s3imagetovideo.image;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** How an image is brought to the video's size before it is sent (the sidecar's {@code fit}). */
public enum Fit {
    /** Sent as it is; the API refuses it unless it already has the video's size. */
    NONE,
    /** Scaled to fill the frame, then centre-cropped: no bars, the edges of the longer side are lost. */
    COVER,
    /** Scaled to fit inside the frame, the rest padded with the background colour: nothing is lost. */
    CONTAIN;

    /** The form the sidecar and {@code DEFAULT_FIT} use. */
    public String value() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Fit> parse(String value) {
        return Arrays.stream(values()).filter(f -> f.value().equals(value)).findFirst();
    }

    public static List<String> allowedValues() {
        return Arrays.stream(values()).map(Fit::value).toList();
    }
}
