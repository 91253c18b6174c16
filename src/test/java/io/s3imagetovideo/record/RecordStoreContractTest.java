package io.s3imagetovideo.record;

import io.s3imagetovideo.storage.ETags;
import io.s3imagetovideo.storage.Write;
import static io.s3imagetovideo.record.RecordFixtures.BUCKET;
import static io.s3imagetovideo.record.RecordFixtures.DEADLINE;
import static io.s3imagetovideo.record.RecordFixtures.KEY;
import static io.s3imagetovideo.record.RecordFixtures.T0;
import static io.s3imagetovideo.record.RecordFixtures.claimed;
import static io.s3imagetovideo.record.RecordFixtures.request;
import static io.s3imagetovideo.record.RecordFixtures.source;
import static io.s3imagetovideo.record.RecordFixtures.submitted;
import static org.assertj.core.api.Assertions.assertThat;

import io.s3imagetovideo.support.InMemoryRecordStore;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link RecordStore} must do, for the functions to make one job of one upload: create only
 * where none is, replace only the version read, and of racing writers let exactly one win. Runs over
 * {@link InMemoryRecordStore}; S3RecordStore meets S3 itself in the S3Proxy and LocalStack suites.
 */
class RecordStoreContractTest {

    private static final int RACERS = 16;

    private InMemoryRecordStore store;

    @BeforeEach
    void newStore() {
        store = new InMemoryRecordStore();
    }

    @Test
    void aKeyWithNoRecordReadsAsEmpty() {
        assertThat(store.read(BUCKET, KEY)).isEmpty();
        assertThat(store.read(BUCKET, "other/" + KEY)).isEmpty();
    }

    @Test
    void aRecordIsCreatedWhereNoneIs() {
        JobRecord waiting = Transitions.waiting(source(), "prompt", Optional.empty(), T0);

        Write write = store.write(BUCKET, KEY, waiting, Optional.empty());

        assertThat(write).isInstanceOf(Write.Written.class);
        StoredRecord stored = store.read(BUCKET, KEY).orElseThrow();
        assertThat(stored.record()).isEqualTo(waiting);
        assertThat(stored.etag()).isEqualTo(((Write.Written) write).etag());
    }

    @Test
    void aCreateWhereARecordIsLosesAndLeavesItAsItWas() {
        JobRecord first = claimed();
        store.write(BUCKET, KEY, first, Optional.empty());

        Write second = store.write(BUCKET, KEY, claimed(), Optional.empty());

        assertThat(second).isEqualTo(new Write.LostRace(412));
        assertThat(store.read(BUCKET, KEY).orElseThrow().record()).isEqualTo(first);
    }

    @Test
    void aRecordIsReplacedWhenItsEtagIsTheOneRead() {
        String read = written(store.write(BUCKET, KEY, claimed(), Optional.empty()));
        JobRecord next = submitted();

        String replaced = written(store.write(BUCKET, KEY, next, Optional.of(read)));

        assertThat(replaced).isNotEqualTo(read);
        assertThat(store.read(BUCKET, KEY).orElseThrow()).isEqualTo(new StoredRecord(next, replaced));
    }

    @Test
    void aReplaceWithAStaleEtagLosesAndLeavesTheNewerRecord() {
        // Given two invocations that read the same version
        String read = written(store.write(BUCKET, KEY, Transitions.waiting(source(), "prompt", Optional.empty(), T0),
                Optional.empty()));
        JobRecord winner = claimed();
        store.write(BUCKET, KEY, winner, Optional.of(read));

        // When the slower one writes on what it read
        Write late = store.write(BUCKET, KEY, claimed(), Optional.of(read));

        // Then it must read again, and the first one's record stands
        assertThat(late).isEqualTo(new Write.LostRace(412));
        assertThat(store.read(BUCKET, KEY).orElseThrow().record()).isEqualTo(winner);
    }

    @Test
    void aReplaceOfARecordThatWasDeletedLoses() {
        String read = written(store.write(BUCKET, KEY, claimed(), Optional.empty()));
        store.delete(BUCKET, KEY);

        Write write = store.write(BUCKET, KEY, submitted(), Optional.of(read));

        assertThat(write).isEqualTo(new Write.LostRace(404));
        assertThat(store.read(BUCKET, KEY)).isEmpty();
    }

    @Test
    void anEtagInQuotesAsS3HeadersCarryItMatchesToo() {
        String read = written(store.write(BUCKET, KEY, claimed(), Optional.empty()));

        assertThat(store.write(BUCKET, KEY, submitted(), Optional.of(ETags.quote(read))))
                .isInstanceOf(Write.Written.class);
    }

    @Test
    void everyChangeGetsANewEtag() {
        List<String> etags = new ArrayList<>();
        etags.add(written(store.write(BUCKET, KEY, Transitions.waiting(source(), "prompt", Optional.empty(), T0),
                Optional.empty())));
        etags.add(written(store.write(BUCKET, KEY, claimed(), Optional.of(etags.getLast()))));
        etags.add(written(store.write(BUCKET, KEY, submitted(), Optional.of(etags.getLast()))));

        assertThat(etags).doesNotHaveDuplicates();
        assertThat(store.writes()).isEqualTo(3);
    }

    @Test
    void aWriteThatFindsExactlyItsOwnRecordStoredCountsAsWritten() {
        // How S3RecordStore settles a PUT the SDK retried after it had succeeded; the ETag is S3's
        // (the content's), so the same bytes have the same one
        JobRecord claim = claimed();
        String first = written(store.write(BUCKET, KEY, claim, Optional.empty()));

        assertThat(store.write(BUCKET, KEY, claim, Optional.empty())).isEqualTo(new Write.Written(first));
        assertThat(store.write(BUCKET, KEY, claim, Optional.of("stale"))).isEqualTo(new Write.Written(first));
    }

    @Test
    void recordsAtOtherKeysOrBucketsAreOthers() {
        store.write(BUCKET, KEY, claimed(), Optional.empty());

        assertThat(store.write(BUCKET, "in/other.video.json", claimed(), Optional.empty()))
                .isInstanceOf(Write.Written.class);
        assertThat(store.write("another-bucket", KEY, claimed(), Optional.empty()))
                .isInstanceOf(Write.Written.class);
    }

    @Test
    void aDocumentThatIsNotARecordIsReplacedOnItsEtag() {
        // the functions overwrite a foreign document like an empty record, on the ETag they read
        store.putDocument(BUCKET, KEY, "[\"not a record\"]");
        StoredRecord foreign = store.read(BUCKET, KEY).orElseThrow();

        Write write = store.write(BUCKET, KEY, claimed(), Optional.of(foreign.etag()));

        assertThat(write).isInstanceOf(Write.Written.class);
        assertThat(store.read(BUCKET, KEY).orElseThrow().record().status()).isEqualTo(Status.SUBMITTING);
    }

    @Test
    void ofManyRacingToCreateARecordExactlyOneWins() throws Exception {
        List<JobRecord> claims = new ArrayList<>();
        for (int i = 0; i < RACERS; i++) {
            claims.add(Transitions.claimed(source(), request(), Optional.empty(), T0, DEADLINE,
                    Optional.empty(), Optional.empty()));
        }

        List<Write> writes = race(claims, Optional.empty());

        assertExactlyOneWon(writes, claims);
    }

    @Test
    void ofManyRacingToReplaceTheSameVersionExactlyOneWins() throws Exception {
        String read = written(store.write(BUCKET, KEY, Transitions.waiting(source(), "prompt", Optional.empty(), T0),
                Optional.empty()));
        List<JobRecord> claims = new ArrayList<>();
        for (int i = 0; i < RACERS; i++) {
            claims.add(Transitions.claimed(source(), request(), Optional.empty(), T0, DEADLINE,
                    Optional.empty(), Optional.empty()));
        }

        List<Write> writes = race(claims, Optional.of(read));

        assertExactlyOneWon(writes, claims);
    }

    /** Every record written at once, each from its own thread, on the same condition. */
    private List<Write> race(List<JobRecord> records, Optional<String> expectedEtag) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(records.size());
        try {
            CountDownLatch ready = new CountDownLatch(records.size());
            CountDownLatch go = new CountDownLatch(1);
            List<Future<Write>> futures = new ArrayList<>();
            for (JobRecord record : records) {
                futures.add(pool.submit(() -> {
                    ready.countDown();
                    go.await();
                    return store.write(BUCKET, KEY, record, expectedEtag);
                }));
            }
            assertThat(ready.await(10, TimeUnit.SECONDS)).as("all racers started").isTrue();
            go.countDown();
            List<Write> writes = new ArrayList<>();
            for (Future<Write> f : futures) {
                writes.add(f.get(10, TimeUnit.SECONDS));
            }
            return writes;
        } finally {
            pool.shutdownNow();
        }
    }

    private void assertExactlyOneWon(List<Write> writes, List<JobRecord> records) {
        List<Integer> winners = new ArrayList<>();
        for (int i = 0; i < writes.size(); i++) {
            if (writes.get(i) instanceof Write.Written) {
                winners.add(i);
            }
        }
        assertThat(winners).hasSize(1);
        assertThat(writes).filteredOn(w -> !(w instanceof Write.Written)).containsOnly(new Write.LostRace(412));
        StoredRecord stored = store.read(BUCKET, KEY).orElseThrow();
        assertThat(stored.record()).isEqualTo(records.get(winners.getFirst()));
        assertThat(stored.etag()).isEqualTo(written(writes.get(winners.getFirst())));
    }

    private static String written(Write write) {
        assertThat(write).isInstanceOf(Write.Written.class);
        return ((Write.Written) write).etag();
    }
}
