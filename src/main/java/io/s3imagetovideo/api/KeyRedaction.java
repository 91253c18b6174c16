package io.s3imagetovideo.api;

import io.s3imagetovideo.config.Secret;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Some hosts quote the key they refused in their error message ("Incorrect API key provided: sk-...");
 * the message goes into the record and the logs, the key must not. Every answer is scrubbed of the key
 * its request carried before anything reads it.
 */
final class KeyRedaction {

    /** The replacement for an echo of the key in an answer. */
    static final String REDACTED = "[redacted]";

    private KeyRedaction() {}

    /** {@code body} with every occurrence of the key replaced by {@link #REDACTED}. */
    static byte[] redact(byte[] body, Secret key) {
        if (key == null || body == null) {
            return body;
        }
        byte[] needle = key.value().getBytes(StandardCharsets.UTF_8);
        if (needle.length == 0 || body.length < needle.length) {
            return body;
        }
        byte[] replacement = REDACTED.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream out = null;
        int copied = 0;
        for (int i = 0; i + needle.length <= body.length; i++) {
            if (Arrays.equals(body, i, i + needle.length, needle, 0, needle.length)) {
                if (out == null) {
                    out = new ByteArrayOutputStream(body.length);
                }
                out.write(body, copied, i - copied);
                out.writeBytes(replacement);
                copied = i + needle.length;
                i = copied - 1;
            }
        }
        if (out == null) {
            return body;
        }
        out.write(body, copied, body.length - copied);
        return out.toByteArray();
    }
}
