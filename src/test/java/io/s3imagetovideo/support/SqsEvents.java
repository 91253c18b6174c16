package io.s3imagetovideo.support;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * SQS events as Lambda's event source mapping hands them to a handler: the JSON the service sends,
 * read through the runtime's own event serializer.
 */
public final class SqsEvents {

    public static final String QUEUE_ARN = "arn:aws:sqs:us-east-1:000000000000:poll-queue";
    private static final ObjectMapper JSON = new ObjectMapper();

    private SqsEvents() {}

    /** The event for messages received from a real queue (ElasticMQ). */
    public static SQSEvent of(List<Message> messages) {
        return fromJson(json(messages));
    }

    /** The JSON the event source mapping sends the runtime for messages received from a real queue. */
    public static String json(List<Message> messages) {
        ArrayNode records = JSON.createArrayNode();
        for (Message m : messages) {
            records.add(record(m.messageId(), m.receiptHandle(), m.body(),
                    m.attributesAsStrings().getOrDefault("ApproximateReceiveCount", "1")));
        }
        return JSON.createObjectNode().set("Records", records).toString();
    }

    /** A message holding {@code body}, as if it had been received from a queue. */
    public static List<Message> messageOf(String body) {
        String id = UUID.randomUUID().toString();
        return List.of(Message.builder().messageId(id).receiptHandle("receipt-" + id).body(body).build());
    }

    /** An event with one message holding {@code body}, as if it had come from the queue. */
    public static SQSEvent ofBody(String body) {
        String id = UUID.randomUUID().toString();
        return fromJson(JSON.createObjectNode().set("Records", JSON.createArrayNode()
                .add(record(id, "receipt-" + id, body, "1"))).toString());
    }

    public static SQSEvent fromJson(String json) {
        return LambdaEventSerializers.serializerFor(SQSEvent.class, SqsEvents.class.getClassLoader()).fromJson(json);
    }

    private static ObjectNode record(String id, String receipt, String body, String receiveCount) {
        ObjectNode r = JSON.createObjectNode();
        r.put("messageId", id);
        r.put("receiptHandle", receipt);
        r.put("body", body);
        ObjectNode attributes = r.putObject("attributes");
        for (Map.Entry<String, String> a : Map.of("ApproximateReceiveCount", receiveCount,
                "SentTimestamp", "1795514400000", "SenderId", "AROAEXAMPLE:submit",
                "ApproximateFirstReceiveTimestamp", "1795514400015").entrySet()) {
            attributes.put(a.getKey(), a.getValue());
        }
        r.putObject("messageAttributes");
        r.put("md5OfBody", md5(body));
        r.put("eventSource", "aws:sqs");
        r.put("eventSourceARN", QUEUE_ARN);
        r.put("awsRegion", "us-east-1");
        return r;
    }

    private static String md5(String body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
