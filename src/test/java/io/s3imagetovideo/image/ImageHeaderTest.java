package io.s3imagetovideo.image;

import static org.assertj.core.api.Assertions.assertThat;

import io.s3imagetovideo.support.FitImages;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageHeaderTest {

    @Test
    void readsPngSizeFromIhdr() {
        assertThat(ImageHeader.read(FitImages.png(FitImages.picture(300, 200))))
                .contains(new ImageHeader(ImageFormat.PNG, 300, 200, 1));
    }

    @Test
    void readsJpegSizeFromStartOfFrameWithoutExifAsUpright() {
        assertThat(ImageHeader.read(FitImages.jpeg(FitImages.picture(301, 199))))
                .contains(new ImageHeader(ImageFormat.JPEG, 301, 199, 1));
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 3, 4, 5, 6, 7, 8})
    void readsExifOrientationInEitherByteOrder(int orientation) {
        var picture = FitImages.picture(64, 48);

        assertThat(ImageHeader.read(FitImages.jpegWithOrientation(picture, orientation, true)))
                .contains(new ImageHeader(ImageFormat.JPEG, 64, 48, orientation));
        assertThat(ImageHeader.read(FitImages.jpegWithOrientation(picture, orientation, false)))
                .contains(new ImageHeader(ImageFormat.JPEG, 64, 48, orientation));
    }

    @Test
    void rotatedOrientationsSwapTheDisplayedSize() {
        var header = ImageHeader.read(FitImages.jpegWithOrientation(FitImages.picture(64, 48), 6, true)).orElseThrow();

        assertThat(header.swapsAxes()).isTrue();
        assertThat(header.displayWidth()).isEqualTo(48);
        assertThat(header.displayHeight()).isEqualTo(64);
    }

    @Test
    void treatsAnOutOfRangeOrientationAsUpright() {
        assertThat(ImageHeader.read(FitImages.jpegWithOrientation(FitImages.picture(10, 10), 9, true)))
                .get().extracting(ImageHeader::orientation).isEqualTo(1);
    }

    @Test
    void readsLosslessWebpSize() {
        assertThat(ImageHeader.read(FitImages.webp(FitImages.picture(300, 401))))
                .contains(new ImageHeader(ImageFormat.WEBP, 300, 401, 1));
    }

    @Test
    void readsExtendedWebpCanvasSize() {
        ByteBuffer b = riff("VP8X", 10).order(ByteOrder.LITTLE_ENDIAN);
        b.position(20);
        b.put((byte) 0x10).put(new byte[3]);
        putU24(b, 4031);
        putU24(b, 3023);

        assertThat(ImageHeader.read(b.array())).contains(new ImageHeader(ImageFormat.WEBP, 4032, 3024, 1));
    }

    @Test
    void readsLossyWebpSizeFromTheKeyFrameHeader() {
        ByteBuffer b = riff("VP8 ", 10).order(ByteOrder.LITTLE_ENDIAN);
        b.position(20);
        b.put(new byte[] {0x10, 0x02, 0x00, (byte) 0x9D, 0x01, 0x2A}).putShort((short) 1280).putShort((short) 720);

        assertThat(ImageHeader.read(b.array())).contains(new ImageHeader(ImageFormat.WEBP, 1280, 720, 1));
    }

    @Test
    void findsNoSizeInBytesThatAreNoImage() {
        assertThat(ImageHeader.read("GIF89a not ours".getBytes(StandardCharsets.US_ASCII))).isEmpty();
        assertThat(ImageHeader.read(new byte[0])).isEmpty();
    }

    @Test
    void findsNoSizeInTruncatedFiles() {
        byte[] jpeg = FitImages.jpeg(FitImages.picture(40, 30));
        byte[] png = FitImages.png(FitImages.picture(40, 30));

        assertThat(ImageHeader.read(Arrays.copyOf(jpeg, 20))).isEmpty();
        assertThat(ImageHeader.read(Arrays.copyOf(png, 20))).isEmpty();
    }

    @Test
    void findsNoSizeInAPngHeaderClaimingZeroOrNegativeDimensions() {
        assertThat(ImageHeader.read(FitImages.forgedPngHeader(0, 10))).isEmpty();
        assertThat(ImageHeader.read(FitImages.forgedPngHeader(-5, 10))).isEmpty();
    }

    private static ByteBuffer riff(String chunk, int chunkSize) {
        ByteBuffer b = ByteBuffer.allocate(20 + chunkSize).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes(StandardCharsets.US_ASCII)).putInt(12 + chunkSize);
        b.put("WEBP".getBytes(StandardCharsets.US_ASCII));
        b.put(chunk.getBytes(StandardCharsets.US_ASCII)).putInt(chunkSize);
        return b;
    }

    private static void putU24(ByteBuffer b, int value) {
        b.put((byte) value).put((byte) (value >> 8)).put((byte) (value >> 16));
    }
}
