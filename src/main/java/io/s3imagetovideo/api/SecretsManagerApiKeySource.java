package io.s3imagetovideo.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.config.ConfigException;
import io.s3imagetovideo.config.Secret;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;

/**
 * The key from a Secrets Manager secret holding either the key itself or {@code {"api_key": "..."}}.
 * Fetched lazily, once per container, and again after a 401.
 */
public final class SecretsManagerApiKeySource implements ApiKeySource, AutoCloseable {

    private final SecretsManagerClient client;
    private final String secretArn;
    private final ObjectMapper mapper;
    private volatile Secret cached;

    public SecretsManagerApiKeySource(SecretsManagerClient client, String secretArn, ObjectMapper mapper) {
        this.client = client;
        this.secretArn = secretArn;
        this.mapper = mapper;
    }

    @Override
    public Secret current() {
        Secret key = cached;
        return key != null ? key : refresh();
    }

    @Override
    public synchronized Secret refresh() {
        String value = client.getSecretValue(b -> b.secretId(secretArn)).secretString();
        cached = new Secret(extract(value));
        return cached;
    }

    @Override
    public void close() {
        client.close();
    }

    private String extract(String value) {
        if (value == null || value.isBlank()) {
            throw new ConfigException("The secret named by VIDEO_API_KEY_SECRET_ARN is empty; store the API key in it");
        }
        String trimmed = value.trim();
        if (trimmed.startsWith("{")) {
            try {
                JsonNode key = mapper.readTree(trimmed).get("api_key");
                if (key != null && key.isTextual() && !key.textValue().isBlank()) {
                    return key.textValue().trim();
                }
            } catch (java.io.IOException e) {
                // not JSON after all: fall through to the message below, which never quotes the value
            }
            throw new ConfigException("The secret named by VIDEO_API_KEY_SECRET_ARN holds JSON without a string"
                    + " \"api_key\" field; store the key as plain text or as {\"api_key\": \"...\"}");
        }
        return trimmed;
    }
}
