package io.s3imagetovideo.local;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The jobs a sandbox host took, and where each one is on the clock: queued for {@code queuedFor}, then
 * running for {@code runningFor}, then done. Time-driven, so a test that owns the clock owns the jobs.
 * Each request reads the clock once (a {@code SteppingClock} moves on with every read).
 */
final class SandboxJobs {

    enum Phase { QUEUED, RUNNING, DONE }

    final Clock clock;
    final Duration queuedFor;
    final Duration runningFor;
    private final Map<String, SandboxJob> byId = new ConcurrentHashMap<>();
    private final Map<String, String> byIdempotencyKey = new ConcurrentHashMap<>();

    SandboxJobs(Clock clock, Duration queuedFor, Duration runningFor) {
        this.clock = clock;
        this.queuedFor = queuedFor;
        this.runningFor = runningFor;
    }

    /**
     * The job of a create request: a new one, or, for an {@code Idempotency-Key} seen before, the one that
     * key created, as a provider that honours the header does. Either way the host answers as at creation.
     */
    SandboxJob create(String idempotencyKey, Supplier<SandboxJob> newJob) {
        if (idempotencyKey == null) {
            return add(newJob.get());
        }
        return byId.get(byIdempotencyKey.computeIfAbsent(idempotencyKey, k -> add(newJob.get()).id));
    }

    private SandboxJob add(SandboxJob job) {
        byId.put(job.id, job);
        return job;
    }

    Optional<SandboxJob> get(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    int size() {
        return byId.size();
    }

    Phase phase(SandboxJob job, Instant now) {
        Duration age = Duration.between(job.createdAt, now);
        if (age.compareTo(queuedFor) < 0) {
            return Phase.QUEUED;
        }
        return age.compareTo(queuedFor.plus(runningFor)) < 0 ? Phase.RUNNING : Phase.DONE;
    }

    /** How far a running job has come, 1 to 99: never 0 (it has started) nor 100 (it is not done). */
    int runningPercent(SandboxJob job, Instant now) {
        long running = Duration.between(startedAt(job), now).toMillis();
        return (int) Math.max(1, Math.min(99, running * 100 / Math.max(1, runningFor.toMillis())));
    }

    Instant startedAt(SandboxJob job) {
        return job.createdAt.plus(queuedFor);
    }

    Instant doneAt(SandboxJob job) {
        return startedAt(job).plus(runningFor);
    }
}
