package io.s3imagetovideo.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The notice-latency benchmark's claim, kept by the build: every row of the schedule's table meets the target. */
class NoticeLatencyRunTest {

    @Test
    void everyRowMeetsTheTargetWithinTheReadBoundWhereTheDoublingScheduleMissed() {
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        int failed = new NoticeLatencyRun().run(new PrintStream(printed, true, StandardCharsets.UTF_8));

        String table = printed.toString(StandardCharsets.UTF_8);
        assertThat(failed).isZero();
        assertThat(table).doesNotContain("OVER THE BOUND")
                .contains("New: 65 of 65 rows MET").contains("Today's: 0 of 65 rows MET");
        // A row: the doubling schedule misses, the new one meets
        assertThat(table.lines().filter(l -> l.startsWith("none (0, or absent)") && l.contains(" 4m ")))
                .singleElement().satisfies(row -> assertThat(row).contains("MISS").contains("MET"));
    }
}
