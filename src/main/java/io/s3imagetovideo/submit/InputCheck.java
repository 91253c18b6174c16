package io.s3imagetovideo.submit;

import io.s3imagetovideo.api.ImageUpload;
import io.s3imagetovideo.image.ImageFitter;
import io.s3imagetovideo.image.ImageFormat;
import io.s3imagetovideo.log.Log;
import io.s3imagetovideo.sidecar.SidecarParser;
import io.s3imagetovideo.sidecar.SidecarProblem;
import io.s3imagetovideo.sidecar.VideoRequest;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Everything that decides, before anything is claimed or paid for, whether an upload can be sent: the
 * sizes from the listing, the prompt file, the image's bytes and its fit to the video size. Wrong input
 * is a {@link Rejected} with a code and a message that says how to fix it.
 */
final class InputCheck {

    /** How many of a prompt file's problems a rejection lists, and how long each may be. */
    static final int MAX_PROBLEMS_IN_RECORD = 10;
    static final int MAX_PROBLEM_CHARS = 600;

    private final UploadObjects objects;
    private final SidecarParser sidecars;
    private final ImageFitter fitter;
    private final long maxImageBytes;

    InputCheck(UploadObjects objects, SidecarParser sidecars, ImageFitter fitter, long maxImageBytes) {
        this.objects = objects;
        this.sidecars = sidecars;
        this.fitter = fitter;
        this.maxImageBytes = maxImageBytes;
    }

    sealed interface Checked {}

    /**
     * Ready to send: the request, and the image as it goes out (fitted, or the upload's own bytes);
     * {@code remix}: the prompt file asks for a remix of the upload's last completed video.
     */
    record Accepted(VideoRequest request, ImageUpload image, boolean remix) implements Checked {}

    record Rejected(String code, String message) implements Checked {}

    /** The image or the prompt file changed since it was listed: start over from a new listing. */
    record SourceChanged(String key) implements Checked {}

    Checked check(String bucket, S3Object image, S3Object sidecar) {
        Optional<Rejected> tooBig = sizes(image, sidecar);
        if (tooBig.isPresent()) {
            return tooBig.get();
        }
        Optional<byte[]> sidecarBytes = objects.download(bucket, sidecar);
        if (sidecarBytes.isEmpty()) {
            return new SourceChanged(sidecar.key());
        }
        SidecarParser.Valid valid;
        switch (sidecars.parse(sidecarBytes.get())) {
            case SidecarParser.Invalid invalid -> {
                return rejection(sidecar.key(), invalid);
            }
            case SidecarParser.Valid v -> valid = v;
        }
        VideoRequest request = valid.request();
        Optional<byte[]> bytes = objects.download(bucket, image);
        if (bytes.isEmpty()) {
            return new SourceChanged(image.key());
        }
        if (ImageFormat.detect(bytes.get()).isEmpty()) {
            return new Rejected("invalid_image", "'" + image.key() + "' is not a PNG, JPEG or WebP image (judged by"
                    + " its bytes, not its name). Export it as PNG, JPEG or WebP and upload it again.");
        }
        // Fitted before the claim: an image that cannot be fitted is wrong input, and costs nothing.
        switch (fitter.fit(fileName(image.key()), bytes.get(), request.size().width(), request.size().height(),
                valid.fit())) {
            case ImageFitter.Rejected refused -> {
                return new Rejected(refused.code(), "'" + image.key() + "' " + refused.message());
            }
            case ImageFitter.Fitted sent -> {
                if (!sent.untouched()) {
                    Log.info("image_fitted", "bucket", bucket, "key", image.key(), "fit", valid.fit().mode().value(),
                            "size", request.size().value(), "sent_as", sent.fileName(), "bytes", sent.bytes().length);
                }
                return new Accepted(request, new ImageUpload(sent.fileName(), sent.contentType(), sent.bytes()),
                        valid.remix());
            }
        }
    }

    private Optional<Rejected> sizes(S3Object image, S3Object sidecar) {
        if (image.size() > maxImageBytes) {
            return Optional.of(new Rejected("image_too_large", "'" + image.key() + "' is " + image.size()
                    + " bytes; the limit is " + maxImageBytes + " bytes (MAX_IMAGE_BYTES). Upload a smaller image."));
        }
        if (image.size() == 0) {
            return Optional.of(new Rejected("invalid_image", "'" + image.key() + "' is empty. Upload the image again."));
        }
        if (sidecar.size() > SidecarParser.MAX_SIDECAR_BYTES) {
            return Optional.of(new Rejected("sidecar_too_large", "'" + sidecar.key() + "' is " + sidecar.size()
                    + " bytes; a prompt file may hold at most " + SidecarParser.MAX_SIDECAR_BYTES + " bytes."));
        }
        return Optional.empty();
    }

    private static Rejected rejection(String sidecarKey, SidecarParser.Invalid invalid) {
        List<SidecarProblem> problems = invalid.problems();
        // A hostile file can hold hundreds of problems, or a 40,000-character field name: the record
        // names the first few, each cut short, so that it stays small whatever the file holds.
        String message = "'" + sidecarKey + "': " + problems.stream().limit(MAX_PROBLEMS_IN_RECORD)
                .map(p -> shorten(p.message(), MAX_PROBLEM_CHARS))
                .collect(Collectors.joining(" "))
                + (problems.size() > MAX_PROBLEMS_IN_RECORD
                        ? " (" + (problems.size() - MAX_PROBLEMS_IN_RECORD) + " more problems not listed.)" : "");
        return new Rejected(problems.get(0).code(), message);
    }

    private static String shorten(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }

    /**
     * The image's file name as the API sees it: the key's last segment, made safe for the multipart
     * {@code Content-Disposition} header it travels in. A key may hold line breaks and quotes, which
     * would end the header or the parameter early; they become {@code _}. Other Unicode is kept.
     */
    static String fileName(String key) {
        String name = key.substring(key.lastIndexOf('/') + 1);
        StringBuilder safe = new StringBuilder(name.length());
        name.codePoints().forEach(c -> safe.appendCodePoint(
                Character.isISOControl(c) || c == '"' || c == '\\' || c == 0x2028 || c == 0x2029 ? '_' : c));
        return safe.toString();
    }
}
