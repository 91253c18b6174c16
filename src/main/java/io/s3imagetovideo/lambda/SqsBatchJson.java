package io.s3imagetovideo.lambda;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The SQS event a queue's event source mapping sends, and the batch response it reads back, as JSON:
 * what both handlers read and write themselves, as stream handlers, with the function's own mapper.
 * For a typed handler the runtime client would map them with its own serialiser instead, which loads a
 * second Jackson, joda-time and a mapper per event class: two thirds of an empty typed handler's cold
 * start (docs/artifact.md, "The handlers take their events as bytes"). Field names are those of
 * Lambda's event ("Records", "messageId", ...) and of its partial batch response ("batchItemFailures",
 * "itemIdentifier").
 */
public final class SqsBatchJson {

    private SqsBatchJson() {}

    /**
     * The event in {@code in}: its records with the fields the handlers read, each null when absent as
     * the runtime's serialiser leaves it. An event without records is an empty batch.
     *
     * @throws IllegalArgumentException when the bytes are not JSON, not an object, or its records neither a
     *     list nor one record; the message says where, and holds nothing of the event itself
     */
    public static SQSEvent read(InputStream in, ObjectMapper mapper) throws IOException {
        JsonNode root;
        try {
            root = mapper.readTree(in);
        } catch (JacksonException e) {
            throw new IllegalArgumentException("The event is not JSON (at line " + e.getLocation().getLineNr()
                    + ", column " + e.getLocation().getColumnNr() + "); an SQS event was expected");
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("The event is not a JSON object; an SQS event was expected");
        }
        JsonNode records = root.path("Records");
        if (!records.isMissingNode() && !records.isNull() && !records.isContainerNode()) {
            throw new IllegalArgumentException("The event's Records is neither a list nor a record; an SQS event was"
                    + " expected");
        }
        List<SQSEvent.SQSMessage> messages = new ArrayList<>();
        // One record not in a list is a list of one, as the runtime's serialiser reads it; iterating the
        // object itself would take its fields for records.
        for (JsonNode record : records.isObject() ? List.of(records) : records) {
            SQSEvent.SQSMessage message = new SQSEvent.SQSMessage();
            message.setMessageId(text(record, "messageId"));
            message.setReceiptHandle(text(record, "receiptHandle"));
            message.setBody(text(record, "body"));
            message.setMd5OfBody(text(record, "md5OfBody"));
            message.setEventSource(text(record, "eventSource"));
            message.setEventSourceArn(text(record, "eventSourceARN"));
            message.setAwsRegion(text(record, "awsRegion"));
            message.setAttributes(attributes(record.path("attributes")));
            messages.add(message);
        }
        SQSEvent event = new SQSEvent();
        event.setRecords(messages);
        return event;
    }

    /** {@code response} as the event source mapping reads a partial batch response. */
    public static void write(SQSBatchResponse response, OutputStream out, ObjectMapper mapper) throws IOException {
        ObjectNode root = mapper.createObjectNode();
        ArrayNode failures = root.putArray("batchItemFailures");
        if (response.getBatchItemFailures() != null) {
            response.getBatchItemFailures().forEach(f -> failures.addObject().put("itemIdentifier", f.getItemIdentifier()));
        }
        out.write(mapper.writeValueAsBytes(root));
    }

    private static String text(JsonNode record, String field) {
        JsonNode value = record.get(field);
        return value == null || value.isNull() ? null : value.asText();
    }

    private static Map<String, String> attributes(JsonNode attributes) {
        if (!attributes.isObject()) {
            return null;
        }
        Map<String, String> values = new LinkedHashMap<>();
        attributes.properties().forEach(e -> values.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText()));
        return values;
    }
}
