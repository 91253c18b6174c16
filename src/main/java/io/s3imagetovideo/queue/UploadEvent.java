package io.s3imagetovideo.queue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * One created object the submit function is asked to look at: {@code key} decoded, as S3 stores it.
 * {@code notBefore} is set on an upload the function sent back to its queue itself (a busy host, the
 * day's cap): it is not looked at again before then.
 */
public record UploadEvent(String bucket, String key, Origin origin, Optional<Instant> notBefore) {

    /** Which notification brought it. */
    public enum Origin {
        /** The bucket's own event notification ({@code NotificationConfiguration.QueueConfigurations}). */
        S3_NOTIFICATION,
        /** An EventBridge rule's {@code Object Created} event (an existing bucket). */
        EVENTBRIDGE,
        /** Sent back by the submit function to come again later. */
        SENT_BACK
    }

    public UploadEvent {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(notBefore, "notBefore");
    }

    /** The body of a message that brings this upload back at {@code notBefore}. */
    public ObjectNode sentBackBody(ObjectMapper mapper, Instant at) {
        ObjectNode body = mapper.createObjectNode();
        body.putObject(SubmissionMessages.SENT_BACK_FIELD).put("bucket", bucket).put("key", key)
                .put("not_before", at.toString());
        return body;
    }
}
