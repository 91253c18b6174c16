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

    /**
     * @param handler as in template.yaml, e.g. {@code io.s3imagetovideo.poll.PollHandler::handleRequest}
     * @param env the function's environment beyond what Lambda itself sets
     */
    public LambdaRuntimeProcess(String functionName, String handler, Map<String, String> env) {
        this.functionName = functionName;
        try {
            runtimeApi = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
            runtimeApi.createContext("/2018-06-01/runtime/", this::serve);
            runtimeApi.start();
            Path java = Path.of(System.getProperty("java.home"), "bin", "java");
            ProcessBuilder pb = new ProcessBuilder(java.toString(), "-D" + NATIVE_LIBRARY_PROPERTY + "=" + nativeLibrary(),
                    "-cp", System.getProperty("java.class.path"),
                    "com.amazonaws.services.lambda.runtime.api.client.AWSLambda", handler);
            Map<String, String> processEnv = pb.environment();
            processEnv.put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + runtimeApi.getAddress().getPort());
            processEnv.put("AWS_LAMBDA_FUNCTION_NAME", functionName);
            processEnv.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024");
            processEnv.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
            processEnv.put("AWS_REGION", "us-east-1");
            processEnv.putAll(env);
            log = Files.createTempFile("lambda-runtime-" + functionName, ".log");
            pb.redirectErrorStream(true).redirectOutput(log.toFile());
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
                exchange.sendResponseHeaders(200, body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            } else {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                String kind = path.endsWith("/response") ? "response" : "error";
                results.add(kind + ":" + body);
                exchange.sendResponseHeaders(202, -1);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
