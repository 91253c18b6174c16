package io.s3imagetovideo.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.mizosoft.methanol.MediaType;
import com.github.mizosoft.methanol.MultipartBodyPublisher;
import io.s3imagetovideo.log.Log;
import io.s3imagetovideo.sidecar.VideoRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * The OpenAI-format video API over {@code java.net.http}: {@code POST {base}/v1/videos} as multipart.
 * Every retry decision lives here: which failures are transient, how long to wait, when to give up.
 */
public final class VideoApiClient {

    /** Time to open a TCP/TLS connection; the API host is either reachable quickly or not at all. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Time for a whole exchange; the upload of a 20 MB image on a slow link fits in it. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(120);
    /** An attempt that cannot get at least this long before the deadline is not started. */
    static final Duration MIN_ATTEMPT_TIME = Duration.ofSeconds(1);

    private static final String USER_AGENT = "s3-image-to-video/0.1";

    private final HttpClient http;
    private final URI baseUrl;
    private final ApiKeySource keys;
    private final ObjectMapper mapper;
    private final RetryPolicy retryPolicy;
    private final Duration requestTimeout;
    private final Clock clock;
    private final Sleeper sleeper;
    private final RandomGenerator random;

    public VideoApiClient(HttpClient http, URI baseUrl, ApiKeySource keys, ObjectMapper mapper,
            RetryPolicy retryPolicy, Duration requestTimeout, Clock clock, Sleeper sleeper, RandomGenerator random) {
        this.http = http;
        this.baseUrl = baseUrl;
        this.keys = keys;
        this.mapper = mapper;
        this.retryPolicy = retryPolicy;
        this.requestTimeout = requestTimeout;
        this.clock = clock;
        this.sleeper = sleeper;
        this.random = random;
    }

    /** A new {@code java.net.http} client as the API needs it: no redirects, so the token never travels on. */
    public static HttpClient newHttpClient(Duration connectTimeout) {
        return HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                // HTTP/1.1: an h2c upgrade attempt with a large multipart body gains nothing and trips some servers.
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** The job the API created, and how many attempts it took. */
    public record CreatedJob(ObjectNode job, int attempts) {}

    /**
     * Creates a video job. Every attempt carries the same {@code Idempotency-Key}, so that a provider
     * that honours it never creates a second job for one upload.
     *
     * @throws VideoApiException a refusal ({@link VideoApiException#isRetryable()} false), or a
     *     transient failure that outlasted the attempts or the time before {@code deadline}
     */
    public CreatedJob createVideo(VideoRequest request, ImageUpload image, String idempotencyKey, Instant deadline) {
        URI endpoint = endpoint("/v1/videos");
        Exchange exchange = send(() -> {
            MultipartBodyPublisher body = multipart(request, image);
            return HttpRequest.newBuilder(endpoint)
                    .header("Content-Type", body.mediaType().toString())
                    .header("Idempotency-Key", idempotencyKey)
                    .POST(body);
        }, deadline, "create_video");
        return new CreatedJob(jobObject(exchange.response()), exchange.attempts());
    }

    static MultipartBodyPublisher multipart(VideoRequest request, ImageUpload image) {
        var builder = MultipartBodyPublisher.newBuilder()
                .textPart("model", request.model())
                .textPart("prompt", request.prompt())
                .textPart("seconds", request.seconds())
                .textPart("size", request.size().value())
                .textPart("watermark", Boolean.toString(request.watermark()))
                .textPart("private", Boolean.toString(request.isPrivate()));
        for (Map.Entry<String, String> field : request.extra().entrySet()) {
            builder.textPart(field.getKey(), field.getValue());
        }
        return builder
                .formPart("input_reference", image.fileName(),
                        HttpRequest.BodyPublishers.ofByteArray(image.bytes()), MediaType.parse(image.contentType()))
                .build();
    }

    private URI endpoint(String path) {
        String base = baseUrl.toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path);
    }

    private record Exchange(HttpResponse<byte[]> response, int attempts) {}

    private interface RequestFactory {
        HttpRequest.Builder create();
    }

    private Exchange send(RequestFactory factory, Instant deadline, String operation) {
        boolean keyRefreshed = false;
        VideoApiException last = null;
        for (int attempt = 1; attempt <= retryPolicy.maxAttempts(); attempt++) {
            Duration left = Duration.between(clock.instant(), deadline).minus(retryPolicy.safetyMargin());
            if (left.compareTo(MIN_ATTEMPT_TIME) < 0) {
                break;
            }
            Duration timeout = left.compareTo(requestTimeout) < 0 ? left : requestTimeout;
            long started = System.nanoTime();
            try {
                HttpRequest httpRequest = factory.create()
                        .timeout(timeout)
                        .header("Authorization", "Bearer " + keys.current().value())
                        .header("User-Agent", USER_AGENT)
                        .header("Accept", "application/json")
                        .build();
                HttpResponse<byte[]> response = http.send(httpRequest, HttpResponse.BodyHandlers.ofByteArray());
                long latencyMs = (System.nanoTime() - started) / 1_000_000;
                int status = response.statusCode();
                Log.info("api_response", "operation", operation, "attempt", attempt, "http_status", status,
                        "latency_ms", latencyMs);
                if (status >= 200 && status < 300) {
                    return new Exchange(response, attempt);
                }
                if (status == 401 && !keyRefreshed) {
                    // A rotated key: read it again once and retry straight away.
                    keyRefreshed = true;
                    keys.refresh();
                    last = errorFrom(response);
                    continue;
                }
                last = errorFrom(response);
            } catch (HttpTimeoutException e) {
                last = VideoApiException.transport("timeout",
                        "The video API did not answer within " + timeout.toMillis() + " ms.", null);
            } catch (IOException e) {
                last = VideoApiException.transport("connection_error",
                        "Could not reach the video API: " + e.getClass().getSimpleName()
                                + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")") + ".", null);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw VideoApiException.transport("interrupted", "Interrupted while calling the video API.", e);
            }
            if (!last.isRetryable()) {
                throw last;
            }
            if (attempt == retryPolicy.maxAttempts()) {
                break;
            }
            int retry = attempt;
            Duration wait = last.retryAfter().orElseGet(() -> retryPolicy.backoff(retry, random));
            Instant nextStart = clock.instant().plus(wait).plus(MIN_ATTEMPT_TIME);
            if (nextStart.isAfter(deadline.minus(retryPolicy.safetyMargin()))) {
                Log.warn("api_retry_abandoned", "operation", operation, "attempt", attempt,
                        "http_status", last.httpStatus(), "code", last.code(), "wait_ms", wait.toMillis(),
                        "reason", "the wait would pass the invocation's deadline");
                break;
            }
            Log.info("api_retry", "operation", operation, "attempt", attempt, "http_status", last.httpStatus(),
                    "code", last.code(), "wait_ms", wait.toMillis());
            try {
                sleeper.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw VideoApiException.transport("interrupted", "Interrupted while waiting to retry.", e);
            }
        }
        if (last == null) {
            last = VideoApiException.transport("deadline",
                    "No time was left in this invocation to call the video API.", null);
        }
        throw last;
    }

    private ObjectNode jobObject(HttpResponse<byte[]> response) {
        try {
            JsonNode json = mapper.readTree(response.body());
            if (json instanceof ObjectNode job && job.path("id").isTextual() && !job.path("id").textValue().isBlank()) {
                return job;
            }
        } catch (IOException e) {
            // reported below
        }
        // The API may have created a job we cannot identify: never retried, so never paid twice.
        throw new VideoApiException(response.statusCode(), "invalid_response",
                null, "The video API answered HTTP " + response.statusCode()
                        + " without a JSON job object holding an 'id'.", false, null, null);
    }

    private VideoApiException errorFrom(HttpResponse<byte[]> response) {
        int status = response.statusCode();
        boolean retryable = status == 408 || status == 409 || status == 429 || status >= 500;
        String code = "http_" + status;
        String type = null;
        String message = null;
        try {
            JsonNode json = mapper.readTree(response.body());
            JsonNode error = json == null ? null : json.get("error");
            if (error != null && error.isObject()) {
                message = text(error.get("message"));
                type = text(error.get("type"));
                code = Optional.ofNullable(text(error.get("code"))).orElse(code);
            } else if (error != null && error.isTextual()) {
                message = error.textValue();
            } else if (json != null && json.get("message") != null) {
                message = text(json.get("message"));
            }
        } catch (IOException e) {
            // not JSON (an HTML error page from a proxy, say): described below
        }
        if (message == null || message.isBlank()) {
            String contentType = response.headers().firstValue("Content-Type").orElse("no content type");
            message = "The video API answered HTTP " + status + " with a body that is not an OpenAI-format error ("
                    + contentType + ").";
        }
        return new VideoApiException(status, code, type, message, retryable, retryAfter(response), null);
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.isTextual() ? node.textValue() : node.toString();
    }

    /** {@code retry-after-ms} (OpenAI's) wins over {@code Retry-After}, which is seconds or an HTTP date. */
    private Duration retryAfter(HttpResponse<?> response) {
        Optional<String> ms = response.headers().firstValue("retry-after-ms");
        if (ms.isPresent()) {
            try {
                double value = Double.parseDouble(ms.get().trim());
                if (value >= 0 && Double.isFinite(value)) {
                    return Duration.ofMillis((long) Math.ceil(value));
                }
            } catch (NumberFormatException e) {
                // fall back to Retry-After
            }
        }
        Optional<String> header = response.headers().firstValue("Retry-After");
        if (header.isEmpty()) {
            return null;
        }
        String value = header.get().trim();
        if (value.matches("[0-9]{1,9}")) {
            return Duration.ofSeconds(Long.parseLong(value));
        }
        try {
            Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            Duration wait = Duration.between(clock.instant(), at);
            return wait.isNegative() ? Duration.ZERO : wait;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
