package io.s3imagetovideo.record;

/** A conditional write lost: another invocation changed the record since it was read. */
public final class RecordConflictException extends RuntimeException {
    public RecordConflictException(String key, int httpStatus) {
        super("the record " + key + " changed since it was read (HTTP " + httpStatus + ")");
    }
}
