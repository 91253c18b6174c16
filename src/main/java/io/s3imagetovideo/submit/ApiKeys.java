package io.s3imagetovideo.submit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.api.ApiKeySource;
import io.s3imagetovideo.api.SecretsManagerApiKeySource;
import io.s3imagetovideo.aws.AwsClients;
import io.s3imagetovideo.config.Config;
import io.s3imagetovideo.config.ConfigException;
import java.util.Map;
import software.amazon.awssdk.http.SdkHttpClient;

/** Picks where the API key comes from: the secret when its ARN is set, else the plain variable. */
public final class ApiKeys {
    private ApiKeys() {}

    public static ApiKeySource fromConfig(Config config, Map<String, String> env, SdkHttpClient http,
            ObjectMapper mapper) {
        if (config.videoApiKeySecretArn().isPresent()) {
            return new SecretsManagerApiKeySource(AwsClients.secretsManager(env, http),
                    config.videoApiKeySecretArn().get(), mapper);
        }
        return config.videoApiKey().map(ApiKeySource::fixed).orElseThrow(() -> new ConfigException(
                "No API key: set VIDEO_API_KEY_SECRET_ARN (a Secrets Manager secret) or, for local runs, VIDEO_API_KEY"));
    }
}
