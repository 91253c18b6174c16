package io.s3imagetovideo.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import io.s3imagetovideo.storage.ConditionalObjects;
import io.s3imagetovideo.storage.Write;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import software.amazon.awssdk.services.s3.S3Client;

/** Job records as S3 objects ({@code application/json}), moved on with conditional writes. */
public final class S3RecordStore implements RecordStore {

    private final ObjectMapper mapper;
    private final ObjectWriter writer;
    private final RecordJson json;
    private final ConditionalObjects objects;

    public S3RecordStore(S3Client s3, ObjectMapper mapper) {
        this.mapper = mapper;
        this.writer = mapper.writerWithDefaultPrettyPrinter();
        this.json = new RecordJson(mapper);
        this.objects = new ConditionalObjects(s3, "application/json", (a, b) -> parse(a).equals(parse(b)));
    }

    @Override
    public Optional<StoredRecord> read(String bucket, String key) {
        return objects.read(bucket, key)
                .map(stored -> new StoredRecord(json.read(parse(stored.bytes()), bucket), stored.etag()));
    }

    @Override
    public Write write(String bucket, String key, JobRecord record, Optional<String> expectedEtag) {
        byte[] body;
        try {
            body = writer.writeValueAsBytes(json.write(record));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return objects.write(bucket, key, body, expectedEtag);
    }

    private JsonNode parse(byte[] bytes) {
        try {
            return mapper.readTree(bytes);
        } catch (IOException e) {
            // a record someone overwrote with something else: it still counts as present, with nothing in it
            return mapper.createObjectNode();
        }
    }
}
