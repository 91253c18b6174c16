package io.s3imagetovideo.storage;

/** What a conditional write of an object (a job record, a ledger) came to. */
public sealed interface Write {

    /** Stored; the object's new ETag. */
    record Written(String etag) implements Write {}

    /** Another writer changed the object since it was read: read it again and decide anew. */
    record LostRace(int httpStatus) implements Write {}
}
