package io.s3imagetovideo.config;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** How both functions reach the video host: where, with which key, and how patiently. */
public record ApiConfig(
        URI baseUrl,
        Optional<String> keySecretArn,
        Optional<Secret> key,
        Duration connectTimeout,
        Duration requestTimeout,
        int maxAttempts,
        Duration retryInitialDelay,
        Duration retryMaxDelay) {

    public static final String DEFAULT_BASE_URL = "https://api.chainhub.tech";

    public static ApiConfig from(Env env) {
        Optional<String> arn = env.optional("VIDEO_API_KEY_SECRET_ARN");
        // The plain key is for local runs and is ignored when the ARN is set.
        Optional<Secret> key = arn.isPresent() ? Optional.empty() : env.optional("VIDEO_API_KEY").map(Secret::new);
        return new ApiConfig(
                env.baseUrl("VIDEO_API_BASE_URL", DEFAULT_BASE_URL),
                arn,
                key,
                env.millis("VIDEO_API_CONNECT_TIMEOUT_MS", 10_000, 1, 600_000),
                env.millis("VIDEO_API_TIMEOUT_MS", 120_000, 1, 900_000),
                env.intInRange("VIDEO_API_MAX_ATTEMPTS", 5, 1, 100),
                env.millis("VIDEO_API_RETRY_INITIAL_DELAY_MS", 1_000, 0, 600_000),
                env.millis("VIDEO_API_RETRY_MAX_DELAY_MS", 30_000, 0, 900_000));
    }

    /** The endpoint that creates jobs: {@code {base}/v1/videos}, the base possibly carrying a path. */
    public URI videosEndpoint() {
        String base = baseUrl.toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/v1/videos");
    }

    public ApiConfig withBaseUrl(URI other) {
        return new ApiConfig(other, keySecretArn, key, connectTimeout, requestTimeout, maxAttempts, retryInitialDelay,
                retryMaxDelay);
    }

    public ApiConfig withMaxAttempts(int attempts) {
        return new ApiConfig(baseUrl, keySecretArn, key, connectTimeout, requestTimeout, attempts, retryInitialDelay,
                retryMaxDelay);
    }
}
