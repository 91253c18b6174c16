package io.s3imagetovideo.config;

import io.s3imagetovideo.image.Fit;
import io.s3imagetovideo.image.ImageFitter;
import io.s3imagetovideo.sidecar.SidecarDefaults;
import java.util.Map;
import java.util.Optional;

/** The submit function's settings (docs/contract.md, "Configuration"): only the ones it reads. */
public record SubmitConfig(
        ApiConfig api,
        SidecarDefaults defaults,
        long maxImageBytes,
        long maxImagePixels,
        Optional<String> pollQueueUrl,
        int pollInitialDelaySeconds) {

    public static SubmitConfig fromEnv(Map<String, String> variables) {
        Env env = new Env(variables);
        return new SubmitConfig(
                ApiConfig.from(env),
                new SidecarDefaults(
                        env.string("DEFAULT_MODEL", "sora-2"),
                        env.positiveWholeNumber("DEFAULT_SECONDS", "10"),
                        env.size("DEFAULT_SIZE", "720x1280"),
                        env.bool("DEFAULT_WATERMARK", false),
                        env.bool("DEFAULT_PRIVATE", true),
                        // cover: the API refuses any other size, and cover fills the frame without bars.
                        env.fit("DEFAULT_FIT", Fit.COVER)),
                env.longInRange("MAX_IMAGE_BYTES", 20L * 1024 * 1024, 1, Long.MAX_VALUE),
                env.longInRange("MAX_IMAGE_PIXELS", ImageFitter.DEFAULT_MAX_PIXELS, 1, Integer.MAX_VALUE),
                env.optional("POLL_QUEUE_URL"),
                PollConfig.initialDelay(env));
    }

    public SubmitConfig withApi(ApiConfig other) {
        return new SubmitConfig(other, defaults, maxImageBytes, maxImagePixels, pollQueueUrl, pollInitialDelaySeconds);
    }

    public SubmitConfig withPollQueueUrl(String url) {
        return new SubmitConfig(api, defaults, maxImageBytes, maxImagePixels, Optional.of(url), pollInitialDelaySeconds);
    }
}
