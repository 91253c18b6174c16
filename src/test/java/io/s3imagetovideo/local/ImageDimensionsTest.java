package io.s3imagetovideo.local;

import static org.assertj.core.api.Assertions.assertThat;

import io.s3imagetovideo.support.Images;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ImageDimensionsTest {

    @Test
    void readsThePixelSizeFromPngJpegAndWebpHeaders() {
        assertThat(ImageDimensions.of(Images.png(720, 1280))).hasValue(new ImageDimensions(720, 1280));
        assertThat(ImageDimensions.of(Images.jpeg(1792, 1024))).hasValue(new ImageDimensions(1792, 1024));
        assertThat(ImageDimensions.of(Images.webp())).hasValue(new ImageDimensions(1, 1));
    }

    @Test
    void somethingElseOrATruncatedHeaderHasNoSize() {
        assertThat(ImageDimensions.of("GIF89a".getBytes(StandardCharsets.US_ASCII))).isEmpty();
        assertThat(ImageDimensions.of(Arrays.copyOf(Images.png(8, 8), 20))).isEmpty();
        assertThat(ImageDimensions.of(Arrays.copyOf(Images.jpeg(8, 8), 4))).isEmpty();
    }
}
