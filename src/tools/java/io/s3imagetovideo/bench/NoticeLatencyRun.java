package io.s3imagetovideo.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.s3imagetovideo.poll.PollSchedule;
import io.s3imagetovideo.record.HostStatus;
import io.s3imagetovideo.record.JobRecord;
import io.s3imagetovideo.record.RecordJson;
import io.s3imagetovideo.record.Transitions;
import java.io.PrintStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.DoubleUnaryOperator;

/**
 * How late the poll function notices a finished job: {@code ./mvnw -B -q -Pnotice test-compile exec:java}.
 * The notice delay is the time from the host finishing a job to the status check that sees it; the
 * target is {@code max(15 s, 10% of the generation time)}. A deterministic simulation, in simulated
 * time (a few seconds to run): for each progress curve and generation time, {@value #SPREAD} jobs whose
 * generation times spread from 0.9x to 1.1x the nominal one are followed from their submission, with
 * the default settings, by the schedule the poll function runs ({@link PollSchedule}, through the
 * record as it is written and read back, as {@code PollService} does) and by the doubling schedule it
 * replaced ({@link Doubling}). The SQS delivery latency of each check is taken as 0: a real check comes
 * that much later than scheduled, and both schedules alike. Exits non-zero when the schedule misses the
 * target or reads a job more often than {@link PollSchedule#readBound(Duration)}.
 */
public final class NoticeLatencyRun {

    static final int INITIAL_DELAY_SECONDS = 15;
    static final int MIN_DELAY_SECONDS = 5;
    static final int MAX_DELAY_SECONDS = 900;
    static final Duration MAX_AGE = Duration.ofSeconds(7200);
    static final int SPREAD = 41;
    static final Instant SUBMITTED = Instant.parse("2026-12-01T08:00:00Z");
    static final List<Duration> GENERATION_TIMES = List.of(Duration.ofSeconds(30), Duration.ofSeconds(45),
            Duration.ofMinutes(1), Duration.ofSeconds(90), Duration.ofMinutes(2), Duration.ofMinutes(3),
            Duration.ofMinutes(4), Duration.ofMinutes(6), Duration.ofMinutes(8), Duration.ofMinutes(10),
            Duration.ofMinutes(15), Duration.ofMinutes(20), Duration.ofMinutes(30));

    /**
     * A host's {@code progress} over the job's run, by the share {@code x} of it done (0 to 1), sent as a
     * whole number; {@link #NO_PROGRESS} leaves the field out altogether in every other pair of its jobs.
     */
    enum Curve {
        LINEAR("linear", x -> 100 * x),
        STALLED_THEN_FAST("stalled, then fast", x -> x < 0.1 ? 100 * x : x < 0.7 ? 10 : 10 + 300 * (x - 0.7)),
        STUCK_AT_99("fast, then stuck at 99", x -> Math.min(99, 198 * x)),
        NO_PROGRESS("none (0, or absent)", x -> 0),
        BIG_STEPS("steps of 25", x -> 25 * Math.floor(4 * x));

        final String label;
        final DoubleUnaryOperator percent;

        Curve(String label, DoubleUnaryOperator percent) {
            this.label = label;
            this.percent = percent;
        }
    }

    /**
     * The poll function's schedule before the progress-following one, kept for the comparison: the delay doubles from
     * {@code POLL_INITIAL_DELAY_SECONDS} up to {@code POLL_MAX_DELAY_SECONDS}, and never passes the
     * moment the job expires.
     */
    record Doubling(int initialDelaySeconds, int maxDelaySeconds) {
        int delayAfter(int check, long millisToExpiry) {
            long grown = Math.max(1, initialDelaySeconds) << Math.min(Math.max(check, 0), 30);
            return (int) Math.min(Math.min(maxDelaySeconds, grown), (millisToExpiry + 999) / 1000);
        }
    }

    /** One job followed to the check that saw it finished: how late, against its target, and after how many reads. */
    record Followed(double noticeSeconds, double ofTarget, int reads) {
        static Followed seen(long atMillis, long generationMillis, int reads) {
            double late = (atMillis - generationMillis) / 1000.0;
            return new Followed(late, late / target(generationMillis), reads);
        }

        boolean met() {
            return ofTarget <= 1;
        }
    }

    /** The jobs of one curve and generation time, under one schedule. */
    record Summary(double medianSeconds, double worstSeconds, double worstOfTarget, int medianReads, int maxReads,
            boolean met) {
        static Summary of(List<Followed> jobs) {
            double[] delays = jobs.stream().mapToDouble(Followed::noticeSeconds).sorted().toArray();
            int[] reads = jobs.stream().mapToInt(Followed::reads).sorted().toArray();
            return new Summary(delays[delays.length / 2], delays[delays.length - 1],
                    jobs.stream().mapToDouble(Followed::ofTarget).max().orElseThrow(), reads[reads.length / 2],
                    reads[reads.length - 1], jobs.stream().allMatch(Followed::met));
        }

        String columns() {
            return String.format(Locale.ROOT, "%6s %6s %5s %5s %-4s", human(medianSeconds), human(worstSeconds),
                    worstOfTarget > 9.99 ? ">999%" : String.format(Locale.ROOT, "%.0f%%", 100 * worstOfTarget),
                    medianReads + "/" + maxReads, met ? "MET" : "MISS");
        }
    }

    private final PollSchedule schedule = new PollSchedule(INITIAL_DELAY_SECONDS, MIN_DELAY_SECONDS,
            MAX_DELAY_SECONDS, MAX_AGE);
    private final Doubling today = new Doubling(INITIAL_DELAY_SECONDS, MAX_DELAY_SECONDS);
    private final ObjectMapper mapper = new ObjectMapper();
    private final RecordJson json = new RecordJson(mapper);

    public static void main(String[] args) {
        System.exit(new NoticeLatencyRun().run(System.out));
    }

    /** Prints the table; the number of rows where the schedule missed the target or passed its read bound. */
    int run(PrintStream out) {
        out.printf(Locale.ROOT, "Notice delay: from the host finishing a job to the status check that sees it;"
                + " SQS's delivery latency of each check counted as 0.%n");
        out.printf(Locale.ROOT, "Settings: POLL_INITIAL_DELAY_SECONDS=%d POLL_MIN_DELAY_SECONDS=%d"
                + " POLL_MAX_DELAY_SECONDS=%d POLL_MAX_AGE_SECONDS=%d. Each row: %d jobs, generation times 0.9x to 1.1x"
                + " the row's.%n", INITIAL_DELAY_SECONDS, MIN_DELAY_SECONDS, MAX_DELAY_SECONDS, MAX_AGE.toSeconds(),
                SPREAD);
        out.printf(Locale.ROOT, "Target: max(15 s, 10%% of the job's generation time); w/t: the worst job's delay"
                + " over its target. Reads: median/max per job; bound: PollSchedule.readBound at 1.1x.%n%n");
        out.printf(Locale.ROOT, "%-23s %5s %6s | %-32s | %-32s %5s%n", "", "", "", "today's: doubling",
                "new: progress-following", "");
        out.printf(Locale.ROOT, "%-23s %5s %6s | %6s %6s %5s %5s %-4s | %6s %6s %5s %5s %-4s %5s%n", "progress curve",
                "gen.", "target", "median", "worst", "w/t", "reads", "", "median", "worst", "w/t", "reads", "",
                "bound");
        int failed = 0;
        int rows = 0;
        int todayMet = 0;
        double worstOfTarget = 0;
        for (Curve curve : Curve.values()) {
            for (Duration nominal : GENERATION_TIMES) {
                List<Followed> now = new ArrayList<>();
                List<Followed> before = new ArrayList<>();
                for (int i = 0; i < SPREAD; i++) {
                    long generationMillis = Math.round(nominal.toMillis() * (0.9 + 0.2 * i / (SPREAD - 1)));
                    now.add(followNow(curve, generationMillis, i));
                    before.add(followToday(generationMillis));
                }
                Summary n = Summary.of(now);
                Summary b = Summary.of(before);
                int bound = schedule.readBound(Duration.ofMillis(Math.round(nominal.toMillis() * 1.1)));
                rows++;
                todayMet += b.met() ? 1 : 0;
                worstOfTarget = Math.max(worstOfTarget, n.worstOfTarget());
                boolean withinBound = n.maxReads() <= bound;
                if (!n.met() || !withinBound) {
                    failed++;
                }
                out.printf(Locale.ROOT, "%-23s %5s %6s | %s | %s %5d%s%n", curve.label, generation(nominal),
                        human(target(nominal.toMillis())), b.columns(), n.columns(), bound,
                        withinBound ? "" : " OVER THE BOUND");
            }
            out.println();
        }
        out.printf(Locale.ROOT, "New: %d of %d rows MET, %s; the worst job %.0f%% of its target."
                + " Today's: %d of %d rows MET.%n", rows - failed, rows,
                failed == 0 ? "no job read more often than the bound" : "some rows missed", 100 * worstOfTarget,
                todayMet, rows);
        return failed;
    }

    /** The schedule the poll function runs, on the record as each check writes it and the next reads it. */
    Followed followNow(Curve curve, long generationMillis, int variant) {
        boolean createdInMillis = variant % 2 == 1;
        boolean progressAbsent = curve == Curve.NO_PROGRESS && (variant / 2) % 2 == 1;
        Instant expiresAt = schedule.expiresAt(SUBMITTED);
        JobRecord record = submitted(createdInMillis, progressAbsent);
        long atMillis = INITIAL_DELAY_SECONDS * 1000L;
        int check = 1;
        for (int reads = 1; ; reads++, check++) {
            if (atMillis >= generationMillis) {
                return Followed.seen(atMillis, generationMillis, reads);
            }
            Instant now = SUBMITTED.plusMillis(atMillis);
            if (!now.isBefore(expiresAt)) {
                return new Followed(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, reads);
            }
            ObjectNode answer = job("in_progress", createdInMillis);
            if (!progressAbsent) {
                // Hosts send whole numbers.
                double share = atMillis / (double) generationMillis;
                answer.put("progress", (int) Math.floor(curve.percent.applyAsDouble(share)));
            }
            // As PollService.runsOn: the delay from the record as the last check left it, then the write.
            PollSchedule.Next next = schedule.next(record, answer, now, Optional.of(expiresAt));
            JobRecord moved = next.remembered(Transitions.progressed(record, answer, HostStatus.of("in_progress"),
                    check, now.plusSeconds(next.delaySeconds()), now));
            record = json.read(json.write(moved), "bench");
            atMillis += next.delaySeconds() * 1000L;
        }
    }

    /** Today's schedule: it looks at nothing but the number of the check. */
    Followed followToday(long generationMillis) {
        long expiresAtMillis = MAX_AGE.toMillis();
        long atMillis = INITIAL_DELAY_SECONDS * 1000L;
        for (int check = 1; ; check++) {
            if (atMillis >= generationMillis) {
                return Followed.seen(atMillis, generationMillis, check);
            }
            if (atMillis >= expiresAtMillis) {
                return new Followed(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY, check);
            }
            atMillis += today.delayAfter(check, expiresAtMillis - atMillis) * 1000L;
        }
    }

    /** The record the submit function writes once the host created the job. */
    private JobRecord submitted(boolean createdInMillis, boolean progressAbsent) {
        ObjectNode node = job("queued", createdInMillis);
        if (!progressAbsent) {
            node.put("progress", 0);
        }
        node.putObject("source").put("bucket", "bench").put("image", "in/scene.png").put("image_etag", "e1")
                .put("prompt", "in/scene.prompt.json").put("prompt_etag", "e2");
        node.put("submitted_at", RecordJson.timestamp(SUBMITTED)).put("updated_at", RecordJson.timestamp(SUBMITTED));
        return json.read(node, "bench");
    }

    /** The host's job object; {@code created_at} as the host's clock has it, in seconds or milliseconds. */
    private ObjectNode job(String status, boolean createdInMillis) {
        ObjectNode job = mapper.createObjectNode().put("id", "video_bench").put("object", "video")
                .put("model", "sora-2").put("status", status);
        return createdInMillis ? job.put("created_at", SUBMITTED.toEpochMilli())
                : job.put("created_at", SUBMITTED.getEpochSecond());
    }

    static double target(long generationMillis) {
        return Math.max(15, generationMillis / 1000.0 / 10);
    }

    /** A delay: seconds below 100, minutes above. */
    private static String human(double seconds) {
        if (Double.isInfinite(seconds)) {
            return "never";
        }
        return seconds < 100 ? String.format(Locale.ROOT, "%.1fs", seconds)
                : String.format(Locale.ROOT, "%.1fm", seconds / 60);
    }

    /** A generation time: seconds below a minute, whole or half minutes above. */
    private static String generation(Duration time) {
        long seconds = time.toSeconds();
        return seconds < 60 ? seconds + "s" : seconds % 60 == 0 ? seconds / 60 + "m"
                : String.format(Locale.ROOT, "%.1fm", seconds / 60.0);
    }
}
