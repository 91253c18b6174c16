package io.s3imagetovideo.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.s3imagetovideo.bench.tls.TestPki;
import io.s3imagetovideo.bench.tls.TlsProxy;
import io.s3imagetovideo.image.Fit;
import io.s3imagetovideo.image.ImageFit;
import io.s3imagetovideo.image.ImageFitter;
import io.s3imagetovideo.image.RgbColor;
import io.s3imagetovideo.support.Events;
import io.s3imagetovideo.support.FitImages;
import io.s3imagetovideo.support.Images;
import io.s3imagetovideo.support.S3ProxyServer;
import io.s3imagetovideo.support.SqsEvents;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.sqs.SqsClient;

/**
 * Cold start, cost per submission and per 100 MB of video, memory and artifact size of the functions,
 * side by side with the floor (an empty handler) and the same submit function on the SDK's defaults,
 * under the JIT settings of each candidate runtime. A benchmark, not a test:
 * {@code ./mvnw -B -Pbench -DskipTests package} (after package: it runs the task root {@code sam build}
 * deploys, {@code target/task-root}).
 *
 * <p>Every function runs as Lambda runs it: a new JVM with the runtime's flags, the real runtime
 * interface client as its main class, the code loaded from a task root laid out as {@code sam build}
 * lays it out, which is also the working directory. S3 (S3Proxy), SQS (ElasticMQ), Secrets Manager and
 * the video API are served from this process over TLS, as production speaks to all of them: a test
 * CA's certificates ({@link TestPki}) in front of each server ({@link TlsProxy}), and a trust store of
 * the JDK's CA certificates plus the test CA in the function's JVM. Wall times "at the template's
 * memory" run the function inside a cgroup with Lambda's CPU share for that memory ({@link CpuShare}).
 */
public final class PerformanceRun {

    static final int COLD_RUNS = Integer.getInteger("bench.coldRuns", 7);
    /** {@code -Dbench.only=cold}: the cold starts alone, for a quick look while changing what loads at init. */
    static final String ONLY = System.getProperty("bench.only", "");
    static final int WARM_UP = Integer.getInteger("bench.warmUp", 40);
    static final int WARM_RUNS = Integer.getInteger("bench.warmRuns", 60);
    static final int WARM_IMAGE_BYTES = 2 * 1024 * 1024;
    static final int BIG_IMAGE_BYTES = 20 * 1024 * 1024;
    static final long VIDEO_BYTES = Long.getLong("bench.videoMb", 300) * 1024 * 1024;
    static final long SMALL_VIDEO_BYTES = 30L * 1024 * 1024;
    /** The template's defaults: MemorySize and PollMemorySize, and the poll function's timeout. */
    static final int SUBMIT_MEMORY_MB = 1024;
    static final int POLL_MEMORY_MB = 512;
    static final Duration POLL_TIMEOUT = Duration.ofSeconds(300);
    static final String BUCKET = "bench";
    static final String SECRET_ARN = "arn:aws:secretsmanager:us-east-1:000000000000:secret:video-api-key";
    static final String API_KEY = "bench-key";
    static final Path DIR = Path.of("target", "bench");

    /**
     * The JIT each candidate runtime runs the function with (AWS, "Customize Java runtime startup
     * behavior"): java21 stops at C1, as java25 does without SnapStart; java25 with SnapStart keeps the
     * full tiered JIT, C2 included, from the priming rehearsal before the snapshot on.
     */
    enum Jit {
        C1("java21, java25 without SnapStart: C1 only", List.of("-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1")),
        FULL("java25 with SnapStart: full JIT", List.of("-XX:+TieredCompilation"));

        final String label;
        final List<String> flags;

        Jit(String label, List<String> flags) {
            this.label = label;
            this.flags = flags;
        }
    }

    private final Random random = new Random(7);
    private final ObjectMapper mapper = new ObjectMapper();
    private final AtomicInteger jobs = new AtomicInteger();
    private final Map<String, Long> videoSizes = new ConcurrentHashMap<>();
    private final List<AutoCloseable> proxies = new ArrayList<>();
    private TestPki pki;
    private S3ProxyServer s3Server;
    private S3Client s3;
    private SQSRestServer sqsServer;
    private URI s3Https;
    private URI sqsHttps;
    private URI stubsHttps;
    private String queueUrl;
    private HttpServer stubs;
    private RuntimeApi runtime;
    private Path javaBin;
    private String ricClassPath;
    private final Map<String, Path> roots = new LinkedHashMap<>();

    /** One function under test: where its code is, which handler the runtime loads, and how it starts. */
    record Variant(String name, String root, String handler, Jit jit, boolean snapStart) {}

    static final Variant FLOOR = new Variant("floor: empty handler", "floor",
            "io.s3imagetovideo.bench.EmptyHandler::handleRequest", Jit.C1, false);
    static final Variant FLOOR_STREAM = new Variant("floor: empty stream handler", "floor",
            "io.s3imagetovideo.bench.EmptyStreamHandler::handleRequest", Jit.C1, false);
    static final Variant OURS = new Variant("ours (C1)", "ours", "io.s3imagetovideo.submit.SubmitHandler::handleRequest",
            Jit.C1, false);
    static final Variant OURS_FULL = new Variant("ours (full JIT)", "ours",
            "io.s3imagetovideo.submit.SubmitHandler::handleRequest", Jit.FULL, false);
    static final Variant SDK_DEFAULTS = new Variant("SDK defaults (Apache, eager; C1)", "sdk-defaults",
            "io.s3imagetovideo.bench.SdkDefaultsSubmitHandler::handleRequest", Jit.C1, false);
    static final Variant FLOOR_SNAP = new Variant("floor, SnapStart", "floor",
            "io.s3imagetovideo.bench.EmptyHandler::handleRequest", Jit.FULL, true);
    static final Variant OURS_SNAP = new Variant("ours, SnapStart (full JIT)", "ours",
            "io.s3imagetovideo.submit.SubmitHandler::handleRequest", Jit.FULL, true);
    static final Variant POLL = new Variant("poll (C1)", "ours", "io.s3imagetovideo.poll.PollHandler::handleRequest",
            Jit.C1, false);
    static final Variant POLL_FULL = new Variant("poll (full JIT)", "ours", "io.s3imagetovideo.poll.PollHandler::handleRequest",
            Jit.FULL, false);

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        PerformanceRun run = new PerformanceRun();
        int status = 0;
        try {
            run.start();
            run.measure();
        } catch (Exception | Error e) {
            e.printStackTrace();
            status = 1;
        } finally {
            run.stop();
        }
        // The servers' threads would keep the tool's JVM waiting.
        System.exit(status);
    }

    // --- set-up ----------------------------------------------------------------------------------

    private void start() throws Exception {
        Files.createDirectories(DIR.resolve("logs"));
        javaBin = childJava();
        pki = TestPki.create(DIR.resolve("tls"));
        // On disk: the in-memory store is capped at 4 GB and keeps the parts of every multipart upload.
        Path store = empty(DIR.resolve("s3"));
        s3Server = S3ProxyServer.onDisk(store.toAbsolutePath().toString());
        s3 = S3Client.builder().endpointOverride(s3Server.endpoint()).forcePathStyle(true).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(
                        S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)))
                .httpClient(UrlConnectionHttpClient.builder().build()).build();
        s3.createBucket(b -> b.bucket(BUCKET));
        sqsServer = SQSRestServerBuilder.withDynamicPort().withInterface("127.0.0.1").start();
        URI sqsEndpoint = URI.create("http://127.0.0.1:" + sqsServer.waitUntilStarted().localAddress().getPort());
        stubs = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        stubs.createContext("/v1/videos", this::videoApi);
        stubs.createContext("/", this::secretsManager);
        stubs.setExecutor(Executors.newCachedThreadPool());
        stubs.start();
        var tls = pki.serverContext();
        s3Https = proxy(new TlsProxy(tls, s3Server.endpoint()));
        sqsHttps = proxy(new TlsProxy(tls, sqsEndpoint));
        stubsHttps = proxy(new TlsProxy(tls, URI.create("http://127.0.0.1:" + stubs.getAddress().getPort())));
        try (SqsClient sqs = SqsClient.builder().endpointOverride(sqsEndpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("x", "x")))
                .httpClient(UrlConnectionHttpClient.builder().build()).build()) {
            // The queue URL names ElasticMQ's own host; the function reaches it through AWS_ENDPOINT_URL_SQS.
            queueUrl = sqs.createQueue(b -> b.queueName("poll")).queueUrl();
        }
        runtime = new RuntimeApi();
        layOutTaskRoots();
    }

    private URI proxy(TlsProxy proxy) {
        proxies.add(proxy);
        return proxy.endpoint();
    }

    private void stop() throws Exception {
        for (AutoCloseable proxy : proxies) {
            proxy.close();
        }
        if (runtime != null) {
            runtime.server.stop(0);
        }
        if (stubs != null) {
            stubs.stop(0);
        }
        if (sqsServer != null) {
            sqsServer.stopAndWait();
        }
        if (s3Server != null) {
            s3Server.close();
            empty(DIR.resolve("s3"));
        }
    }

    /** Lambda's java21 runtime is a JDK 21; use one when this machine has it, else the JDK this runs on. */
    private static Path childJava() throws IOException {
        Path jvms = Path.of("/usr/lib/jvm");
        if (Files.isDirectory(jvms)) {
            try (Stream<Path> dirs = Files.list(jvms)) {
                for (Path dir : dirs.sorted().toList()) {
                    if (dir.getFileName().toString().matches(".*(jdk|java)-?21.*") && Files.isExecutable(
                            dir.resolve("bin/java"))) {
                        return dir.resolve("bin/java");
                    }
                }
            }
        }
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /**
     * The task roots, as {@code sam build} makes them for a Maven project: {@code target/classes}
     * at the top, the runtime-scope jars in {@code lib/}. The runtime's own jars (the runtime client,
     * its serialisation, {@code aws-lambda-java-core}) are on the system class path instead, as on Lambda.
     */
    private void layOutTaskRoots() throws IOException {
        List<Path> testClassPath = Arrays.stream(Files.readString(DIR.resolve("test-classpath.txt")).trim()
                .split(File.pathSeparator)).map(Path::of).toList();
        ricClassPath = String.join(File.pathSeparator, testClassPath.stream()
                .filter(p -> matches(p, "aws-lambda-java-runtime-interface-client-", "aws-lambda-java-core-",
                        "aws-lambda-java-serialization-", "utils-lite-"))
                .map(Path::toString).toList());
        List<Path> runtimeJars = Arrays.stream(Files.readString(DIR.resolve("runtime-classpath.txt")).trim()
                .split(File.pathSeparator)).map(Path::of).toList();
        Path classes = Path.of("target", "classes");
        Path testClasses = Path.of("target", "test-classes");

        // Ours is the task root that sam build deploys: the one shrunk jar that package makes (pom.xml).
        Path deployed = Path.of("target", "task-root");
        if (!Files.isDirectory(deployed.resolve("lib"))) {
            throw new IllegalStateException("no " + deployed + ": run the benchmark after package,"
                    + " ./mvnw -B -Pbench -DskipTests package");
        }
        Path ours = fresh("ours");
        copyTree(deployed, ours);
        roots.put("ours", ours);

        Path floor = fresh("floor");
        copyClass(testClasses, floor, "io/s3imagetovideo/bench/EmptyHandler");
        copyClass(testClasses, floor, "io/s3imagetovideo/bench/EmptyStreamHandler");
        // joda-time: the runtime's event serialisation loads it for any event class, SQSEvent included.
        copyJars(runtimeJars.stream().filter(p -> matches(p, "aws-lambda-java-core-", "aws-lambda-java-events-",
                "joda-time-")).toList(), floor);
        roots.put("floor", floor);

        Path defaults = fresh("sdk-defaults");
        copyTree(classes, defaults);
        copyJars(runtimeJars, defaults);
        copyJars(testClassPath.stream().filter(p -> matches(p, "apache-client-", "httpclient-", "httpcore-",
                "commons-logging-", "commons-codec-")).toList(), defaults);
        copyClass(testClasses, defaults, "io/s3imagetovideo/bench/SdkDefaultsSubmitHandler");
        roots.put("sdk-defaults", defaults);

    }

    private static boolean matches(Path jar, String... prefixes) {
        String name = jar.getFileName().toString();
        return name.endsWith(".jar") && Arrays.stream(prefixes).anyMatch(name::startsWith);
    }

    private static Path fresh(String name) throws IOException {
        Path root = empty(DIR.resolve("task-" + name));
        Files.createDirectories(root.resolve("lib"));
        return root;
    }

    private static Path empty(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> all = Files.walk(dir)) {
                for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        return Files.createDirectories(dir);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }

    private static void copyJars(List<Path> jars, Path root) throws IOException {
        for (Path jar : jars) {
            Files.copy(jar, root.resolve("lib").resolve(jar.getFileName()), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void copyClass(Path classes, Path root, String name) throws IOException {
        Path target = root.resolve(name + ".class");
        Files.createDirectories(target.getParent());
        Files.copy(classes.resolve(name + ".class"), target, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The task root zipped as SAM uploads it. */
    private static long zippedSize(Path root) throws IOException {
        Path zip = DIR.resolve(root.getFileName() + ".zip");
        try (ZipOutputStream out = new ZipOutputStream(Files.newOutputStream(zip)); Stream<Path> all = Files.walk(root)) {
            for (Path p : all.filter(Files::isRegularFile).sorted().toList()) {
                out.putNextEntry(new ZipEntry(root.relativize(p).toString()));
                Files.copy(p, out);
                out.closeEntry();
            }
        }
        return Files.size(zip);
    }

    private static long treeSize(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            return all.filter(Files::isRegularFile).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
    }

    // --- the measurements ------------------------------------------------------------------------

    /** One invocation as the parent saw it, and the function's process at that moment. */
    record Run(long totalNanos, long initNanos, long invokeNanos, long cpuNanos, long hwmKb, String result,
            long restoreAtNanos, long startedNanos) {
        boolean succeeded() {
            return result.startsWith("response:") && result.contains("\"batchItemFailures\":[]");
        }

        /** From the restore point (SnapStart: where a restored snapshot starts) to the end of the invocation. */
        long afterRestoreNanos() {
            return restoreAtNanos == 0 ? 0 : totalNanos - (restoreAtNanos - startedNanos);
        }
    }

    /** Warm invocations of one function JVM: latency p50/p90 (ms), CPU per invocation (ms), peak RSS (MB). */
    record Warm(double p50, double p90, double cpuMs, double rssMb) {}

    private void measure() throws Exception {
        var out = new StringBuilder();
        CpuShare submitShare = CpuShare.forMemory(SUBMIT_MEMORY_MB);
        CpuShare pollShare = CpuShare.forMemory(POLL_MEMORY_MB);

        // --- cold starts, interleaved; one discarded round first warms the page cache and the servers
        Map<Variant, List<Run>> cold = new LinkedHashMap<>();
        List<Variant> variants = List.of(FLOOR, FLOOR_STREAM, OURS, SDK_DEFAULTS, FLOOR_SNAP, OURS_SNAP);
        variants.forEach(v -> cold.put(v, new ArrayList<>()));
        for (int round = -1; round < COLD_RUNS; round++) {
            for (Variant v : variants) {
                Run r = coldStart(v, round);
                if (round >= 0) {
                    cold.get(v).add(r);
                }
            }
            System.err.printf("cold start round %d/%d done%n", round + 1, COLD_RUNS);
        }

        if (ONLY.equals("cold")) {
            coldTable(out, cold, variants);
            System.out.print(out);
            return;
        }

        // --- per submission: CPU unconstrained, wall at the template's memory, peak heap
        Map<Variant, Warm> warm = new LinkedHashMap<>();
        Map<Variant, Warm> warmAtShare = new LinkedHashMap<>();
        for (Variant v : List.of(FLOOR, OURS, OURS_FULL, SDK_DEFAULTS)) {
            warm.put(v, warm(v, CpuShare.unconstrained()));
            warmAtShare.put(v, warm(v, submitShare));
            System.err.printf("warm %s done%n", v.name());
        }
        long submitHeap = minHeapMb(max -> submit(OURS, WARM_IMAGE_BYTES, max, "warm-size").succeeded(), SUBMIT_MEMORY_MB);
        long submitTinyHeap = minHeapMb(max -> submit(OURS, 0, max, "tiny").succeeded(), SUBMIT_MEMORY_MB);
        long submitBigHeap = minHeapMb(max -> submit(OURS, BIG_IMAGE_BYTES, max, "big").succeeded(), SUBMIT_MEMORY_MB);
        Run submitBig = submit(OURS, BIG_IMAGE_BYTES, lambdaHeapKb(SUBMIT_MEMORY_MB) / 1024, "big");
        System.err.println("submit memory done");

        // --- per 100 MB of video: the poll function saving a 300 MB video at its memory's CPU share
        Map<Variant, Run> video = new LinkedHashMap<>();
        for (Variant v : List.of(POLL, POLL_FULL)) {
            Run r = poll(v, VIDEO_BYTES, lambdaHeapKb(POLL_MEMORY_MB) / 1024, pollShare);
            if (!r.succeeded()) {
                throw new IllegalStateException(v.name() + " did not save the video: " + r.result());
            }
            video.put(v, r);
            System.err.printf("video %s done%n", v.name());
        }
        long pollSmallHeap = minHeapMb(max -> poll(POLL, SMALL_VIDEO_BYTES, max, CpuShare.unconstrained()).succeeded(),
                POLL_MEMORY_MB);
        long pollBigHeap = minHeapMb(max -> poll(POLL, VIDEO_BYTES, max, CpuShare.unconstrained()).succeeded(),
                POLL_MEMORY_MB);
        System.err.println("poll memory done");

        byte[] photo = FitImages.jpeg(FitImages.picture(3024, 4032));
        long photoHeap = minHeapMb(max -> submitPhoto(photo, max).succeeded(), SUBMIT_MEMORY_MB);
        Run photoRun = submitPhoto(photo, lambdaHeapKb(SUBMIT_MEMORY_MB) / 1024);
        double fitMs = fitMillis(photo);
        System.err.println("fit done");

        long oursZip = zippedSize(roots.get("ours"));
        long defaultsZip = zippedSize(roots.get("sdk-defaults"));

        // --- the table ---
        out.append(String.format(Locale.ROOT, "machine: %d cores, %d MB RAM, %s; function JVM: %s (%s)%n",
                Runtime.getRuntime().availableProcessors(), totalRamMb(), System.getProperty("os.name"),
                javaVersion(javaBin), javaBin));
        out.append(String.format(Locale.ROOT, "runtime flags: -XX:MaxHeapSize=85%% of memory -XX:MaxRAM=memory"
                + " -XX:+UseSerialGC -Xshare:auto, and per JIT: C1 %s; full %s%n", String.join(" ", Jit.C1.flags),
                String.join(" ", Jit.FULL.flags)));
        out.append("transport: TLS to every server (a test CA; the JDK's CA certificates plus it in the function's"
                + " trust store)\n");
        out.append("CPU share: ").append(submitShare.method()).append("; ").append(pollShare.method()).append("\n\n");

        coldTable(out, cold, variants);
        double floor = medianMs(cold.get(FLOOR), Run::totalNanos);
        double ours = medianMs(cold.get(OURS), Run::totalNanos);
        double floorRestored = medianMs(cold.get(FLOOR_SNAP), Run::afterRestoreNanos);
        double oursRestored = medianMs(cold.get(OURS_SNAP), Run::afterRestoreNanos);

        out.append(String.format(Locale.ROOT, "PER SUBMISSION (%d MB image; %d invocations after %d, one JVM each)%n",
                WARM_IMAGE_BYTES >> 20, WARM_RUNS, WARM_UP));
        out.append(String.format(Locale.ROOT, "%-34s %12s %12s %14s %16s %16s%n", "", "CPU", "latency p50",
                "latency p90", "p50 at " + SUBMIT_MEMORY_MB + " MB", "p90 at " + SUBMIT_MEMORY_MB + " MB"));
        for (var e : warm.entrySet()) {
            Warm w = e.getValue();
            Warm s = warmAtShare.get(e.getKey());
            out.append(String.format(Locale.ROOT, "%-34s %9.2f ms %9.1f ms %11.1f ms %13.1f ms %13.1f ms%n",
                    e.getKey().name(), w.cpuMs(), w.p50(), w.p90(), s.p50(), s.p90()));
        }
        out.append(String.format(Locale.ROOT, "peak heap of one submission (smallest -XX:MaxHeapSize that succeeds): %d MB%n%n",
                submitHeap));

        out.append(String.format(Locale.ROOT, "PER 100 MB OF VIDEO (the poll function saving a %d MB video at %d MB: %s)%n",
                VIDEO_BYTES >> 20, POLL_MEMORY_MB, pollShare.available() ? "CPU share emulated" : "CPU share NOT emulated"));
        out.append(String.format(Locale.ROOT, "%-34s %14s %14s %14s %16s%n", "", "CPU / 100 MB", "wall / 100 MB",
                "wall, whole", "RSS peak"));
        double per100 = (VIDEO_BYTES / (100.0 * 1024 * 1024));
        for (var e : video.entrySet()) {
            Run r = e.getValue();
            out.append(String.format(Locale.ROOT, "%-34s %11.1f s %11.1f s %11.1f s %13d MB%n", e.getKey().name(),
                    r.cpuNanos() / 1e9 / per100, r.totalNanos() / 1e9 / per100, r.totalNanos() / 1e9, r.hwmKb() / 1024));
        }
        out.append(String.format(Locale.ROOT, "peak heap: %d MB for %d MB, %d MB for %d MB%n%n", pollSmallHeap,
                SMALL_VIDEO_BYTES >> 20, pollBigHeap, VIDEO_BYTES >> 20));

        out.append("MEMORY (smallest -XX:MaxHeapSize that still succeeds, 2 MB steps; RSS peak at the template's memory)\n");
        out.append(String.format(Locale.ROOT, "submit, small image (<1 KB)    heap %4d MB%n", submitTinyHeap));
        out.append(String.format(Locale.ROOT, "submit, %d MB image           heap %4d MB  (+%d MB for the image, %.2fx its"
                + " size)   RSS peak %d MB at %d MB%n%n", BIG_IMAGE_BYTES >> 20, submitBigHeap,
                submitBigHeap - submitTinyHeap, (double) (submitBigHeap - submitTinyHeap) / (BIG_IMAGE_BYTES >> 20),
                submitBig.hwmKb() / 1024, SUBMIT_MEMORY_MB));

        out.append(String.format(Locale.ROOT, "FIT (3024x4032 JPEG, %d KB, to 720x1280 with cover)%n", photo.length >> 10));
        out.append(String.format(Locale.ROOT, "fit alone, median of 7 in the benchmark's JVM    %6.0f ms%n", fitMs));
        out.append(String.format(Locale.ROOT, "whole submission, cold (new function JVM)     %6.0f ms   heap %d MB   RSS peak %d MB%n%n",
                photoRun.totalNanos() / 1e6, photoHeap, photoRun.hwmKb() / 1024));

        out.append(String.format(Locale.ROOT, "ARTIFACT (task root zipped as sam build deploys it)%n"));
        out.append(String.format(Locale.ROOT, "ours %.2f MiB (%.2f MiB unzipped)   SDK defaults %.2f MiB%n%n",
                oursZip / 1048576.0, treeSize(roots.get("ours")) / 1048576.0, defaultsZip / 1048576.0));

        Run fullVideo = video.get(POLL_FULL);
        Run c1Video = video.get(POLL);
        out.append("GOALS\n");
        goal(out, "cold start within 3x the floor, without SnapStart", ours <= 3 * floor,
                String.format(Locale.ROOT, "%.2fx", ours / floor));
        goal(out, "cold start within 3x the floor, with SnapStart", oursRestored <= 3 * floorRestored,
                String.format(Locale.ROOT, "%.2fx", oursRestored / floorRestored));
        goal(out, "artifact at most 8 MiB", oursZip <= 8L * 1024 * 1024, String.format(Locale.ROOT, "%.2f MiB",
                oursZip / 1048576.0));
        goal(out, "300 MB video within a third of the timeout, full JIT", fullVideo.totalNanos() <= POLL_TIMEOUT.toNanos() / 3,
                String.format(Locale.ROOT, "%.0f s of %d s", fullVideo.totalNanos() / 1e9, POLL_TIMEOUT.toSeconds() / 3));
        goal(out, "300 MB video within a third of the timeout, C1", c1Video.totalNanos() <= POLL_TIMEOUT.toNanos() / 3,
                String.format(Locale.ROOT, "%.0f s of %d s", c1Video.totalNanos() / 1e9, POLL_TIMEOUT.toSeconds() / 3));
        goal(out, "flat heap while downloading a video", pollBigHeap - pollSmallHeap <= 4,
                pollSmallHeap + " MB for " + (SMALL_VIDEO_BYTES >> 20) + " MB, " + pollBigHeap + " MB for "
                        + (VIDEO_BYTES >> 20) + " MB");
        goal(out, "peak heap under 2x the image (20 MB image)",
                submitBigHeap - submitTinyHeap < 2 * (BIG_IMAGE_BYTES >> 20), String.format(Locale.ROOT,
                        "+%d MB for the image (%d MB in all)", submitBigHeap - submitTinyHeap, submitBigHeap));
        System.out.println();
        System.out.print(out);
        Files.writeString(DIR.resolve("results.txt"), out);
    }

    private void coldTable(StringBuilder out, Map<Variant, List<Run>> cold, List<Variant> variants) {
        out.append(String.format(Locale.ROOT, "COLD START (%d MB, new JVM under the runtime client, median of %d)%n",
                SUBMIT_MEMORY_MB, COLD_RUNS));
        out.append(String.format(Locale.ROOT, "%-34s %10s %10s %12s %14s %10s %10s%n", "", "to 1st end", "init",
                "1st invoke", "after restore", "CPU", "RSS peak"));
        for (Variant v : variants) {
            List<Run> runs = cold.get(v);
            out.append(String.format(Locale.ROOT, "%-34s %7.0f ms %7.0f ms %9.0f ms %11s %7.0f ms %7.0f MB%n",
                    v.name(), medianMs(runs, Run::totalNanos), medianMs(runs, Run::initNanos),
                    medianMs(runs, Run::invokeNanos), v.snapStart()
                            ? String.format(Locale.ROOT, "%.0f ms", medianMs(runs, Run::afterRestoreNanos)) : "-",
                    medianMs(runs, Run::cpuNanos), median(runs.stream().mapToDouble(r -> r.hwmKb() / 1024.0).toArray())));
        }
        double floor = medianMs(cold.get(FLOOR), Run::totalNanos);
        double ours = medianMs(cold.get(OURS), Run::totalNanos);
        double defaults = medianMs(cold.get(SDK_DEFAULTS), Run::totalNanos);
        double floorRestored = medianMs(cold.get(FLOOR_SNAP), Run::afterRestoreNanos);
        double oursRestored = medianMs(cold.get(OURS_SNAP), Run::afterRestoreNanos);
        out.append(String.format(Locale.ROOT, "without SnapStart: ours/floor %.2f, ours/SDK defaults %.2f%n", ours / floor,
                ours / defaults));
        out.append(String.format(Locale.ROOT, "with SnapStart (restore point to the end of the first invocation, the"
                + " restore itself not included): ours %.0f ms, floor %.0f ms, ours/floor %.2f%n%n", oursRestored,
                floorRestored, oursRestored / floorRestored));

    }

    private static void goal(StringBuilder out, String goal, boolean met, String numbers) {
        out.append(String.format(Locale.ROOT, "%-56s %-4s %s%n", goal, met ? "met" : "MISS", numbers));
    }

    private Run coldStart(Variant v, int round) throws Exception {
        String key = "cold/" + v.root() + (v.snapStart() ? "-snap" : "") + "-" + round + ".png";
        String event = upload(key, Images.png(72, 128));
        Run r = invokeOnce(v, event, lambdaHeapKb(SUBMIT_MEMORY_MB) / 1024, SUBMIT_MEMORY_MB,
                "cold-" + v.root() + (v.snapStart() ? "-snap" : ""), CpuShare.unconstrained());
        if (!r.succeeded() || (v.root().equals("ours") && !submitted(key))) {
            throw new IllegalStateException(v.name() + " failed its cold start: " + r.result());
        }
        return r;
    }

    /** Whether the record next to {@code imageKey} holds the job the API created. */
    private boolean submitted(String imageKey) throws IOException {
        try {
            JsonNode record = mapper.readTree(s3.getObjectAsBytes(b -> b.bucket(BUCKET)
                    .key(imageKey.replace(".png", ".video.json"))).asByteArray());
            return record.path("id").isTextual() && record.path("status").asText().equals("queued");
        } catch (NoSuchKeyException e) {
            return false;
        }
    }

    /** Warm invocations in one function JVM, with {@code share} of a CPU. */
    private Warm warm(Variant v, CpuShare share) throws Exception {
        String key = "warm/" + v.root() + "-" + jobs.incrementAndGet() + ".png";
        byte[] image = pngOfSize(WARM_IMAGE_BYTES);
        String etag = s3.putObject(b -> b.bucket(BUCKET).key(key), RequestBody.fromBytes(image)).eTag();
        String event = sqsEvent(Events.notificationJson(List.of(new Events.Put(BUCKET, key, image.length, etag))));
        runtime.reset();
        Process p = launch(v, lambdaHeapKb(SUBMIT_MEMORY_MB) / 1024, SUBMIT_MEMORY_MB, "warm-" + v.root(), share);
        try {
            long[] latencies = new long[WARM_RUNS];
            long cpuBefore = 0;
            for (int i = 0; i < WARM_UP + WARM_RUNS; i++) {
                String prompt = "{\"prompt\": \"warm invocation " + i + "\"}";
                s3.putObject(b -> b.bucket(BUCKET).key(key.replace(".png", ".prompt.json")),
                        RequestBody.fromString(prompt));
                if (i == WARM_UP) {
                    cpuBefore = cpuNanos(p);
                }
                runtime.events.add(event);
                RuntimeApi.Result result = awaitResult(p, 120);
                if (result == null || !result.body().contains("\"batchItemFailures\":[]")) {
                    throw new IllegalStateException(v.name() + " failed warm invocation " + i + ": " + result);
                }
                if (i >= WARM_UP) {
                    latencies[i - WARM_UP] = result.at() - result.deliveredAt();
                }
            }
            double cpuPerInvocation = (cpuNanos(p) - cpuBefore) / 1e6 / WARM_RUNS;
            Arrays.sort(latencies);
            return new Warm(latencies[WARM_RUNS / 2] / 1e6, latencies[WARM_RUNS * 9 / 10] / 1e6, cpuPerInvocation,
                    hwmKb(p) / 1024.0);
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    private Run submit(Variant v, int imageBytes, long maxHeapMb, String label) throws Exception {
        String key = "memory/" + label + "-" + jobs.incrementAndGet() + ".png";
        String event = upload(key, imageBytes < 1024 ? Images.png(72, 128) : pngOfSize(imageBytes));
        try {
            return invokeOnce(v, event, maxHeapMb, SUBMIT_MEMORY_MB, "submit-" + label, CpuShare.unconstrained());
        } finally {
            s3.deleteObject(b -> b.bucket(BUCKET).key(key));
        }
    }

    private Run poll(Variant v, long videoBytes, long maxHeapMb, CpuShare share) throws Exception {
        String name = "memory/video-" + jobs.incrementAndGet();
        String jobId = "video_" + name.replace('/', '_');
        videoSizes.put(jobId, videoBytes);
        String now = Instant.now().toString();
        s3.putObject(b -> b.bucket(BUCKET).key(name + ".video.json").contentType("application/json"),
                RequestBody.fromString("{\"id\":\"" + jobId + "\",\"object\":\"video\",\"status\":\"in_progress\","
                        + "\"progress\":50,\"submitted_at\":\"" + now + "\",\"updated_at\":\"" + now + "\"}"));
        String body = "{\"bucket\":\"" + BUCKET + "\",\"record\":\"" + name + ".video.json\",\"job_id\":\"" + jobId
                + "\",\"check\":1}";
        try {
            Run r = invokeOnce(v, sqsEvent(body), maxHeapMb, POLL_MEMORY_MB, "poll", share);
            if (r.succeeded()) {
                long stored = s3.headObject(b -> b.bucket(BUCKET).key(name + ".mp4")).contentLength();
                if (stored != videoBytes) {
                    throw new IllegalStateException("the stored video has " + stored + " bytes, not " + videoBytes);
                }
            }
            return r;
        } finally {
            s3.deleteObject(b -> b.bucket(BUCKET).key(name + ".mp4"));
            s3.deleteObject(b -> b.bucket(BUCKET).key(name + ".video.json"));
        }
    }

    /** The event the event source mapping hands the function for one message holding {@code body}. */
    private static String sqsEvent(String body) {
        return SqsEvents.json(SqsEvents.messageOf(body));
    }

    interface Succeeds {
        boolean at(long maxHeapMb) throws Exception;
    }

    /** The smallest heap limit, to 2 MB, under which the invocation still succeeds. */
    private static long minHeapMb(Succeeds succeeds, int memoryMb) throws Exception {
        long high = lambdaHeapKb(memoryMb) / 1024;
        if (!succeeds.at(high)) {
            throw new IllegalStateException("fails even with the Lambda heap of " + high + " MB");
        }
        long low = 4;
        while (high - low > 2) {
            long mid = (low + high) / 2;
            if (succeeds.at(mid)) {
                high = mid;
            } else {
                low = mid;
            }
        }
        return high;
    }

    private String upload(String key, byte[] image) {
        s3.putObject(b -> b.bucket(BUCKET).key(key.replace(".png", ".prompt.json")),
                RequestBody.fromString("{\"prompt\": \"a cow takes the driving test\", \"size\": \"720x1280\"}"));
        String etag = s3.putObject(b -> b.bucket(BUCKET).key(key).contentType("image/png"),
                RequestBody.fromBytes(image)).eTag();
        return sqsEvent(Events.notificationJson(List.of(new Events.Put(BUCKET, key, image.length, etag))));
    }

    /**
     * A PNG header for the requested 720x1280, then noise: the function reads the header, finds the
     * size already right and sends the bytes untouched, so the run measures holding and sending them.
     */
    private byte[] pngOfSize(int size) {
        byte[] bytes = new byte[size];
        random.nextBytes(bytes);
        byte[] header = FitImages.forgedPngHeader(720, 1280);
        System.arraycopy(header, 0, bytes, 0, header.length);
        return bytes;
    }

    /** A phone photo's 3024x4032 JPEG, submitted with fit cover to 720x1280. */
    private Run submitPhoto(byte[] photo, long maxHeapMb) throws Exception {
        String key = "memory/photo-" + jobs.incrementAndGet() + ".jpg";
        s3.putObject(b -> b.bucket(BUCKET).key(key.replace(".jpg", ".prompt.json")), RequestBody.fromString(
                "{\"prompt\": \"waves\", \"size\": \"720x1280\", \"fit\": \"cover\"}"));
        String etag = s3.putObject(b -> b.bucket(BUCKET).key(key).contentType("image/jpeg"),
                RequestBody.fromBytes(photo)).eTag();
        try {
            return invokeOnce(OURS, sqsEvent(Events.notificationJson(List.of(new Events.Put(BUCKET, key, photo.length,
                    etag)))), maxHeapMb, SUBMIT_MEMORY_MB, "submit-photo", CpuShare.unconstrained());
        } finally {
            s3.deleteObject(b -> b.bucket(BUCKET).key(key));
        }
    }

    /** Median wall time of fitting the photo in this JVM, after a warm-up. */
    private static double fitMillis(byte[] photo) {
        ImageFitter fitter = new ImageFitter(ImageFitter.DEFAULT_MAX_PIXELS);
        ImageFit cover = new ImageFit(Fit.COVER, RgbColor.BLACK);
        long[] nanos = new long[7];
        fitter.fit("photo.jpg", photo, 720, 1280, cover);
        for (int i = 0; i < nanos.length; i++) {
            long started = System.nanoTime();
            fitter.fit("photo.jpg", photo, 720, 1280, cover);
            nanos[i] = System.nanoTime() - started;
        }
        Arrays.sort(nanos);
        return nanos[nanos.length / 2] / 1e6;
    }

    /** Starts a function, hands it one event, and stops it once it has answered. */
    private Run invokeOnce(Variant v, String event, long maxHeapMb, int memoryMb, String log, CpuShare share)
            throws Exception {
        runtime.reset();
        runtime.events.add(event);
        long started = System.nanoTime();
        Process p = launch(v, maxHeapMb, memoryMb, log, share);
        try {
            RuntimeApi.Result result = awaitResult(p, 600);
            if (result == null) {
                return new Run(0, 0, 0, 0, 0, p.isAlive() ? "timeout" : "exited with " + p.exitValue(), 0, started);
            }
            return new Run(result.at() - started, runtime.firstNextAt - started, result.at() - result.deliveredAt(),
                    cpuNanos(p), hwmKb(p), result.body(), runtime.restoreAt, started);
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    /** The function's answer, or null when it exited or took longer than {@code seconds}. */
    private RuntimeApi.Result awaitResult(Process p, int seconds) throws InterruptedException {
        for (int waited = 0; waited < seconds * 10; waited++) {
            RuntimeApi.Result result = runtime.results.poll(100, TimeUnit.MILLISECONDS);
            if (result != null) {
                return result;
            }
            if (!p.isAlive()) {
                return runtime.results.poll();
            }
        }
        return null;
    }

    /** The runtime's command line (as its bootstrap builds it) for {@code v}'s JIT, in a clean environment. */
    private Process launch(Variant v, long maxHeapMb, int memoryMb, String log, CpuShare share) throws IOException {
        List<String> command = new ArrayList<>(List.of(javaBin.toString(),
                "-XX:MaxHeapSize=" + maxHeapMb * 1024 + "k",
                // Lambda's JVM sees only the function's memory; this machine's RAM would size the heap's start.
                "-XX:MaxRAM=" + memoryMb + "m",
                "-XX:+UseSerialGC", "-Xshare:auto"));
        command.addAll(v.jit().flags);
        command.addAll(pki.jvmTrustFlags());
        command.addAll(List.of("--add-opens=java.base/java.io=ALL-UNNAMED",
                "-Dorg.crac.Core.Compat=com.amazonaws.services.lambda.crac", "-XX:+ErrorFileToStderr",
                "-classpath", ricClassPath, "com.amazonaws.services.lambda.runtime.api.client.AWSLambda",
                v.handler()));
        ProcessBuilder pb = new ProcessBuilder(share.wrap(command)).directory(roots.get(v.root()).toFile());
        Map<String, String> env = pb.environment();
        env.clear();
        env.put("PATH", "/usr/local/bin:/usr/bin:/bin");
        env.put("LANG", "en_US.UTF-8");
        env.put("TZ", ":UTC");
        env.put("LAMBDA_TASK_ROOT", roots.get(v.root()).toAbsolutePath().toString());
        env.put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + runtime.server.getAddress().getPort());
        env.put("AWS_LAMBDA_FUNCTION_NAME", "bench");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(memoryMb));
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "1");
        env.put("AWS_LAMBDA_LOG_FORMAT", "JSON");
        env.put("AWS_LAMBDA_LOG_LEVEL", "INFO");
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_DEFAULT_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY);
        env.put("AWS_ENDPOINT_URL_S3", s3Https.toString());
        env.put("AWS_ENDPOINT_URL_SQS", sqsHttps.toString());
        env.put("AWS_ENDPOINT_URL_SECRETS_MANAGER", stubsHttps.toString());
        env.put("VIDEO_API_BASE_URL", stubsHttps.toString());
        env.put("VIDEO_API_KEY_SECRET_ARN", SECRET_ARN);
        env.put("POLL_QUEUE_URL", queueUrl);
        if (v.snapStart()) {
            env.put("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start");
        }
        pb.redirectErrorStream(true).redirectOutput(DIR.resolve("logs").resolve(log + ".log").toFile());
        return pb.start();
    }

    private static long cpuNanos(Process p) {
        return p.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    /** The process's peak resident set (VmHWM), in KB. */
    private static long hwmKb(Process p) throws IOException {
        long pid = javaPid(p);
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }

    /** The JVM's pid: the process itself, as the cgroup's shell became it with exec. */
    private static long javaPid(Process p) {
        return p.pid();
    }

    /** What the runtime gives the heap: 85% of the function's memory. */
    static long lambdaHeapKb(int memoryMb) {
        return memoryMb * 1024L * 85 / 100;
    }

    private static long totalRamMb() {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        return os.getTotalMemorySize() / 1024 / 1024;
    }

    private static String javaVersion(Path java) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(java.toString(), "-version").redirectErrorStream(true).start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        return text.lines().filter(l -> l.contains("Runtime Environment")).findFirst().orElse(text.trim());
    }

    interface Nanos {
        long of(Run r);
    }

    private static double medianMs(List<Run> runs, Nanos f) {
        return median(runs.stream().mapToDouble(r -> f.of(r) / 1e6).toArray());
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n == 0 ? Double.NaN : n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    // --- the servers -----------------------------------------------------------------------------

    /** The video API: creates jobs, reports them completed, and streams their video made up on the fly. */
    private void videoApi(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
            String path = exchange.getRequestURI().getPath();
            if (exchange.getRequestMethod().equals("POST")) {
                json(exchange, "{\"id\":\"video_" + jobs.incrementAndGet() + "\",\"object\":\"video\",\"model\":"
                        + "\"sora-2\",\"status\":\"queued\",\"progress\":0,\"created_at\":1700000000,\"seconds\":\"10\","
                        + "\"size\":\"720x1280\"}");
            } else if (path.endsWith("/content")) {
                String id = path.substring("/v1/videos/".length(), path.length() - "/content".length());
                long size = videoSizes.getOrDefault(id, 1024L);
                exchange.getResponseHeaders().add("Content-Type", "video/mp4");
                exchange.sendResponseHeaders(200, size);
                byte[] chunk = new byte[64 * 1024];
                random.nextBytes(chunk);
                try (OutputStream out = exchange.getResponseBody()) {
                    for (long left = size; left > 0; left -= chunk.length) {
                        out.write(chunk, 0, (int) Math.min(chunk.length, left));
                    }
                }
            } else {
                String id = path.substring("/v1/videos/".length());
                json(exchange, "{\"id\":\"" + id + "\",\"object\":\"video\",\"model\":\"sora-2\",\"status\":"
                        + "\"completed\",\"progress\":100,\"created_at\":1700000000,\"seconds\":\"10\","
                        + "\"size\":\"720x1280\"}");
            }
        }
    }

    /** Secrets Manager's GetSecretValue, the only call the functions make to it. */
    private void secretsManager(HttpExchange exchange) throws IOException {
        try (exchange; InputStream in = exchange.getRequestBody()) {
            in.transferTo(OutputStream.nullOutputStream());
            json(exchange, "{\"ARN\":\"" + SECRET_ARN + "\",\"Name\":\"video-api-key\",\"SecretString\":\""
                    + API_KEY + "\",\"VersionId\":\"v1\",\"CreatedDate\":1700000000}");
        }
    }

    private static void json(HttpExchange exchange, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    /**
     * The parts of the Lambda Runtime API the runtime client uses: next invocation, response, errors,
     * and the SnapStart restore point. One function process at a time.
     */
    private static final class RuntimeApi {
        record Result(String body, long at, long deliveredAt) {}

        final HttpServer server;
        // New queues per function process: a killed process's last "next" must not take the next one's event.
        volatile BlockingQueue<String> events = new LinkedBlockingQueue<>();
        volatile BlockingQueue<Result> results = new LinkedBlockingQueue<>();
        volatile long firstNextAt;
        volatile long deliveredAt;
        volatile long restoreAt;
        private final AtomicInteger requestIds = new AtomicInteger();

        RuntimeApi() throws IOException {
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
            server.createContext("/2018-06-01/runtime/", this::handle);
            server.setExecutor(Executors.newCachedThreadPool());
            server.start();
        }

        void reset() {
            events = new LinkedBlockingQueue<>();
            results = new LinkedBlockingQueue<>();
            firstNextAt = 0;
            restoreAt = 0;
        }

        private void handle(HttpExchange exchange) throws IOException {
            long now = System.nanoTime();
            String path = exchange.getRequestURI().getPath();
            try (exchange) {
                if (path.endsWith("/invocation/next")) {
                    if (firstNextAt == 0) {
                        firstNextAt = now;
                    }
                    BlockingQueue<String> session = events;
                    String event = session.poll(600, TimeUnit.SECONDS);
                    if (event == null) {
                        exchange.sendResponseHeaders(500, -1);
                        return;
                    }
                    exchange.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", "req-" + requestIds.incrementAndGet());
                    exchange.getResponseHeaders().add("Lambda-Runtime-Deadline-Ms",
                            Long.toString(System.currentTimeMillis() + 300_000));
                    exchange.getResponseHeaders().add("Lambda-Runtime-Invoked-Function-Arn",
                            "arn:aws:lambda:us-east-1:000000000000:function:bench");
                    exchange.getResponseHeaders().add("Content-Type", "application/json");
                    byte[] body = event.getBytes(StandardCharsets.UTF_8);
                    deliveredAt = System.nanoTime();
                    exchange.sendResponseHeaders(200, body.length);
                    try (OutputStream out = exchange.getResponseBody()) {
                        out.write(body);
                    }
                } else if (path.endsWith("/restore/next")) {
                    restoreAt = now;
                    exchange.sendResponseHeaders(200, -1);
                } else {
                    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                    String kind = path.endsWith("/response") ? "response" : "error";
                    results.add(new Result(kind + ":" + path + ":" + body, now, deliveredAt));
                    exchange.sendResponseHeaders(202, -1);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
