package io.s3imagetovideo.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The CPU a Lambda function gets at a memory size: CPU in proportion to memory, one full vCPU at
 * 1,769 MB (AWS, "Configure Lambda function memory"), so 0.58 of one at 1,024 MB and 0.29 at 512 MB.
 * Emulated with a cgroup (v1 {@code cpu} controller) whose CFS quota is that share of each 100 ms
 * period: the function's threads together get no more, as on Lambda. Where no cgroup can be made,
 * the command runs unconstrained and {@link #method()} says so.
 */
final class CpuShare {

    static final int FULL_VCPU_MB = 1769;
    private static final Path ROOT = Path.of("/sys/fs/cgroup/cpu");
    private static final long PERIOD_US = 100_000;

    private final int memoryMb;
    private final Path group;
    private final boolean available;

    private CpuShare(int memoryMb, Path group, boolean available) {
        this.memoryMb = memoryMb;
        this.group = group;
        this.available = available;
    }

    /** No constraint: for the CPU time a function spends, which a quota does not change. */
    static CpuShare unconstrained() {
        return new CpuShare(0, ROOT, false);
    }

    static CpuShare forMemory(int memoryMb) {
        Path group = ROOT.resolve("s3i2v-bench-" + memoryMb);
        try {
            Files.createDirectories(group);
            Files.writeString(group.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_US));
            Files.writeString(group.resolve("cpu.cfs_quota_us"), Long.toString(Math.round(PERIOD_US * share(memoryMb))));
            return new CpuShare(memoryMb, group, true);
        } catch (IOException | UnsupportedOperationException e) {
            return new CpuShare(memoryMb, group, false);
        }
    }

    static double share(int memoryMb) {
        return Math.min(1.0, memoryMb / (double) FULL_VCPU_MB);
    }

    boolean available() {
        return available;
    }

    String method() {
        return available
                ? String.format(Locale.ROOT, "cgroup v1 cpu quota %.0f ms per 100 ms (%d MB / %d MB)",
                        PERIOD_US * share(memoryMb) / 1000, memoryMb, FULL_VCPU_MB)
                : "no cgroup could be made: wall times are of an unconstrained process";
    }

    /** {@code command}, started inside the cgroup: the shell joins it, then becomes the command. */
    List<String> wrap(List<String> command) {
        if (!available) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("/bin/sh", "-c",
                "echo $$ > " + group.resolve("cgroup.procs") + " && exec \"$@\"", "cpu-share"));
        wrapped.addAll(command);
        return wrapped;
    }
}
