package io.s3imagetovideo.api;

import io.s3imagetovideo.config.ConfigException;
import io.s3imagetovideo.config.Secret;
import io.s3imagetovideo.log.Log;
import io.s3imagetovideo.log.Metrics;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.core.exception.SdkException;

/**
 * One attempt at a request to the video host over {@code java.net.http}: the deadline turned into a
 * timeout, the key on requests to the base URL (and on no other), one more exchange with the key read
 * again after a 401, and every answer scrubbed of the key before anyone reads it. Whether to try again
 * is {@link Retrying}'s decision, what an answer means is the resource's.
 */
public final class ApiTransport {

    /** An attempt that cannot get at least this long before the deadline is not started. */
    public static final Duration MIN_ATTEMPT_TIME = Duration.ofSeconds(1);
    /** How much of an error's streamed body is read to describe it; the rest is not wanted. */
    static final int MAX_ERROR_BODY_BYTES = 64 * 1024;
    private static final String USER_AGENT = "s3-image-to-video/0.1";

    private final HttpClient http;
    private final URI baseUrl;
    private final ApiKeySource keys;
    private final Duration requestTimeout;
    private final Duration safetyMargin;
    private final Clock clock;

    public ApiTransport(HttpClient http, URI baseUrl, ApiKeySource keys, Duration requestTimeout,
            Duration safetyMargin, Clock clock) {
        this.http = http;
        this.baseUrl = baseUrl;
        this.keys = keys;
        this.requestTimeout = requestTimeout;
        this.safetyMargin = safetyMargin;
        this.clock = clock;
    }

    /** A {@code java.net.http} client as the API needs it: no redirects, so the key never travels on. */
    public static HttpClient newHttpClient(Duration connectTimeout) {
        return builder(connectTimeout).build();
    }

    /** The same client with its own TLS context (the SnapStart rehearsal's, which trusts its loopback server). */
    public static HttpClient newHttpClient(Duration connectTimeout, javax.net.ssl.SSLContext tls) {
        return builder(connectTimeout).sslContext(tls).build();
    }

    private static HttpClient.Builder builder(Duration connectTimeout) {
        return HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                // HTTP/1.1: an h2c upgrade attempt with a large multipart body gains nothing and trips some servers.
                .version(HttpClient.Version.HTTP_1_1);
    }

    /** {@code {base}{path}}, the base possibly carrying a path of its own. */
    public URI endpoint(String path) {
        String base = baseUrl.toString();
        return URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path);
    }

    /** What one attempt came to. {@code exchanges}: HTTP requests sent, 2 when the key was read again. */
    public sealed interface Attempt<B> {
        int exchanges();

        /** An answer arrived; {@code key} is the one the request carried (null for none), for scrubbing. */
        record Answered<B>(HttpResponse<B> response, Secret key, int exchanges) implements Attempt<B> {}

        record NoAnswer<B>(ApiError.Unreachable error, int exchanges) implements Attempt<B> {}
    }

    public <B> Attempt<B> send(ApiRequest request, HttpResponse.BodyHandler<B> handler, Instant deadline) {
        Duration timeout = timeoutBefore(deadline);
        if (timeout == null) {
            return noTimeLeft(0);
        }
        boolean withKey = request.authenticated() && sameOrigin(request.uri());
        int exchanges = 0;
        try {
            Secret key = withKey ? keys.current() : null;
            exchanges++;
            HttpResponse<B> response = exchange(request, handler, timeout, key);
            if (response.statusCode() == 401 && key != null) {
                // A rotated key: read it again once and ask straight away, in the time that is left now.
                discard(response);
                key = keys.refresh();
                timeout = timeoutBefore(deadline);
                if (timeout == null) {
                    return noTimeLeft(exchanges);
                }
                exchanges++;
                response = exchange(request, handler, timeout, key);
            }
            return new Attempt.Answered<>(response, key, exchanges);
        } catch (HttpTimeoutException e) {
            return new Attempt.NoAnswer<>(new ApiError.Unreachable("timeout",
                    "The video API did not answer within " + timeout.toMillis() + " ms."), exchanges);
        } catch (IOException e) {
            return new Attempt.NoAnswer<>(new ApiError.Unreachable("connection_error", "Could not reach "
                    + request.uri().getHost() + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : " (" + e.getMessage() + ")") + "."), exchanges);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Attempt.NoAnswer<>(new ApiError.Unreachable("interrupted",
                    "Interrupted while calling the video API."), exchanges);
        } catch (ConfigException | SdkException e) {
            // The key could not be had (an empty or misshapen secret, no access to it): nothing reached the
            // host, and the caller records why. The SDK's own message is left out, the error code named.
            String why = e instanceof ConfigException ? e.getMessage()
                    : "Could not read the secret named by VIDEO_API_KEY_SECRET_ARN: " + (e instanceof AwsServiceException aws
                            && aws.awsErrorDetails() != null ? aws.awsErrorDetails().errorCode() : e.getClass().getSimpleName())
                            + ".";
            return new Attempt.NoAnswer<>(new ApiError.Unreachable("api_key_unavailable", why), exchanges);
        }
    }

    /** The time one exchange may take, ending before the safety margin; null when too little is left. */
    private Duration timeoutBefore(Instant deadline) {
        Duration left = Duration.between(clock.instant(), deadline).minus(safetyMargin);
        if (left.compareTo(MIN_ATTEMPT_TIME) < 0) {
            return null;
        }
        return left.compareTo(requestTimeout) < 0 ? left : requestTimeout;
    }

    private static <B> Attempt<B> noTimeLeft(int exchanges) {
        return new Attempt.NoAnswer<>(new ApiError.Unreachable("deadline",
                "No time was left in this invocation to call the video API."), exchanges);
    }

    /** The answer of a request whose whole body was read, scrubbed of its key. */
    public ApiAnswer read(Attempt.Answered<byte[]> answered) {
        HttpResponse<byte[]> r = answered.response();
        return new ApiAnswer(r.statusCode(), r.headers(), KeyRedaction.redact(r.body(), answered.key()), r.uri());
    }

    /** The answer of a streamed request that is not wanted as a stream: its first 64 KiB, scrubbed; closed. */
    public ApiAnswer readHead(Attempt.Answered<InputStream> answered) {
        HttpResponse<InputStream> r = answered.response();
        byte[] head;
        try (InputStream body = r.body()) {
            head = body.readNBytes(MAX_ERROR_BODY_BYTES);
        } catch (IOException e) {
            head = new byte[0];
        }
        return new ApiAnswer(r.statusCode(), r.headers(), KeyRedaction.redact(head, answered.key()), r.uri());
    }

    private <B> HttpResponse<B> exchange(ApiRequest request, HttpResponse.BodyHandler<B> handler, Duration timeout,
            Secret key) throws IOException, InterruptedException {
        HttpRequest.Builder builder = HttpRequest.newBuilder(request.uri())
                .method(request.method(), request.body().get())
                .timeout(timeout)
                .header("User-Agent", USER_AGENT);
        request.headers().forEach(builder::header);
        if (key != null) {
            builder.header("Authorization", "Bearer " + key.value());
        }
        long started = System.nanoTime();
        HttpResponse<B> response = http.send(builder.build(), handler);
        long latencyMs = (System.nanoTime() - started) / 1_000_000;
        Log.info("api_response", "operation", request.operation(), "host", request.uri().getHost(),
                "http_status", response.statusCode(), "latency_ms", latencyMs);
        Metrics.milliseconds(Metrics.Metric.API_LATENCY, latencyMs);
        return response;
    }

    /** The key goes to the base URL's scheme, host and port, and nowhere else. */
    private boolean sameOrigin(URI uri) {
        return Objects.equals(lower(uri.getScheme()), lower(baseUrl.getScheme()))
                && Objects.equals(lower(uri.getHost()), lower(baseUrl.getHost()))
                && port(uri) == port(baseUrl);
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(java.util.Locale.ROOT);
    }

    private static int port(URI uri) {
        return uri.getPort() != -1 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static void discard(HttpResponse<?> response) {
        if (response.body() instanceof InputStream in) {
            try (in) {
                in.readNBytes(MAX_ERROR_BODY_BYTES);
            } catch (IOException e) {
                // nothing to keep from an answer that is being replaced
            }
        }
    }
}
