package io.s3imagetovideo.sidecar;

import java.util.Map;
import java.util.Objects;

/**
 * What is asked of the API for one upload: the sidecar's values with the defaults filled in.
 * {@code extra} keeps the sidecar's order so that the form fields go out as the user wrote them.
 */
public record VideoRequest(
        String prompt,
        String model,
        String seconds,
        VideoSize size,
        boolean watermark,
        boolean isPrivate,
        Map<String, String> extra) {

    public VideoRequest {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(seconds, "seconds");
        Objects.requireNonNull(size, "size");
        extra = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(extra));
    }

    /** The prompt is the user's text: keep it out of logs and debug output. */
    @Override
    public String toString() {
        return "VideoRequest[model=" + model + ", seconds=" + seconds + ", size=" + size.value()
                + ", watermark=" + watermark + ", private=" + isPrivate + ", extra=" + extra.keySet() + "]";
    }
}
