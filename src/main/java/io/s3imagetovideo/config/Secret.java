package io.s3imagetovideo.config;

import java.util.Objects;

/** A secret value that never shows itself in {@code toString()}, logs or exception messages. */
public record Secret(String value) {
    public Secret {
        Objects.requireNonNull(value, "value");
    }

    @Override
    public String toString() {
        return "Secret[***]";
    }
}
