package io.s3imagetovideo.record;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The record's {@code error: {code, message}}, with {@code http_status} when an HTTP answer said no.
 * {@code more}: further fields the host put in a failed job's error (its {@code type}, {@code param}),
 * kept as it sent them.
 */
public record RecordError(String code, String message, OptionalInt httpStatus, ObjectNode more) {

    public RecordError {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        more = more == null ? JsonNodeFactory.instance.objectNode() : more.deepCopy();
        more.remove(java.util.List.of("code", "message", "http_status"));
    }

    public static RecordError of(String code, String message) {
        return new RecordError(code, message, OptionalInt.empty(), null);
    }

    public static RecordError of(String code, String message, OptionalInt httpStatus) {
        return new RecordError(code, message, httpStatus, null);
    }
}
