package io.s3imagetovideo.artifact;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a JVM started with {@code -Xlog:class+load=info:file=<log>:timemillis} loaded, counted per
 * source (a jar of the task root, the task root's own classes, the runtime's jars, the JDK) and per
 * package, before and after the end of the init phase.
 */
final class ClassLoadLog {

    /** The option that writes the log this class reads. */
    static String option(Path log) {
        return "-Xlog:class+load=info:file=" + log + ":timemillis";
    }

    private static final Pattern LINE = Pattern.compile("^\\[(\\d+)ms\\] (\\S+) source: (.*)$");

    record Counts(int init, int invoke) {
        Counts plus(boolean atInit) {
            return atInit ? new Counts(init + 1, invoke) : new Counts(init, invoke + 1);
        }
    }

    final Map<String, Counts> bySource = new TreeMap<>();
    final Map<String, Counts> byPackage = new TreeMap<>();

    ClassLoadLog(Path log, Path taskRoot, long initDoneEpochMillis) {
        // The runtime client names its class path entries file:<task root>/ and file:<task root>/lib/<jar>.
        String root;
        try {
            root = "file:" + taskRoot.toRealPath() + "/";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            for (String line : Files.readAllLines(log)) {
                Matcher m = LINE.matcher(line);
                if (!m.matches()) {
                    continue;
                }
                boolean atInit = Long.parseLong(m.group(1)) <= initDoneEpochMillis;
                String source = source(m.group(3), root);
                bySource.merge(source, new Counts(0, 0).plus(atInit), ClassLoadLog::sum);
                String name = m.group(2);
                int dot = name.lastIndexOf('.');
                String pkg = dot < 0 ? "" : name.substring(0, dot);
                byPackage.merge(pkg, new Counts(0, 0).plus(atInit), ClassLoadLog::sum);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Counts sum(Counts a, Counts b) {
        return new Counts(a.init() + b.init(), a.invoke() + b.invoke());
    }

    private static String source(String raw, String taskRoot) {
        if (raw.equals("shared objects file")) {
            return "JDK (class-data archive)";
        }
        if (raw.startsWith("jrt:/")) {
            return "JDK " + raw.substring("jrt:/".length());
        }
        if (raw.startsWith(taskRoot)) {
            String inRoot = raw.substring(taskRoot.length());
            return inRoot.isEmpty() ? "task root: classes" : "task root: " + inRoot;
        }
        if (raw.startsWith("file:") && raw.endsWith(".jar")) {
            return "runtime: " + raw.substring(raw.lastIndexOf('/') + 1);
        }
        return "generated (lambdas, proxies, reflection)";
    }

    int total(boolean init) {
        return bySource.values().stream().mapToInt(c -> init ? c.init() : c.invoke()).sum();
    }

    /** A table of sources, and of the {@code top} packages by classes loaded. */
    String table(int top) {
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%-62s %6s %8s%n", "source", "init", "invoke"));
        bySource.forEach((source, c) -> out.append(String.format(Locale.ROOT, "%-62s %6d %8d%n", source, c.init(),
                c.invoke())));
        out.append(String.format(Locale.ROOT, "%-62s %6d %8d%n%n", "all", total(true), total(false)));
        out.append(String.format(Locale.ROOT, "%-62s %6s %8s%n", "package (top " + top + ")", "init", "invoke"));
        List<Map.Entry<String, Counts>> packages = byPackage.entrySet().stream()
                .sorted((a, b) -> Integer.compare(b.getValue().init() + b.getValue().invoke(),
                        a.getValue().init() + a.getValue().invoke()))
                .limit(top).toList();
        for (var p : packages) {
            out.append(String.format(Locale.ROOT, "%-62s %6d %8d%n", p.getKey(), p.getValue().init(),
                    p.getValue().invoke()));
        }
        return out.toString();
    }
}
