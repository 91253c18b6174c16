package io.s3imagetovideo.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.jcodec.api.FrameGrab;
import org.jcodec.api.JCodecException;
import org.jcodec.common.io.ByteBufferSeekableByteChannel;
import org.jcodec.common.model.Picture;

/**
 * An H.264 MP4 decoded back into its frames with JCodec's decoder, for tests that check a video
 * shows what it should: how many frames, their size, and the colour at a point.
 */
public final class Mp4Frames {

    private Mp4Frames() {}

    /** A decoded frame: its visible size and its pixels, in JCodec's YUV 4:2:0 planes. */
    public record Frame(Picture picture) {

        public int width() {
            return picture.getCroppedWidth();
        }

        public int height() {
            return picture.getCroppedHeight();
        }

        /**
         * The colour at {@code (x, y)}, as {@code 0xRRGGBB}: BT.601 limited range back to RGB, the
         * inverse of what the sandbox's encoder wrote. JCodec's planes hold each value minus 128.
         */
        public int rgb(int x, int y) {
            int px = x + picture.getStartX();
            int py = y + picture.getStartY();
            int luma = picture.getPlaneData(0)[py * picture.getPlaneWidth(0) + px] + 128;
            int chroma = (py / 2) * picture.getPlaneWidth(1) + px / 2;
            int u = picture.getPlaneData(1)[chroma];
            int v = picture.getPlaneData(2)[chroma];
            double c = 1.164 * (luma - 16);
            int r = clamp(c + 1.596 * v);
            int g = clamp(c - 0.392 * u - 0.813 * v);
            int b = clamp(c + 2.017 * u);
            return (r << 16) | (g << 8) | b;
        }

        /**
         * The mean colour of the square of side {@code 2 * radius + 1} around {@code (x, y)}: one pixel
         * carries the encoder's noise, a patch the picture's colour.
         */
        public int meanRgb(int x, int y, int radius) {
            long r = 0;
            long g = 0;
            long b = 0;
            int n = 0;
            for (int dy = -radius; dy <= radius; dy++) {
                for (int dx = -radius; dx <= radius; dx++) {
                    int c = rgb(x + dx, y + dy);
                    r += c >> 16;
                    g += (c >> 8) & 0xFF;
                    b += c & 0xFF;
                    n++;
                }
            }
            return (int) (r / n) << 16 | (int) (g / n) << 8 | (int) (b / n);
        }

        /** The mean colour around the frame's centre. */
        public int centreRgb() {
            return meanRgb(width() / 2, height() / 2, 4);
        }

        /** The mean absolute difference of the two frames' luma, 0 to 255. */
        public double lumaDifference(Frame other) {
            byte[] a = picture.getPlaneData(0);
            byte[] b = other.picture.getPlaneData(0);
            long sum = 0;
            int n = Math.min(a.length, b.length);
            for (int i = 0; i < n; i++) {
                sum += Math.abs(a[i] - b[i]);
            }
            return (double) sum / n;
        }

        private static int clamp(double value) {
            return (int) Math.max(0, Math.min(255, Math.round(value)));
        }
    }

    /** Every frame of the file's video track, in order. */
    public static List<Frame> decode(byte[] mp4) {
        try {
            FrameGrab grab = FrameGrab.createFrameGrab(ByteBufferSeekableByteChannel.readFromByteBuffer(ByteBuffer.wrap(mp4)));
            List<Frame> frames = new ArrayList<>();
            for (Picture p = grab.getNativeFrame(); p != null; p = grab.getNativeFrame()) {
                // The grabber reuses its buffers: keep a copy.
                frames.add(new Frame(p.cloneCropped()));
            }
            return frames;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (JCodecException e) {
            throw new IllegalArgumentException("not a video JCodec can read: " + e.getMessage(), e);
        }
    }

    /** The distance between two colours: the largest difference of their red, green and blue. */
    public static int colourDistance(int rgb1, int rgb2) {
        int d = 0;
        for (int shift = 0; shift <= 16; shift += 8) {
            d = Math.max(d, Math.abs(((rgb1 >> shift) & 0xFF) - ((rgb2 >> shift) & 0xFF)));
        }
        return d;
    }
}
