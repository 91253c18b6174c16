package io.s3imagetovideo.sidecar;

import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A video's size in pixels, written {@code WxH} (e.g. {@code 720x1280}), as the API and the prompt file write it. */
public record VideoSize(int width, int height) {

    public static final VideoSize PORTRAIT_720 = new VideoSize(720, 1280);
    public static final VideoSize LANDSCAPE_720 = new VideoSize(1280, 720);
    public static final VideoSize PORTRAIT_1024 = new VideoSize(1024, 1792);
    public static final VideoSize LANDSCAPE_1024 = new VideoSize(1792, 1024);

    /** The sizes OpenAI's format and the seed's reseller take: VIDEO_SIZES's default. */
    public static final List<VideoSize> OPENAI_SIZES = List.of(PORTRAIT_720, LANDSCAPE_720, PORTRAIT_1024, LANDSCAPE_1024);

    /** No video host makes frames of more than this many pixels a side. */
    public static final int MAX_SIDE = 16_384;

    private static final Pattern WXH = Pattern.compile("([1-9][0-9]{0,4})x([1-9][0-9]{0,4})");

    public VideoSize {
        if (width < 1 || height < 1 || width > MAX_SIDE || height > MAX_SIDE) {
            throw new IllegalArgumentException("a size of 1 to " + MAX_SIDE + " pixels a side");
        }
    }

    /** The form the API and the prompt file use, e.g. {@code 720x1280}. */
    public String value() {
        return width + "x" + height;
    }

    public static Optional<VideoSize> parse(String value) {
        Matcher m = value == null ? null : WXH.matcher(value);
        if (m == null || !m.matches()) {
            return Optional.empty();
        }
        int w = Integer.parseInt(m.group(1));
        int h = Integer.parseInt(m.group(2));
        return w <= MAX_SIDE && h <= MAX_SIDE ? Optional.of(new VideoSize(w, h)) : Optional.empty();
    }

    /** All four of OpenAI's sizes, for tests that go through each. */
    public static List<VideoSize> values() {
        return OPENAI_SIZES;
    }

    @Override
    public String toString() {
        return value();
    }
}
