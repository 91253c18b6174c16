package io.s3imagetovideo.config;

import io.s3imagetovideo.cap.SpendCap;
import io.s3imagetovideo.image.Fit;
import io.s3imagetovideo.image.ImageFitter;
import io.s3imagetovideo.sidecar.HostLimits;
import io.s3imagetovideo.sidecar.SidecarDefaults;
import io.s3imagetovideo.sidecar.VideoSize;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/** The submit function's settings (docs/contract.md, "Configuration"): only the ones it reads. */
public record SubmitConfig(
        ApiConfig api,
        SidecarDefaults defaults,
        ImageTransport image,
        long maxImageBytes,
        long maxImagePixels,
        SpendCap cap,
        Duration maxWait,
        Optional<String> submissionQueueUrl,
        Optional<String> pollQueueUrl,
        int pollInitialDelaySeconds) {

    public static final String DEFAULT_SIZES = "720x1280,1280x720,1024x1792,1792x1024";

    public static SubmitConfig fromEnv(Map<String, String> variables) {
        Env env = new Env(variables);
        HostLimits limits = new HostLimits(env.sizes("VIDEO_SIZES", DEFAULT_SIZES), env.wholeNumbers("VIDEO_SECONDS", "any"));
        VideoSize size = env.size("DEFAULT_SIZE", "720x1280");
        if (!limits.allows(size)) {
            throw new ConfigException("DEFAULT_SIZE must be one of VIDEO_SIZES, got '" + size.value() + "'");
        }
        String seconds = env.positiveWholeNumber("DEFAULT_SECONDS", "10");
        if (!limits.allowsSeconds(seconds)) {
            throw new ConfigException("DEFAULT_SECONDS must be one of VIDEO_SECONDS, got '" + seconds + "'");
        }
        String sendAs = env.string("VIDEO_IMAGE_SEND_AS", "file");
        return new SubmitConfig(
                ApiConfig.from(env),
                new SidecarDefaults(
                        env.string("DEFAULT_MODEL", "sora-2"),
                        seconds,
                        size,
                        env.bool("DEFAULT_WATERMARK", false),
                        env.bool("DEFAULT_PRIVATE", true),
                        // cover: hosts refuse an image of another size, and cover fills the frame without bars.
                        env.fit("DEFAULT_FIT", Fit.COVER),
                        limits),
                new ImageTransport(env.formField("VIDEO_IMAGE_FIELD", "input_reference"),
                        ImageTransport.SendAs.parse(sendAs).orElseThrow(() -> new ConfigException(
                                "VIDEO_IMAGE_SEND_AS must be one of file, data_url, presigned_url, got '" + sendAs + "'"))),
                env.longInRange("MAX_IMAGE_BYTES", 20L * 1024 * 1024, 1, Long.MAX_VALUE),
                env.longInRange("MAX_IMAGE_PIXELS", ImageFitter.DEFAULT_MAX_PIXELS, 1, Integer.MAX_VALUE),
                new SpendCap(env.intInRange("MAX_JOBS_PER_DAY", 0, 0, Integer.MAX_VALUE),
                        env.longInRange("MAX_VIDEO_SECONDS_PER_DAY", 0, 0, Long.MAX_VALUE)),
                Duration.ofSeconds(env.longInRange("SUBMIT_MAX_WAIT_SECONDS", 86_400, 1, 14L * 86_400)),
                env.optional("SUBMISSION_QUEUE_URL"),
                env.optional("POLL_QUEUE_URL"),
                PollConfig.initialDelay(env));
    }

    public SubmitConfig withApi(ApiConfig other) {
        return new SubmitConfig(other, defaults, image, maxImageBytes, maxImagePixels, cap, maxWait, submissionQueueUrl,
                pollQueueUrl, pollInitialDelaySeconds);
    }

    public SubmitConfig withPollQueueUrl(String url) {
        return new SubmitConfig(api, defaults, image, maxImageBytes, maxImagePixels, cap, maxWait, submissionQueueUrl,
                Optional.of(url), pollInitialDelaySeconds);
    }
}
