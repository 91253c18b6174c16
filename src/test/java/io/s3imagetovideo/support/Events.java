package io.s3imagetovideo.support;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * Submission-queue events as the Lambda runtime hands them to the submit function: SQS messages whose
 * bodies are S3 event notifications (or EventBridge S3 events), JSON read through the runtime's own
 * event serializers ({@code aws-lambda-java-tests}, {@code aws-lambda-java-serialization}). The bodies
 * are built from the files in {@code events/}, so that tests and {@code sam local invoke} send the same.
 */
public final class Events {

    public static final Path DIR = Path.of("events");
    private static final ObjectMapper JSON = new ObjectMapper();

    private Events() {}

    /** An event file from {@code events/}, exactly as {@code sam local invoke -e} would send it. */
    public static SQSEvent load(String fileName) {
        return EventLoader.loadSQSEvent(DIR.resolve(fileName).toString());
    }

    /** The body of the first message of an {@code events/} file. */
    public static JsonNode bodyOf(String fileName) {
        try {
            return JSON.readTree(load(fileName).getRecords().get(0).getBody());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The bucket of the S3 notification in an {@code events/} file. */
    public static String bucketOf(String fileName) {
        return bodyOf(fileName).path("Records").path(0).path("s3").path("bucket").path("name").textValue();
    }

    /**
     * The message S3 sends the submission queue for a PUT of {@code key}: the key form-URL-encoded as
     * S3 encodes it (space as {@code +}, {@code +} as {@code %2B}, UTF-8 percent escapes, {@code /} kept).
     */
    public static SQSEvent objectCreated(String bucket, String key, long size, String etag) {
        return SqsEvents.ofBody(notificationJson(List.of(new Put(bucket, key, size, etag))));
    }

    /** One message holding one notification of several records. */
    public static SQSEvent objectCreated(List<Put> puts) {
        return SqsEvents.ofBody(notificationJson(puts));
    }

    /** The message an EventBridge rule sends the submission queue for a PUT of {@code key} (existing bucket). */
    public static SQSEvent eventBridgeCreated(String bucket, String key, long size, String etag) {
        return SqsEvents.ofBody(eventBridgeJson(bucket, key, size, etag));
    }

    public record Put(String bucket, String key, long size, String etag) {}

    public static String encodeKey(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/");
    }

    public static String notificationJson(List<Put> puts) {
        String template = load("sqs-s3-put-image.json").getRecords().get(0).getBody();
        String record = template.substring(template.indexOf('[') + 1, template.lastIndexOf(']')).trim();
        StringBuilder records = new StringBuilder();
        for (Put put : puts) {
            if (!records.isEmpty()) {
                records.append(",");
            }
            records.append(record
                    .replace("s3-image-to-video-example", put.bucket())
                    .replace("in+box/%E5%9C%BA%E6%99%AF+1%2Bx.png", encodeKey(put.key()))
                    .replace("\"size\":68", "\"size\":" + put.size())
                    .replace("8b1a9953c4611296a827abf8c47804d7", put.etag() == null ? ""
                            : io.s3imagetovideo.storage.ETags.normalize(put.etag())));
        }
        return "{\"Records\":[" + records + "]}";
    }

    public static String eventBridgeJson(String bucket, String key, long size, String etag) {
        return load("sqs-eventbridge-put-image.json").getRecords().get(0).getBody()
                .replace("s3-image-to-video-example", bucket)
                .replace("in+box/%E5%9C%BA%E6%99%AF+1%2Bx.png", encodeKey(key))
                .replace("\"size\":68", "\"size\":" + size)
                .replace("8b1a9953c4611296a827abf8c47804d7", etag == null ? ""
                        : io.s3imagetovideo.storage.ETags.normalize(etag));
    }
}
