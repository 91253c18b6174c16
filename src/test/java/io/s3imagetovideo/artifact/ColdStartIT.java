package io.s3imagetovideo.artifact;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.s3imagetovideo.support.HostStubs.API_KEY;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.s3imagetovideo.support.ElasticMqBackend;
import io.s3imagetovideo.support.Events;
import io.s3imagetovideo.support.FunctionHarness;
import io.s3imagetovideo.support.Images;
import io.s3imagetovideo.support.LambdaRuntimeProcess;
import io.s3imagetovideo.support.S3ProxyBackend;
import io.s3imagetovideo.support.SqsEvents;
import io.s3imagetovideo.support.WireMockHosts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Cold starts of the submit function from the deployable task root beside the floor (an empty handler
 * on the same trigger), alternating, each a new JVM under the runtime client with the runtime's flags
 * without SnapStart (java21's, java25's: C1) and the template's {@code JAVA_TOOL_OPTIONS}, if any,
 * each on a fresh upload: a 72x128 PNG fitted to 720x1280,
 * its key from Secrets Manager, the job's record and its first check. Writes
 * {@code target/artifact/cold-start.txt}: medians of init (JVM start to the runtime client's first
 * request for an event), first invocation and their sum, CPU time, and what each loaded where
 * (a further run of each with {@code -Xlog:class+load}). A measurement, not a gate: wall times on a
 * shared machine vary. So it runs only when asked, {@code -Dartifact.coldRuns=10} (docs/artifact.md);
 * that the task root works is TaskRootIT's to show, in every build.
 */
@org.junit.jupiter.api.condition.EnabledIfSystemProperty(named = "artifact.coldRuns", matches = "[0-9]+")
class ColdStartIT {

    @RegisterExtension
    static final S3ProxyBackend S3 = new S3ProxyBackend();
    @RegisterExtension
    static final ElasticMqBackend SQS = new ElasticMqBackend();

    static final int RUNS = Integer.getInteger("artifact.coldRuns", 3);
    /** Further JVM options for every run, e.g. a profiling agent's. */
    static final List<String> JVM_OPTIONS = System.getProperty("artifact.jvmOptions", "").isBlank() ? List.of()
            : List.of(System.getProperty("artifact.jvmOptions").trim().split("\\s+"));
    static final String SUBMIT = "io.s3imagetovideo.submit.SubmitHandler::handleRequest";
    static final String FLOOR = "io.s3imagetovideo.bench.EmptyHandler::handleRequest";

    private FunctionHarness h;
    private WireMockServer secrets;
    private int uploads;

    record Run(Duration init, Duration firstInvocation, Duration total, Duration cpu) {}

    @BeforeEach
    void start() {
        h = new FunctionHarness(S3, SQS);
        h.stubCreate(FunctionHarness.jobAccepted());
        secrets = WireMockHosts.start(UnaryOperator.identity());
        secrets.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"ARN\":\"" + TaskRootIT.SECRET_ARN + "\",\"Name\":\"video-api-key\","
                                + "\"SecretString\":\"" + API_KEY + "\"}")));
    }

    @AfterEach
    void stop() {
        secrets.stop();
        h.close();
    }

    @Test
    void coldStartsOfTheSubmitFunctionBesideTheEmptyHandler() throws Exception {
        // The deployable task root, or several to compare (-Dartifact.taskRoots=a,b), each beside the floor.
        List<Path> roots = System.getProperty("artifact.taskRoots") == null ? List.of(TaskRoots.deployable())
                : java.util.Arrays.stream(System.getProperty("artifact.taskRoots").split(",")).map(Path::of).toList();
        List<Path> variants = new ArrayList<>();
        variants.add(TaskRoots.floor());
        variants.addAll(roots);
        Map<Path, List<Run>> runs = new java.util.LinkedHashMap<>();
        for (Path v : variants) {
            runs.put(v, new ArrayList<>());
            // A first start of each warms this machine's file cache, as Lambda's is warm for its runtime.
            coldStart(v, handlerOf(v, variants), List.of());
        }
        for (int i = 0; i < RUNS; i++) {
            // Each round starts with another variant, so that none always follows the same one.
            for (int j = 0; j < variants.size(); j++) {
                Path v = variants.get((i + j) % variants.size());
                runs.get(v).add(coldStart(v, handlerOf(v, variants), List.of()).run);
            }
        }

        StringBuilder report = new StringBuilder();
        report.append(String.format(Locale.ROOT, "COLD START (median of %d, ms), JDK %s, %d CPUs, load average %.1f%n",
                RUNS, Runtime.version(), Runtime.getRuntime().availableProcessors(),
                java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage()));
        report.append(String.format(Locale.ROOT, "%-40s %8s %8s %8s %8s %8s%n", "", "init", "1st inv", "to end",
                "cpu", "x floor"));
        Run f = median(runs.get(variants.get(0)));
        for (Path v : variants) {
            Run r = median(runs.get(v));
            report.append(String.format(Locale.ROOT, "%-40s %8d %8d %8d %8d %7.2fx%n",
                    v == variants.get(0) ? "floor (empty handler)" : v.toString(), r.init().toMillis(),
                    r.firstInvocation().toMillis(), r.total().toMillis(), r.cpu().toMillis(),
                    (double) r.total().toNanos() / f.total().toNanos()));
        }
        report.append("\nruns (init/1st inv/to end/cpu ms):\n");
        for (Path v : variants) {
            report.append("  ").append(v == variants.get(0) ? "floor" : v.toString()).append(": ").append(String.join(
                    "  ", runs.get(v).stream().map(ColdStartIT::brief).toList())).append('\n');
        }
        for (Path v : variants) {
            boolean isFloor = v == variants.get(0);
            ClassLoadLog loaded = coldStartLogged(v, handlerOf(v, variants), isFloor ? "floor" : "submit-" + variants.indexOf(v));
            report.append("\nCLASSES LOADED, ").append(isFloor ? "floor" : v).append(" (a further run with -Xlog:class+load)\n")
                    .append(loaded.table(isFloor ? 10 : 40));
        }
        for (Path v : roots) {
            report.append("\nTASK ROOT ").append(v).append(String.format(Locale.ROOT, ", zipped %d bytes%n",
                    TaskRoots.zippedSize(v, TaskRoots.OUT.resolve("zipped-" + roots.indexOf(v) + ".zip"))));
            TaskRoots.files(v).forEach((file, size) -> report.append(String.format(Locale.ROOT, "%10d %s%n", size, file)));
        }
        Files.createDirectories(TaskRoots.OUT);
        Files.writeString(TaskRoots.OUT.resolve("cold-start.txt"), report);
        System.out.println(report);

        assertThat(runs.get(variants.get(1))).hasSize(RUNS);
    }

    private static String handlerOf(Path variant, List<Path> variants) {
        return variant == variants.get(0) ? FLOOR : SUBMIT;
    }

    private record Started(Run run, long initDoneEpochMillis) {}

    private ClassLoadLog coldStartLogged(Path root, String handler, String name) throws Exception {
        Path log = Files.createDirectories(TaskRoots.OUT).resolve("class-load-" + name + ".log").toAbsolutePath();
        Files.deleteIfExists(log);
        Started s = coldStart(root, handler, List.of(ClassLoadLog.option(log)));
        return new ClassLoadLog(log, root, s.initDoneEpochMillis());
    }

    /** One new JVM, one fresh upload's message, one answer. */
    private Started coldStart(Path root, String handler, List<String> jvmOptions) throws Exception {
        String key = "cold/scene-" + (++uploads) + ".png";
        byte[] png = Images.png(72, 128);
        h.put(key.replace(".png", ".prompt.json"), "{\"prompt\": \"a cow takes the driving test\", \"size\": \"720x1280\"}");
        h.put(key, png);
        String event = SqsEvents.json(SqsEvents.messageOf(Events.notificationJson(List.of(
                new Events.Put(h.bucket, key, png.length, h.etag(key))))));
        List<String> options = new ArrayList<>(JVM_OPTIONS);
        options.addAll(jvmOptions);
        try (LambdaRuntimeProcess function = new LambdaRuntimeProcess("submit", handler, environment(),
                TaskRoots.runtime(root, options))) {
            String result = function.invoke(event);
            assertThat(result).as(function.output()).isEqualTo("response:{\"batchItemFailures\":[]}");
            if (handler.equals(SUBMIT)) {
                assertThat(h.record(key.replace(".png", ".video.json"))).as("the job's record").isPresent();
            }
            return new Started(new Run(function.init(), function.lastInvocation(), function.sinceStart(), function.cpu()),
                    function.initDoneEpochMillis());
        }
    }

    private Map<String, String> environment() {
        return TaskRoots.functionEnvironment(h, S3.endpoint(), SQS.endpoint(), secrets.baseUrl());
    }

    private static Run median(List<Run> runs) {
        return new Run(median(runs, Run::init), median(runs, Run::firstInvocation), median(runs, Run::total),
                median(runs, Run::cpu));
    }

    private static Duration median(List<Run> runs, java.util.function.Function<Run, Duration> part) {
        List<Duration> sorted = runs.stream().map(part).sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : sorted.get(n / 2 - 1).plus(sorted.get(n / 2)).dividedBy(2);
    }

    private static String brief(Run r) {
        return r.init().toMillis() + "/" + r.firstInvocation().toMillis() + "/" + r.total().toMillis() + "/"
                + r.cpu().toMillis();
    }
}
