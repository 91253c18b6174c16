package io.s3imagetovideo.local;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.config.Env;
import io.s3imagetovideo.poll.PollHandler;
import io.s3imagetovideo.queue.StatusCheck;
import io.s3imagetovideo.storage.ETags;
import io.s3imagetovideo.submit.SubmitHandler;
import io.s3imagetovideo.support.Events;
import io.s3imagetovideo.support.SqsEvents;
import io.s3imagetovideo.support.TestContext;
import io.s3imagetovideo.wiring.DependencyFactory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * What {@code sam local invoke} does, minus Docker: runs one handler once with one event, against
 * whatever the environment names: real AWS through the default credential chain, LocalStack or the
 * local servers through {@code AWS_ENDPOINT_URL}, a video API through {@code VIDEO_API_*}.
 *
 * <pre>
 * ./mvnw -q -Pinvoke test-compile exec:java -Dexec.args="submit events/sqs-s3-put-image.json"
 * ./mvnw -q -Pinvoke test-compile exec:java -Dexec.args="submit --bucket my-bucket --key in/scene.png"
 * ./mvnw -q -Pinvoke test-compile exec:java -Dexec.args="poll events/sqs-poll.json"
 * ./mvnw -q -Pinvoke test-compile exec:java -Dexec.args="poll --bucket my-bucket --key in/scene.video.json"
 * </pre>
 * The handler is built by its public no-argument constructor, from the environment, as Lambda builds
 * it; an event file's bytes are handed to it as Lambda hands them over. {@code --bucket}/{@code --key} make
 * the event from the object as it is now: for {@code submit} the notification of its PUT (size and
 * ETag from a HEAD), for {@code poll} the next status check of the record's job.
 */
public final class Invoke {

    /** The functions' timeout in template.yaml. */
    static final Duration TIMEOUT = Duration.ofSeconds(300);
    private static final String USAGE = """
            usage: submit|poll <event.json>
                   submit --bucket <bucket> --key <image or prompt key>
                   poll   --bucket <bucket> --key <record key, <name>.video.json>""";

    private Invoke() {}

    public static void main(String[] args) throws Exception {
        if (args.length != 2 && !(args.length == 5 && args[1].equals("--bucket") && args[3].equals("--key"))) {
            System.err.println(USAGE);
            System.exit(2);
        }
        String function = args[0];
        Context context = new TestContext(function, TIMEOUT, UUID.randomUUID().toString());
        ObjectMapper json = new ObjectMapper();
        try {
            String result = switch (function) {
                case "submit" -> {
                    SubmitHandler handler = new SubmitHandler();
                    yield args.length == 2 ? asLambdaCalls(handler, Path.of(args[1]), context)
                            : json.writeValueAsString(handler.handleRequest(s3Event(args[2], args[4]), context));
                }
                case "poll" -> {
                    PollHandler handler = new PollHandler();
                    yield args.length == 2 ? asLambdaCalls(handler, Path.of(args[1]), context)
                            : json.writeValueAsString(handler.handleRequest(statusCheckEvent(args[2], args[4], json),
                                    context));
                }
                default -> {
                    System.err.println("unknown function '" + function + "'\n" + USAGE);
                    System.exit(2);
                    yield null;
                }
            };
            System.out.println(result);
            System.exit(0);
        } catch (RuntimeException e) {
            // What Lambda reports for an invocation that threw: the invocation failed and would be retried.
            System.out.println(json.createObjectNode().put("errorType", e.getClass().getName())
                    .put("errorMessage", e.getMessage()));
            System.exit(1);
        }
    }

    /** The event file's bytes in, the handler's answer out, as the runtime calls a stream handler. */
    static String asLambdaCalls(RequestStreamHandler handler, Path event, Context context) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        try (InputStream in = Files.newInputStream(event)) {
            handler.handleRequest(in, answer, context);
        }
        return answer.toString(StandardCharsets.UTF_8);
    }

    /** The submission-queue message of the notification S3 sends for the object as it is now stored. */
    static SQSEvent s3Event(String bucket, String key) {
        try (SdkHttpClient http = DependencyFactory.awsHttpClient();
                S3Client s3 = DependencyFactory.s3(new Env(System.getenv()), http)) {
            var head = s3.headObject(b -> b.bucket(bucket).key(key));
            return Events.objectCreated(bucket, key, head.contentLength(), ETags.normalize(head.eTag()));
        }
    }

    /** The status check the poll function would receive next for the record's job. */
    static SQSEvent statusCheckEvent(String bucket, String recordKey, ObjectMapper json) throws IOException {
        JsonNode record;
        try (SdkHttpClient http = DependencyFactory.awsHttpClient();
                S3Client s3 = DependencyFactory.s3(new Env(System.getenv()), http)) {
            record = json.readTree(s3.getObjectAsBytes(b -> b.bucket(bucket).key(recordKey)).asByteArray());
        }
        if (!record.path("id").isTextual()) {
            throw new IllegalArgumentException(recordKey + " holds no job id (status "
                    + record.path("status").asText("unknown") + "): there is nothing to poll");
        }
        var check = new StatusCheck(bucket, recordKey, record.get("id").textValue(),
                record.path("poll").path("checks").asInt(0) + 1);
        return SqsEvents.ofBody(check.toJson(json).toString());
    }
}
