package io.s3imagetovideo.config;

import io.s3imagetovideo.image.Fit;
import io.s3imagetovideo.image.ImageFitter;
import io.s3imagetovideo.sidecar.VideoSize;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Every setting of both functions, read once from the environment (DESIGN.md, "Configuration").
 * A missing or malformed value fails at start-up with a message that names the variable.
 */
public record Config(
        URI videoApiBaseUrl,
        Optional<String> videoApiKeySecretArn,
        Optional<Secret> videoApiKey,
        String defaultModel,
        String defaultSeconds,
        VideoSize defaultSize,
        boolean defaultWatermark,
        boolean defaultPrivate,
        long maxImageBytes,
        Optional<String> pollQueueUrl,
        int pollInitialDelaySeconds,
        int pollMaxDelaySeconds,
        int pollMaxAgeSeconds,
        Duration apiConnectTimeout,
        Duration apiRequestTimeout,
        int apiMaxAttempts,
        Duration apiRetryInitialDelay,
        Duration apiRetryMaxDelay,
        Fit defaultFit,
        long maxImagePixels) {

    public static final String DEFAULT_BASE_URL = "https://api.chainhub.tech";

    public static Config fromEnv() {
        return fromEnv(System.getenv());
    }

    public static Config fromEnv(Map<String, String> env) {
        var reader = new EnvReader(env);
        Optional<String> arn = reader.optional("VIDEO_API_KEY_SECRET_ARN");
        // DESIGN.md: the plain key is for local runs and is ignored when the ARN is set.
        Optional<Secret> key = arn.isPresent()
                ? Optional.empty()
                : reader.optional("VIDEO_API_KEY").map(Secret::new);
        int pollMaxDelay = reader.intInRange("POLL_MAX_DELAY_SECONDS", 900, 0, 900);
        return new Config(
                reader.baseUrl("VIDEO_API_BASE_URL", DEFAULT_BASE_URL),
                arn,
                key,
                reader.string("DEFAULT_MODEL", "sora-2"),
                reader.positiveWholeNumber("DEFAULT_SECONDS", "10"),
                reader.size("DEFAULT_SIZE", "720x1280"),
                reader.bool("DEFAULT_WATERMARK", false),
                reader.bool("DEFAULT_PRIVATE", true),
                reader.longInRange("MAX_IMAGE_BYTES", 20L * 1024 * 1024, 1, Long.MAX_VALUE),
                reader.optional("POLL_QUEUE_URL"),
                reader.intInRange("POLL_INITIAL_DELAY_SECONDS", 15, 0, 900),
                pollMaxDelay,
                reader.intInRange("POLL_MAX_AGE_SECONDS", 7200, 1, Integer.MAX_VALUE),
                Duration.ofMillis(reader.longInRange("VIDEO_API_CONNECT_TIMEOUT_MS", 10_000, 1, 600_000)),
                Duration.ofMillis(reader.longInRange("VIDEO_API_TIMEOUT_MS", 120_000, 1, 900_000)),
                reader.intInRange("VIDEO_API_MAX_ATTEMPTS", 5, 1, 100),
                Duration.ofMillis(reader.longInRange("VIDEO_API_RETRY_INITIAL_DELAY_MS", 1_000, 0, 600_000)),
                Duration.ofMillis(reader.longInRange("VIDEO_API_RETRY_MAX_DELAY_MS", 30_000, 0, 900_000)),
                // cover: the API refuses any other size, and cover fills the frame without bars.
                reader.fit("DEFAULT_FIT", Fit.COVER),
                reader.longInRange("MAX_IMAGE_PIXELS", ImageFitter.DEFAULT_MAX_PIXELS, 1, Integer.MAX_VALUE));
    }

    /** The endpoint that creates jobs: {@code {base}/v1/videos}, the base possibly carrying a path. */
    public URI videosEndpoint() {
        return URI.create(stripTrailingSlash(videoApiBaseUrl.toString()) + "/v1/videos");
    }

    private static String stripTrailingSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    private record EnvReader(Map<String, String> env) {

        private static final Pattern IPV4_LITERAL = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

        Optional<String> optional(String name) {
            String v = env.get(name);
            return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
        }

        String string(String name, String fallback) {
            return optional(name).orElse(fallback);
        }

        URI baseUrl(String name, String fallback) {
            String raw = string(name, fallback);
            try {
                URI uri = new URI(raw);
                String scheme = uri.getScheme();
                if (scheme == null || !(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
                    throw new ConfigException(name + " must be an http(s) URL such as " + fallback + ", got '" + raw + "'");
                }
                if (uri.getRawUserInfo() != null) {
                    // Not echoed: user information in a URL is a password more often than not.
                    throw new ConfigException(name + " must not carry user information (user:password@);"
                            + " the API key comes from VIDEO_API_KEY_SECRET_ARN or VIDEO_API_KEY");
                }
                if (uri.getQuery() != null || uri.getFragment() != null) {
                    throw new ConfigException(name + " must not carry a query or fragment, got '" + raw + "'");
                }
                if (scheme.equals("http") && !isLoopback(uri.getHost())) {
                    // Every request carries the bearer key: over plain http anyone on the path could read it.
                    throw new ConfigException(name + " must be an https URL: http is allowed only for localhost,"
                            + " 127.0.0.0/8 and ::1 (local test servers), because every request carries the API key;"
                            + " got '" + raw + "'");
                }
                return uri;
            } catch (URISyntaxException e) {
                throw new ConfigException(name + " is not a valid URL: '" + raw + "'");
            }
        }

        /**
         * True for hosts that never leave this machine: {@code localhost}, {@code 127.0.0.0/8} and
         * {@code ::1}. Decided from the literal alone, without a DNS lookup (a name could resolve anywhere).
         */
        static boolean isLoopback(String host) {
            String h = host.toLowerCase(Locale.ROOT);
            if (h.equals("localhost")) {
                return true;
            }
            if (h.startsWith("[") && h.endsWith("]")) {
                try {
                    // An IPv6 literal: parsed, never looked up.
                    return InetAddress.getByName(h.substring(1, h.length() - 1)).isLoopbackAddress();
                } catch (UnknownHostException e) {
                    return false;
                }
            }
            if (!IPV4_LITERAL.matcher(h).matches()) {
                return false;
            }
            String[] octets = h.split("\\.");
            for (String octet : octets) {
                if (Integer.parseInt(octet) > 255) {
                    return false;
                }
            }
            return octets[0].equals("127");
        }

        String positiveWholeNumber(String name, String fallback) {
            String raw = string(name, fallback);
            if (!raw.matches("[0-9]{1,9}") || Long.parseLong(raw) <= 0) {
                throw new ConfigException(name + " must be a positive whole number, got '" + raw + "'");
            }
            return Long.toString(Long.parseLong(raw));
        }

        VideoSize size(String name, String fallback) {
            String raw = string(name, fallback);
            return VideoSize.parse(raw).orElseThrow(() -> new ConfigException(
                    name + " must be one of " + VideoSize.allowedValues() + ", got '" + raw + "'"));
        }

        Fit fit(String name, Fit fallback) {
            Optional<String> raw = optional(name);
            if (raw.isEmpty()) {
                return fallback;
            }
            return Fit.parse(raw.get()).orElseThrow(() -> new ConfigException(
                    name + " must be one of " + Fit.allowedValues() + ", got '" + raw.get() + "'"));
        }

        boolean bool(String name, boolean fallback) {
            Optional<String> raw = optional(name);
            if (raw.isEmpty()) {
                return fallback;
            }
            return switch (raw.get()) {
                case "true" -> true;
                case "false" -> false;
                default -> throw new ConfigException(name + " must be true or false, got '" + raw.get() + "'");
            };
        }

        long longInRange(String name, long fallback, long min, long max) {
            Optional<String> raw = optional(name);
            if (raw.isEmpty()) {
                return fallback;
            }
            try {
                long v = Long.parseLong(raw.get());
                if (v < min || v > max) {
                    throw new ConfigException(name + " must be between " + min + " and " + max + ", got " + v);
                }
                return v;
            } catch (NumberFormatException e) {
                throw new ConfigException(name + " must be a whole number, got '" + raw.get() + "'");
            }
        }

        int intInRange(String name, int fallback, int min, int max) {
            return (int) longInRange(name, fallback, min, max);
        }
    }
}
