package io.s3imagetovideo.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.mizosoft.methanol.MediaType;
import com.github.mizosoft.methanol.MultipartBodyPublisher;
import io.s3imagetovideo.config.Secret;
import io.s3imagetovideo.log.Log;
import io.s3imagetovideo.log.Metrics;
import io.s3imagetovideo.sidecar.VideoRequest;
import java.io.ByteArrayOutputStream;
import java.io.ByteArrayInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
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
                .formPart("input_reference", image.fileName(), imageBody(image.bytes()),
                        MediaType.parse(image.contentType()))
                .build();
    }

    /**
     * The image read through in small chunks, with its length known. {@code BodyPublishers.ofByteArray}
     * copies the whole array into its own buffers on every attempt: a second image in memory.
     */
    private static HttpRequest.BodyPublisher imageBody(byte[] bytes) {
        return HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)), bytes.length);
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
            Secret key = keys.current();
            try {
                HttpRequest httpRequest = factory.create()
                        .timeout(timeout)
                        .header("Authorization", "Bearer " + key.value())
                        .header("User-Agent", USER_AGENT)
                        .header("Accept", "application/json")
                        .build();
                HttpResponse<byte[]> answer = http.send(httpRequest, HttpResponse.BodyHandlers.ofByteArray());
                HttpResponse<byte[]> response = new ReadResponse(answer, redact(answer.body(), key));
                long latencyMs = (System.nanoTime() - started) / 1_000_000;
                int status = response.statusCode();
                Log.info("api_response", "operation", operation, "attempt", attempt, "http_status", status,
                        "latency_ms", latencyMs);
                Metrics.milliseconds(Metrics.API_LATENCY, latencyMs);
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
            Metrics.count(Metrics.API_RETRIES);
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

    // --- the poll function: the job's state and its video -----------------------------------------

    /** The longest redirect chain followed for a {@code video_url}; a CDN needs one or two hops. */
    public static final int MAX_VIDEO_REDIRECTS = 5;
    /** How much of a failed download's body is read to describe the failure; the rest is not wanted. */
    private static final int MAX_ERROR_BODY_BYTES = 64 * 1024;

    /**
     * The job as {@code GET {base}/v1/videos/{id}} describes it now. Uses the retry loop of
     * {@link #createVideo}; a caller that wants the queue to retry instead passes a near deadline.
     *
     * @throws VideoApiException a refusal (404 for an unknown job, say), or a transient failure that
     *     outlasted the attempts or the time before {@code deadline}
     */
    public ObjectNode getVideo(String jobId, Instant deadline) {
        URI uri = endpoint("/v1/videos/" + pathSegment(jobId));
        Exchange exchange = send(() -> HttpRequest.newBuilder(uri).GET(), deadline, "get_video");
        HttpResponse<byte[]> response = exchange.response();
        try {
            JsonNode json = mapper.readTree(response.body());
            if (json instanceof ObjectNode job && job.path("status").isTextual()) {
                return job;
            }
        } catch (IOException e) {
            // reported below
        }
        // A proxy's hiccup more likely than a broken API: worth another look later.
        throw new VideoApiException(response.statusCode(), "invalid_response", null, "The video API answered HTTP "
                + response.statusCode() + " without a JSON job object holding a 'status'.", true, null, null);
    }

    /**
     * An open download of the video: a live stream, never the whole video in memory. Whoever gets one
     * reads {@code body} and closes it. {@code host} is for logs: the URL itself may carry a signature.
     */
    public record VideoDownload(InputStream body, OptionalLong contentLength, Optional<String> contentType,
            String host) implements Closeable {

        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /**
     * Opens {@code GET {base}/v1/videos/{id}/content} (OpenAI's way) with the bearer key. One attempt
     * (plus one after a 401, with the key read again): a failed download is retried by the queue. A
     * redirect is followed as {@link #downloadVideoUrl} follows one: without the key.
     *
     * @throws VideoApiException when no 2xx answer arrived
     */
    public VideoDownload downloadContent(String jobId, Instant deadline) {
        URI uri = endpoint("/v1/videos/" + pathSegment(jobId) + "/content");
        boolean keyRefreshed = false;
        while (true) {
            Secret key = keys.current();
            HttpResponse<InputStream> response = open(HttpRequest.newBuilder(uri)
                    .header("Authorization", "Bearer " + key.value()), deadline, "download_content");
            if (response.statusCode() == 401 && !keyRefreshed) {
                discard(response);
                keyRefreshed = true;
                keys.refresh();
                continue;
            }
            Optional<String> location = response.headers().firstValue("Location");
            if (isRedirect(response.statusCode()) && location.isPresent()) {
                // A provider may hand the file to its storage: followed like a video_url, without the key,
                // which must not reach another host (the client itself follows no redirects).
                discard(response);
                URI target;
                try {
                    target = uri.resolve(location.get().trim());
                } catch (IllegalArgumentException e) {
                    throw new VideoApiException(response.statusCode(), "invalid_video_url", null,
                            "A redirect from the video's /content has a malformed Location.", false, null, null);
                }
                return downloadVideoUrl(target, deadline);
            }
            return accept(response, key);
        }
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    /**
     * Opens a job's {@code video_url} (the reseller's way). It may be on another host, so it never gets
     * the bearer key, and the client follows no redirects so that the key could never travel on: the
     * redirects of this key-less request are followed here, at most {@link #MAX_VIDEO_REDIRECTS}.
     *
     * @throws VideoApiException when no 2xx answer arrived, or the URL or a redirect is not http(s)
     */
    public VideoDownload downloadVideoUrl(URI videoUrl, Instant deadline) {
        URI current = videoUrl;
        for (int redirects = 0; ; redirects++) {
            if (current.getScheme() == null || !(current.getScheme().equalsIgnoreCase("https")
                    || current.getScheme().equalsIgnoreCase("http")) || current.getHost() == null) {
                throw new VideoApiException(0, "invalid_video_url", null,
                        "The job's video_url (or a redirect from it) is not an http(s) URL.", false, null, null);
            }
            HttpResponse<InputStream> response = open(HttpRequest.newBuilder(current), deadline, "download_video_url");
            int status = response.statusCode();
            if (!isRedirect(status)) {
                return accept(response, null);
            }
            Optional<String> location = response.headers().firstValue("Location");
            discard(response);
            if (location.isEmpty() || redirects == MAX_VIDEO_REDIRECTS) {
                throw VideoApiException.transport("too_many_redirects", "The video URL redirected "
                        + (location.isEmpty() ? "without a Location" : "more than " + MAX_VIDEO_REDIRECTS + " times")
                        + " (host " + current.getHost() + ").", null);
            }
            try {
                current = current.resolve(location.get().trim());
            } catch (IllegalArgumentException e) {
                throw new VideoApiException(status, "invalid_video_url", null,
                        "A redirect from the video URL has a malformed Location.", false, null, null);
            }
        }
    }

    /** Sends one GET whose body is streamed; the request timeout covers the wait for the headers. */
    private HttpResponse<InputStream> open(HttpRequest.Builder builder, Instant deadline, String operation) {
        Duration left = Duration.between(clock.instant(), deadline).minus(retryPolicy.safetyMargin());
        if (left.compareTo(MIN_ATTEMPT_TIME) < 0) {
            throw VideoApiException.transport("deadline", "No time was left in this invocation to download the video.",
                    null);
        }
        Duration timeout = left.compareTo(requestTimeout) < 0 ? left : requestTimeout;
        HttpRequest request = builder.GET().timeout(timeout).header("User-Agent", USER_AGENT).build();
        long started = System.nanoTime();
        try {
            HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            long latencyMs = (System.nanoTime() - started) / 1_000_000;
            Log.info("api_response", "operation", operation, "host", request.uri().getHost(),
                    "http_status", response.statusCode(), "latency_ms", latencyMs);
            Metrics.milliseconds(Metrics.API_LATENCY, latencyMs);
            return response;
        } catch (HttpTimeoutException e) {
            throw VideoApiException.transport("timeout",
                    "The video download did not start within " + timeout.toMillis() + " ms.", null);
        } catch (IOException e) {
            throw VideoApiException.transport("connection_error", "Could not download the video from "
                    + request.uri().getHost() + ": " + e.getClass().getSimpleName() + ".", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw VideoApiException.transport("interrupted", "Interrupted while opening the video download.", e);
        }
    }

    /** {@code key}: the one the request carried, to be kept out of an error's description; null for none. */
    private VideoDownload accept(HttpResponse<InputStream> response, Secret key) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            OptionalLong length = response.headers().firstValueAsLong("Content-Length");
            return new VideoDownload(response.body(), length, response.headers().firstValue("Content-Type"),
                    response.uri().getHost());
        }
        byte[] head;
        try (InputStream body = response.body()) {
            head = body.readNBytes(MAX_ERROR_BODY_BYTES);
        } catch (IOException e) {
            head = new byte[0];
        }
        throw errorFrom(new ReadResponse(response, key == null ? head : redact(head, key)));
    }

    private static void discard(HttpResponse<InputStream> response) {
        try (InputStream body = response.body()) {
            body.readNBytes(MAX_ERROR_BODY_BYTES);
        } catch (IOException e) {
            // nothing to keep from a redirect's body
        }
    }

    /** A job id as one path segment: everything but RFC 3986's unreserved characters is escaped. */
    static String pathSegment(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '-' || c == '.' || c == '_' || c == '~') {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    /** The replacement for an echo of the key in an answer. */
    static final String REDACTED = "[redacted]";

    /**
     * {@code body} with every occurrence of the key replaced by {@link #REDACTED}. Some providers quote
     * the key they refused in their error message ("Incorrect API key provided: sk-..."); the message
     * goes into the record and the logs, the key must not.
     */
    static byte[] redact(byte[] body, Secret key) {
        byte[] needle = key.value().getBytes(StandardCharsets.UTF_8);
        if (body == null || needle.length == 0 || body.length < needle.length) {
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

    /** An answer whose body has been read (the start of it, for a streamed error), possibly redacted. */
    private record ReadResponse(HttpResponse<?> streamed, byte[] body) implements HttpResponse<byte[]> {
        @Override
        public int statusCode() {
            return streamed.statusCode();
        }

        @Override
        public HttpRequest request() {
            return streamed.request();
        }

        @Override
        public Optional<HttpResponse<byte[]>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public java.net.http.HttpHeaders headers() {
            return streamed.headers();
        }

        @Override
        public Optional<javax.net.ssl.SSLSession> sslSession() {
            return streamed.sslSession();
        }

        @Override
        public URI uri() {
            return streamed.uri();
        }

        @Override
        public HttpClient.Version version() {
            return streamed.version();
        }
    }
}
