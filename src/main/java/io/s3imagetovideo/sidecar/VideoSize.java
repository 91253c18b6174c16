package io.s3imagetovideo.sidecar;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The output sizes the API accepts, width x height. */
public enum VideoSize {
    PORTRAIT_720(720, 1280),
    LANDSCAPE_720(1280, 720),
    PORTRAIT_1024(1024, 1792),
    LANDSCAPE_1024(1792, 1024);

    private final int width;
    private final int height;

    VideoSize(int width, int height) {
        this.width = width;
        this.height = height;
    }

    public int width() {
        return width;
    }

    public int height() {
        return height;
    }

    /** The form the API and the sidecar use, e.g. {@code 720x1280}. */
    public String value() {
        return width + "x" + height;
    }

    public static Optional<VideoSize> parse(String value) {
        return Arrays.stream(values()).filter(s -> s.value().equals(value)).findFirst();
    }

    public static List<String> allowedValues() {
        return Arrays.stream(values()).map(VideoSize::value).toList();
    }
}
