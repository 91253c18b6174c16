package io.s3imagetovideo.api;

import com.github.mizosoft.methanol.MediaType;
import com.github.mizosoft.methanol.MultipartBodyPublisher;
import io.s3imagetovideo.sidecar.VideoRequest;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest;
import java.util.Map;
import java.util.UUID;

/** The multipart form of {@code POST /v1/videos}: the request's fields, then the image's field. */
final class CreateForm {

    private CreateForm() {}

    /** A fresh boundary: the same for every attempt of one create, so the Content-Type is known up front. */
    static String newBoundary() {
        return "s3i2v-" + UUID.randomUUID();
    }

    static String contentType(String boundary) {
        return "multipart/form-data; boundary=" + boundary;
    }

    static MultipartBodyPublisher of(VideoRequest request, ImagePart image, String boundary) {
        var builder = MultipartBodyPublisher.newBuilder()
                .boundary(boundary)
                .textPart("model", request.model())
                .textPart("prompt", request.prompt())
                .textPart("seconds", request.seconds())
                .textPart("size", request.size().value())
                .textPart("watermark", Boolean.toString(request.watermark()))
                .textPart("private", Boolean.toString(request.isPrivate()));
        for (Map.Entry<String, String> field : request.extra().entrySet()) {
            builder.textPart(field.getKey(), field.getValue());
        }
        switch (image) {
            case ImagePart.File file -> builder.formPart(file.field(), file.image().fileName(),
                    imageBody(file.image().bytes()), MediaType.parse(file.image().contentType()));
            case ImagePart.Text text -> builder.textPart(text.field(), text.value());
        }
        return builder.build();
    }

    /**
     * The image read through in small chunks, with its length known. {@code BodyPublishers.ofByteArray}
     * copies the whole array into its own buffers on every attempt: a second image in memory.
     */
    private static HttpRequest.BodyPublisher imageBody(byte[] bytes) {
        return HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)), bytes.length);
    }
}
