package io.s3imagetovideo.record;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** A job record as read from S3, with the ETag that a conditional write must match. */
public record StoredRecord(ObjectNode json, String etag) {

    public String status() {
        return json.path("status").asText("");
    }

    /** The API job this record holds, or the one it replaced. */
    public String lastJobId() {
        if (json.path("id").isTextual()) {
            return json.get("id").textValue();
        }
        return json.path("previous_id").isTextual() ? json.get("previous_id").textValue() : null;
    }
}
