package io.s3imagetovideo.submit;

/**
 * How the submit function tells Lambda that an upload must come again: the host kept failing
 * transiently (the claim was handed back), or the record kept changing. Failing the invocation makes
 * Lambda deliver the event again later.
 */
public final class SubmitLaterException extends RuntimeException {
    public SubmitLaterException(String reason) {
        super(reason);
    }
}
