package io.s3imagetovideo.api;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Why a call to the video host has no result, typed once (by {@link ApiErrors}) so that no caller
 * re-reads a status code. Carries the host's own code and words for the record; never the request,
 * its headers or the key.
 */
public sealed interface ApiError {

    /** The host's error code, or one of ours ({@code timeout}, {@code connection_error}, {@code http_502}...). */
    String code();

    /** The host's own words (or ours, when it sent none), for the record and the logs. */
    String message();

    /** The HTTP status of the answer, empty when none arrived. */
    OptionalInt httpStatus();

    /** What the host asked us to wait ({@code Retry-After}, {@code retry-after-ms}), if anything. */
    default Optional<Duration> retryAfter() {
        return Optional.empty();
    }

    /**
     * Whether the same request may succeed later without anything changed: the host is busy, failed
     * this time, or could not be reached. Refusals, a refused key and a 2xx without a job are not.
     */
    default boolean isTransient() {
        return switch (this) {
            case Busy b -> true;
            case Transient t -> true;
            case Unreachable u -> true;
            case Refused r -> false;
            case Unauthorized u -> false;
            case BadAnswer b -> false;
        };
    }

    /** One line for logs and exception messages: never the key, which the answer was scrubbed of. */
    default String describe() {
        return (httpStatus().isPresent() ? "video API answered HTTP " + httpStatus().getAsInt()
                : "video API unreachable") + " (" + code() + "): " + message();
    }

    /** The host said no to this request (400, 404, 422...): asking again gets the same answer. */
    record Refused(int status, String code, String message) implements ApiError {
        @Override
        public OptionalInt httpStatus() {
            return OptionalInt.of(status);
        }
    }

    /** The key was refused (401 or 403), also after it was read again. */
    record Unauthorized(int status, String code, String message) implements ApiError {
        @Override
        public OptionalInt httpStatus() {
            return OptionalInt.of(status);
        }
    }

    /** The host is at its limit (429, 503 with Retry-After, a concurrency-limit error): later, not now. */
    record Busy(int status, String code, String message, Optional<Duration> retryAfter) implements ApiError {
        @Override
        public OptionalInt httpStatus() {
            return OptionalInt.of(status);
        }
    }

    /** The host failed this time (5xx, 408, 409, a proxy's HTML page): the same request may succeed. */
    record Transient(int status, String code, String message, Optional<Duration> retryAfter) implements ApiError {
        @Override
        public OptionalInt httpStatus() {
            return OptionalInt.of(status);
        }
    }

    /** No answer arrived: connection refused or reset, timeout, or no time left to ask. */
    record Unreachable(String code, String message) implements ApiError {
        @Override
        public OptionalInt httpStatus() {
            return OptionalInt.empty();
        }
    }

    /**
     * A 2xx whose body is not what was asked for. After a create the host may have made a job we
     * cannot identify, so the caller must not ask again; after a read, asking later is harmless.
     */
    record BadAnswer(int status, String code, String message) implements ApiError {
        @Override
        public OptionalInt httpStatus() {
            return OptionalInt.of(status);
        }
    }
}
