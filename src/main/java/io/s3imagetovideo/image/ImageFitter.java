package io.s3imagetovideo.image;

import com.twelvemonkeys.imageio.plugins.webp.WebPImageReaderSpi;
import io.s3imagetovideo.log.Log;
import java.awt.AlphaComposite;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.awt.image.DataBuffer;
import java.awt.image.SampleModel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Iterator;
import java.util.Locale;
import java.util.Objects;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.ImageTypeSpecifier;
import javax.imageio.ImageWriteParam;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.ImageOutputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;
import javax.imageio.stream.MemoryCacheImageOutputStream;

/**
 * Brings an image to the video's exact pixel size, as the API demands (docs/contract.md: "Inpaint image must
 * match the requested width and height"). The header is read first, so an image too large to decode
 * safely is refused before any pixel is decompressed; the image is decoded once, turned upright by its
 * EXIF orientation, scaled in halving steps (each output pixel averages the pixels it covers, so
 * nothing is skipped), and encoded as PNG, or as JPEG when it came as JPEG.
 */
public final class ImageFitter {

    /** 50 megapixels: well above phone cameras' 12 and 48, well below what the submit function's memory holds. */
    public static final long DEFAULT_MAX_PIXELS = 50_000_000L;
    /** High enough that the re-encoding is invisible in the generated video. */
    static final float JPEG_QUALITY = 0.92f;
    /** Decoding may use at most this share of the heap, the rest is for the copies and the function itself. */
    private static final double DECODE_HEAP_SHARE = 0.5;

    static {
        // Decoding from memory: a disk cache in /tmp would only add I/O.
        ImageIO.setUseCache(false);
    }

    private final long maxPixels;
    private final long decodeBudgetBytes;

    public ImageFitter(long maxPixels) {
        this(maxPixels, (long) (Runtime.getRuntime().maxMemory() * DECODE_HEAP_SHARE));
    }

    ImageFitter(long maxPixels, long decodeBudgetBytes) {
        this.maxPixels = maxPixels;
        this.decodeBudgetBytes = decodeBudgetBytes;
    }

    /** What to send, or why nothing can be. */
    public sealed interface Result permits Fitted, Rejected {}

    /**
     * The image to send.
     *
     * @param untouched true when {@code bytes} are the uploaded bytes themselves
     */
    public record Fitted(String fileName, ImageFormat format, byte[] bytes, boolean untouched) implements Result {

        public String contentType() {
            return format.contentType();
        }

        @Override
        public String toString() {
            return "Fitted[fileName=" + fileName + ", format=" + format + ", bytes=" + bytes.length
                    + ", untouched=" + untouched + "]";
        }
    }

    /** A problem with the image; {@code message} continues a sentence that starts with the image's key. */
    public record Rejected(String code, String message) implements Result {}

    public Result fit(String fileName, byte[] bytes, int width, int height, ImageFit fit) {
        Objects.requireNonNull(fit, "fit");
        var read = ImageHeader.read(bytes);
        if (read.isEmpty()) {
            return new Rejected("invalid_image", "has no readable PNG, JPEG or WebP header (the file is damaged or"
                    + " cut short). Export it again and upload it again.");
        }
        ImageHeader header = read.get();
        if (header.pixels() > maxPixels) {
            return tooManyPixels(header.width(), header.height());
        }
        boolean alreadyRight = header.orientation() == 1 && header.width() == width && header.height() == height;
        if (fit.mode() == Fit.NONE || alreadyRight) {
            return new Fitted(fileName, header.format(), bytes, true);
        }
        BufferedImage decoded;
        try {
            switch (decode(bytes, header)) {
                case Decoding.TooLarge tooLarge -> {
                    return tooLarge.rejection();
                }
                case Decoding.Pixels pixels -> decoded = pixels.image();
            }
        } catch (IOException | RuntimeException e) {
            // The decoder's own words are for the operator; the user needs to know what to do.
            Log.warn("image_undecodable", "format", header.format(), "error", e.getClass().getSimpleName(),
                    "reason", e.getMessage());
            return new Rejected("invalid_image", "could not be decoded as " + header.format()
                    + ": its data is damaged or cut short. Export it again as PNG, JPEG or WebP and upload it again.");
        }
        BufferedImage fitted = fit.mode() == Fit.COVER
                ? cover(decoded, header.orientation(), width, height)
                : contain(decoded, header.orientation(), width, height, fit.background());
        ImageFormat out = header.format() == ImageFormat.JPEG ? ImageFormat.JPEG : ImageFormat.PNG;
        try {
            return new Fitted(renamed(fileName, out), out, encode(fitted, out), false);
        } catch (IOException e) {
            throw new IllegalStateException("Encoding the fitted image in memory failed", e);
        }
    }

    private Rejected tooManyPixels(int w, int h) {
        return new Rejected("image_dimensions_too_large", "is " + w + "x" + h + " pixels ("
                + megapixels((long) w * h) + " megapixels); images of at most " + megapixels(maxPixels)
                + " megapixels (MAX_IMAGE_PIXELS) are fitted to the video size. Scale it down (the video is at most"
                + " 1792 pixels wide) and upload it again.");
    }

    private static String megapixels(long pixels) {
        return String.format(Locale.ROOT, "%.1f", pixels / 1_000_000.0);
    }

    /** The decoded image, or why it is too large to decode in this function's memory. */
    private sealed interface Decoding {
        record Pixels(BufferedImage image) implements Decoding {}

        record TooLarge(Rejected rejection) implements Decoding {}
    }

    private Decoding decode(byte[] bytes, ImageHeader header) throws IOException {
        ImageReader reader = reader(header.format());
        try (ImageInputStream in = new MemoryCacheImageInputStream(new ByteArrayInputStream(bytes))) {
            reader.setInput(in, true, true);
            // The reader's own idea of the size is what it allocates: hold it to the same limits.
            long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
            if (pixels > maxPixels) {
                return new Decoding.TooLarge(tooManyPixels(reader.getWidth(0), reader.getHeight(0)));
            }
            long needed = pixels * (bytesPerPixel(reader.getRawImageType(0)) + 1);
            if (needed > decodeBudgetBytes) {
                return new Decoding.TooLarge(new Rejected("image_dimensions_too_large", "is " + reader.getWidth(0)
                        + "x" + reader.getHeight(0) + " pixels and would need " + needed / (1024 * 1024)
                        + " MiB to decode; this function allows " + decodeBudgetBytes / (1024 * 1024)
                        + " MiB. Scale it down (or save it with 8 bits per channel) and upload it again, or give"
                        + " the submit function more memory (MemorySize)."));
            }
            return new Decoding.Pixels(reader.read(0));
        } finally {
            reader.dispose();
        }
    }

    private static ImageReader reader(ImageFormat format) throws IOException {
        if (format == ImageFormat.WEBP) {
            // Made directly rather than found through ImageIO's registry, which does not see plugins in
            // the function's own class loader on Lambda.
            return new WebPImageReaderSpi().createReaderInstance();
        }
        Iterator<ImageReader> readers = ImageIO.getImageReadersByFormatName(format == ImageFormat.PNG ? "png" : "jpeg");
        if (!readers.hasNext()) {
            throw new IOException("no ImageIO reader for " + format);
        }
        return readers.next();
    }

    /** The decoded image's bytes per pixel, counting the storage the raster really allocates. */
    private static int bytesPerPixel(ImageTypeSpecifier type) {
        if (type == null) {
            return 4;
        }
        SampleModel model = type.getSampleModel(1, 1);
        int bits = DataBuffer.getDataTypeSize(model.getDataType()) * model.getNumDataElements();
        return Math.max(1, (bits + 7) / 8);
    }


    // --- the fits -----------------------------------------------------------------------------

    /**
     * Crops the stored image to the frame's aspect ratio around its centre, scales it, then turns it
     * upright. Turning last keeps the rotation to the small image; a centred crop stays centred.
     */
    static BufferedImage cover(BufferedImage source, int orientation, int width, int height) {
        boolean swaps = orientation >= 5;
        int tw = swaps ? height : width;
        int th = swaps ? width : height;
        int sw = source.getWidth();
        int sh = source.getHeight();
        int cropW = sw;
        int cropH = sh;
        if ((long) sw * th > (long) sh * tw) {
            cropW = clamp(Math.round((double) sh * tw / th), sw);
        } else {
            cropH = clamp(Math.round((double) sw * th / tw), sh);
        }
        BufferedImage crop = source.getSubimage((sw - cropW) / 2, (sh - cropH) / 2, cropW, cropH);
        BufferedImage scaled = scale(crop, tw, th, hasAlpha(source));
        return straight(orient(scaled, orientation));
    }

    /** Scales the whole image to fit inside the frame, turns it upright, and centres it on the background. */
    static BufferedImage contain(BufferedImage source, int orientation, int width, int height, RgbColor background) {
        boolean swaps = orientation >= 5;
        int displayW = swaps ? source.getHeight() : source.getWidth();
        int displayH = swaps ? source.getWidth() : source.getHeight();
        double factor = Math.min((double) width / displayW, (double) height / displayH);
        int innerW = clamp(Math.round(displayW * factor), width);
        int innerH = clamp(Math.round(displayH * factor), height);
        BufferedImage scaled = scale(source, swaps ? innerH : innerW, swaps ? innerW : innerH, hasAlpha(source));
        BufferedImage upright = orient(scaled, orientation);
        BufferedImage canvas = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas.createGraphics();
        try {
            g.setColor(new Color(background.rgb()));
            g.fillRect(0, 0, width, height);
            // Transparent parts of the picture show the background too: the canvas is opaque.
            g.setComposite(AlphaComposite.SrcOver);
            g.drawImage(upright, (width - innerW) / 2, (height - innerH) / 2, null);
        } finally {
            g.dispose();
        }
        return canvas;
    }

    private static int clamp(long value, int max) {
        return (int) Math.max(1, Math.min(max, value));
    }

    private static boolean hasAlpha(BufferedImage image) {
        return image.getColorModel().hasAlpha();
    }

    /**
     * Halves with bilinear filtering while the image is at least twice the target (at exactly half, a
     * bilinear sample is the mean of a 2x2 block), then takes the last step bicubic. One bicubic jump
     * from 4032 to 1280 pixels would sample only a fraction of the pixels and alias.
     */
    static BufferedImage scale(BufferedImage source, int width, int height, boolean alpha) {
        // Premultiplied, so that transparent pixels' colours do not bleed into the edges.
        int type = alpha ? BufferedImage.TYPE_INT_ARGB_PRE : BufferedImage.TYPE_INT_RGB;
        BufferedImage current = source;
        int w = source.getWidth();
        int h = source.getHeight();
        while (w >= 2 * width || h >= 2 * height) {
            w = Math.max(width, w / 2);
            h = Math.max(height, h / 2);
            current = draw(current, w, h, type, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        }
        return draw(current, width, height, type, RenderingHints.VALUE_INTERPOLATION_BICUBIC);
    }

    private static BufferedImage draw(BufferedImage source, int width, int height, int type, Object interpolation) {
        BufferedImage target = new BufferedImage(width, height, type);
        Graphics2D g = target.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, interpolation);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.setRenderingHint(RenderingHints.KEY_COLOR_RENDERING, RenderingHints.VALUE_COLOR_RENDER_QUALITY);
            g.setComposite(AlphaComposite.Src);
            g.drawImage(source, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return target;
    }

    /** Turns the stored pixels as EXIF orientation 1 to 8 says they are displayed. */
    static BufferedImage orient(BufferedImage stored, int orientation) {
        if (orientation <= 1 || orientation > 8) {
            return stored;
        }
        int w = stored.getWidth();
        int h = stored.getHeight();
        boolean swaps = orientation >= 5;
        int ow = swaps ? h : w;
        int oh = swaps ? w : h;
        int[] in = stored.getRGB(0, 0, w, h, null, 0, w);
        int[] out = new int[in.length];
        for (int y = 0; y < oh; y++) {
            for (int x = 0; x < ow; x++) {
                // (sx, sy): the stored pixel displayed at (x, y)
                int sx;
                int sy;
                switch (orientation) {
                    case 2 -> { sx = w - 1 - x; sy = y; }
                    case 3 -> { sx = w - 1 - x; sy = h - 1 - y; }
                    case 4 -> { sx = x; sy = h - 1 - y; }
                    case 5 -> { sx = y; sy = x; }
                    case 6 -> { sx = y; sy = h - 1 - x; }
                    case 7 -> { sx = w - 1 - y; sy = h - 1 - x; }
                    default -> { sx = w - 1 - y; sy = x; }
                }
                out[y * ow + x] = in[sy * w + sx];
            }
        }
        BufferedImage upright = new BufferedImage(ow, oh,
                hasAlpha(stored) ? BufferedImage.TYPE_INT_ARGB : BufferedImage.TYPE_INT_RGB);
        upright.setRGB(0, 0, ow, oh, out, 0, ow);
        return upright;
    }

    /** Premultiplied pixels converted for the encoders, which expect straight alpha. */
    private static BufferedImage straight(BufferedImage image) {
        if (image.getType() != BufferedImage.TYPE_INT_ARGB_PRE) {
            return image;
        }
        BufferedImage copy = new BufferedImage(image.getWidth(), image.getHeight(), BufferedImage.TYPE_INT_ARGB);
        Graphics2D g = copy.createGraphics();
        try {
            g.setComposite(AlphaComposite.Src);
            g.drawImage(image, 0, 0, null);
        } finally {
            g.dispose();
        }
        return copy;
    }

    // --- the output ---------------------------------------------------------------------------

    private static byte[] encode(BufferedImage image, ImageFormat format) throws IOException {
        var bytes = new ByteArrayOutputStream();
        if (format == ImageFormat.PNG) {
            if (!ImageIO.write(image, "png", bytes)) {
                throw new IOException("no ImageIO writer for PNG");
            }
            return bytes.toByteArray();
        }
        ImageWriter writer = ImageIO.getImageWritersByFormatName("jpeg").next();
        try (ImageOutputStream out = new MemoryCacheImageOutputStream(bytes)) {
            ImageWriteParam param = writer.getDefaultWriteParam();
            param.setCompressionMode(ImageWriteParam.MODE_EXPLICIT);
            param.setCompressionQuality(JPEG_QUALITY);
            writer.setOutput(out);
            writer.write(null, new IIOImage(image, null, null), param);
        } finally {
            writer.dispose();
        }
        return bytes.toByteArray();
    }

    /** The upload's name with the extension of what is now sent: {@code scene.webp} becomes {@code scene.png}. */
    static String renamed(String fileName, ImageFormat format) {
        int dot = fileName.lastIndexOf('.');
        String base = dot > 0 ? fileName.substring(0, dot) : fileName;
        String extension = dot > 0 ? fileName.substring(dot + 1).toLowerCase(Locale.ROOT) : "";
        boolean matches = format == ImageFormat.PNG
                ? extension.equals("png")
                : extension.equals("jpg") || extension.equals("jpeg");
        return matches ? fileName : base + (format == ImageFormat.PNG ? ".png" : ".jpg");
    }
}
