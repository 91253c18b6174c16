package io.s3imagetovideo.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * How the fitted image travels in the create request: in the form field {@code field}
 * ({@code VIDEO_IMAGE_FIELD}), as {@code sendAs} says ({@code VIDEO_IMAGE_SEND_AS}).
 */
public record ImageTransport(String field, SendAs sendAs) {

    public enum SendAs {
        /** A multipart file part with a file name and the image's type. */
        FILE,
        /** A text field holding {@code data:<type>;base64,...}. */
        DATA_URL,
        /** A text field holding a short-lived presigned S3 URL of the fitted image. */
        PRESIGNED_URL;

        public String value() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Optional<SendAs> parse(String value) {
            return Arrays.stream(values()).filter(v -> v.value().equals(value)).findFirst();
        }
    }
}
