package io.s3imagetovideo.api;

import java.time.Duration;
import java.util.Optional;

/**
 * The API said no, or could not be reached. Carries the HTTP status (0 when there was no answer)
 * and the API's own error code and message; never the request, its headers or the key.
 */
public final class VideoApiException extends RuntimeException {

    private final int httpStatus;
    private final String code;
    private final String type;
    private final String apiMessage;
    private final boolean retryable;
    private final Duration retryAfter;

    VideoApiException(int httpStatus, String code, String type, String apiMessage, boolean retryable,
            Duration retryAfter, Throwable cause) {
        super(describe(httpStatus, code, apiMessage), cause);
        this.httpStatus = httpStatus;
        this.code = code;
        this.type = type;
        this.apiMessage = apiMessage;
        this.retryable = retryable;
        this.retryAfter = retryAfter;
    }

    /** A transport failure: connection refused or reset, timeout. Always worth another attempt. */
    static VideoApiException transport(String code, String message, Throwable cause) {
        return new VideoApiException(0, code, null, message, true, null, cause);
    }

    /** 0 when no HTTP answer arrived. */
    public int httpStatus() {
        return httpStatus;
    }

    /** The API's error code, or one of ours ({@code timeout}, {@code connection_error}, {@code http_502}...). */
    public String code() {
        return code;
    }

    public Optional<String> type() {
        return Optional.ofNullable(type);
    }

    /** The API's own words, for the record. */
    public String apiMessage() {
        return apiMessage;
    }

    /** Connection errors, timeouts, 408, 409, 429 and 5xx: the same request may succeed later. */
    public boolean isRetryable() {
        return retryable;
    }

    /** What the API asked us to wait ({@code Retry-After} or {@code retry-after-ms}), if anything. */
    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    private static String describe(int status, String code, String message) {
        return (status == 0 ? "video API unreachable" : "video API answered HTTP " + status)
                + " (" + code + "): " + message;
    }
}
