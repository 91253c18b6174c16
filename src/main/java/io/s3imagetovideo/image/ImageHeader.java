package io.s3imagetovideo.image;

import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * An image's stored pixel size and, for JPEG, its EXIF orientation, read from the header alone: the
 * size decides whether decoding is safe before a single pixel is decompressed.
 *
 * @param orientation the EXIF orientation, 1 to 8 (1: stored as displayed); always 1 for PNG and WebP
 */
public record ImageHeader(ImageFormat format, int width, int height, int orientation) {

    public long pixels() {
        return (long) width * height;
    }

    /** Orientations 5 to 8 turn the picture by 90 degrees: what is displayed is height x width. */
    public boolean swapsAxes() {
        return orientation >= 5;
    }

    public int displayWidth() {
        return swapsAxes() ? height : width;
    }

    public int displayHeight() {
        return swapsAxes() ? width : height;
    }

    /** Empty when the bytes are not a PNG, JPEG or WebP whose header gives a size. */
    public static Optional<ImageHeader> read(byte[] bytes) {
        return ImageFormat.detect(bytes).flatMap(format -> switch (format) {
            case PNG -> png(bytes);
            case JPEG -> jpeg(bytes);
            case WEBP -> webp(bytes);
        });
    }

    private static Optional<ImageHeader> png(byte[] b) {
        // Signature (8), then the IHDR chunk, which the format requires first: length (4), type (4), width, height.
        if (b.length < 24 || !ascii(b, 12, "IHDR")) {
            return Optional.empty();
        }
        return sized(ImageFormat.PNG, s32be(b, 16), s32be(b, 20), 1);
    }

    private static Optional<ImageHeader> jpeg(byte[] b) {
        int orientation = 0;
        int i = 2;
        while (i + 4 <= b.length) {
            if ((b[i] & 0xFF) != 0xFF) {
                return Optional.empty();
            }
            int marker = b[i + 1] & 0xFF;
            if (marker == 0xFF) {
                i++; // fill byte
                continue;
            }
            if (marker == 0x01 || marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7)) {
                i += 2; // markers without a length
                continue;
            }
            if (marker == 0xD9 || marker == 0xDA) {
                return Optional.empty(); // image end or scan data before any frame header
            }
            int length = u16be(b, i + 2);
            int data = i + 4;
            if (length < 2 || data + length - 2 > b.length) {
                return Optional.empty();
            }
            if (isStartOfFrame(marker)) {
                if (length < 7) {
                    return Optional.empty();
                }
                return sized(ImageFormat.JPEG, u16be(b, data + 3), u16be(b, data + 1), Math.max(orientation, 1));
            }
            if (marker == 0xE1 && orientation == 0) {
                orientation = exifOrientation(b, data, data + length - 2);
            }
            i = data + length - 2;
        }
        return Optional.empty();
    }

    /** SOF0 to SOF15, less DHT (C4), JPG (C8) and DAC (CC), which share the range. */
    private static boolean isStartOfFrame(int marker) {
        return marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    }

    /** The Orientation tag (0x0112) of IFD0 in an APP1 Exif segment; 0 when this segment has none. */
    private static int exifOrientation(byte[] b, int start, int end) {
        if (end - start < 14 || !ascii(b, start, "Exif\0\0")) {
            return 0;
        }
        int tiff = start + 6;
        boolean little;
        if (b[tiff] == 'I' && b[tiff + 1] == 'I') {
            little = true;
        } else if (b[tiff] == 'M' && b[tiff + 1] == 'M') {
            little = false;
        } else {
            return 0;
        }
        long ifd = tiff + u32(b, tiff + 4, little);
        if (ifd < tiff + 8 || ifd + 2 > end) {
            return 0;
        }
        int entries = u16(b, (int) ifd, little);
        for (int n = 0; n < entries; n++) {
            int entry = (int) ifd + 2 + n * 12;
            if (entry + 12 > end) {
                return 0;
            }
            if (u16(b, entry, little) == 0x0112 && u16(b, entry + 2, little) == 3) {
                int value = u16(b, entry + 8, little);
                return value >= 1 && value <= 8 ? value : 0;
            }
        }
        return 0;
    }

    private static Optional<ImageHeader> webp(byte[] b) {
        // RIFF header (12), then the first chunk: "VP8 " (lossy), "VP8L" (lossless) or "VP8X" (extended).
        if (b.length < 30) {
            return Optional.empty();
        }
        if (ascii(b, 12, "VP8 ")) {
            if ((b[23] & 0xFF) != 0x9D || (b[24] & 0xFF) != 0x01 || (b[25] & 0xFF) != 0x2A) {
                return Optional.empty();
            }
            return sized(ImageFormat.WEBP, u16le(b, 26) & 0x3FFF, u16le(b, 28) & 0x3FFF, 1);
        }
        if (ascii(b, 12, "VP8L")) {
            if ((b[20] & 0xFF) != 0x2F) {
                return Optional.empty();
            }
            long bits = u32(b, 21, true);
            return sized(ImageFormat.WEBP, (int) (bits & 0x3FFF) + 1, (int) ((bits >> 14) & 0x3FFF) + 1, 1);
        }
        if (ascii(b, 12, "VP8X")) {
            return sized(ImageFormat.WEBP, u24le(b, 24) + 1, u24le(b, 27) + 1, 1);
        }
        return Optional.empty();
    }

    private static Optional<ImageHeader> sized(ImageFormat format, int width, int height, int orientation) {
        return width > 0 && height > 0
                ? Optional.of(new ImageHeader(format, width, height, orientation))
                : Optional.empty();
    }

    private static boolean ascii(byte[] b, int offset, String text) {
        byte[] expected = text.getBytes(StandardCharsets.US_ASCII);
        if (offset + expected.length > b.length) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (b[offset + i] != expected[i]) {
                return false;
            }
        }
        return true;
    }

    private static int u16be(byte[] b, int i) {
        return (b[i] & 0xFF) << 8 | (b[i + 1] & 0xFF);
    }

    private static int u16le(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8;
    }

    private static int u24le(byte[] b, int i) {
        return (b[i] & 0xFF) | (b[i + 1] & 0xFF) << 8 | (b[i + 2] & 0xFF) << 16;
    }

    private static int s32be(byte[] b, int i) {
        return (b[i] & 0xFF) << 24 | (b[i + 1] & 0xFF) << 16 | (b[i + 2] & 0xFF) << 8 | (b[i + 3] & 0xFF);
    }

    private static int u16(byte[] b, int i, boolean little) {
        return little ? u16le(b, i) : u16be(b, i);
    }

    private static long u32(byte[] b, int i, boolean little) {
        long value = 0;
        for (int k = 0; k < 4; k++) {
            int shift = little ? 8 * k : 8 * (3 - k);
            value |= (long) (b[i + k] & 0xFF) << shift;
        }
        return value;
    }
}
