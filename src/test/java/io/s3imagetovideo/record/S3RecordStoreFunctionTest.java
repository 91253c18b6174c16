package io.s3imagetovideo.record;

import io.s3imagetovideo.storage.Write;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.s3imagetovideo.support.S3ProxyBackend;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3Configuration;

/**
 * S3 may answer a PUT before it has read the body, then close the connection: a failed
 * {@code If-None-Match} can be decided from the headers. The URL-connection client, still writing the
 * body, then reports "Error writing request body to server" instead of the 412, and a write whose
 * 200 arrived while the client was still writing looks exactly like one that failed. S3Proxy as it
 * comes does both (it answers a failed condition after the headers, and an {@code aws-chunked}
 * upload before its checksum trailer), so these run against it: whatever the client sees, a lost race
 * must come out as a lost race and a write that happened as a write that happened.
 */
class S3RecordStoreFunctionTest {

    @RegisterExtension
    static final S3ProxyBackend S3 = S3ProxyBackend.answeringEarly();

    private final ObjectMapper mapper = new ObjectMapper();
    private final String bucket = "early-" + UUID.randomUUID().toString().substring(0, 8);
    private S3Client s3;

    @BeforeEach
    void createBucket() {
        s3 = S3.newClient();
        s3.createBucket(b -> b.bucket(bucket));
    }

    @AfterEach
    void close() {
        s3.close();
    }

    @Test
    void aCreateThatLosesTheRaceIsALostRaceEveryTime() {
        S3RecordStore store = new S3RecordStore(s3, mapper);
        for (int i = 0; i < 100; i++) {
            String key = "race/" + i + ".video.json";
            store.write(bucket, key, record("winner", 0), Optional.empty());

            assertThat(store.write(bucket, key, record("loser", 0), Optional.empty()))
                    .as("write %d", i).isInstanceOf(Write.LostRace.class);
            assertThat(tokenAt(store, key)).isEqualTo("winner");
        }
    }

    @Test
    void aMoveFromAStaleEtagIsALostRaceEveryTime() {
        S3RecordStore store = new S3RecordStore(s3, mapper);
        for (int i = 0; i < 100; i++) {
            String key = "stale/" + i + ".video.json";
            String first = etagOf(store.write(bucket, key, record("first", 0), Optional.empty()));
            store.write(bucket, key, record("second", 0), Optional.of(first));

            assertThat(store.write(bucket, key, record("third", 0), Optional.of(first)))
                    .as("write %d", i).isInstanceOf(Write.LostRace.class);
            assertThat(tokenAt(store, key)).isEqualTo("second");
        }
    }

    /**
     * A body larger than the SDK's 1 MiB threshold for {@code Expect: 100-continue}: with it the 412
     * comes in place of "100 Continue" and no body is sent; without it the 412 comes while 16 MiB are
     * still to be written. Both are a lost race.
     */
    @ParameterizedTest(name = "expect 100-continue: {0}")
    @ValueSource(booleans = {true, false})
    void aLostRaceWithABodyTooLargeToSendBeforeTheAnswerIsALostRace(boolean expectContinue) {
        try (S3Client client = S3.clientBuilder()
                .serviceConfiguration(S3Configuration.builder().expectContinueEnabled(expectContinue).build())
                .build()) {
            S3RecordStore store = new S3RecordStore(client, mapper);
            String key = "large/" + expectContinue + ".video.json";
            store.write(bucket, key, record("winner", 0), Optional.empty());

            assertThat(store.write(bucket, key, record("loser", 16 * 1024 * 1024), Optional.empty()))
                    .isInstanceOf(Write.LostRace.class);
            assertThat(tokenAt(store, key)).isEqualTo("winner");
        }
    }

    /**
     * Without the SDK's retries every answer that S3Proxy sends before the client has finished writing
     * is one the client never reads: the write happened, and reading the record back shows it.
     */
    @Test
    void aWriteWhoseAnswerWasCutOffIsConfirmedByReadingItBack() {
        try (S3Client client = S3.clientBuilder()
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry())).build()) {
            S3RecordStore store = new S3RecordStore(client, mapper);
            for (int i = 0; i < 300; i++) {
                String key = "fresh/" + i + ".video.json";
                String token = "writer-" + i;

                String etag = etagOf(store.write(bucket, key, record(token, 0), Optional.empty()));

                StoredRecord stored = store.read(bucket, key).orElseThrow();
                assertThat(stored.etag()).as("write %d", i).isEqualTo(etag);
                assertThat(stored.record().claim().orElseThrow().token()).isEqualTo(token);
            }
        }
    }

    /** A claim whose token tells the writers apart; it carries a saved video's long byte count too. */
    private JobRecord record(String claimToken, int padding) {
        ObjectNode job = mapper.createObjectNode();
        if (padding > 0) {
            job.put("padding", "x".repeat(padding));
        }
        Instant now = Instant.parse("2026-11-24T10:00:00Z");
        // A long, as the poll function writes output.bytes; read back, the same number is an int.
        return new JobRecord(Status.SUBMITTING, Optional.empty(), job, Optional.empty(),
                Optional.of(new Claim(now.plusSeconds(900), claimToken, false)), Optional.empty(),
                Source.pair(bucket, "in/scene.png", "i1", "in/scene.prompt.json", "p1"), Optional.empty(),
                Optional.empty(), Optional.empty(), Optional.of(new Output("in/scene.mp4", 123L, "video/mp4")),
                Optional.empty(), Optional.empty(), Optional.empty(), now);
    }

    private String tokenAt(S3RecordStore store, String key) {
        return store.read(bucket, key).orElseThrow().record().claim().orElseThrow().token();
    }

    private static String etagOf(Write write) {
        assertThat(write).isInstanceOf(Write.Written.class);
        return ((Write.Written) write).etag();
    }
}
