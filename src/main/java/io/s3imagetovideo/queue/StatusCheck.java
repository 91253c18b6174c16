package io.s3imagetovideo.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Optional;

/** One scheduled look at a job: the SQS message body that the poll function receives. */
public record StatusCheck(String bucket, String recordKey, String jobId, int check) {

    public ObjectNode toJson(ObjectMapper mapper) {
        ObjectNode node = mapper.createObjectNode();
        node.put("bucket", bucket);
        node.put("record", recordKey);
        node.put("job_id", jobId);
        node.put("check", check);
        return node;
    }

    /** The check an SQS message body holds; empty when it holds none (retrying cannot make it readable). */
    public static Optional<StatusCheck> parse(String body, ObjectMapper mapper) {
        if (body == null || body.isBlank()) {
            return Optional.empty();
        }
        try {
            return fromJson(mapper.readTree(body))
                    .filter(c -> !c.bucket().isBlank() && !c.recordKey().isBlank() && !c.jobId().isBlank());
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
    }

    public static Optional<StatusCheck> fromJson(JsonNode node) {
        if (node == null || !node.path("bucket").isTextual() || !node.path("record").isTextual()
                || !node.path("job_id").isTextual()) {
            return Optional.empty();
        }
        return Optional.of(new StatusCheck(node.get("bucket").textValue(), node.get("record").textValue(),
                node.get("job_id").textValue(), Math.max(1, node.path("check").asInt(1))));
    }

    public StatusCheck next() {
        return new StatusCheck(bucket, recordKey, jobId, check + 1);
    }
}
