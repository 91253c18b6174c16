package io.s3imagetovideo.local;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The pixel size of a PNG, JPEG or WebP image, read from its headers the way a provider checks an
 * {@code input_reference} against {@code size}, without decoding the pixels.
 */
record ImageDimensions(int width, int height) {

    @Override
    public String toString() {
        return width + "x" + height;
    }

    static Optional<ImageDimensions> of(byte[] image) {
        try {
            if (startsWith(image, new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'})) {
                return png(image);
            }
            if (startsWith(image, new byte[] {(byte) 0xFF, (byte) 0xD8})) {
                return jpeg(image);
            }
            if (ascii(image, 0, 4).equals("RIFF") && ascii(image, 8, 4).equals("WEBP")) {
                return webp(image);
            }
        } catch (IndexOutOfBoundsException e) {
            // a truncated header: not an image this server can read
        }
        return Optional.empty();
    }

    /** The first chunk is IHDR: width and height as 32-bit big-endian numbers. */
    private static Optional<ImageDimensions> png(byte[] b) {
        if (!ascii(b, 12, 4).equals("IHDR")) {
            return Optional.empty();
        }
        ByteBuffer buf = ByteBuffer.wrap(b);
        return Optional.of(new ImageDimensions(buf.getInt(16), buf.getInt(20)));
    }

    /** Walks the markers to the first start-of-frame, which holds height then width. */
    private static Optional<ImageDimensions> jpeg(byte[] b) {
        int i = 2;
        while (i + 9 < b.length) {
            if ((b[i] & 0xFF) != 0xFF) {
                return Optional.empty();
            }
            int marker = b[i + 1] & 0xFF;
            if (marker == 0xFF) {
                i++;
                continue;
            }
            int length = u16(b, i + 2);
            boolean startOfFrame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
            if (startOfFrame) {
                return Optional.of(new ImageDimensions(u16(b, i + 7), u16(b, i + 5)));
            }
            i += 2 + length;
        }
        return Optional.empty();
    }

    /** Lossy (VP8), lossless (VP8L) and extended (VP8X) WebP keep the size in different places. */
    private static Optional<ImageDimensions> webp(byte[] b) {
        ByteBuffer le = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        return switch (ascii(b, 12, 4)) {
            case "VP8X" -> Optional.of(new ImageDimensions(u24le(b, 24) + 1, u24le(b, 27) + 1));
            case "VP8L" -> {
                int bits = le.getInt(21);
                yield Optional.of(new ImageDimensions((bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1));
            }
            case "VP8 " -> Optional.of(new ImageDimensions(le.getShort(26) & 0x3FFF, le.getShort(28) & 0x3FFF));
            default -> Optional.empty();
        };
    }

    private static int u16(byte[] b, int at) {
        return ((b[at] & 0xFF) << 8) | (b[at + 1] & 0xFF);
    }

    private static int u24le(byte[] b, int at) {
        return (b[at] & 0xFF) | ((b[at + 1] & 0xFF) << 8) | ((b[at + 2] & 0xFF) << 16);
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        if (b.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String ascii(byte[] b, int from, int length) {
        return new String(b, from, length, StandardCharsets.US_ASCII);
    }
}
