package io.s3imagetovideo.support;

import com.amazonaws.services.lambda.runtime.events.S3Event;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.amazonaws.services.lambda.runtime.tests.EventLoader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * S3 events as the Lambda runtime hands them to a handler: JSON through the runtime's own event
 * serializers ({@code aws-lambda-java-tests}, {@code aws-lambda-java-serialization}).
 */
public final class Events {

    public static final Path DIR = Path.of("events");

    private Events() {}

    /** An event file from {@code events/}, exactly as {@code sam local invoke -e} would send it. */
    public static S3Event load(String fileName) {
        return EventLoader.loadS3Event(DIR.resolve(fileName).toString());
    }

    /** The bucket and decoded key of the single record in an {@code events/} file. */
    public static String bucketOf(String fileName) {
        return load(fileName).getRecords().get(0).getS3().getBucket().getName();
    }

    /**
     * The notification S3 sends for a PUT of {@code key}: the key form-URL-encoded as S3 encodes it
     * (space as {@code +}, {@code +} as {@code %2B}, UTF-8 percent escapes, {@code /} kept).
     */
    public static S3Event objectCreated(String bucket, String key, long size, String etag) {
        return fromJson(notificationJson(List.of(new Put(bucket, key, size, etag))));
    }

    public static S3Event objectCreated(List<Put> puts) {
        return fromJson(notificationJson(puts));
    }

    public record Put(String bucket, String key, long size, String etag) {}

    public static String encodeKey(String key) {
        return URLEncoder.encode(key, StandardCharsets.UTF_8).replace("%2F", "/");
    }

    public static S3Event fromJson(String json) {
        return LambdaEventSerializers.serializerFor(S3Event.class, Events.class.getClassLoader()).fromJson(json);
    }

    public static String notificationJson(List<Put> puts) {
        String template = read("s3-put-image.json");
        String record = template.substring(template.indexOf('[') + 1, template.lastIndexOf(']')).trim();
        StringBuilder records = new StringBuilder();
        for (Put put : puts) {
            if (!records.isEmpty()) {
                records.append(",\n");
            }
            records.append(record
                    .replace("s3-image-to-video-example", put.bucket())
                    .replace("in+box/%E5%9C%BA%E6%99%AF+1%2Bx.png", encodeKey(put.key()))
                    .replace("\"size\": 68", "\"size\": " + put.size())
                    .replace("8b1a9953c4611296a827abf8c47804d7", put.etag() == null ? "" : io.s3imagetovideo.record.ETags.normalize(put.etag())));
        }
        return "{\"Records\": [" + records + "]}";
    }

    public static String read(String fileName) {
        try {
            return Files.readString(DIR.resolve(fileName));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
