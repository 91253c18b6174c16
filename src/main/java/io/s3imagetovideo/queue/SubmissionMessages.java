package io.s3imagetovideo.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.layout.BucketLayout;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads the body of a message on the submission queue, in each of the three shapes that arrive there
 * (docs/contract.md, "Submission queue"):
 * <ul>
 *   <li>an S3 event notification, {@code {"Records": [{"eventName": "ObjectCreated:Put", "s3": {...}}]}},
 *       or its {@code s3:TestEvent}, sent once when the notification is configured;</li>
 *   <li>an EventBridge S3 event, {@code {"source": "aws.s3", "detail-type": "Object Created", "detail": {...}}};</li>
 *   <li>an upload the function sent back itself, {@code {"s3_image_to_video_upload": {bucket, key, not_before}}}.</li>
 * </ul>
 * S3 writes the key form-URL-encoded in both of its shapes ({@code +} for a space); it is decoded here
 * (Powertools for AWS Lambda decodes EventBridge's {@code detail.object.key} the same way,
 * {@code S3EventBridgeNotificationObject.key}).
 */
public final class SubmissionMessages {

    static final String SENT_BACK_FIELD = "s3_image_to_video_upload";

    private final ObjectMapper mapper;

    public SubmissionMessages(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** What one message body holds. */
    public sealed interface Parsed {
        /** Created objects to look at (most often one). */
        record Uploads(List<UploadEvent> uploads, List<String> skipped) implements Parsed {}

        /** Nothing to do, and nothing that a retry could change: the reason, for the log. */
        record Ignored(String reason) implements Parsed {}
    }

    public Parsed parse(String body) {
        JsonNode json;
        try {
            json = body == null ? null : mapper.readTree(body);
        } catch (JsonProcessingException e) {
            return new Parsed.Ignored("the message body is not JSON");
        }
        if (json == null || !json.isObject()) {
            return new Parsed.Ignored("the message body is not a JSON object");
        }
        if ("s3:TestEvent".equals(json.path("Event").asText(null))) {
            return new Parsed.Ignored("s3:TestEvent, sent when the bucket's notification was set up");
        }
        if (json.get("Records") instanceof JsonNode records && records.isArray()) {
            return notification(records);
        }
        if ("aws.s3".equals(json.path("source").asText(null)) && json.has("detail")) {
            return eventBridge(json);
        }
        if (json.get(SENT_BACK_FIELD) instanceof JsonNode sent && sent.isObject()) {
            return sentBack(sent);
        }
        return new Parsed.Ignored("neither an S3 event notification nor an EventBridge S3 event");
    }

    private Parsed notification(JsonNode records) {
        List<UploadEvent> uploads = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (JsonNode record : records) {
            String eventName = record.path("eventName").asText("");
            String bucket = record.path("s3").path("bucket").path("name").asText("");
            String rawKey = record.path("s3").path("object").path("key").asText("");
            if (!eventName.startsWith("ObjectCreated")) {
                skipped.add(rawKey + ": not a created object (" + eventName + ")");
                continue;
            }
            add(uploads, skipped, bucket, rawKey, UploadEvent.Origin.S3_NOTIFICATION);
        }
        return new Parsed.Uploads(List.copyOf(uploads), List.copyOf(skipped));
    }

    private Parsed eventBridge(JsonNode event) {
        String detailType = event.path("detail-type").asText("");
        JsonNode detail = event.path("detail");
        String rawKey = detail.path("object").path("key").asText("");
        if (!"Object Created".equals(detailType)) {
            return new Parsed.Uploads(List.of(), List.of(rawKey + ": not a created object (" + detailType + ")"));
        }
        List<UploadEvent> uploads = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        add(uploads, skipped, detail.path("bucket").path("name").asText(""), rawKey, UploadEvent.Origin.EVENTBRIDGE);
        return new Parsed.Uploads(List.copyOf(uploads), List.copyOf(skipped));
    }

    private Parsed sentBack(JsonNode sent) {
        String bucket = sent.path("bucket").asText("");
        String key = sent.path("key").asText("");
        if (bucket.isEmpty() || key.isEmpty()) {
            return new Parsed.Ignored("a sent-back upload without its bucket or key");
        }
        Optional<Instant> notBefore;
        try {
            notBefore = sent.path("not_before").isTextual()
                    ? Optional.of(Instant.parse(sent.get("not_before").textValue())) : Optional.empty();
        } catch (DateTimeParseException e) {
            notBefore = Optional.empty();
        }
        return new Parsed.Uploads(List.of(new UploadEvent(bucket, key, UploadEvent.Origin.SENT_BACK, notBefore)),
                List.of());
    }

    private static void add(List<UploadEvent> uploads, List<String> skipped, String bucket, String rawKey,
            UploadEvent.Origin origin) {
        Optional<String> key = BucketLayout.eventKey(rawKey);
        if (bucket.isEmpty() || rawKey.isEmpty()) {
            skipped.add(rawKey + ": no bucket or key in the event");
        } else if (key.isEmpty()) {
            skipped.add(rawKey + ": malformed key encoding");
        } else {
            uploads.add(new UploadEvent(bucket, key.get(), origin, Optional.empty()));
        }
    }
}
