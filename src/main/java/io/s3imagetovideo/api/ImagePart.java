package io.s3imagetovideo.api;

import java.util.Objects;

/**
 * The image as one field of the create form ({@code VIDEO_IMAGE_FIELD}, sent as {@code VIDEO_IMAGE_SEND_AS}
 * says): a file part with its name and type (OpenAI, LiteLLM, vLLM-Omni), or a text field holding a
 * {@code data:} URL or a link to the image (new-api's video channels read only text fields).
 */
public sealed interface ImagePart {

    String field();

    record File(String field, ImageUpload image) implements ImagePart {
        public File {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(image, "image");
        }
    }

    /** {@code value} may hold a presigned URL: it is never logged. */
    record Text(String field, String value) implements ImagePart {
        public Text {
            Objects.requireNonNull(field, "field");
            Objects.requireNonNull(value, "value");
        }

        @Override
        public String toString() {
            return "Text[field=" + field + ", " + value.length() + " characters]";
        }
    }

    /** The image as a text field {@code data:<type>;base64,<bytes>}. */
    public static ImagePart dataUrl(String field, ImageUpload image) {
        return new Text(field, "data:" + image.contentType() + ";base64,"
                + java.util.Base64.getEncoder().encodeToString(image.bytes()));
    }
}
