package io.s3imagetovideo.record;

import io.s3imagetovideo.storage.Write;
import java.util.Optional;

/**
 * Job records, written only with conditional writes: "create where none is" or "replace the version
 * with this ETag". Of racing writers exactly one wins; the others get {@link Write.LostRace} and must read
 * again. That is what makes one upload one job.
 */
public interface RecordStore {

    Optional<StoredRecord> read(String bucket, String key);

    /** Writes a record where none is ({@code expectedEtag} empty), or replaces the one with {@code expectedEtag}. */
    Write write(String bucket, String key, JobRecord record, Optional<String> expectedEtag);
}
