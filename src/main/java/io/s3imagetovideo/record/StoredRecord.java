package io.s3imagetovideo.record;

/** A job record as read, with the ETag that a conditional write must match to move it on. */
public record StoredRecord(JobRecord record, String etag) {}
