package io.s3imagetovideo.image;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/** An opaque colour written {@code #rrggbb}: the padding of a {@code contain} fit. */
public record RgbColor(int rgb) {

    public static final RgbColor BLACK = new RgbColor(0x000000);

    private static final Pattern HEX = Pattern.compile("#[0-9A-Fa-f]{6}");

    public RgbColor {
        if ((rgb & 0xFF000000) != 0) {
            throw new IllegalArgumentException("not a 24-bit RGB value: " + Integer.toHexString(rgb));
        }
    }

    public static Optional<RgbColor> parse(String text) {
        if (text == null || !HEX.matcher(text).matches()) {
            return Optional.empty();
        }
        return Optional.of(new RgbColor(Integer.parseInt(text.substring(1), 16)));
    }

    public String hex() {
        return String.format(Locale.ROOT, "#%06x", rgb);
    }
}
