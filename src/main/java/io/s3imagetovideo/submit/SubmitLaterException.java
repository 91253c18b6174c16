package io.s3imagetovideo.submit;

import io.s3imagetovideo.api.VideoApiException;

/**
 * The API kept failing transiently until retries or time ran out. The claim was released; failing
 * the invocation makes Lambda deliver the event again later.
 */
public final class SubmitLaterException extends RuntimeException {
    public SubmitLaterException(String recordKey, VideoApiException cause) {
        super("Could not submit " + recordKey + " yet: " + cause.getMessage(), cause);
    }
}
