package io.s3imagetovideo.support;

import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.TreeSet;
import javax.imageio.ImageIO;

/**
 * Pictures whose content can be located after fitting, and the encodings the JDK cannot write:
 * a JPEG carrying an EXIF orientation, a lossless WebP. Made here so that no binary fixture is needed.
 */
public final class FitImages {
    private FitImages() {}

    // Pure primaries: each channel takes two values only, which the WebP writer below needs.
    public static final Color BACKGROUND = new Color(0, 0, 255);
    public static final Color MARKER = new Color(255, 0, 0);
    public static final Color CENTRE = new Color(0, 255, 0);

    /**
     * A blue picture with a red marker over the top-left tenth of each side and a green square in the
     * middle, a fifth of the shorter side wide.
     */
    public static BufferedImage picture(int width, int height) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(BACKGROUND);
        g.fillRect(0, 0, width, height);
        g.setColor(MARKER);
        g.fillRect(0, 0, Math.max(1, width / 10), Math.max(1, height / 10));
        int side = Math.max(1, Math.min(width, height) / 5);
        g.setColor(CENTRE);
        g.fillRect((width - side) / 2, (height - side) / 2, side, side);
        g.dispose();
        return image;
    }

    public static byte[] png(BufferedImage image) {
        return write(image, "png");
    }

    public static byte[] jpeg(BufferedImage image) {
        return write(image, "jpg");
    }

    public static BufferedImage decode(byte[] bytes) {
        try {
            BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
            if (image == null) {
                throw new IllegalArgumentException("not an image ImageIO reads");
            }
            return image;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A JPEG of {@code stored} with an APP1 Exif segment right after SOI whose IFD0 holds only the
     * Orientation tag, written little-endian ("II") or big-endian ("MM") as cameras do.
     */
    public static byte[] jpegWithOrientation(BufferedImage stored, int orientation, boolean littleEndian) {
        byte[] plain = jpeg(stored);
        ByteOrder order = littleEndian ? ByteOrder.LITTLE_ENDIAN : ByteOrder.BIG_ENDIAN;
        ByteBuffer tiff = ByteBuffer.allocate(8 + 2 + 12 + 4).order(order);
        tiff.put((byte) (littleEndian ? 'I' : 'M')).put((byte) (littleEndian ? 'I' : 'M'));
        tiff.putShort((short) 42).putInt(8);
        tiff.putShort((short) 1);
        tiff.putShort((short) 0x0112).putShort((short) 3).putInt(1).putShort((short) orientation).putShort((short) 0);
        tiff.putInt(0);
        byte[] exif = "Exif\0\0".getBytes(StandardCharsets.US_ASCII);
        int length = 2 + exif.length + tiff.capacity();
        var out = new ByteArrayOutputStream();
        out.write(plain, 0, 2);
        out.write(0xFF);
        out.write(0xE1);
        out.write(length >> 8);
        out.write(length & 0xFF);
        out.writeBytes(exif);
        out.writeBytes(tiff.array());
        out.write(plain, 2, plain.length - 2);
        return out.toByteArray();
    }

    /**
     * A lossless WebP (VP8L) of an opaque image with at most two values per colour channel, such as
     * {@link #picture}. Each channel gets a "simple" prefix code of one or two symbols, so a pixel is
     * at most three bits; no transform, no colour cache, no back-references.
     */
    public static byte[] webp(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
        int[] shifts = {8, 16, 0, 24}; // green, red, blue, alpha: the order VP8L reads a literal in
        int[][] symbols = new int[4][];
        for (int c = 0; c < 4; c++) {
            TreeSet<Integer> values = new TreeSet<>();
            for (int p : argb) {
                values.add(p >>> shifts[c] & 0xFF);
            }
            if (values.size() > 2) {
                throw new IllegalArgumentException("more than two values in one channel");
            }
            symbols[c] = values.stream().mapToInt(Integer::intValue).toArray();
        }
        var bits = new BitWriter();
        bits.write(0x2F, 8);
        bits.write(w - 1, 14);
        bits.write(h - 1, 14);
        bits.write(0, 1); // alpha_is_used
        bits.write(0, 3); // version
        bits.write(0, 1); // no transform
        bits.write(0, 1); // no colour cache
        bits.write(0, 1); // one prefix code group for the whole image
        for (int c = 0; c < 4; c++) {
            bits.write(1, 1); // simple code
            bits.write(symbols[c].length - 1, 1);
            bits.write(1, 1); // first symbol in 8 bits
            for (int s : symbols[c]) {
                bits.write(s, 8);
            }
        }
        bits.write(1, 1); // distance: simple code, one symbol, in 1 bit: 0
        bits.write(0, 1);
        bits.write(0, 1);
        bits.write(0, 1);
        for (int p : argb) {
            for (int c = 0; c < 4; c++) {
                if (symbols[c].length == 2) {
                    // Two code lengths of 1: the smaller symbol gets code 0.
                    bits.write((p >>> shifts[c] & 0xFF) == symbols[c][1] ? 1 : 0, 1);
                }
            }
        }
        byte[] data = bits.toByteArray();
        int padded = data.length + (data.length & 1);
        ByteBuffer riff = ByteBuffer.allocate(20 + padded).order(ByteOrder.LITTLE_ENDIAN);
        riff.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(12 + padded);
        riff.put("WEBP".getBytes(StandardCharsets.US_ASCII));
        riff.put("VP8L".getBytes(StandardCharsets.US_ASCII)).putInt(data.length);
        riff.put(data);
        return riff.array();
    }

    /** A PNG signature and an IHDR that claims {@code width x height}, and nothing else. */
    public static byte[] forgedPngHeader(int width, int height) {
        ByteBuffer b = ByteBuffer.allocate(33);
        b.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
        b.putInt(13).put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(width).putInt(height);
        b.put(new byte[] {8, 2, 0, 0, 0}).putInt(0);
        return b.array();
    }

    private static byte[] write(BufferedImage image, String format) {
        var out = new ByteArrayOutputStream();
        try {
            if (!ImageIO.write(image, format, out)) {
                throw new IllegalStateException("no writer for " + format);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** VP8L packs its bits least significant first. */
    private static final class BitWriter {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private long buffer;
        private int count;

        void write(int value, int n) {
            buffer |= (long) (value & ((1 << n) - 1)) << count;
            count += n;
            while (count >= 8) {
                out.write((int) (buffer & 0xFF));
                buffer >>>= 8;
                count -= 8;
            }
        }

        byte[] toByteArray() {
            if (count > 0) {
                out.write((int) (buffer & 0xFF));
                buffer = 0;
                count = 0;
            }
            return out.toByteArray();
        }
    }
}
