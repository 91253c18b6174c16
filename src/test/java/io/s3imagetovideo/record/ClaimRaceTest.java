package io.s3imagetovideo.record;

import io.s3imagetovideo.storage.Write;
import static io.s3imagetovideo.record.RecordFixtures.BUCKET;
import static io.s3imagetovideo.record.RecordFixtures.GRACE;
import static io.s3imagetovideo.record.RecordFixtures.KEY;
import static io.s3imagetovideo.record.RecordFixtures.T0;
import static io.s3imagetovideo.record.RecordFixtures.createdJob;
import static io.s3imagetovideo.record.RecordFixtures.request;
import static io.s3imagetovideo.record.RecordFixtures.source;
import static org.assertj.core.api.Assertions.assertThat;

import io.s3imagetovideo.support.InMemoryRecordStore;
import io.s3imagetovideo.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The submit function's claim, over records alone: whoever writes the claim on the version it read
 * may call the host; everyone else reads again and, finding a claim that is not free, stands down.
 * This is what keeps a twice-delivered upload from becoming two paid jobs.
 */
class ClaimRaceTest {

    private static final Duration INVOCATION_TIME = Duration.ofMinutes(15);

    private final InMemoryRecordStore store = new InMemoryRecordStore();
    private final MutableClock clock = new MutableClock(T0);

    @Test
    void ofTwoInvocationsThatReadTheSameWaitingRecordOneClaimsAndTheOtherStandsDown() {
        // Given the image's record, waiting for the prompt, then the prompt delivered to two instances
        store.write(BUCKET, KEY, Transitions.waiting(source(), "prompt", Optional.empty(), T0), Optional.empty());
        Invocation a = new Invocation();
        Invocation b = new Invocation();
        Optional<StoredRecord> readByA = store.read(BUCKET, KEY);
        Optional<StoredRecord> readByB = store.read(BUCKET, KEY);

        // When both claim on what they read
        Attempt first = a.claimOn(readByA);
        Attempt second = b.claimOn(readByB);

        // Then one holds the claim, the other lost the race and, reading again, stands down
        assertThat(first).isInstanceOf(Holds.class);
        assertThat(second).isEqualTo(new Lost(412));
        int writes = store.writes();
        Attempt again = b.claim();
        assertThat(again).isInstanceOf(StoodDown.class);
        assertThat(((StoodDown) again).current().claim()).isEqualTo(((Holds) first).claim().claim());
        assertThat(store.writes()).as("standing down writes nothing").isEqualTo(writes);
    }

    @Test
    void ofTwoFirstDeliveriesWithNoRecordYetOneClaims() {
        Invocation a = new Invocation();
        Invocation b = new Invocation();
        Optional<StoredRecord> readByA = store.read(BUCKET, KEY);
        Optional<StoredRecord> readByB = store.read(BUCKET, KEY);

        assertThat(a.claimOn(readByA)).isInstanceOf(Holds.class);
        assertThat(b.claimOn(readByB)).isEqualTo(new Lost(412));
        assertThat(b.claim()).isInstanceOf(StoodDown.class);
    }

    @Test
    void ofManyInvocationsRacingForOneUploadExactlyOneHoldsTheClaim() throws Exception {
        store.write(BUCKET, KEY, Transitions.waiting(source(), "prompt", Optional.empty(), T0), Optional.empty());
        int racers = 12;
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            CountDownLatch allRead = new CountDownLatch(racers);
            List<Future<List<Attempt>>> futures = new ArrayList<>();
            for (int i = 0; i < racers; i++) {
                Invocation invocation = new Invocation();
                futures.add(pool.submit(() -> {
                    Optional<StoredRecord> read = store.read(BUCKET, KEY);
                    // every racer has read the waiting record before any of them claims
                    allRead.countDown();
                    allRead.await();
                    List<Attempt> attempts = new ArrayList<>(List.of(invocation.claimOn(read)));
                    if (attempts.getFirst() instanceof Lost) {
                        attempts.add(invocation.claim());
                    }
                    return attempts;
                }));
            }
            List<Attempt> first = new ArrayList<>();
            List<Attempt> retries = new ArrayList<>();
            for (Future<List<Attempt>> f : futures) {
                List<Attempt> attempts = f.get(10, TimeUnit.SECONDS);
                first.add(attempts.getFirst());
                retries.addAll(attempts.subList(1, attempts.size()));
            }

            assertThat(first).filteredOn(Holds.class::isInstance).hasSize(1);
            assertThat(first).filteredOn(Lost.class::isInstance).hasSize(racers - 1);
            assertThat(retries).hasSize(racers - 1).allMatch(StoodDown.class::isInstance);
            assertThat(store.read(BUCKET, KEY).orElseThrow().record().claim())
                    .isEqualTo(first.stream().filter(Holds.class::isInstance).map(h -> ((Holds) h).claim().claim())
                            .findFirst().orElseThrow());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void theHolderRecordsTheJobOnItsClaimAndLaterDeliveriesAreDuplicates() {
        Invocation a = new Invocation();
        Holds held = (Holds) a.claim();

        Write recorded = store.write(BUCKET, KEY,
                Transitions.submitted(held.claim(), createdJob(), HostStatus.of("queued"), clock.instant()),
                Optional.of(held.etag()));

        assertThat(recorded).isInstanceOf(Write.Written.class);
        // even long after the claim's deadline: the record follows a job now
        clock.advance(Duration.ofDays(1));
        assertThat(new Invocation().claim()).isInstanceOf(StoodDown.class);
    }

    @Test
    void aReleasedClaimIsTakenOverAtOnce() {
        // Given a holder that handed its claim back after transient failures
        Invocation a = new Invocation();
        Holds held = (Holds) a.claim();
        clock.advance(Duration.ofSeconds(40));
        Write released = store.write(BUCKET, KEY, Transitions.released(held.claim(), "api_unavailable",
                "The video API answered 503.", OptionalInt.of(503), clock.instant()), Optional.of(held.etag()));
        assertThat(released).isInstanceOf(Write.Written.class);

        // When a redelivery comes the same second
        Attempt redelivery = new Invocation().claim();

        // Then it takes the upload over, and the old holder can no longer write on its claim
        assertThat(redelivery).isInstanceOf(Holds.class);
        assertThat(store.write(BUCKET, KEY, Transitions.submitted(held.claim(), createdJob(), HostStatus.of("queued"),
                clock.instant()), Optional.of(held.etag()))).isEqualTo(new Write.LostRace(412));
    }

    @Test
    void aHeldClaimIsTakenOverOnlyOnceItsHolderIsPastItsDeadlineAndTheGrace() {
        Invocation a = new Invocation();
        Holds held = (Holds) a.claim();

        // a redelivery while the holder may still be calling the host stands down
        clock.advance(Duration.ofMinutes(1));
        assertThat(new Invocation().claim()).isInstanceOf(StoodDown.class);
        clock.advance(Duration.between(clock.instant(), a.deadline));
        assertThat(new Invocation().claim()).as("at the deadline").isInstanceOf(StoodDown.class);
        clock.advance(GRACE);
        assertThat(new Invocation().claim()).as("at the end of the grace").isInstanceOf(StoodDown.class);

        // past the grace, the holder is gone: the claim is taken over
        clock.advance(Duration.ofSeconds(1));
        Attempt takeover = new Invocation().claim();
        assertThat(takeover).isInstanceOf(Holds.class);

        // and a holder that was not gone after all loses its write, and must not think the job recorded
        assertThat(store.write(BUCKET, KEY, Transitions.submitted(held.claim(), createdJob(), HostStatus.of("queued"),
                clock.instant()), Optional.of(held.etag()))).isEqualTo(new Write.LostRace(412));
        assertThat(store.read(BUCKET, KEY).orElseThrow().record().claim())
                .isEqualTo(((Holds) takeover).claim().claim());
    }

    @Test
    void aClaimTakenOverIsHeldAgainstTheNextComer() {
        Invocation a = new Invocation();
        a.claim();
        clock.advance(INVOCATION_TIME.plus(GRACE).plusSeconds(1));
        assertThat(new Invocation().claim()).isInstanceOf(Holds.class);

        assertThat(new Invocation().claim()).isInstanceOf(StoodDown.class);
    }

    private sealed interface Attempt {}

    /** Holds the claim: may call the host, and writes what it said on {@code etag}. */
    private record Holds(JobRecord claim, String etag) implements Attempt {}

    /** Found the upload claimed by another, or handled already. */
    private record StoodDown(JobRecord current) implements Attempt {}

    /** Another wrote first: read again and decide anew. */
    private record Lost(int httpStatus) implements Attempt {}

    /** One submit invocation for the complete upload, deciding as SubmitService does. */
    private final class Invocation {
        final Instant deadline = clock.instant().plus(INVOCATION_TIME);

        Attempt claim() {
            return claimOn(store.read(BUCKET, KEY));
        }

        Attempt claimOn(Optional<StoredRecord> read) {
            Instant now = clock.instant();
            if (read.isPresent() && source().sameUploadAs(read.get().record().source())
                    && read.get().record().status() != Status.WAITING
                    && !read.get().record().claimIsFree(now, GRACE)) {
                return new StoodDown(read.get().record());
            }
            JobRecord claim = Transitions.claimed(source(), request(), read.flatMap(s -> s.record().lastJobId()), now,
                    deadline, Optional.empty(), Optional.empty());
            return switch (store.write(BUCKET, KEY, claim, read.map(StoredRecord::etag))) {
                case Write.Written written -> new Holds(claim, written.etag());
                case Write.LostRace lost -> new Lost(lost.httpStatus());
            };
        }
    }
}
