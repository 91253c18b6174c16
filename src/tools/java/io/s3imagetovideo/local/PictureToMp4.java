package io.s3imagetovideo.local;

import java.awt.Color;
import java.awt.GradientPaint;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferByte;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.jcodec.api.transcode.PixelStore.LoanerPicture;
import org.jcodec.api.transcode.SinkImpl;
import org.jcodec.api.transcode.VideoFrameWithPacket;
import org.jcodec.common.Codec;
import org.jcodec.common.Format;
import org.jcodec.common.io.ByteBufferSeekableByteChannel;
import org.jcodec.common.io.SeekableByteChannel;
import org.jcodec.common.model.ColorSpace;
import org.jcodec.common.model.Packet;
import org.jcodec.common.model.Picture;
import org.jcodec.containers.mp4.MP4Util;
import org.jcodec.containers.mp4.boxes.Box;
import org.jcodec.movtool.Flatten;

/**
 * A still picture made into a short, playable H.264 MP4: a slow zoom-in with a slight pan over it (a
 * "Ken Burns" move), so that what a sandbox host serves shows the picture it was given, and a test
 * can see it did. Pure Java (JCodec's encoder, /tmp/research/mp4-encoder.md), all in memory.
 *
 * <p>The frame is at most {@value #MAX_SIDE} pixels on its longer side, whatever size was asked for:
 * a real host renders the full size, the sandbox only needs the aspect ratio, and JCodec's encoder is
 * slow (about 70 ms per 720x1280 frame).
 */
public final class PictureToMp4 {

    public static final int FPS = 12;
    public static final int FRAMES = 2 * FPS;
    public static final int MAX_SIDE = 640;

    /** How much nearer the last frame is than the first. */
    private static final double ZOOM = 0.20;
    /** How far the window's centre moves, as a share of the picture's sides (left-down to right-up). */
    private static final double PAN = 0.06;

    private PictureToMp4() {}

    /** The frame size for a video asked for as {@code width x height}: capped, aspect kept, both even. */
    public static FrameSize frameSize(int width, int height) {
        if (width < 1 || height < 1) {
            throw new IllegalArgumentException("a video size needs positive sides, not " + width + "x" + height);
        }
        double scale = Math.min(1.0, (double) MAX_SIDE / Math.max(width, height));
        return new FrameSize(even(width * scale), even(height * scale));
    }

    /** A frame size; both sides even, as H.264's 4:2:0 sampling needs. */
    public record FrameSize(int width, int height) {}

    /** The picture in PNG, JPEG or (with TwelveMonkeys on the class path, as here) WebP bytes. */
    public static Optional<BufferedImage> decode(byte[] image) {
        try {
            return Optional.ofNullable(ImageIO.read(new ByteArrayInputStream(image)));
        } catch (IOException | RuntimeException e) {
            // ImageIO's readers throw unchecked exceptions on some truncated files: not an image either way.
            return Optional.empty();
        }
    }

    /** The video of {@code picture} for a job of size {@code width x height}. */
    public static byte[] encode(BufferedImage picture, int width, int height) {
        FrameSize size = frameSize(width, height);
        BufferedImage source = shrinkFor(picture, size);
        BufferedImage frame = new BufferedImage(size.width(), size.height(), BufferedImage.TYPE_3BYTE_BGR);
        Picture yuv = Picture.create(size.width(), size.height(), ColorSpace.YUV420J);
        // Never more than raw 4:2:0 per frame: JCodec's fixed-rate control stays far below it.
        ByteBufferSeekableByteChannel out = ByteBufferSeekableByteChannel.writeToByteBuffer(
                ByteBuffer.allocate(size.width() * size.height() * 3 / 2 * FRAMES + 64 * 1024));
        try {
            SinkImpl sink = SinkImpl.createWithStream(out, Format.MOV, Codec.H264, null);
            sink.init();
            for (int i = 0; i < FRAMES; i++) {
                draw(source, frame, (double) i / (FRAMES - 1));
                toYuv420(frame, yuv);
                Packet packet = Packet.createPacket(null, i, FPS, 1, i, Packet.FrameType.KEY, null);
                sink.outputVideoFrame(new VideoFrameWithPacket(packet, new LoanerPicture(yuv, 0)));
            }
            // finish() writes the moov box, after the media: without it the file does not play.
            sink.finish();
            return moovFirst(contents(out));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The first frame of the video, as a JPEG: what a host's thumbnail of the video shows. */
    public static byte[] thumbnailJpeg(BufferedImage picture, int width, int height) {
        FrameSize size = frameSize(width, height);
        BufferedImage frame = new BufferedImage(size.width(), size.height(), BufferedImage.TYPE_3BYTE_BGR);
        draw(shrinkFor(picture, size), frame, 0);
        var jpeg = new ByteArrayOutputStream();
        try {
            ImageIO.write(frame, "jpg", jpeg);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return jpeg.toByteArray();
    }

    /** What a host shows when it got no picture (a text-only job): a plain gradient. */
    public static BufferedImage placeholder(int width, int height) {
        FrameSize size = frameSize(width, height);
        BufferedImage image = new BufferedImage(size.width(), size.height(), BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setPaint(new GradientPaint(0, 0, new Color(30, 30, 60), size.width(), size.height(), new Color(90, 90, 150)));
        g.fillRect(0, 0, size.width(), size.height());
        g.dispose();
        return image;
    }

    /**
     * Frame {@code t} (0 first, 1 last) of the move. The window onto the picture has the frame's aspect
     * ratio; at {@code t = 0} it is the largest that fits (the picture "covers" the frame), then it
     * shrinks by {@link #ZOOM} while its centre drifts by {@link #PAN}, eased in and out.
     */
    private static void draw(BufferedImage source, BufferedImage frame, double t) {
        double eased = t * t * (3 - 2 * t);
        double w = frame.getWidth();
        double h = frame.getHeight();
        double sw = source.getWidth();
        double sh = source.getHeight();
        double coverScale = Math.max(w / sw, h / sh);
        double scale = coverScale * (1 + ZOOM * eased);
        double windowW = w / scale;
        double windowH = h / scale;
        double cx = clamp(sw * (0.5 - PAN / 2 + PAN * eased), windowW / 2, sw - windowW / 2);
        double cy = clamp(sh * (0.5 + PAN / 2 - PAN * eased), windowH / 2, sh - windowH / 2);
        AffineTransform at = new AffineTransform();
        at.scale(scale, scale);
        at.translate(-(cx - windowW / 2), -(cy - windowH / 2));
        Graphics2D g = frame.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(source, at, null);
        g.dispose();
    }

    /**
     * The picture halved until it is no more than twice what the frames need: drawing a 4000-pixel photo
     * 24 times would take longer than encoding, and bilinear sampling of a much larger picture aliases.
     */
    private static BufferedImage shrinkFor(BufferedImage picture, FrameSize size) {
        double needed = Math.max((double) size.width() / picture.getWidth(), (double) size.height() / picture.getHeight())
                * (1 + ZOOM);
        BufferedImage current = picture;
        while (current.getWidth() * needed < current.getWidth() / 2.0 && current.getWidth() > 2 && current.getHeight() > 2) {
            int w = current.getWidth() / 2;
            int h = current.getHeight() / 2;
            BufferedImage half = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            Graphics2D g = half.createGraphics();
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(current, 0, 0, w, h, null);
            g.dispose();
            needed *= 2;
            current = half;
        }
        return current;
    }

    /**
     * BT.601 limited-range RGB to YUV 4:2:0, chroma averaged over each 2x2 block. What players assume of
     * a stream that does not say; JCodec's own converter uses a wrong blue weight and full range
     * (mp4-encoder.md, pitfall 1). JCodec's planes hold each value minus 128, as signed bytes.
     */
    static void toYuv420(BufferedImage bgr, Picture yuv) {
        byte[] s = ((DataBufferByte) bgr.getRaster().getDataBuffer()).getData();
        byte[] yPlane = yuv.getPlaneData(0);
        byte[] uPlane = yuv.getPlaneData(1);
        byte[] vPlane = yuv.getPlaneData(2);
        int w = bgr.getWidth();
        int h = bgr.getHeight();
        for (int y = 0; y < h; y += 2) {
            for (int x = 0; x < w; x += 2) {
                int rs = 0;
                int gs = 0;
                int bs = 0;
                for (int dy = 0; dy < 2; dy++) {
                    for (int dx = 0; dx < 2; dx++) {
                        int p = (y + dy) * w + x + dx;
                        int b = s[p * 3] & 0xFF;
                        int g = s[p * 3 + 1] & 0xFF;
                        int r = s[p * 3 + 2] & 0xFF;
                        yPlane[p] = (byte) (((66 * r + 129 * g + 25 * b + 128) >> 8) + 16 - 128);
                        rs += r;
                        gs += g;
                        bs += b;
                    }
                }
                // The sums are of four pixels (>> 10 is >> 8 of the average); chroma's +128 and JCodec's -128 cancel.
                int c = (y / 2) * (w / 2) + x / 2;
                uPlane[c] = (byte) ((-38 * rs - 74 * gs + 112 * bs + 512) >> 10);
                vPlane[c] = (byte) ((112 * rs - 94 * gs - 18 * bs + 512) >> 10);
            }
        }
    }

    /**
     * The file with its {@code moov} box before the media ("fast start"), as hosts serve videos: a
     * player, or a client that checks the file, can read the header before the rest has arrived.
     * JCodec's Flatten rewrites it; its media reference is pointed at the bytes in memory, not a file.
     */
    private static byte[] moovFirst(byte[] mp4) throws IOException {
        ByteBufferSeekableByteChannel in = ByteBufferSeekableByteChannel.readFromByteBuffer(ByteBuffer.wrap(mp4));
        MP4Util.Movie movie = MP4Util.createRefFullMovie(in, "memory:video.mp4");
        ByteBufferSeekableByteChannel out = ByteBufferSeekableByteChannel.writeToByteBuffer(
                ByteBuffer.allocate(mp4.length + 64 * 1024));
        new Flatten() {
            @Override
            public SeekableByteChannel resolveDataRef(Box box) {
                return ByteBufferSeekableByteChannel.readFromByteBuffer(ByteBuffer.wrap(mp4));
            }
        }.flattenChannel(movie, out);
        return contents(out);
    }

    /** What was written; a channel that filled up would have dropped the rest without a word. */
    private static byte[] contents(ByteBufferSeekableByteChannel channel) {
        ByteBuffer written = channel.getContents();
        if (written.limit() == written.capacity()) {
            throw new IllegalStateException("the video did not fit in its " + written.capacity() + "-byte buffer");
        }
        byte[] bytes = new byte[written.remaining()];
        written.get(bytes);
        return bytes;
    }

    private static int even(double side) {
        return Math.max(2, (int) Math.round(side / 2) * 2);
    }

    private static double clamp(double value, double min, double max) {
        return min > max ? (min + max) / 2 : Math.max(min, Math.min(max, value));
    }
}
