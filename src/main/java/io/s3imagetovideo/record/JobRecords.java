package io.s3imagetovideo.record;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.s3imagetovideo.sidecar.VideoRequest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;

/** Builds job records in the shape DESIGN.md fixes: snake_case, the API's job verbatim at top level. */
public final class JobRecords {

    /** The objects one record is about. Any of the keys may be absent while the pair is incomplete. */
    public record Source(String bucket, String image, String imageEtag, String prompt, String promptEtag,
            List<String> images) {

        public static Source pair(String bucket, String image, String imageEtag, String prompt, String promptEtag) {
            return new Source(bucket, image, imageEtag, prompt, promptEtag, List.of());
        }

        /** True when {@code json} describes the very same image and sidecar versions. */
        public boolean sameUploadAs(ObjectNode json) {
            var s = json.path("source");
            return image != null && prompt != null
                    && image.equals(s.path("image").asText(null))
                    && imageEtag.equals(s.path("image_etag").asText(null))
                    && prompt.equals(s.path("prompt").asText(null))
                    && promptEtag.equals(s.path("prompt_etag").asText(null));
        }
    }

    private final ObjectMapper mapper;

    public JobRecords(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    public static String timestamp(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    public ObjectNode waiting(Source source, String missing, String previousId, Instant now) {
        ObjectNode record = mapper.createObjectNode();
        record.put("status", JobStatus.WAITING);
        record.put("missing", missing);
        return finish(record, source, null, previousId, now);
    }

    public ObjectNode rejected(Source source, String code, String message, String previousId, Instant now) {
        ObjectNode record = mapper.createObjectNode();
        record.put("status", JobStatus.REJECTED);
        ObjectNode error = record.putObject("error");
        error.put("code", code);
        error.put("message", message);
        return finish(record, source, null, previousId, now);
    }

    /** The claim: this invocation alone may call the API for this upload until {@code expiresAt}. */
    public ObjectNode claim(Source source, VideoRequest request, String previousId, Instant now, Instant expiresAt) {
        ObjectNode record = mapper.createObjectNode();
        record.put("status", JobStatus.SUBMITTING);
        record.put("claim_expires_at", timestamp(expiresAt));
        // Makes every claim unique, so that a write confirmed by reading it back was this claimant's.
        record.put("claim_token", java.util.UUID.randomUUID().toString());
        return finish(record, source, request, previousId, now);
    }

    /**
     * The claim handed back after transient failures, so that a redelivery or Lambda's own retry may
     * submit; {@code error} tells the user why there is no job yet.
     */
    public ObjectNode released(Source source, VideoRequest request, String previousId, Instant now,
            String code, String message, int httpStatus) {
        ObjectNode record = claim(source, request, previousId, now, now);
        ObjectNode error = record.putObject("error");
        error.put("code", code);
        error.put("message", message + " The submission will be retried.");
        if (httpStatus > 0) {
            error.put("http_status", httpStatus);
        }
        return reorderTail(record);
    }

    public ObjectNode submitted(ObjectNode apiJob, Source source, VideoRequest request, String previousId,
            Instant now) {
        ObjectNode record = apiJob.deepCopy();
        // The API's fields are kept verbatim; ours follow them.
        for (String ours : List.of("source", "request", "submitted_at", "updated_at", "previous_id")) {
            record.remove(ours);
        }
        ObjectNode done = finish(record, source, request, previousId, now);
        done.put("submitted_at", timestamp(now));
        return reorderTail(done);
    }

    public ObjectNode failed(Source source, VideoRequest request, String code, String message, int httpStatus,
            String previousId, Instant now) {
        ObjectNode record = mapper.createObjectNode();
        record.put("status", JobStatus.FAILED);
        ObjectNode error = record.putObject("error");
        error.put("code", code);
        error.put("message", message);
        if (httpStatus > 0) {
            error.put("http_status", httpStatus);
        }
        return finish(record, source, request, previousId, now);
    }

    /** The same record without the fields that only say when it was written. */
    public static ObjectNode withoutTimes(ObjectNode record) {
        ObjectNode copy = record.deepCopy();
        copy.remove("updated_at");
        copy.remove("submitted_at");
        return copy;
    }

    private ObjectNode finish(ObjectNode record, Source source, VideoRequest request, String previousId,
            Instant now) {
        record.set("source", sourceNode(source));
        if (request != null) {
            record.set("request", requestNode(request));
        }
        if (previousId != null) {
            record.put("previous_id", previousId);
        }
        record.put("updated_at", timestamp(now));
        return record;
    }

    /** Keeps {@code updated_at} last, where a reader of the record looks for it. */
    private static ObjectNode reorderTail(ObjectNode record) {
        var updated = record.remove("updated_at");
        record.set("updated_at", updated);
        return record;
    }

    private ObjectNode sourceNode(Source source) {
        ObjectNode node = mapper.createObjectNode();
        node.put("bucket", source.bucket());
        if (source.image() != null) {
            node.put("image", source.image());
            node.put("image_etag", source.imageEtag());
        }
        if (!source.images().isEmpty()) {
            var images = node.putArray("images");
            source.images().forEach(images::add);
        }
        if (source.prompt() != null) {
            node.put("prompt", source.prompt());
            node.put("prompt_etag", source.promptEtag());
        }
        return node;
    }

    private ObjectNode requestNode(VideoRequest request) {
        ObjectNode node = mapper.createObjectNode();
        node.put("model", request.model());
        node.put("seconds", request.seconds());
        node.put("size", request.size().value());
        node.put("watermark", Boolean.toString(request.watermark()));
        node.put("private", Boolean.toString(request.isPrivate()));
        if (!request.extra().isEmpty()) {
            ObjectNode extra = node.putObject("extra");
            for (Map.Entry<String, String> e : request.extra().entrySet()) {
                extra.put(e.getKey(), e.getValue());
            }
        }
        return node;
    }
}
