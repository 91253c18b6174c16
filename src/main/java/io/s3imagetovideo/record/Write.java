package io.s3imagetovideo.record;

/** What a conditional write of a record came to. */
public sealed interface Write {

    /** Stored; the record's new ETag. */
    record Written(String etag) implements Write {}

    /** Another invocation changed the record since it was read: read it again and decide anew. */
    record LostRace(int httpStatus) implements Write {}
}
