package io.s3imagetovideo.image;

import static io.s3imagetovideo.support.FitImages.BACKGROUND;
import static io.s3imagetovideo.support.FitImages.CENTRE;
import static io.s3imagetovideo.support.FitImages.MARKER;
import static io.s3imagetovideo.support.FitImages.decode;
import static io.s3imagetovideo.support.FitImages.picture;
import static org.assertj.core.api.Assertions.assertThat;

import io.s3imagetovideo.sidecar.VideoSize;
import io.s3imagetovideo.support.FitImages;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageFitterTest {

    private static final ImageFitter FITTER = new ImageFitter(ImageFitter.DEFAULT_MAX_PIXELS);
    private static final ImageFit COVER = new ImageFit(Fit.COVER, RgbColor.BLACK);
    private static final ImageFit CONTAIN = new ImageFit(Fit.CONTAIN, RgbColor.BLACK);
    private static final ImageFit NONE = new ImageFit(Fit.NONE, RgbColor.BLACK);

    static Stream<Arguments> shapesAndSizes() {
        int[][] shapes = {{600, 800}, {800, 600}, {700, 700}};
        return Arrays.stream(shapes).flatMap(shape -> VideoSize.values().stream()
                .map(size -> Arguments.of(shape[0], shape[1], size)));
    }

    // --- cover ----------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}x{1} to {2}")
    @MethodSource("shapesAndSizes")
    void coverFillsTheFrameKeepsTheCentreUndistortedAndCropsTheCornerMarker(int w, int h, VideoSize size) {
        ImageFitter.Fitted fitted = fit("scene.png", FitImages.png(picture(w, h)), size, COVER);
        BufferedImage out = decode(fitted.bytes());

        assertThat(out.getWidth()).isEqualTo(size.width());
        assertThat(out.getHeight()).isEqualTo(size.height());
        assertThat(fitted.format()).isEqualTo(ImageFormat.PNG);
        double scale = Math.max((double) size.width() / w, (double) size.height() / h);
        assertCentreSquare(out, Math.min(w, h) / 5 * scale);
        // Every one of these shapes loses more than a tenth on each side of one axis: the marker is cut away.
        double sourceAspect = (double) w / h;
        double frameAspect = (double) size.width() / size.height();
        double cutEachSide = (1 - Math.min(sourceAspect, frameAspect) / Math.max(sourceAspect, frameAspect)) / 2;
        assertThat(cutEachSide).isGreaterThan(0.1);
        assertColour(out, 2, 2, BACKGROUND);
    }

    @Test
    void coverCropsPortraitPhotoToRequestedSize() {
        // A phone photo's 3:4, at a quarter of 3024x4032, into 9:16: an eighth of the width goes on each side.
        BufferedImage photo = picture(756, 1008);
        var g = photo.createGraphics();
        g.setColor(Color.YELLOW);
        g.fillRect(100, 0, 20, 1008); // x 100-119: just inside the 94.5 px cut
        g.dispose();

        ImageFitter.Fitted fitted = fit("IMG_0001.JPG", FitImages.jpeg(photo), VideoSize.PORTRAIT_720, COVER);
        BufferedImage out = decode(fitted.bytes());

        assertThat(fitted.untouched()).isFalse();
        assertThat(fitted.format()).isEqualTo(ImageFormat.JPEG);
        assertThat(fitted.contentType()).isEqualTo("image/jpeg");
        assertThat(fitted.fileName()).isEqualTo("IMG_0001.JPG");
        assertThat(out.getWidth()).isEqualTo(720);
        assertThat(out.getHeight()).isEqualTo(1280);
        // Scale 1280/1008: the stripe lands at (100 - 94.5) * 1.27 = 7 .. 32
        assertColour(out, 20, 640, Color.YELLOW);
        assertColour(out, 40, 640, BACKGROUND);
        assertColour(out, 2, 2, BACKGROUND);
        assertColour(out, 360, 640, CENTRE);
    }

    @Test
    void downscalesByAveragingEveryPixelNotBySkippingThem() {
        // One-pixel black and white columns: an average is mid-grey everywhere, skipping pixels is not.
        BufferedImage stripes = new BufferedImage(2880, 1620, BufferedImage.TYPE_INT_RGB);
        for (int x = 0; x < stripes.getWidth(); x += 2) {
            for (int y = 0; y < stripes.getHeight(); y++) {
                stripes.setRGB(x, y, 0xFFFFFF);
            }
        }

        BufferedImage out = decode(fit("stripes.png", FitImages.png(stripes), VideoSize.LANDSCAPE_720, COVER).bytes());

        for (int x = 1; x < out.getWidth() - 1; x++) {
            int grey = out.getRGB(x, 360) & 0xFF;
            assertThat(grey).as("grey at x=%d", x).isBetween(103, 153);
        }
    }

    // --- contain --------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}x{1} to {2}")
    @MethodSource("shapesAndSizes")
    void containKeepsTheWholePictureWithTheCornerMarkerInsideBars(int w, int h, VideoSize size) {
        ImageFitter.Fitted fitted = fit("scene.png", FitImages.png(picture(w, h)), size, CONTAIN);
        BufferedImage out = decode(fitted.bytes());

        assertThat(out.getWidth()).isEqualTo(size.width());
        assertThat(out.getHeight()).isEqualTo(size.height());
        double scale = Math.min((double) size.width() / w, (double) size.height() / h);
        int innerW = (int) Math.round(w * scale);
        int innerH = (int) Math.round(h * scale);
        int left = (size.width() - innerW) / 2;
        int top = (size.height() - innerH) / 2;
        assertThat(Math.max(left, top)).as("bars on one axis").isGreaterThan(10);
        if (left > 0) {
            assertColour(out, left / 2, size.height() / 2, Color.BLACK);
            assertColour(out, size.width() - 1 - left / 2, size.height() / 2, Color.BLACK);
        }
        if (top > 0) {
            assertColour(out, size.width() / 2, top / 2, Color.BLACK);
            assertColour(out, size.width() / 2, size.height() - 1 - top / 2, Color.BLACK);
        }
        assertColour(out, left + innerW / 20, top + innerH / 20, MARKER);
        assertColour(out, left + innerW - 3, top + innerH - 3, BACKGROUND);
        assertCentreSquare(out, Math.min(w, h) / 5 * scale);
    }

    @Test
    void containPadsWithTheBackgroundColour() {
        var magenta = new ImageFit(Fit.CONTAIN, RgbColor.parse("#ff00ff").orElseThrow());

        BufferedImage out = decode(fit("wide.png", FitImages.png(picture(800, 600)), VideoSize.PORTRAIT_720,
                magenta).bytes());

        assertColour(out, 360, 10, Color.MAGENTA);
        assertColour(out, 360, 1270, Color.MAGENTA);
        assertColour(out, 360, 640, CENTRE);
    }

    @Test
    void containShowsTheBackgroundThroughTransparentPixels() {
        var transparent = new BufferedImage(400, 400, BufferedImage.TYPE_INT_ARGB);
        var white = new ImageFit(Fit.CONTAIN, RgbColor.parse("#FFFFFF").orElseThrow());

        BufferedImage out = decode(fit("cut-out.png", FitImages.png(transparent), VideoSize.LANDSCAPE_720, white)
                .bytes());

        assertColour(out, 640, 360, Color.WHITE);
    }

    @Test
    void coverKeepsTransparencyOfAPng() {
        var image = new BufferedImage(400, 400, BufferedImage.TYPE_INT_ARGB);
        var g = image.createGraphics();
        g.setColor(MARKER);
        g.fillRect(150, 150, 100, 100);
        g.dispose();

        BufferedImage out = decode(fit("logo.png", FitImages.png(image), VideoSize.LANDSCAPE_720, COVER).bytes());

        assertThat(out.getColorModel().hasAlpha()).isTrue();
        assertThat(out.getRGB(10, 10) >>> 24).isZero();
        assertColour(out, 640, 360, MARKER);
    }

    // --- orientation ----------------------------------------------------------------------------

    /** Where EXIF orientation puts the stored top-left corner on screen. */
    @ParameterizedTest(name = "orientation {0}: stored top-left shown {1}")
    @CsvSource({"1, top-left", "2, top-right", "3, bottom-right", "4, bottom-left",
            "5, top-left", "6, top-right", "7, bottom-right", "8, bottom-left"})
    void honoursExifOrientationBeforeFitting(int orientation, String corner) {
        // Stored landscape; 5 to 8 display it portrait, and each then fills its frame exactly.
        byte[] jpeg = FitImages.jpegWithOrientation(picture(640, 360), orientation, orientation % 2 == 0);
        VideoSize size = orientation >= 5 ? VideoSize.PORTRAIT_720 : VideoSize.LANDSCAPE_720;

        BufferedImage out = decode(fit("phone.jpg", jpeg, size, CONTAIN).bytes());

        assertThat(out.getWidth()).isEqualTo(size.width());
        assertThat(out.getHeight()).isEqualTo(size.height());
        int x = corner.endsWith("left") ? 5 : size.width() - 6;
        int y = corner.startsWith("top") ? 5 : size.height() - 6;
        assertColour(out, x, y, MARKER);
        int ox = corner.endsWith("left") ? size.width() - 6 : 5;
        int oy = corner.startsWith("top") ? size.height() - 6 : 5;
        assertColour(out, ox, oy, BACKGROUND);
    }

    @Test
    void turnsARotatedJpegUprightEvenWhenItsStoredSizeIsTheRequestedOne() {
        // Stored 1280x720, displayed 720x1280: sent as it is it would reach the API sideways.
        byte[] jpeg = FitImages.jpegWithOrientation(picture(1280, 720), 6, true);

        ImageFitter.Fitted fitted = fit("sideways.jpg", jpeg, VideoSize.LANDSCAPE_720, COVER);
        BufferedImage out = decode(fitted.bytes());

        assertThat(fitted.untouched()).isFalse();
        assertThat(out.getWidth()).isEqualTo(1280);
        assertThat(out.getHeight()).isEqualTo(720);
        assertColour(out, 640, 360, CENTRE);
    }

    // --- WebP -----------------------------------------------------------------------------------

    @Test
    void readsWebpAndSendsItAsPng() {
        ImageFitter.Fitted fitted = fit("scene.webp", FitImages.webp(picture(300, 400)), VideoSize.PORTRAIT_720,
                CONTAIN);
        BufferedImage out = decode(fitted.bytes());

        assertThat(fitted.format()).isEqualTo(ImageFormat.PNG);
        assertThat(fitted.contentType()).isEqualTo("image/png");
        assertThat(fitted.fileName()).isEqualTo("scene.png");
        assertThat(out.getWidth()).isEqualTo(720);
        assertThat(out.getHeight()).isEqualTo(1280);
        // 300x400 scaled by 2.4 is 720x960, 160 px bars above and below.
        assertColour(out, 360, 80, Color.BLACK);
        assertColour(out, 20, 180, MARKER);
        assertColour(out, 360, 640, CENTRE);
    }

    // --- sent as they are -----------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"png", "jpeg", "webp"})
    void sendsAnImageOfTheRequestedSizeByteIdentical(String format) {
        BufferedImage right = picture(720, 1280);
        byte[] bytes = switch (format) {
            case "png" -> FitImages.png(right);
            case "jpeg" -> FitImages.jpeg(right);
            default -> FitImages.webp(right);
        };

        ImageFitter.Fitted fitted = fit("scene." + format, bytes, VideoSize.PORTRAIT_720, COVER);

        assertThat(fitted.untouched()).isTrue();
        assertThat(fitted.bytes()).isSameAs(bytes);
        assertThat(fitted.fileName()).isEqualTo("scene." + format);
        assertThat(fitted.format().name()).isEqualToIgnoringCase(format);
    }

    @Test
    void sendsAnUprightExifJpegOfTheRequestedSizeByteIdentical() {
        byte[] jpeg = FitImages.jpegWithOrientation(picture(1280, 720), 1, false);

        assertThat(fit("ok.jpg", jpeg, VideoSize.LANDSCAPE_720, CONTAIN).bytes()).isSameAs(jpeg);
    }

    @Test
    void fitNoneSendsAnyImageAsItIs() {
        byte[] webp = FitImages.webp(picture(300, 400));

        ImageFitter.Fitted fitted = fit("scene.webp", webp, VideoSize.PORTRAIT_720, NONE);

        assertThat(fitted.bytes()).isSameAs(webp);
        assertThat(fitted.fileName()).isEqualTo("scene.webp");
        assertThat(fitted.contentType()).isEqualTo("image/webp");
    }

    // --- refused --------------------------------------------------------------------------------

    @Test
    void rejectsAForgedHeaderClaimingHugeDimensionsWithoutDecoding() {
        // 33 bytes that claim 100000x100000: decoding them would fail, so the code shows no decode was tried.
        ImageFitter.Result result = FITTER.fit("bomb.png", FitImages.forgedPngHeader(100_000, 100_000), 720, 1280,
                COVER);

        assertThat(result).isInstanceOfSatisfying(ImageFitter.Rejected.class, r -> {
            assertThat(r.code()).isEqualTo("image_dimensions_too_large");
            assertThat(r.message()).contains("100000x100000").contains("10000.0 megapixels")
                    .contains("MAX_IMAGE_PIXELS").contains("50.0");
        });
    }

    @Test
    void rejectsHugeDimensionsEvenWhenNothingIsToBeFitted() {
        ImageFitter.Result result = FITTER.fit("bomb.png", FitImages.forgedPngHeader(20_000, 20_000), 720, 1280, NONE);

        assertThat(result).isInstanceOfSatisfying(ImageFitter.Rejected.class,
                r -> assertThat(r.code()).isEqualTo("image_dimensions_too_large"));
    }

    @Test
    void appliesTheConfiguredPixelLimit() {
        var small = new ImageFitter(1_000_000);

        assertThat(small.fit("a.png", FitImages.png(picture(1001, 1000)), 720, 1280, COVER))
                .isInstanceOf(ImageFitter.Rejected.class);
        assertThat(small.fit("a.png", FitImages.png(picture(1000, 1000)), 720, 1280, COVER))
                .isInstanceOf(ImageFitter.Fitted.class);
    }

    @Test
    void rejectsAnImageThatWouldNotFitTheDecodingMemory() {
        var tight = new ImageFitter(ImageFitter.DEFAULT_MAX_PIXELS, 1024 * 1024);

        ImageFitter.Result result = tight.fit("big.png", FitImages.png(picture(1000, 1000)), 720, 1280, COVER);

        assertThat(result).isInstanceOfSatisfying(ImageFitter.Rejected.class, r -> {
            assertThat(r.code()).isEqualTo("image_dimensions_too_large");
            assertThat(r.message()).contains("MiB").contains("MemorySize");
        });
    }

    @Test
    void rejectsAnImageWithoutAReadableHeader() {
        byte[] cut = Arrays.copyOf(FitImages.png(picture(100, 100)), 16);

        assertThat(FITTER.fit("cut.png", cut, 720, 1280, COVER)).isInstanceOfSatisfying(ImageFitter.Rejected.class,
                r -> assertThat(r.code()).isEqualTo("invalid_image"));
    }

    @Test
    void rejectsAnImageWhosePixelsCannotBeDecoded() {
        byte[] png = FitImages.png(picture(100, 100));
        byte[] broken = Arrays.copyOf(png, 60);

        assertThat(FITTER.fit("broken.png", broken, 720, 1280, COVER)).isInstanceOfSatisfying(
                ImageFitter.Rejected.class, r -> {
                    assertThat(r.code()).isEqualTo("invalid_image");
                    assertThat(r.message()).contains("could not be decoded");
                });
    }

    @ParameterizedTest
    @CsvSource({"scene.webp, PNG, scene.png", "scene.PNG, PNG, scene.PNG", "a.b.jpeg, JPEG, a.b.jpeg",
            "photo.JPG, JPEG, photo.JPG", "mislabelled.png, JPEG, mislabelled.jpg", "noext, PNG, noext.png"})
    void namesTheFileAfterTheFormatSent(String name, ImageFormat format, String expected) {
        assertThat(ImageFitter.renamed(name, format)).isEqualTo(expected);
    }

    // --- helpers --------------------------------------------------------------------------------

    private static ImageFitter.Fitted fit(String name, byte[] bytes, VideoSize size, ImageFit fit) {
        ImageFitter.Result result = FITTER.fit(name, bytes, size.width(), size.height(), fit);
        assertThat(result).isInstanceOf(ImageFitter.Fitted.class);
        return (ImageFitter.Fitted) result;
    }

    /** The green square is centred and as wide as it is high: the picture was scaled, not stretched. */
    private static void assertCentreSquare(BufferedImage out, double side) {
        int cx = out.getWidth() / 2;
        int cy = out.getHeight() / 2;
        int inside = (int) (side / 2 * 0.7);
        int outside = (int) Math.ceil(side / 2 * 1.3) + 2;
        assertColour(out, cx, cy, CENTRE);
        assertColour(out, cx - inside, cy - inside, CENTRE);
        assertColour(out, cx + inside, cy + inside, CENTRE);
        assertColour(out, cx - outside, cy, BACKGROUND);
        assertColour(out, cx + outside, cy, BACKGROUND);
        assertColour(out, cx, cy - outside, BACKGROUND);
        assertColour(out, cx, cy + outside, BACKGROUND);
    }

    private static void assertColour(BufferedImage image, int x, int y, Color expected) {
        Color actual = new Color(image.getRGB(x, y));
        int distance = Math.max(Math.abs(actual.getRed() - expected.getRed()),
                Math.max(Math.abs(actual.getGreen() - expected.getGreen()),
                        Math.abs(actual.getBlue() - expected.getBlue())));
        assertThat(distance).as("colour at (%d, %d): %s, expected %s", x, y, actual, expected).isLessThanOrEqualTo(40);
    }
}
