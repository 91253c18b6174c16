package io.s3imagetovideo.api;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.s3imagetovideo.config.Secret;
import io.s3imagetovideo.sidecar.VideoRequest;
import io.s3imagetovideo.sidecar.VideoSize;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import io.s3imagetovideo.support.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class VideoApiClientTest {

    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private static final Instant FAR_DEADLINE = NOW.plus(Duration.ofMinutes(15));
    private static final String PATH = "/v1/videos";
    private static final String KEY = "sk-test-key-7f3a9c";
    private static final String IDEMPOTENCY_KEY = "bucket/in/scene.png#etag-1";
    private static final String JOB = """
            {"id": "video_123", "object": "video", "model": "sora-2", "status": "queued",
             "progress": 0, "created_at": 1764000000, "seconds": "10", "size": "720x1280"}
            """;
    private static final Duration INITIAL_DELAY = Duration.ofMillis(100);
    private static final Duration MAX_DELAY = Duration.ofSeconds(1);

    private WireMockServer server;
    private final MutableClock clock = new MutableClock(NOW);
    private final List<Duration> sleeps = new CopyOnWriteArrayList<>();
    private final Sleeper sleeper = d -> {
        sleeps.add(d);
        clock.advance(d);
    };

    @BeforeEach
    void startServer() {
        server = new WireMockServer(options().bindAddress("127.0.0.1").dynamicPort());
        server.start();
    }

    @AfterEach
    void stopServer() {
        server.stop();
    }

    // --- fixtures -------------------------------------------------------------------------------

    private static RetryPolicy policy(int maxAttempts) {
        return new RetryPolicy(maxAttempts, INITIAL_DELAY, MAX_DELAY, RetryPolicy.DEFAULT_SAFETY_MARGIN);
    }

    private VideoApiClient client(RetryPolicy policy, ApiKeySource keys) {
        return client(URI.create(server.baseUrl()), policy, keys);
    }

    private VideoApiClient client(URI baseUrl, RetryPolicy policy, ApiKeySource keys) {
        return new VideoApiClient(VideoApiClient.newHttpClient(Duration.ofSeconds(5)), baseUrl, keys,
                new ObjectMapper(), policy, Duration.ofSeconds(10), clock, sleeper, new Random(1234));
    }

    private VideoApiClient client(int maxAttempts) {
        return client(policy(maxAttempts), ApiKeySource.fixed(new Secret(KEY)));
    }

    private static VideoRequest request() {
        Map<String, String> extra = new LinkedHashMap<>();
        extra.put("style", "comic");
        extra.put("quality", "high");
        return new VideoRequest("Let the cow happily take the driving test", "sora-2", "10",
                VideoSize.PORTRAIT_720, false, true, extra);
    }

    private static ImageUpload image() {
        return new ImageUpload("场景 1.png", "image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 1, 2, 3});
    }

    private VideoApiClient.CreatedJob create(VideoApiClient client, Instant deadline) {
        return client.createVideo(request(), image(), IDEMPOTENCY_KEY, deadline);
    }

    private VideoApiException createFails(VideoApiClient client, Instant deadline) {
        return catchThrowableOfType(VideoApiException.class, () -> create(client, deadline));
    }

    /** Answers the POSTs with these responses in turn; the last one repeats. */
    private void respondInTurn(ResponseDefinitionBuilder... responses) {
        for (int i = 0; i < responses.length; i++) {
            String state = i == 0 ? Scenario.STARTED : "answer-" + i;
            var stub = post(urlEqualTo(PATH)).inScenario("sequence").whenScenarioStateIs(state).willReturn(responses[i]);
            if (i + 1 < responses.length) {
                stub = stub.willSetStateTo("answer-" + (i + 1));
            }
            server.stubFor(stub);
        }
    }

    private List<LoggedRequest> posts() {
        return server.findAll(postRequestedFor(urlEqualTo(PATH)));
    }

    private static ResponseDefinitionBuilder status(int status) {
        return aResponse().withStatus(status);
    }

    private static ResponseDefinitionBuilder openAiError(int status, String code, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody("""
                {"error": {"message": "%s", "type": "invalid_request_error", "param": "input_reference", "code": %s}}
                """.formatted(message, code == null ? "null" : "\"" + code + "\""));
    }

    // --- success and the request sent ----------------------------------------------------------

    @Test
    void createsJobWithOneMultipartRequest() {
        respondInTurn(okJson(JOB));

        VideoApiClient.CreatedJob created = create(client(3), FAR_DEADLINE);

        assertThat(created.attempts()).isEqualTo(1);
        assertThat(created.job().path("id").asText()).isEqualTo("video_123");
        assertThat(created.job().path("status").asText()).isEqualTo("queued");
        assertThat(sleeps).isEmpty();

        LoggedRequest sent = posts().get(0);
        assertThat(sent.getHeader("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(sent.getHeader("Idempotency-Key")).isEqualTo(IDEMPOTENCY_KEY);
        assertThat(sent.getHeader("Content-Type")).startsWith("multipart/form-data");
        Map<String, String> fields = sent.getParts().stream()
                .filter(p -> !p.getName().equals("input_reference"))
                .collect(Collectors.toMap(Request.Part::getName, p -> p.getBody().asString(),
                        (a, b) -> a + "," + b, LinkedHashMap::new));
        assertThat(fields).containsExactly(
                Map.entry("model", "sora-2"),
                Map.entry("prompt", "Let the cow happily take the driving test"),
                Map.entry("seconds", "10"),
                Map.entry("size", "720x1280"),
                Map.entry("watermark", "false"),
                Map.entry("private", "true"),
                Map.entry("style", "comic"),
                Map.entry("quality", "high"));
        Request.Part file = sent.getPart("input_reference");
        assertThat(file).isNotNull();
        assertThat(file.getHeader("Content-Type").firstValue()).isEqualTo("image/png");
        assertThat(file.getHeader("Content-Disposition").firstValue()).contains("filename=");
        assertThat(file.getBody().asBytes()).isEqualTo(image().bytes());
    }

    @Test
    void postsBelowBaseUrlPath() {
        server.stubFor(post(urlEqualTo("/openai/v1/videos")).willReturn(okJson(JOB)));
        VideoApiClient client = client(URI.create(server.baseUrl() + "/openai/"), policy(1),
                ApiKeySource.fixed(new Secret(KEY)));

        assertThat(create(client, FAR_DEADLINE).job().path("id").asText()).isEqualTo("video_123");
        server.verify(1, postRequestedFor(urlEqualTo("/openai/v1/videos")));
    }

    // --- Retry-After ----------------------------------------------------------------------------

    @Test
    void waitsRetryAfterSeconds() {
        respondInTurn(status(429).withHeader("Retry-After", "2"), okJson(JOB));

        VideoApiClient.CreatedJob created = create(client(3), FAR_DEADLINE);

        assertThat(created.attempts()).isEqualTo(2);
        assertThat(sleeps).containsExactly(Duration.ofSeconds(2));
    }

    @Test
    void waitsUntilRetryAfterHttpDate() {
        // Given a date five seconds after the clock's instant
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(5).atZone(ZoneOffset.UTC));
        respondInTurn(status(503).withHeader("Retry-After", date), okJson(JOB));

        VideoApiClient.CreatedJob created = create(client(3), FAR_DEADLINE);

        assertThat(created.attempts()).isEqualTo(2);
        assertThat(sleeps).containsExactly(Duration.ofSeconds(5));
    }

    @Test
    void waitsNothingForRetryAfterDateInThePast() {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.minusSeconds(30).atZone(ZoneOffset.UTC));
        respondInTurn(status(503).withHeader("Retry-After", date), okJson(JOB));

        create(client(3), FAR_DEADLINE);

        assertThat(sleeps).containsExactly(Duration.ZERO);
    }

    @Test
    void retryAfterMsWinsOverRetryAfter() {
        respondInTurn(status(429).withHeader("retry-after-ms", "1500").withHeader("Retry-After", "9"), okJson(JOB));

        create(client(3), FAR_DEADLINE);

        assertThat(sleeps).containsExactly(Duration.ofMillis(1500));
    }

    // --- refusals -------------------------------------------------------------------------------

    @Test
    void doesNotRetryBadRequestAndKeepsApiError() {
        respondInTurn(openAiError(400, "invalid_image_size", "Inpaint image must match the requested width and height"));

        VideoApiException e = createFails(client(5), FAR_DEADLINE);

        assertThat(e.isRetryable()).isFalse();
        assertThat(e.httpStatus()).isEqualTo(400);
        assertThat(e.code()).isEqualTo("invalid_image_size");
        assertThat(e.type()).contains("invalid_request_error");
        assertThat(e.apiMessage()).isEqualTo("Inpaint image must match the requested width and height");
        assertThat(posts()).hasSize(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void fallsBackToHttpStatusCodeWhenErrorHasNoCode() {
        respondInTurn(openAiError(400, null, "Invalid size"));

        VideoApiException e = createFails(client(5), FAR_DEADLINE);

        assertThat(e.code()).isEqualTo("http_400");
        assertThat(e.apiMessage()).isEqualTo("Invalid size");
        assertThat(e.isRetryable()).isFalse();
    }

    @Test
    void doesNotRetryJobWithoutId() {
        respondInTurn(okJson("{\"object\": \"video\", \"status\": \"queued\"}"));

        VideoApiException e = createFails(client(5), FAR_DEADLINE);

        assertThat(e.code()).isEqualTo("invalid_response");
        assertThat(e.isRetryable()).isFalse();
        assertThat(posts()).hasSize(1);
    }

    @Test
    void doesNotRetrySuccessWithNonJsonBody() {
        respondInTurn(aResponse().withStatus(200).withHeader("Content-Type", "text/html").withBody("<html>ok</html>"));

        VideoApiException e = createFails(client(5), FAR_DEADLINE);

        assertThat(e.code()).isEqualTo("invalid_response");
        assertThat(e.isRetryable()).isFalse();
        assertThat(posts()).hasSize(1);
    }

    // --- transient failures ---------------------------------------------------------------------

    @Test
    void retriesBadGatewayWithHtmlBody() {
        respondInTurn(
                aResponse().withStatus(502).withHeader("Content-Type", "text/html").withBody("<html><h1>502 Bad Gateway</h1></html>"),
                okJson(JOB));

        VideoApiClient.CreatedJob created = create(client(3), FAR_DEADLINE);

        assertThat(created.attempts()).isEqualTo(2);
        assertThat(created.job().path("id").asText()).isEqualTo("video_123");
        assertThat(sleeps).hasSize(1);
        assertThat(sleeps.get(0)).isBetween(Duration.ZERO, INITIAL_DELAY);
    }

    @Test
    void errorFromHtmlAnswerDescribesItWithoutRevealingKey() {
        respondInTurn(aResponse().withStatus(502).withHeader("Content-Type", "text/html")
                .withBody("<html><h1>502 Bad Gateway</h1></html>"));

        VideoApiException e = createFails(client(2), FAR_DEADLINE);

        assertThat(e.isRetryable()).isTrue();
        assertThat(e.httpStatus()).isEqualTo(502);
        assertThat(e.code()).isEqualTo("http_502");
        assertThat(e.apiMessage()).contains("text/html");
        assertThat(e.getMessage()).contains("502").doesNotContain(KEY);
        assertThat(e.apiMessage()).doesNotContain(KEY);
        assertThat(e.toString()).doesNotContain(KEY);
        for (Throwable cause = e.getCause(); cause != null; cause = cause.getCause()) {
            assertThat(String.valueOf(cause.getMessage())).doesNotContain(KEY);
        }
    }

    @Test
    void respectsMaxAttempts() {
        respondInTurn(status(500));

        VideoApiException e = createFails(client(3), FAR_DEADLINE);

        assertThat(e.isRetryable()).isTrue();
        assertThat(e.httpStatus()).isEqualTo(500);
        assertThat(posts()).hasSize(3);
        // Then it waited between attempts, within the backoff's ceiling for retries 1 and 2
        assertThat(sleeps).hasSize(2);
        assertThat(sleeps.get(0)).isBetween(Duration.ZERO, INITIAL_DELAY);
        assertThat(sleeps.get(1)).isBetween(Duration.ZERO, INITIAL_DELAY.multipliedBy(2));
    }

    @Test
    void sendsSameIdempotencyKeyOnEveryAttempt() {
        respondInTurn(status(500), status(429), status(408), okJson(JOB));

        VideoApiClient.CreatedJob created = create(client(5), FAR_DEADLINE);

        assertThat(created.attempts()).isEqualTo(4);
        assertThat(posts()).hasSize(4).allSatisfy(r ->
                assertThat(r.getHeader("Idempotency-Key")).isEqualTo(IDEMPOTENCY_KEY));
    }

    @Test
    void retriesConnectionReset() {
        respondInTurn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), okJson(JOB));

        VideoApiClient.CreatedJob created = create(client(3), FAR_DEADLINE);

        assertThat(created.attempts()).isEqualTo(2);
        assertThat(sleeps).hasSize(1);
    }

    @Test
    void reportsConnectionErrorAsRetryableWhenAttemptsRunOut() {
        respondInTurn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));

        VideoApiException e = createFails(client(2), FAR_DEADLINE);

        assertThat(e.isRetryable()).isTrue();
        assertThat(e.httpStatus()).isZero();
        assertThat(e.code()).isEqualTo("connection_error");
        assertThat(e.getMessage()).doesNotContain(KEY);
    }

    // --- the deadline ---------------------------------------------------------------------------

    @Test
    void doesNotRetryWhenWaitWouldPassDeadline() {
        // Given 3 s left beyond the safety margin, and an API asking for 5 s
        Instant deadline = NOW.plus(RetryPolicy.DEFAULT_SAFETY_MARGIN).plusSeconds(3);
        respondInTurn(status(503).withHeader("Retry-After", "5"), okJson(JOB));

        VideoApiException e = createFails(client(5), deadline);

        assertThat(e.isRetryable()).isTrue();
        assertThat(e.httpStatus()).isEqualTo(503);
        assertThat(posts()).hasSize(1);
        assertThat(sleeps).isEmpty();
    }

    @Test
    void retriesWhenWaitFitsBeforeDeadline() {
        // Given the same 3 s left, and an API asking for 1 s (plus the minimum attempt time: 2 s)
        Instant deadline = NOW.plus(RetryPolicy.DEFAULT_SAFETY_MARGIN).plusSeconds(3);
        respondInTurn(status(503).withHeader("Retry-After", "1"), okJson(JOB));

        VideoApiClient.CreatedJob created = create(client(5), deadline);

        assertThat(created.attempts()).isEqualTo(2);
        assertThat(sleeps).containsExactly(Duration.ofSeconds(1));
    }

    @Test
    void sendsNothingWhenNoTimeIsLeft() {
        respondInTurn(okJson(JOB));

        VideoApiException e = createFails(client(5), NOW.plus(RetryPolicy.DEFAULT_SAFETY_MARGIN));

        assertThat(e.isRetryable()).isTrue();
        assertThat(e.code()).isEqualTo("deadline");
        assertThat(posts()).isEmpty();
    }

    // --- the key --------------------------------------------------------------------------------

    @Test
    void refreshesKeyOnceAfterUnauthorized() {
        respondInTurn(openAiError(401, "invalid_api_key", "Incorrect API key provided"), okJson(JOB));
        RotatingKeys keys = new RotatingKeys("sk-old", "sk-new");

        VideoApiClient.CreatedJob created = create(client(policy(3), keys), FAR_DEADLINE);

        assertThat(created.attempts()).isEqualTo(2);
        assertThat(keys.refreshes.get()).isEqualTo(1);
        assertThat(posts()).extracting(r -> r.getHeader("Authorization"))
                .containsExactly("Bearer sk-old", "Bearer sk-new");
        assertThat(sleeps).isEmpty();
    }

    @Test
    void givesUpWhenRefreshedKeyIsAlsoUnauthorized() {
        respondInTurn(openAiError(401, "invalid_api_key", "Incorrect API key provided"));
        RotatingKeys keys = new RotatingKeys("sk-old", "sk-new");

        VideoApiException e = createFails(client(policy(5), keys), FAR_DEADLINE);

        assertThat(e.httpStatus()).isEqualTo(401);
        assertThat(e.isRetryable()).isFalse();
        assertThat(e.code()).isEqualTo("invalid_api_key");
        assertThat(keys.refreshes.get()).isEqualTo(1);
        assertThat(posts()).hasSize(2);
        assertThat(e.getMessage()).doesNotContain("sk-old").doesNotContain("sk-new");
    }

    @Test
    void logsOfRetriesAndRefusalsNeverHoldKeyOrPrompt() {
        // Given an HTML 502, a 401 (key refresh) and an OpenAI-format 400
        respondInTurn(
                aResponse().withStatus(502).withHeader("Content-Type", "text/html").withBody("<html>bad gateway</html>"),
                openAiError(401, "invalid_api_key", "Incorrect API key provided"),
                openAiError(400, "invalid_size", "Invalid size"));
        RotatingKeys keys = new RotatingKeys(KEY, KEY + "-rotated");
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();

        // When the client runs with stdout (where the function's log lines go) captured
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            createFails(client(policy(5), keys), FAR_DEADLINE);
        } finally {
            System.setOut(original);
        }

        // Then the log lines are there, without the key or the prompt
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("api_response").contains("api_retry");
        assertThat(log).doesNotContain(KEY).doesNotContain(request().prompt());
        assertThat(posts()).hasSize(3);
    }

    // --- helpers --------------------------------------------------------------------------------

    /** Hands out the first key until refreshed, then the second. */
    private static final class RotatingKeys implements ApiKeySource {
        private final List<Secret> keys = new ArrayList<>();
        final AtomicInteger refreshes = new AtomicInteger();

        RotatingKeys(String first, String second) {
            keys.add(new Secret(first));
            keys.add(new Secret(second));
        }

        @Override
        public Secret current() {
            return keys.get(Math.min(refreshes.get(), keys.size() - 1));
        }

        @Override
        public Secret refresh() {
            refreshes.incrementAndGet();
            return current();
        }
    }
}
