package io.s3imagetovideo.submit;

import static io.s3imagetovideo.support.FunctionHarness.API_KEY;
import static io.s3imagetovideo.support.FunctionHarness.JOB_ID;
import static io.s3imagetovideo.support.FunctionHarness.jobAccepted;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.http.Request;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.s3imagetovideo.support.Events;
import io.s3imagetovideo.support.FunctionHarness;
import io.s3imagetovideo.support.Images;
import io.s3imagetovideo.support.S3ProxyBackend;
import io.s3imagetovideo.support.S3ProxyServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The submit function run as Lambda runs it: a new JVM started with the real Lambda Java runtime
 * interface client, which fetches the S3 notification from a Runtime API (served here), deserialises
 * it with the runtime's own serializers, builds the handler through its no-argument constructor from
 * the environment alone, and posts the result back.
 */
class LambdaRuntimeTest {

    @RegisterExtension
    static final S3ProxyBackend S3 = new S3ProxyBackend();

    private FunctionHarness h;
    private HttpServer runtimeApi;
    private final BlockingQueue<String> events = new ArrayBlockingQueue<>(4);
    private final BlockingQueue<String> results = new ArrayBlockingQueue<>(4);

    @BeforeEach
    void start() throws IOException {
        h = new FunctionHarness(S3);
        runtimeApi = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
        runtimeApi.createContext("/2018-06-01/runtime/", this::runtime);
        runtimeApi.start();
    }

    @AfterEach
    void stop() {
        runtimeApi.stop(0);
        h.close();
    }

    @Test
    void submitsThroughTheRealRuntimeClientWithANonAsciiKey() throws Exception {
        // Given the pair for 'in box/场景 1+x.png' in a real S3 server and a strict video API
        h.stubCreate(jobAccepted());
        byte[] png = Images.png(720, 1280); // the default size: sent untouched
        h.put("in box/场景 1+x.prompt.json", "{\"prompt\": \"a cow takes the driving test\"}");
        h.put("in box/场景 1+x.png", png);

        // When the runtime delivers the image's S3 notification to a function started from scratch
        events.add(Events.notificationJson(List.of(new Events.Put(h.bucket, "in box/场景 1+x.png", png.length,
                h.s3.headObject(b -> b.bucket(h.bucket).key("in box/场景 1+x.png")).eTag()))));
        Process function = startFunction();
        String result;
        try {
            result = results.poll(60, TimeUnit.SECONDS);
        } finally {
            function.destroyForcibly();
        }

        // Then the invocation succeeded, one POST carried the image, and the record holds the job
        assertThat(result).as("the runtime's response").isNotNull().startsWith("response:").contains("submitted");
        assertThat(h.posts()).hasSize(1);
        Request.Part file = h.posts().get(0).getPart("input_reference");
        assertThat(file.getHeader("Content-Disposition").firstValue()).contains("filename=\"场景 1+x.png\"");
        assertThat(file.getBody().asBytes()).isEqualTo(png);
        JsonNode record = h.record("in box/场景 1+x.video.json").orElseThrow();
        assertThat(record.path("id").asText()).isEqualTo(JOB_ID);
    }

    private Process startFunction() throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        ProcessBuilder pb = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                "com.amazonaws.services.lambda.runtime.api.client.AWSLambda",
                "io.s3imagetovideo.submit.SubmitHandler::handleRequest");
        Map<String, String> env = pb.environment();
        env.put("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:" + runtimeApi.getAddress().getPort());
        env.put("AWS_LAMBDA_FUNCTION_NAME", "submit");
        env.put("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "1024");
        env.put("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST");
        env.put("AWS_REGION", "us-east-1");
        env.put("AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY);
        env.put("AWS_ENDPOINT_URL_S3", S3.endpoint().toString());
        env.put("VIDEO_API_BASE_URL", h.api.baseUrl());
        env.put("VIDEO_API_KEY", API_KEY);
        Path log = Files.createTempFile("lambda-runtime", ".log");
        pb.redirectErrorStream(true).redirectOutput(log.toFile());
        return pb.start();
    }

    /** The parts of the Lambda Runtime API the client uses: next invocation, response, errors. */
    private void runtime(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        try (exchange) {
            if (path.endsWith("/invocation/next")) {
                String event = events.poll(60, TimeUnit.SECONDS);
                if (event == null) {
                    exchange.sendResponseHeaders(500, -1);
                    return;
                }
                exchange.getResponseHeaders().add("Lambda-Runtime-Aws-Request-Id", "req-1");
                exchange.getResponseHeaders().add("Lambda-Runtime-Deadline-Ms",
                        Long.toString(System.currentTimeMillis() + 300_000));
                exchange.getResponseHeaders().add("Lambda-Runtime-Invoked-Function-Arn",
                        "arn:aws:lambda:us-east-1:000000000000:function:submit");
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
