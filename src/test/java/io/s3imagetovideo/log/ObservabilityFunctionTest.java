package io.s3imagetovideo.log;

import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.s3imagetovideo.support.FunctionHarness.jobAccepted;
import static io.s3imagetovideo.support.FunctionHarness.openAiError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.support.FunctionHarness;
import io.s3imagetovideo.support.Images;
import io.s3imagetovideo.support.S3ProxyBackend;
import io.s3imagetovideo.support.TestContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What an operator sees at 3 a.m.: one JSON line per decision tagged with the invocation's request id,
 * and CloudWatch metrics in Embedded Metric Format, read back from the function's own output.
 */
class ObservabilityFunctionTest {

    @RegisterExtension
    static final S3ProxyBackend S3 = new S3ProxyBackend();

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PROMPT = "{\"prompt\": \"A lighthouse keeper waves at a passing whale\"}";

    private FunctionHarness h;
    private PrintStream stdout;
    private final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    @BeforeEach
    void start() {
        h = new FunctionHarness(S3);
        stdout = System.out;
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void stop() {
        System.setOut(stdout);
        h.close();
    }

    @Test
    void countsSubmittedJobsRetriesAndApiLatencyAsEmbeddedMetrics() {
        // Given an API that fails once, then creates the job
        h.api.stubFor(h.strictCreate().inScenario("rate").whenScenarioStateIs(STARTED).willSetStateTo("ok")
                .willReturn(openAiError(500, "server_error", "The server had an error").withHeader("Retry-After", "1")));
        h.api.stubFor(h.strictCreate().inScenario("rate").whenScenarioStateIs("ok").willReturn(jobAccepted()));
        h.put("lighthouse.png", Images.png(8, 8));
        h.put("lighthouse.prompt.json", PROMPT);

        // When the function handles the image's event
        h.handler().handleRequest(h.eventFor("lighthouse.png"), new TestContext("submit", Duration.ofMinutes(5), "req-7"));

        // Then one job submitted, one retry, two latencies, each a valid EMF document
        Map<String, List<JsonNode>> metrics = metrics();
        assertThat(metrics.get(Metrics.Metric.JOBS_SUBMITTED.cloudWatchName())).singleElement()
                .satisfies(m -> assertThat(m.path(Metrics.Metric.JOBS_SUBMITTED.cloudWatchName()).asLong()).isEqualTo(1));
        assertThat(metrics.get(Metrics.Metric.API_RETRIES.cloudWatchName())).hasSize(1);
        assertThat(metrics.get(Metrics.Metric.API_LATENCY.cloudWatchName())).hasSize(2)
                .allSatisfy(m -> assertThat(m.path(Metrics.Metric.API_LATENCY.cloudWatchName()).asLong()).isNotNegative());
        assertThat(metrics.get(Metrics.Metric.HOST_ANSWER_5XX.cloudWatchName())).hasSize(1);
        assertThat(metrics.get(Metrics.Metric.HOST_ANSWER_2XX.cloudWatchName())).hasSize(1);
        assertThat(metrics).doesNotContainKeys(Metrics.Metric.JOBS_REJECTED.cloudWatchName(),
                Metrics.Metric.JOBS_FAILED.cloudWatchName(), Metrics.Metric.HOST_ANSWER_429.cloudWatchName());
        JsonNode directive = metrics.get(Metrics.Metric.JOBS_SUBMITTED.cloudWatchName()).get(0).path("_aws").path("CloudWatchMetrics").get(0);
        assertThat(directive.path("Namespace").asText()).isEqualTo(Metrics.NAMESPACE);
        assertThat(directive.path("Dimensions").get(0).get(0).asText()).isEqualTo(Metrics.DIMENSION);
        assertThat(directive.path("Metrics").get(0).path("Unit").asText()).isEqualTo("Count");
        assertThat(metrics.get(Metrics.Metric.JOBS_SUBMITTED.cloudWatchName()).get(0).path(Metrics.DIMENSION).asText()).isNotBlank();
    }

    @Test
    void countsAnUploadThatWaitsForABusyHostAndTheHostsAnswer() {
        // Given a host at its concurrency limit
        h.stubCreate(openAiError(429, "rate_limit_exceeded", "Rate limit reached").withHeader("Retry-After", "30"));
        h.put("busy.png", Images.png(8, 8));
        h.put("busy.prompt.json", PROMPT);

        // When the function handles the image's event
        h.handler().handleRequest(h.eventFor("busy.png"), new TestContext("submit", Duration.ofMinutes(5), "req-8"));

        // Then the dashboard's numbers: one 429, one upload waiting, waited 0 s so far, no job yet
        Map<String, List<JsonNode>> metrics = metrics();
        assertThat(metrics.get(Metrics.Metric.HOST_ANSWER_429.cloudWatchName())).hasSize(1);
        assertThat(metrics.get(Metrics.Metric.UPLOADS_WAITING.cloudWatchName())).hasSize(1);
        assertThat(metrics.get(Metrics.Metric.WAITING_UPLOAD_AGE.cloudWatchName())).singleElement()
                .satisfies(m -> assertThat(m.path(Metrics.Metric.WAITING_UPLOAD_AGE.cloudWatchName()).asLong()).isZero());
        assertThat(metrics).doesNotContainKeys(Metrics.Metric.JOBS_SUBMITTED.cloudWatchName(),
                Metrics.Metric.API_RETRIES.cloudWatchName());
    }

    @Test
    void logsOneDecisionLinePerKeyWithRequestIdAndLatencyButNoPrompt() {
        // Given a pair whose sidecar is wrong
        h.put("whale.png", Images.png(8, 8));
        h.put("whale.prompt.json", "{\"prompt\": \"A lighthouse keeper waves\", \"secondz\": \"10\"}");

        // When the function handles the sidecar's event
        h.handler().handleRequest(h.eventFor("whale.prompt.json"),
                new TestContext("submit", Duration.ofMinutes(5), "req-42"));

        // Then the decision line says what happened to which key in which invocation, and how long it took
        JsonNode decision = lines().stream().filter(l -> "submit_decision".equals(l.path("event").asText()))
                .collect(Collectors.collectingAndThen(Collectors.toList(), l -> {
                    assertThat(l).hasSize(1);
                    return l.get(0);
                }));
        assertThat(decision.path("request_id").asText()).isEqualTo("req-42");
        assertThat(decision.path("key").asText()).isEqualTo("whale.prompt.json");
        assertThat(decision.path("action").asText()).isEqualTo("rejected");
        assertThat(decision.path("latency_ms").isIntegralNumber()).isTrue();
        assertThat(metrics().get(Metrics.Metric.JOBS_REJECTED.cloudWatchName())).hasSize(1);
        assertThat(output()).doesNotContain("lighthouse keeper").doesNotContain(FunctionHarness.API_KEY);
        assertThat(h.posts()).isEmpty();
    }

    @Test
    void honoursTheLogLevelLambdaSetsWhenRunOutsideLambda() {
        assertThat(Log.threshold("WARN")).isEqualTo(com.amazonaws.services.lambda.runtime.logging.LogLevel.WARN);
        assertThat(Log.threshold("debug")).isEqualTo(com.amazonaws.services.lambda.runtime.logging.LogLevel.DEBUG);
        assertThat(Log.threshold(null)).isEqualTo(com.amazonaws.services.lambda.runtime.logging.LogLevel.INFO);
        assertThat(Log.threshold("loud")).isEqualTo(com.amazonaws.services.lambda.runtime.logging.LogLevel.INFO);
    }

    private String output() {
        return captured.toString(StandardCharsets.UTF_8);
    }

    private List<JsonNode> lines() {
        return output().lines().filter(l -> l.startsWith("{")).map(l -> {
            try {
                return JSON.readTree(l);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).toList();
    }

    /** EMF documents by the metric each one carries. */
    private Map<String, List<JsonNode>> metrics() {
        return lines().stream().filter(l -> l.has("_aws")).collect(Collectors.groupingBy(
                l -> l.path("_aws").path("CloudWatchMetrics").get(0).path("Metrics").get(0).path("Name").asText()));
    }
}
