package io.s3imagetovideo.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The one place where an HTTP status and an error body become a typed {@link ApiError}: which answers
 * are refusals, which mean the key, which mean "busy" or "try again", and the host's own code and words
 * in whichever of the error shapes it uses.
 */
public final class ApiErrors {

    private final ObjectMapper mapper;
    private final Clock clock;

    public ApiErrors(ObjectMapper mapper, Clock clock) {
        this.mapper = mapper;
        this.clock = clock;
    }

    /** The error a non-2xx answer stands for. */
    public ApiError classify(ApiAnswer answer) {
        int status = answer.status();
        Described described = describe(answer);
        String code = described.code().orElse("http_" + status);
        String message = described.message();
        Optional<Duration> retryAfter = retryAfter(answer);
        if (status == 401 || status == 403) {
            return new ApiError.Unauthorized(status, code, message);
        }
        if (status == 429 || (status == 503 && retryAfter.isPresent()) || saysConcurrencyLimit(code, message)) {
            return new ApiError.Busy(status, code, message, retryAfter);
        }
        if (status == 501 || (status >= 500 && saysNotSupported(message))) {
            // LiteLLM answers a remix on Veo with 500 "Video remix is not supported by Google Veo": asking again cannot help.
            return new ApiError.Refused(status, code, message);
        }
        if (status == 408 || status == 409 || status >= 500) {
            return new ApiError.Transient(status, code, message, retryAfter);
        }
        return new ApiError.Refused(status, code, message);
    }

    /**
     * A limit on jobs running at once, whatever the status that carries it: new-api's
     * {@code token_concurrency_limit_reached}, LiteLLM's "Max parallel request limit reached".
     */
    private static boolean saysConcurrencyLimit(String code, String message) {
        String words = (code + " " + message).toLowerCase(java.util.Locale.ROOT);
        return words.contains("concurrency_limit") || words.contains("concurrency limit")
                || words.contains("max parallel request") || words.contains("too many concurrent");
    }

    private static boolean saysNotSupported(String message) {
        String words = message.toLowerCase(java.util.Locale.ROOT);
        return words.contains("not supported") || words.contains("not implemented");
    }

    /** A 2xx answer that does not hold what the caller needs. */
    public ApiError.BadAnswer badAnswer(ApiAnswer answer, String expected) {
        return new ApiError.BadAnswer(answer.status(), "invalid_response",
                "The video API answered HTTP " + answer.status() + " without " + expected + ".");
    }

    private record Described(Optional<String> code, String message) {}

    /** The host's code and words, from OpenAI's envelope or the other shapes hosts use. */
    private Described describe(ApiAnswer answer) {
        String code = null;
        String message = null;
        try {
            JsonNode json = mapper.readTree(answer.body());
            JsonNode error = json == null ? null : json.get("error");
            if (error != null && error.isObject()) {
                // OpenAI's {"error": {"message", "type", "param", "code"}}
                message = text(error.get("message"));
                code = text(error.get("code"));
            } else if (error != null && error.isTextual()) {
                message = error.textValue();
            } else if (json != null && json.isObject()) {
                // new-api's task errors {"code", "message", "data"}; FastAPI's {"detail": ...} (LiteLLM, vLLM-Omni)
                message = json.has("message") ? text(json.get("message")) : text(json.get("detail"));
                code = text(json.get("code"));
            }
        } catch (IOException e) {
            // not JSON (an HTML error page from a proxy, say): described below
        }
        if (message != null) {
            message = withoutTraceback(message);
        }
        if (message == null || message.isBlank()) {
            String contentType = answer.header("Content-Type").orElse("no content type");
            message = "The video API answered HTTP " + answer.status()
                    + " with a body that is not an OpenAI-format error (" + contentType + ").";
        }
        return new Described(Optional.ofNullable(code).filter(c -> !c.isBlank()), message);
    }

    /**
     * LiteLLM's 500s carry the proxy's Python traceback after its words ("...\nTraceback (most recent call
     * last): ..."): the words are the host's message, the traceback no record's business.
     */
    private static String withoutTraceback(String message) {
        int at = message.indexOf("Traceback (most recent call last)");
        return at < 0 ? message : message.substring(0, at).strip();
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.isTextual() ? node.textValue() : node.toString();
    }

    /** {@code retry-after-ms} (OpenAI's) wins over {@code Retry-After}, which is seconds or an HTTP date. */
    Optional<Duration> retryAfter(ApiAnswer answer) {
        Optional<String> ms = answer.header("retry-after-ms");
        if (ms.isPresent()) {
            try {
                double value = Double.parseDouble(ms.get().trim());
                if (value >= 0 && Double.isFinite(value)) {
                    return Optional.of(Duration.ofMillis((long) Math.ceil(value)));
                }
            } catch (NumberFormatException e) {
                // fall back to Retry-After
            }
        }
        Optional<String> header = answer.header("Retry-After");
        if (header.isEmpty()) {
            return Optional.empty();
        }
        String value = header.get().trim();
        if (value.matches("[0-9]{1,9}")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(value)));
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration wait = Duration.between(clock.instant(), at);
            return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
