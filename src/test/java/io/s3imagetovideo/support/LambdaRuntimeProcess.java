package io.s3imagetovideo.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A function run as Lambda runs it: a new JVM started with the real Lambda Java runtime interface
 * client, which fetches each event from a Runtime API (served here), deserialises it with the runtime's
 * own serializers, builds the handler through its no-argument constructor from the environment alone,
 * and posts the result back. One process serves any number of invocations, as a warm container does.
 *
 * <p>By default the function's code comes from this JVM's class path. With a {@link TaskRoot} it comes
 * from a deployment package instead, as on Lambda: the runtime's own jars on the class path, the task
 * root as the working directory (where the runtime client's class loader finds the classes and
 * {@code lib/*.jar}), the Java runtime's JVM flags without SnapStart (java21's and java25's alike: C1)
 * and a clean environment.
 */
public final class LambdaRuntimeProcess implements AutoCloseable {

    private static final long INVOCATION_TIMEOUT_SECONDS = 180;
    /** Handed to the runtime client's waiting "next" request on close, so the server can stop at once. */
    private static final String CLOSED = new String("closed");

    private final HttpServer runtimeApi;
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final BlockingQueue<String> results = new LinkedBlockingQueue<>();
    private final AtomicInteger requestIds = new AtomicInteger();
    private final String functionName;
    private final Path log;
    private final Process process;
    private final boolean fromTaskRoot;
    private final long startedNanos;
    private volatile long initDoneNanos;
    private volatile long initDoneEpochMillis;
    private volatile long deliveredNanos;
    private volatile long answeredNanos;

    /**
     * A deployment package laid out as Lambda unpacks it, and how the runtime starts a JVM on it.
     *
     * @param directory the task root ({@code /var/task}): classes at the top, jars in {@code lib/}
     * @param runtimeClassPath the runtime's own jars (the runtime client, its serialisation,
     *     {@code aws-lambda-java-core}), which Lambda puts on the system class path
     * @param jvmOptions added after the runtime's flags, e.g. {@code -Xlog:class+load}
     * @param memoryMb the function's memory, which sizes the heap as the runtime sizes it
     */
    public record TaskRoot(Path directory, String runtimeClassPath, List<String> jvmOptions, int memoryMb) {

        /** The jars of {@code classPath} that Lambda's Java runtime itself provides. */
        public static String runtimeJarsOf(String classPath) {
            return String.join(java.io.File.pathSeparator, java.util.Arrays.stream(classPath.split(java.io.File.pathSeparator))
                    .filter(entry -> {
                        String name = Path.of(entry).getFileName().toString();
                        return name.endsWith(".jar") && RUNTIME_JARS.stream().anyMatch(name::startsWith);
                    })
                    .toList());
        }

        /** The runtime's jars taken from this JVM's class path. */
        public static TaskRoot of(Path directory, List<String> jvmOptions, int memoryMb) {
            return new TaskRoot(directory, runtimeJarsOf(System.getProperty("java.class.path")), jvmOptions, memoryMb);
        }

        private static final List<String> RUNTIME_JARS = List.of("aws-lambda-java-runtime-interface-client-",
                "aws-lambda-java-core-", "aws-lambda-java-serialization-", "utils-lite-");

        /**
         * The Java runtime's command line as its bootstrap builds it without SnapStart: a heap of 85% of the memory,
         * serial GC, the class-data archive, C1 only.
         */
        List<String> command(Path java, String handler) {
            List<String> command = new ArrayList<>(List.of(java.toString(),
                    "-XX:MaxHeapSize=" + memoryMb * 1024L * 85 / 100 + "k", "-XX:MaxRAM=" + memoryMb + "m",
                    "-XX:+UseSerialGC", "-Xshare:auto", "-XX:+TieredCompilation", "-XX:TieredStopAtLevel=1",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "-Dorg.crac.Core.Compat=com.amazonaws.services.lambda.crac", "-XX:+ErrorFileToStderr"));
            command.addAll(jvmOptions);
            command.addAll(List.of("-classpath", runtimeClassPath,
                    "com.amazonaws.services.lambda.runtime.api.client.AWSLambda", handler));
            return command;
        }
    }

    /**
     * @param handler as in template.yaml, e.g. {@code io.s3imagetovideo.poll.PollHandler::handleRequest}
     * @param env the function's environment beyond what Lambda itself sets
     */
    public LambdaRuntimeProcess(String functionName, String handler, Map<String, String> env) {
        this(functionName, handler, env, null);
    }

    /** The function's code from {@code taskRoot}, started as Lambda's Java runtime starts it without SnapStart. */
    public LambdaRuntimeProcess(String functionName, String handler, Map<String, String> env, TaskRoot taskRoot) {
        this.functionName = functionName;
        this.fromTaskRoot = taskRoot != null;
        try {
            runtimeApi = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
            runtimeApi.createContext("/2018-06-01/runtime/", this::serve);
            runtimeApi.start();
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            ProcessBuilder pb;
            if (taskRoot == null) {
                pb = new ProcessBuilder(java.toString(), "-D" + NATIVE_LIBRARY_PROPERTY + "=" + nativeLibrary(),
                        "-cp", System.getProperty("java.class.path"),
                        "com.amazonaws.services.lambda.runtime.api.client.AWSLambda", handler);
            } else {
                List<String> command = taskRoot.command(java, handler);
                command.add(1, "-D" + NATIVE_LIBRARY_PROPERTY + "=" + nativeLibrary());
                pb = new ProcessBuilder(command).directory(taskRoot.directory().toFile());
                // Nothing of this machine's environment (AWS profiles, proxies) reaches the function.
                pb.environment().clear();
                pb.environment().putAll(Map.of("PATH", "/usr/local/bin:/usr/bin:/bin", "LANG", "en_US.UTF-8",
                        "TZ", ":UTC", "LAMBDA_TASK_ROOT", taskRoot.directory().toAbsolutePath().toString(),
                        "AWS_DEFAULT_REGION", "us-east-1",
                        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE", Integer.toString(taskRoot.memoryMb())));
            }
            Map<String, String> processEnv = pb.environment();
            processEnv.put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + runtimeApi.getAddress().getPort());
            processEnv.put("AWS_LAMBDA_FUNCTION_NAME", functionName);
            processEnv.putIfAbsent("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024");
            processEnv.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
            processEnv.put("AWS_REGION", "us-east-1");
            processEnv.putAll(env);
            log = Files.createTempFile("lambda-runtime-" + functionName, ".log");
            pb.redirectErrorStream(true).redirectOutput(log.toFile());
            startedNanos = System.nanoTime();
            process = pb.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The runtime client copies its JNI library to the one path {@code /tmp/.libaws-lambda-jni.so} and
     * loads it from there (its {@code JniHelper}), unless this property names a library to load. Two
     * clients starting at once (two functions of one test, two builds on one machine) then overwrite
     * the file one of them is mapping, and that JVM dies of SIGBUS. Each test JVM unpacks its own copy.
     */
    private static final String NATIVE_LIBRARY_PROPERTY =
            "com.amazonaws.services.lambda.runtime.api.client.runtimeapi.NativeClient.JNI";
    private static Path nativeLibrary;

    private static synchronized Path nativeLibrary() throws IOException {
        if (nativeLibrary == null) {
            String arch = System.getProperty("os.arch").equals("aarch64") ? "aarch_64" : "x86_64";
            String resource = "/jni/libaws-lambda-jni.linux-" + arch + ".so";
            try (var in = com.amazonaws.services.lambda.runtime.api.client.AWSLambda.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IOException("the runtime interface client holds no " + resource);
                }
                Path copy = Files.createTempFile("libaws-lambda-jni-", ".so");
                Files.copy(in, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                copy.toFile().deleteOnExit();
                nativeLibrary = copy;
            }
        }
        return nativeLibrary;
    }

    /** What the runtime client posted back: {@code response:<json>} or {@code error:<json>}. */
    public String invoke(String eventJson) throws InterruptedException {
        events.add(eventJson);
        String result = results.poll(INVOCATION_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (result == null) {
            throw new AssertionError("no answer from " + functionName + " within " + INVOCATION_TIMEOUT_SECONDS
                    + " s; its output:\n" + output());
        }
        return result;
    }

    /** From starting the JVM to the runtime client's first request for an event: the init phase. */
    public Duration init() {
        return Duration.ofNanos(initDoneNanos - startedNanos);
    }

    /** The wall-clock time the init phase ended, to split a log of the JVM's own ({@code -Xlog:...:timemillis}). */
    public long initDoneEpochMillis() {
        return initDoneEpochMillis;
    }

    /** From handing the last event over to receiving its answer. */
    public Duration lastInvocation() {
        return Duration.ofNanos(answeredNanos - deliveredNanos);
    }

    /** From starting the JVM to the last answer: for the first invocation, the cold start a caller waits. */
    public Duration sinceStart() {
        return Duration.ofNanos(answeredNanos - startedNanos);
    }

    /** The CPU time the function's JVM has used so far (user and system). */
    public Duration cpu() {
        return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
    }

    /** Everything the function printed, as CloudWatch Logs would hold it. */
    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        if (fromTaskRoot) {
            // A JVM that exits by itself writes what its agents collected (a profiler's samples, say).
            process.destroy();
            try {
                process.waitFor(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        process.destroyForcibly();
        events.add(CLOSED);
        runtimeApi.stop(0);
        try {
            Files.deleteIfExists(log);
        } catch (IOException e) {
            // a leftover temp file is harmless
        }
    }

    /** The parts of the Lambda Runtime API the client uses: next invocation, response, errors. */
    private void serve(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        try (exchange) {
            if (path.endsWith("/invocation/next")) {
                if (initDoneNanos == 0) {
                    initDoneNanos = System.nanoTime();
                    initDoneEpochMillis = System.currentTimeMillis();
                }
                // Lambda's "next" waits as long as it takes: the runtime client's native code does not
                // survive an error answer to it (a SIGSEGV in libc), so an idle function must not get one.
                String event = events.take();
                if (event == CLOSED) {
                    exchange.sendResponseHeaders(500, -1);
                    return;
                }
                exchange.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", "req-" + requestIds.incrementAndGet());
                exchange.getResponseHeaders().add("Lambda-Runtime-Deadline-Ms",
                        Long.toString(System.currentTimeMillis() + 300_000));
                exchange.getResponseHeaders().add("Lambda-Runtime-Invoked-Function-Arn",
                        "arn:aws:lambda:us-east-1:000000000000:function:" + functionName);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                byte[] body = event.getBytes(StandardCharsets.UTF_8);
                deliveredNanos = System.nanoTime();
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            } else if (path.endsWith("/restore/next")) {
                // SnapStart (AWS_LAMBDA_INITIALIZATION_TYPE=snap-start): the hooks have run, the "snapshot" is restored
                exchange.sendResponseHeaders(200, -1);
            } else {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                String kind = path.endsWith("/response") ? "response" : "error";
                answeredNanos = System.nanoTime();
                results.add(kind + ":" + body);
                exchange.sendResponseHeaders(202, -1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
