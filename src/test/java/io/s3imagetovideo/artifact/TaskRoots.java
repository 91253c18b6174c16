package io.s3imagetovideo.artifact;

import io.s3imagetovideo.support.LambdaRuntimeProcess;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The task roots the artifact tests run: the deployable one, exactly what the Makefile hands
 * {@code sam build} ({@code target/task-root}, made by {@code package}), and the floor of the cold-start
 * comparison, an empty handler on the same trigger laid out as the benchmark lays it out.
 */
final class TaskRoots {

    /** The limit of issue 15, as Lambda counts it: the zip that is uploaded. */
    static final long MAX_ZIPPED_BYTES = 8L * 1024 * 1024;
    static final Path OUT = Path.of("target", "artifact");

    private TaskRoots() {}

    /** What {@code make build-SubmitFunction} copies into the function's build directory. */
    static Path deployable() {
        return Path.of(System.getProperty("artifact.taskRoot", "target/task-root"));
    }

    /**
     * The empty handler with the Lambda libraries it needs, in a fresh directory: the events, and
     * joda-time, whose {@code DateTime} the runtime's event serialiser loads for every event type.
     */
    static Path floor() {
        Path root = fresh(OUT.resolve("floor"));
        try {
            Path handler = Path.of("target", "test-classes", "io", "s3imagetovideo", "bench", "EmptyHandler.class");
            Path target = root.resolve("io/s3imagetovideo/bench/EmptyHandler.class");
            Files.createDirectories(target.getParent());
            Files.copy(handler, target);
            Files.createDirectories(root.resolve("lib"));
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                String name = Path.of(entry).getFileName().toString();
                if (name.endsWith(".jar") && (name.startsWith("aws-lambda-java-core-")
                        || name.startsWith("aws-lambda-java-events-") || name.startsWith("joda-time-"))) {
                    Files.copy(Path.of(entry), root.resolve("lib").resolve(name));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return root;
    }

    /** How Lambda's Java runtime starts a JVM, without SnapStart, on {@code root}, at the template's memory. */
    static LambdaRuntimeProcess.TaskRoot runtime(Path root, List<String> jvmOptions) {
        return LambdaRuntimeProcess.TaskRoot.of(root, jvmOptions, 1024);
    }

    /**
     * A function's environment as the template gives it, against the local servers: the harness's
     * settings, the key from the Secrets Manager stand-in at {@code secretsBaseUrl}, not from a variable.
     */
    static Map<String, String> functionEnvironment(io.s3imagetovideo.support.FunctionHarness h, java.net.URI s3,
            java.net.URI sqs, String secretsBaseUrl) {
        Map<String, String> env = new java.util.HashMap<>(h.environment());
        env.remove("VIDEO_API_KEY");
        env.putAll(templateJavaToolOptions());
        env.putAll(Map.of("AWS_ACCESS_KEY_ID", io.s3imagetovideo.support.S3ProxyServer.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", io.s3imagetovideo.support.S3ProxyServer.SECRET_KEY,
                "AWS_ENDPOINT_URL_S3", s3.toString(),
                "AWS_ENDPOINT_URL_SQS", sqs.toString(),
                "AWS_ENDPOINT_URL_SECRETS_MANAGER", secretsBaseUrl,
                "VIDEO_API_KEY_SECRET_ARN", TaskRootIT.SECRET_ARN));
        return env;
    }

    /** The template's own {@code JAVA_TOOL_OPTIONS} (Globals), which the JVM reads at start. */
    static Map<String, String> templateJavaToolOptions() {
        try {
            var line = java.util.regex.Pattern.compile("(?m)^\\s+JAVA_TOOL_OPTIONS:\\s*\"?([^\"\\n]*?)\"?\\s*$")
                    .matcher(Files.readString(Path.of("template.yaml")));
            return line.find() ? Map.of("JAVA_TOOL_OPTIONS", line.group(1)) : Map.of();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The directory zipped as {@code sam deploy} uploads it; the zip's size in bytes. */
    static long zippedSize(Path root, Path zip) {
        try {
            Files.createDirectories(zip.getParent());
            try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip)); Stream<Path> all = Files.walk(root)) {
                for (Path p : all.filter(Files::isRegularFile).sorted().toList()) {
                    out.putNextEntry(new ZipEntry(root.relativize(p).toString().replace(File.separatorChar, '/')));
                    Files.copy(p, out);
                    out.closeEntry();
                }
            }
            return Files.size(zip);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every file of the task root, relative to it, with its size in bytes. */
    static Map<String, Long> files(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).collect(java.util.stream.Collectors.toMap(
                    p -> root.relativize(p).toString().replace(File.separatorChar, '/'), p -> {
                        try {
                            return Files.size(p);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }, (a, b) -> a, java.util.TreeMap::new));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path fresh(Path dir) {
        try {
            if (Files.exists(dir)) {
                try (Stream<Path> all = Files.walk(dir)) {
                    for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                        Files.delete(p);
                    }
                }
            }
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The jars a class path names, by file name. */
    static List<String> jarNames(String classPath) {
        return Arrays.stream(classPath.split(File.pathSeparator)).map(e -> Path.of(e).getFileName().toString()).toList();
    }
}
