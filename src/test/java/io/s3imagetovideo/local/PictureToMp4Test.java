package io.s3imagetovideo.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.s3imagetovideo.support.Images;
import io.s3imagetovideo.support.Mp4Frames;
import io.s3imagetovideo.support.Mp4Frames.Frame;
import io.s3imagetovideo.support.Mp4s;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** The sandbox's video is the picture it was sent, moving: decoded back, it shows that picture. */
class PictureToMp4Test {

    /** The solid square in the middle of the test picture. */
    static final Color SQUARE = new Color(200, 40, 60);
    /**
     * How far a decoded colour may be from the picture's, per channel: H.264 at JCodec's fixed rate,
     * then 4:2:0 chroma, move a colour by a few steps, more at the edges of 16-pixel blocks.
     */
    static final int TOLERANCE = 16;

    @Test
    void aPictureBecomesTwoSecondsOfH264AtTwelveFramesWithTheMoovFirst() throws IOException {
        byte[] png = picture(720, 1280, "png");

        long start = System.nanoTime();
        byte[] mp4 = PictureToMp4.encode(PictureToMp4.decode(png).orElseThrow(), 720, 1280);
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("PictureToMp4: 720x1280 encoded as 360x640 in %d ms, %d bytes%n", millis, mp4.length);

        assertThat(Mp4s.looksLikeMp4(mp4)).isTrue();
        assertThat(topLevelBoxes(mp4)).startsWith("ftyp", "moov").contains("mdat");
        List<Frame> frames = Mp4Frames.decode(mp4);
        assertThat(frames).hasSize(PictureToMp4.FRAMES).hasSize(24);
        assertThat(frames).allSatisfy(f -> {
            assertThat(f.width()).isEqualTo(360);
            assertThat(f.height()).isEqualTo(640);
        });
        // The move: the last frame is nearer, so the pattern around the square shows at another scale.
        assertThat(frames.get(0).lumaDifference(frames.get(23))).isGreaterThan(4);
        for (Frame f : List.of(frames.get(0), frames.get(12), frames.get(23))) {
            assertThat(squareDistance(f)).isLessThanOrEqualTo(TOLERANCE);
        }
    }

    @Test
    void jpegAndWebpPicturesAreReadToo() {
        byte[] mp4 = PictureToMp4.encode(PictureToMp4.decode(picture(640, 360, "jpg")).orElseThrow(), 1280, 720);
        Frame first = Mp4Frames.decode(mp4).get(0);
        assertThat(first.width()).isEqualTo(640);
        assertThat(first.height()).isEqualTo(360);
        assertThat(squareDistance(first)).isLessThanOrEqualTo(TOLERANCE);

        assertThat(PictureToMp4.decode(Images.webp())).isPresent();
        assertThat(PictureToMp4.decode("not a picture".getBytes(StandardCharsets.UTF_8))).isEmpty();
    }

    @Test
    void aPictureOfAnotherAspectRatioFillsTheFrame() {
        // A landscape picture in a portrait video: the window onto it is cut to the video's shape.
        byte[] mp4 = PictureToMp4.encode(PictureToMp4.decode(picture(1280, 720, "png")).orElseThrow(), 720, 1280);
        Frame last = Mp4Frames.decode(mp4).get(PictureToMp4.FRAMES - 1);
        assertThat(last.width()).isEqualTo(360);
        assertThat(squareDistance(last)).isLessThanOrEqualTo(TOLERANCE);
    }

    @Test
    void theFrameIsCappedAtSixHundredFortyPixelsEvenAndInTheAspectRatioAsked() {
        assertThat(PictureToMp4.frameSize(720, 1280)).isEqualTo(new PictureToMp4.FrameSize(360, 640));
        assertThat(PictureToMp4.frameSize(1920, 1080)).isEqualTo(new PictureToMp4.FrameSize(640, 360));
        assertThat(PictureToMp4.frameSize(1792, 1024)).isEqualTo(new PictureToMp4.FrameSize(640, 366));
        assertThat(PictureToMp4.frameSize(321, 241)).isEqualTo(new PictureToMp4.FrameSize(322, 242));
        assertThat(PictureToMp4.frameSize(1, 1)).isEqualTo(new PictureToMp4.FrameSize(2, 2));
        assertThatThrownBy(() -> PictureToMp4.frameSize(0, 720)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theThumbnailIsAJpegOfTheFirstFrame() throws IOException {
        byte[] jpeg = PictureToMp4.thumbnailJpeg(PictureToMp4.decode(picture(720, 1280, "png")).orElseThrow(), 720, 1280);

        BufferedImage thumbnail = ImageIO.read(new java.io.ByteArrayInputStream(jpeg));
        assertThat(thumbnail.getWidth()).isEqualTo(360);
        assertThat(thumbnail.getHeight()).isEqualTo(640);
        assertThat(Mp4Frames.colourDistance(thumbnail.getRGB(180, 320) & 0xFFFFFF, SQUARE.getRGB() & 0xFFFFFF))
                .isLessThanOrEqualTo(TOLERANCE);
    }

    /** How far the colour at the frame's centre is from the square's. */
    static int squareDistance(Frame frame) {
        return Mp4Frames.colourDistance(frame.centreRgb(), SQUARE.getRGB() & 0xFFFFFF);
    }

    /**
     * A test picture with a texture the move shows (a grid of two greys) and a solid square in the
     * middle, a quarter of the shorter side wide.
     */
    static byte[] picture(int width, int height, String format) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        int cell = Math.max(8, Math.min(width, height) / 24);
        for (int y = 0; y < height; y += cell) {
            for (int x = 0; x < width; x += cell) {
                g.setColor(((x + y) / cell) % 2 == 0 ? new Color(40, 120, 200) : new Color(230, 230, 230));
                g.fillRect(x, y, cell, cell);
            }
        }
        int side = Math.min(width, height) / 4;
        g.setColor(SQUARE);
        g.fillRect(width / 2 - side / 2, height / 2 - side / 2, side, side);
        g.dispose();
        var out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, format, out);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static List<String> topLevelBoxes(byte[] mp4) {
        List<String> names = new ArrayList<>();
        ByteBuffer buffer = ByteBuffer.wrap(mp4);
        while (buffer.remaining() >= 8) {
            int size = buffer.getInt();
            byte[] type = new byte[4];
            buffer.get(type);
            names.add(new String(type, StandardCharsets.US_ASCII));
            buffer.position(buffer.position() + size - 8);
        }
        return names;
    }
}
