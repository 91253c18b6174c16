package io.s3imagetovideo.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ImageFormatTest {

    /** A 1x1 lossless WebP. */
    private static final byte[] WEBP = Base64.getDecoder().decode("UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==");

    private static byte[] encode(String format) throws IOException {
        BufferedImage image = new BufferedImage(4, 3, BufferedImage.TYPE_INT_RGB);
        var g = image.createGraphics();
        g.setColor(Color.ORANGE);
        g.fillRect(0, 0, 4, 3);
        g.dispose();
        var out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, format, out)).as("a writer for %s", format).isTrue();
        return out.toByteArray();
    }

    @Test
    void detectsPng() throws IOException {
        assertThat(ImageFormat.detect(encode("png"))).contains(ImageFormat.PNG);
    }

    @Test
    void detectsJpeg() throws IOException {
        assertThat(ImageFormat.detect(encode("jpg"))).contains(ImageFormat.JPEG);
    }

    @Test
    void detectsWebp() {
        assertThat(ImageFormat.detect(WEBP)).contains(ImageFormat.WEBP);
    }

    @Test
    void detectsFormatFromSignatureLengthHeadAlone() throws IOException {
        // Given only the first bytes of each file, as a ranged GET would return them
        assertThat(ImageFormat.detect(head(encode("png")))).contains(ImageFormat.PNG);
        assertThat(ImageFormat.detect(head(encode("jpg")))).contains(ImageFormat.JPEG);
        assertThat(ImageFormat.detect(head(WEBP))).contains(ImageFormat.WEBP);
    }

    private static byte[] head(byte[] bytes) {
        return Arrays.copyOf(bytes, ImageFormat.SIGNATURE_LENGTH);
    }

    @Test
    void reportsContentTypes() {
        assertThat(ImageFormat.PNG.contentType()).isEqualTo("image/png");
        assertThat(ImageFormat.JPEG.contentType()).isEqualTo("image/jpeg");
        assertThat(ImageFormat.WEBP.contentType()).isEqualTo("image/webp");
    }

    @Test
    void doesNotDetectGif() throws IOException {
        assertThat(ImageFormat.detect(encode("gif"))).isEmpty();
    }

    static Stream<Arguments> notImages() {
        byte[] wav = new byte[44];
        System.arraycopy("RIFF".getBytes(StandardCharsets.US_ASCII), 0, wav, 0, 4);
        wav[4] = 36;
        System.arraycopy("WAVEfmt ".getBytes(StandardCharsets.US_ASCII), 0, wav, 8, 8);
        return Stream.of(
                Arguments.of("empty", new byte[0]),
                Arguments.of("text", "{\"prompt\": \"a cow\"}".getBytes(StandardCharsets.UTF_8)),
                Arguments.of("GIF header", "GIF89a\u0001\u0000\u0001\u0000\u0000\u0000".getBytes(StandardCharsets.ISO_8859_1)),
                Arguments.of("WAV header", wav),
                Arguments.of("RIFF cut short", Arrays.copyOf(WEBP, 11)),
                Arguments.of("RIFF only", "RIFF".getBytes(StandardCharsets.US_ASCII)),
                Arguments.of("PNG signature cut short", Arrays.copyOf(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A}, 7)),
                Arguments.of("two JPEG bytes", new byte[] {(byte) 0xFF, (byte) 0xD8}),
                Arguments.of("one byte", new byte[] {(byte) 0x89}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("notImages")
    void doesNotDetectNonImages(String description, byte[] bytes) {
        assertThat(ImageFormat.detect(bytes)).isEmpty();
    }
}
