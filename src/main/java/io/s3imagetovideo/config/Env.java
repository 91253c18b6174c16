package io.s3imagetovideo.config;

import io.s3imagetovideo.image.Fit;
import io.s3imagetovideo.sidecar.VideoSize;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The environment as typed settings: each read names its variable, and a missing or malformed value
 * fails with a message that names it, so that a function stops at start-up and says why.
 */
public record Env(Map<String, String> variables) {

    private static final Pattern IPV4_LITERAL = Pattern.compile("[0-9]{1,3}(\\.[0-9]{1,3}){3}");

    public Env {
        // A view, not a copy: reads go to the map given, which a test may watch.
        variables = java.util.Collections.unmodifiableMap(variables);
    }

    public Optional<String> optional(String name) {
        String v = variables.get(name);
        return v == null || v.isBlank() ? Optional.empty() : Optional.of(v.trim());
    }

    public boolean isSet(String name) {
        return optional(name).isPresent();
    }

    public String string(String name, String fallback) {
        return optional(name).orElse(fallback);
    }

    public String required(String name, String why) {
        return optional(name).orElseThrow(() -> new ConfigException(name + " is not set: " + why));
    }

    /** An http(s) base URL without user information, query or fragment; plain http only on loopback. */
    public URI baseUrl(String name, String fallback) {
        String raw = string(name, fallback);
        try {
            URI uri = new URI(raw);
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equals("https") || scheme.equals("http")) || uri.getHost() == null) {
                throw new ConfigException(name + " must be an http(s) URL such as " + fallback + ", got " + shown(raw));
            }
            if (uri.getRawUserInfo() != null) {
                throw new ConfigException(name + " must not carry user information (user:password@);"
                        + " the API key comes from VIDEO_API_KEY_SECRET_ARN or VIDEO_API_KEY");
            }
            if (uri.getQuery() != null || uri.getFragment() != null) {
                throw new ConfigException(name + " must not carry a query or fragment, got " + shown(raw));
            }
            if (scheme.equals("http") && !isLoopback(uri.getHost())) {
                // Every request carries the bearer key: over plain http anyone on the path could read it.
                throw new ConfigException(name + " must be an https URL: http is allowed only for localhost,"
                        + " 127.0.0.0/8 and ::1 (local test servers), because every request carries the API key;"
                        + " got " + shown(raw));
            }
            return uri;
        } catch (URISyntaxException e) {
            throw new ConfigException(name + " is not a valid URL: " + shown(raw));
        }
    }

    /**
     * A URL as an error message may show it: not at all when it could hold a secret, as user information
     * (a password more often than not, also where the URL is too broken to parse it) or a query
     * ({@code ?api_key=...}) can.
     */
    private static String shown(String raw) {
        return raw.contains("@") || raw.contains("?") || raw.contains("#") ? "a value not shown here (it may hold a secret)"
                : "'" + raw + "'";
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

    public String positiveWholeNumber(String name, String fallback) {
        String raw = string(name, fallback);
        if (!raw.matches("[0-9]{1,9}") || Long.parseLong(raw) <= 0) {
            throw new ConfigException(name + " must be a positive whole number, got '" + raw + "'");
        }
        return Long.toString(Long.parseLong(raw));
    }

    public VideoSize size(String name, String fallback) {
        String raw = string(name, fallback);
        return VideoSize.parse(raw).orElseThrow(() -> new ConfigException(
                name + " must be a size written WxH such as 720x1280, got '" + raw + "'"));
    }

    /** A comma list of sizes ({@code 720x1280,1280x720}), or {@code any}: empty. */
    public Optional<List<VideoSize>> sizes(String name, String fallback) {
        String raw = string(name, fallback);
        if (raw.equals("any")) {
            return Optional.empty();
        }
        List<VideoSize> sizes = new ArrayList<>();
        for (String item : raw.split(",")) {
            sizes.add(VideoSize.parse(item.trim()).orElseThrow(() -> new ConfigException(name
                    + " must be 'any' or a comma list of sizes written WxH such as 720x1280,1280x720, got '" + raw + "'")));
        }
        return Optional.of(List.copyOf(sizes));
    }

    /** A comma list of positive whole numbers ({@code 4,6,8}), or {@code any}: empty. */
    public Optional<List<String>> wholeNumbers(String name, String fallback) {
        String raw = string(name, fallback);
        if (raw.equals("any")) {
            return Optional.empty();
        }
        List<String> values = new ArrayList<>();
        for (String item : raw.split(",")) {
            String value = item.trim();
            if (!value.matches("[0-9]{1,9}") || Long.parseLong(value) <= 0) {
                throw new ConfigException(name + " must be 'any' or a comma list of positive whole numbers such as"
                        + " 4,6,8, got '" + raw + "'");
            }
            values.add(Long.toString(Long.parseLong(value)));
        }
        return Optional.of(List.copyOf(values));
    }

    /** A form field name: what a multipart form may carry. */
    public String formField(String name, String fallback) {
        String raw = string(name, fallback);
        if (!raw.matches("[A-Za-z0-9_.\\-\\[\\]]{1,64}")) {
            throw new ConfigException(name + " must be a form field name of 1 to 64 of A-Z a-z 0-9 _ . - [ ], got '"
                    + raw + "'");
        }
        return raw;
    }

    public Fit fit(String name, Fit fallback) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        return Fit.parse(raw.get()).orElseThrow(() -> new ConfigException(
                name + " must be one of " + Fit.allowedValues() + ", got '" + raw.get() + "'"));
    }

    public boolean bool(String name, boolean fallback) {
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

    public long longInRange(String name, long fallback, long min, long max) {
        Optional<String> raw = optional(name);
        if (raw.isEmpty()) {
            return fallback;
        }
        long v;
        try {
            v = Long.parseLong(raw.get());
        } catch (NumberFormatException e) {
            throw new ConfigException(name + " must be a whole number, got '" + raw.get() + "'");
        }
        if (v < min || v > max) {
            throw new ConfigException(name + " must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    public int intInRange(String name, int fallback, int min, int max) {
        return (int) longInRange(name, fallback, min, max);
    }

    public Duration millis(String name, long fallbackMillis, long min, long max) {
        return Duration.ofMillis(longInRange(name, fallbackMillis, min, max));
    }
}
