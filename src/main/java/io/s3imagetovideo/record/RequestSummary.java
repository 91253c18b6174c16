package io.s3imagetovideo.record;

import io.s3imagetovideo.sidecar.VideoRequest;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** What was asked of the host, as the record shows it: every field but the prompt, as strings. */
public record RequestSummary(String model, String seconds, String size, String watermark, String isPrivate,
        Map<String, String> extra) {

    public RequestSummary {
        extra = Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    public static RequestSummary of(VideoRequest request) {
        return new RequestSummary(request.model(), request.seconds(), request.size().value(),
                Boolean.toString(request.watermark()), Boolean.toString(request.isPrivate()), request.extra());
    }
}
