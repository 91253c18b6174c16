package io.s3imagetovideo.api;

import io.s3imagetovideo.time.Sleeper;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.http.Fault;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.s3imagetovideo.config.ApiConfig;
import io.s3imagetovideo.config.Secret;
import io.s3imagetovideo.sidecar.VideoRequest;
import io.s3imagetovideo.sidecar.VideoSize;
import io.s3imagetovideo.support.MutableClock;
import io.s3imagetovideo.support.RecordingSleeper;
import io.s3imagetovideo.support.RotatingKeys;
import io.s3imagetovideo.support.WireMockHosts;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class VideoJobsTest {

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

    /** The same request may succeed later, in this invocation or a later one: the callers' "later". */
    private static final Class<?>[] RETRYABLE = {ApiError.Busy.class, ApiError.Transient.class,
            ApiError.Unreachable.class};
    /** Asking again gets the same answer (or, after a create without a job id, may pay twice). */
    private static final Class<?>[] NOT_RETRYABLE = {ApiError.Refused.class, ApiError.Unauthorized.class,
            ApiError.BadAnswer.class};

    @RegisterExtension
    final WireMockExtension server = WireMockHosts.extension();
    private final MutableClock clock = new MutableClock(NOW);
    private final RecordingSleeper sleeper = new RecordingSleeper(clock);



    // --- fixtures -------------------------------------------------------------------------------

    private VideoJobs jobs(int maxAttempts, ApiKeySource keys) {
        return jobs(URI.create(server.baseUrl()), maxAttempts, keys);
    }

    private VideoJobs jobs(URI baseUrl, int maxAttempts, ApiKeySource keys) {
        return jobs(baseUrl, maxAttempts, keys, sleeper);
    }

    private VideoJobs jobs(URI baseUrl, int maxAttempts, ApiKeySource keys, Sleeper sleeper) {
        ApiConfig config = new ApiConfig(baseUrl, Optional.empty(), Optional.of(new Secret(KEY)),
                Duration.ofSeconds(5), Duration.ofSeconds(10), maxAttempts, INITIAL_DELAY, MAX_DELAY);
        return VideoApi.over(config, VideoApi.policyOf(config), ApiTransport.newHttpClient(config.connectTimeout()),
                keys, new ObjectMapper(), clock, sleeper, new Random(1234)).jobs();
    }

    private VideoJobs jobs(int maxAttempts) {
        return jobs(maxAttempts, ApiKeySource.fixed(new Secret(KEY)));
    }

    private List<Duration> sleeps() {
        return sleeper.sleeps();
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

    private static ApiResult<ObjectNode> create(VideoJobs jobs, Instant deadline) {
        return jobs.create(request(), new ImagePart.File("input_reference", image()), IDEMPOTENCY_KEY, deadline);
    }

    private static ApiResult.Ok<ObjectNode> created(VideoJobs jobs, Instant deadline) {
        return ok(create(jobs, deadline));
    }

    private static ApiResult.Failed<ObjectNode> createFails(VideoJobs jobs, Instant deadline) {
        return failed(create(jobs, deadline));
    }

    private static <T> ApiResult.Ok<T> ok(ApiResult<T> result) {
        assertThat(result).isInstanceOf(ApiResult.Ok.class);
        return (ApiResult.Ok<T>) result;
    }

    private static <T> ApiResult.Failed<T> failed(ApiResult<T> result) {
        assertThat(result).isInstanceOf(ApiResult.Failed.class);
        return (ApiResult.Failed<T>) result;
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

    /** OpenAI's error envelope, as the host sends it with any 4xx or 5xx. */
    private static ResponseDefinitionBuilder openAiError(int status, String code, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json").withBody("""
                {"error": {"message": "%s", "type": "invalid_request_error", "param": "input_reference", "code": %s}}
                """.formatted(message, code == null ? "null" : "\"" + code + "\""));
    }

    // --- success and the request sent ----------------------------------------------------------

    @Test
    void createsJobWithOneMultipartRequest() {
        respondInTurn(okJson(JOB));

        ApiResult.Ok<ObjectNode> created = created(jobs(3), FAR_DEADLINE);

        assertThat(created.attempts()).isEqualTo(1);
        assertThat(created.value().path("id").asText()).isEqualTo("video_123");
        assertThat(created.value().path("status").asText()).isEqualTo("queued");
        assertThat(sleeps()).isEmpty();

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
        VideoJobs jobs = jobs(URI.create(server.baseUrl() + "/openai/"), 1, ApiKeySource.fixed(new Secret(KEY)));

        assertThat(created(jobs, FAR_DEADLINE).value().path("id").asText()).isEqualTo("video_123");
        server.verify(1, postRequestedFor(urlEqualTo("/openai/v1/videos")));
    }

    // --- Retry-After ----------------------------------------------------------------------------

    @Test
    void waitsRetryAfterSeconds() {
        respondInTurn(status(502).withHeader("Retry-After", "2"), okJson(JOB));

        ApiResult.Ok<ObjectNode> created = created(jobs(3), FAR_DEADLINE);

        assertThat(created.attempts()).isEqualTo(2);
        assertThat(sleeps()).containsExactly(Duration.ofSeconds(2));
    }

    @Test
    void aBusyHostIsNotAskedAgainWithinTheCallWhateverItsRetryAfter() {
        // Given a host at its concurrency limit (429), then one that is busy with a Retry-After (503)
        respondInTurn(status(429).withHeader("Retry-After", "2"), status(503).withHeader("Retry-After", "1"),
                okJson(JOB));

        // When a job is created twice
        ApiResult.Failed<ObjectNode> limited = createFails(jobs(5), FAR_DEADLINE);
        ApiResult.Failed<ObjectNode> busy = createFails(jobs(5), FAR_DEADLINE);

        // Then each call asked once, slept not at all, and says how long the host asked to wait
        assertThat(limited.error()).isInstanceOf(ApiError.Busy.class);
        assertThat(limited.error().retryAfter()).hasValue(Duration.ofSeconds(2));
        assertThat(busy.error()).isInstanceOf(ApiError.Busy.class);
        assertThat(busy.error().retryAfter()).hasValue(Duration.ofSeconds(1));
        assertThat(posts()).hasSize(2);
        assertThat(sleeps()).isEmpty();
    }

    @Test
    void waitsUntilRetryAfterHttpDate() {
        // Given a date five seconds after the clock's instant
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.plusSeconds(5).atZone(ZoneOffset.UTC));
        respondInTurn(status(502).withHeader("Retry-After", date), okJson(JOB));

        ApiResult.Ok<ObjectNode> created = created(jobs(3), FAR_DEADLINE);

        assertThat(created.attempts()).isEqualTo(2);
        assertThat(sleeps()).containsExactly(Duration.ofSeconds(5));
    }

    @Test
    void waitsNothingForRetryAfterDateInThePast() {
        String date = DateTimeFormatter.RFC_1123_DATE_TIME.format(NOW.minusSeconds(30).atZone(ZoneOffset.UTC));
        respondInTurn(status(502).withHeader("Retry-After", date), okJson(JOB));

        create(jobs(3), FAR_DEADLINE);

        assertThat(sleeps()).containsExactly(Duration.ZERO);
    }

    @Test
    void retryAfterMsWinsOverRetryAfter() {
        respondInTurn(status(502).withHeader("retry-after-ms", "1500").withHeader("Retry-After", "9"), okJson(JOB));

        create(jobs(3), FAR_DEADLINE);

        assertThat(sleeps()).containsExactly(Duration.ofMillis(1500));
    }

    // --- refusals -------------------------------------------------------------------------------

    @Test
    void doesNotRetryBadRequestAndKeepsApiError() {
        respondInTurn(openAiError(400, "invalid_image_size", "Inpaint image must match the requested width and height"));

        ApiError e = createFails(jobs(5), FAR_DEADLINE).error();

        assertThat(e).isInstanceOfAny(NOT_RETRYABLE);
        assertThat(e.httpStatus()).hasValue(400);
        assertThat(e.code()).isEqualTo("invalid_image_size");
        assertThat(e.message()).isEqualTo("Inpaint image must match the requested width and height");
        assertThat(posts()).hasSize(1);
        assertThat(sleeps()).isEmpty();
    }

    @Test
    void fallsBackToHttpStatusCodeWhenErrorHasNoCode() {
        respondInTurn(openAiError(400, null, "Invalid size"));

        ApiError e = createFails(jobs(5), FAR_DEADLINE).error();

        assertThat(e.code()).isEqualTo("http_400");
        assertThat(e.message()).isEqualTo("Invalid size");
        assertThat(e).isInstanceOfAny(NOT_RETRYABLE);
    }

    @Test
    void doesNotRetryJobWithoutId() {
        respondInTurn(okJson("{\"object\": \"video\", \"status\": \"queued\"}"));

        ApiError e = createFails(jobs(5), FAR_DEADLINE).error();

        assertThat(e.code()).isEqualTo("invalid_response");
        assertThat(e).isInstanceOfAny(NOT_RETRYABLE);
        assertThat(posts()).hasSize(1);
    }

    @Test
    void doesNotRetrySuccessWithNonJsonBody() {
        respondInTurn(aResponse().withStatus(200).withHeader("Content-Type", "text/html").withBody("<html>ok</html>"));

        ApiError e = createFails(jobs(5), FAR_DEADLINE).error();

        assertThat(e.code()).isEqualTo("invalid_response");
        assertThat(e).isInstanceOfAny(NOT_RETRYABLE);
        assertThat(posts()).hasSize(1);
    }

    // --- transient failures ---------------------------------------------------------------------

    @Test
    void retriesBadGatewayWithHtmlBody() {
        respondInTurn(
                aResponse().withStatus(502).withHeader("Content-Type", "text/html").withBody("<html><h1>502 Bad Gateway</h1></html>"),
                okJson(JOB));

        ApiResult.Ok<ObjectNode> created = created(jobs(3), FAR_DEADLINE);

        assertThat(created.attempts()).isEqualTo(2);
        assertThat(created.value().path("id").asText()).isEqualTo("video_123");
        assertThat(sleeps()).hasSize(1);
        assertThat(sleeps().get(0)).isBetween(Duration.ZERO, INITIAL_DELAY);
    }

    @Test
    void errorFromHtmlAnswerDescribesItWithoutRevealingKey() {
        respondInTurn(aResponse().withStatus(502).withHeader("Content-Type", "text/html")
                .withBody("<html><h1>502 Bad Gateway</h1></html>"));

        ApiResult.Failed<ObjectNode> failed = createFails(jobs(2), FAR_DEADLINE);
        ApiError e = failed.error();

        assertThat(e).isInstanceOfAny(RETRYABLE);
        assertThat(e.httpStatus()).hasValue(502);
        assertThat(e.code()).isEqualTo("http_502");
        assertThat(e.message()).contains("text/html");
        assertThat(e.describe()).contains("502").doesNotContain(KEY);
        assertThat(e.message()).doesNotContain(KEY);
        assertThat(e.toString()).doesNotContain(KEY);
        assertThat(failed.toString()).doesNotContain(KEY);
    }

    @Test
    void respectsMaxAttempts() {
        respondInTurn(status(500));

        ApiError e = createFails(jobs(3), FAR_DEADLINE).error();

        assertThat(e).isInstanceOfAny(RETRYABLE);
        assertThat(e.httpStatus()).hasValue(500);
        assertThat(posts()).hasSize(3);
        // Then it waited between attempts, within the backoff's ceiling for retries 1 and 2
        assertThat(sleeps()).hasSize(2);
        assertThat(sleeps().get(0)).isBetween(Duration.ZERO, INITIAL_DELAY);
        assertThat(sleeps().get(1)).isBetween(Duration.ZERO, INITIAL_DELAY.multipliedBy(2));
    }

    @Test
    void sendsSameIdempotencyKeyOnEveryAttempt() {
        respondInTurn(status(500), status(502), status(408), okJson(JOB));

        ApiResult.Ok<ObjectNode> created = created(jobs(5), FAR_DEADLINE);

        assertThat(created.attempts()).isEqualTo(4);
        assertThat(posts()).hasSize(4).allSatisfy(r ->
                assertThat(r.getHeader("Idempotency-Key")).isEqualTo(IDEMPOTENCY_KEY));
    }

    @Test
    void retriesConnectionReset() {
        respondInTurn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER), okJson(JOB));

        ApiResult.Ok<ObjectNode> created = created(jobs(3), FAR_DEADLINE);

        assertThat(created.attempts()).isEqualTo(2);
        assertThat(sleeps()).hasSize(1);
    }

    @Test
    void reportsConnectionErrorAsRetryableWhenAttemptsRunOut() {
        respondInTurn(aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));

        ApiError e = createFails(jobs(2), FAR_DEADLINE).error();

        assertThat(e).isInstanceOfAny(RETRYABLE);
        assertThat(e.httpStatus()).isEmpty();
        assertThat(e.code()).isEqualTo("connection_error");
        assertThat(e.describe()).doesNotContain(KEY);
    }

    // --- the deadline ---------------------------------------------------------------------------

    @Test
    void doesNotRetryWhenWaitWouldPassDeadline() {
        // Given 3 s left beyond the safety margin, and an API asking for 5 s
        Instant deadline = NOW.plus(RetryPolicy.DEFAULT_SAFETY_MARGIN).plusSeconds(3);
        respondInTurn(status(502).withHeader("Retry-After", "5"), okJson(JOB));

        ApiError e = createFails(jobs(5), deadline).error();

        assertThat(e).isInstanceOfAny(RETRYABLE);
        assertThat(e.httpStatus()).hasValue(502);
        assertThat(posts()).hasSize(1);
        assertThat(sleeps()).isEmpty();
    }

    @Test
    void retriesWhenWaitFitsBeforeDeadline() {
        // Given the same 3 s left, and an API asking for 1 s (plus the minimum attempt time: 2 s)
        Instant deadline = NOW.plus(RetryPolicy.DEFAULT_SAFETY_MARGIN).plusSeconds(3);
        respondInTurn(status(502).withHeader("Retry-After", "1"), okJson(JOB));

        ApiResult.Ok<ObjectNode> created = created(jobs(5), deadline);

        assertThat(created.attempts()).isEqualTo(2);
        assertThat(sleeps()).containsExactly(Duration.ofSeconds(1));
    }

    @Test
    void reportsTheHostsErrorWhenTheWaitLeavesNoTimeForTheRetry() {
        // Given the same 3 s left, an API asking for 2 s (with the minimum attempt time, just what is left),
        // and a sleep that runs 1 ms long, as real sleeps do
        Instant deadline = NOW.plus(RetryPolicy.DEFAULT_SAFETY_MARGIN).plusSeconds(3);
        respondInTurn(openAiError(502, "overloaded", "The engine is currently overloaded").withHeader("Retry-After", "2"),
                okJson(JOB));
        Sleeper oversleeping = d -> clock.advance(d.plusMillis(1));

        ApiResult.Failed<ObjectNode> failed = createFails(
                jobs(URI.create(server.baseUrl()), 5, ApiKeySource.fixed(new Secret(KEY)), oversleeping), deadline);

        // Then the record gets the host's reason, not "no time was left", which says nothing of the host
        assertThat(failed.error()).isInstanceOfAny(RETRYABLE);
        assertThat(failed.error().code()).isEqualTo("overloaded");
        assertThat(failed.error().httpStatus()).hasValue(502);
        assertThat(failed.attempts()).isEqualTo(1);
        assertThat(posts()).hasSize(1);
    }

    @Test
    void sendsNothingWhenNoTimeIsLeft() {
        respondInTurn(okJson(JOB));

        ApiResult.Failed<ObjectNode> failed = createFails(jobs(5), NOW.plus(RetryPolicy.DEFAULT_SAFETY_MARGIN));

        // Retryable by a later invocation, though not within this one
        assertThat(failed.error()).isInstanceOfAny(RETRYABLE);
        assertThat(failed.error().code()).isEqualTo("deadline");
        assertThat(failed.attempts()).isZero();
        assertThat(posts()).isEmpty();
    }

    // --- the key --------------------------------------------------------------------------------

    @Test
    void refreshesKeyOnceAfterUnauthorized() {
        respondInTurn(openAiError(401, "invalid_api_key", "Incorrect API key provided"), okJson(JOB));
        RotatingKeys keys = new RotatingKeys("sk-old", "sk-new");

        ApiResult.Ok<ObjectNode> created = created(jobs(3, keys), FAR_DEADLINE);

        assertThat(created.attempts()).isEqualTo(2);
        assertThat(keys.refreshes()).isEqualTo(1);
        assertThat(posts()).extracting(r -> r.getHeader("Authorization"))
                .containsExactly("Bearer sk-old", "Bearer sk-new");
        assertThat(sleeps()).isEmpty();
    }

    @Test
    void givesUpWhenRefreshedKeyIsAlsoUnauthorized() {
        respondInTurn(openAiError(401, "invalid_api_key", "Incorrect API key provided"));
        RotatingKeys keys = new RotatingKeys("sk-old", "sk-new");

        ApiError e = createFails(jobs(5, keys), FAR_DEADLINE).error();

        assertThat(e.httpStatus()).hasValue(401);
        assertThat(e).isInstanceOfAny(NOT_RETRYABLE);
        assertThat(e.code()).isEqualTo("invalid_api_key");
        assertThat(keys.refreshes()).isEqualTo(1);
        assertThat(posts()).hasSize(2);
        assertThat(e.describe()).doesNotContain("sk-old").doesNotContain("sk-new");
    }

    @Test
    void countsBothExchangesWhenTheRequestAfterUnauthorizedGetsNoAnswer() {
        // Given a 401, then a connection the host resets; one attempt allowed
        respondInTurn(openAiError(401, "invalid_api_key", "Incorrect API key provided"),
                aResponse().withFault(Fault.CONNECTION_RESET_BY_PEER));
        RotatingKeys keys = new RotatingKeys("sk-old", "sk-new");

        ApiResult.Failed<ObjectNode> failed = createFails(jobs(1, keys), FAR_DEADLINE);

        // Then attempts counts the two requests that went out, as the host's logs will
        assertThat(failed.error().code()).isEqualTo("connection_error");
        assertThat(posts()).hasSize(2);
        assertThat(failed.attempts()).isEqualTo(2);
    }

    @Test
    void sendsNoSecondRequestAfterUnauthorizedWhenTheRefreshUsedUpTheTimeLeft() {
        // Given 3 s left beyond the safety margin, and a key store that takes 5 s to answer
        Instant deadline = NOW.plus(RetryPolicy.DEFAULT_SAFETY_MARGIN).plusSeconds(3);
        respondInTurn(openAiError(401, "invalid_api_key", "Incorrect API key provided"), okJson(JOB));
        RotatingKeys keys = new RotatingKeys("sk-old", "sk-new") {
            @Override
            public Secret refresh() {
                clock.advance(Duration.ofSeconds(5));
                return super.refresh();
            }
        };

        ApiResult.Failed<ObjectNode> failed = createFails(jobs(3, keys), deadline);

        // Then the request with the new key waits for a later invocation instead of eating the margin
        assertThat(failed.error()).isInstanceOf(ApiError.Unreachable.class);
        assertThat(failed.error().code()).isEqualTo("deadline");
        assertThat(failed.attempts()).isEqualTo(1);
        assertThat(posts()).hasSize(1);
        assertThat(keys.refreshes()).isEqualTo(1);
    }

    @Test
    void redactsTheKeyWhereTheHostQuotesIt() {
        respondInTurn(openAiError(401, "invalid_api_key", "Incorrect API key provided: " + KEY + " (" + KEY + ")"));

        ApiError e = createFails(jobs(3), FAR_DEADLINE).error();

        assertThat(e.message()).isEqualTo("Incorrect API key provided: [redacted] ([redacted])");
        assertThat(e.describe()).doesNotContain(KEY);
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
            createFails(jobs(5, keys), FAR_DEADLINE);
        } finally {
            System.setOut(original);
        }

        // Then the log lines are there, without the key or the prompt
        String log = captured.toString(StandardCharsets.UTF_8);
        assertThat(log).contains("api_response").contains("api_retry");
        assertThat(log).doesNotContain(KEY).doesNotContain(request().prompt());
        assertThat(posts()).hasSize(3);
    }

    // --- error shapes other than OpenAI's -------------------------------------------------------

    @Test
    void readsAnErrorThatIsJustAString() {
        // A reseller's {"error": "..."}
        respondInTurn(aResponse().withStatus(422).withHeader("Content-Type", "application/json")
                .withBody("{\"error\": \"prompt is too long\"}"));

        ApiError e = createFails(jobs(3), FAR_DEADLINE).error();

        assertThat(e).isInstanceOf(ApiError.Refused.class);
        assertThat(e.code()).isEqualTo("http_422");
        assertThat(e.message()).isEqualTo("prompt is too long");
    }

    @Test
    void readsATopLevelCodeAndMessage() {
        // Another reseller's {"code": ..., "message": ...}, with a numeric code
        respondInTurn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                .withBody("{\"code\": 40013, \"message\": \"unsupported size\"}"));

        ApiError e = createFails(jobs(3), FAR_DEADLINE).error();

        assertThat(e).isInstanceOf(ApiError.Refused.class);
        assertThat(e.code()).isEqualTo("40013");
        assertThat(e.message()).isEqualTo("unsupported size");
    }

    // --- retrieve -------------------------------------------------------------------------------

    @Test
    void retrievesJobWithTheKeyAndTheIdAsOnePathSegment() {
        // The host answers GET /v1/videos/{id} with the job object
        server.stubFor(get(urlEqualTo("/v1/videos/video%2F1%20x")).willReturn(okJson(JOB)));

        ApiResult.Ok<ObjectNode> job = ok(jobs(3).retrieve("video/1 x", FAR_DEADLINE));

        assertThat(job.value().path("status").asText()).isEqualTo("queued");
        assertThat(job.attempts()).isEqualTo(1);
        LoggedRequest sent = server.findAll(getRequestedFor(urlEqualTo("/v1/videos/video%2F1%20x"))).get(0);
        assertThat(sent.getHeader("Authorization")).isEqualTo("Bearer " + KEY);
        assertThat(sent.getHeader("Accept")).isEqualTo("application/json");
    }

    @Test
    void retrieveOfAnUnknownJobIsRefusedAtOnce() {
        server.stubFor(get(urlEqualTo("/v1/videos/video_404")).willReturn(aResponse().withStatus(404)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\": {\"message\": \"Video not found\", \"type\": \"invalid_request_error\","
                        + " \"code\": \"not_found\"}}")));

        ApiResult.Failed<ObjectNode> failed = failed(jobs(3).retrieve("video_404", FAR_DEADLINE));

        assertThat(failed.error()).isInstanceOf(ApiError.Refused.class);
        assertThat(failed.error().httpStatus()).hasValue(404);
        assertThat(failed.error().code()).isEqualTo("not_found");
        assertThat(failed.attempts()).isEqualTo(1);
        assertThat(sleeps()).isEmpty();
    }

    @Test
    void retrieveAnsweredWithoutAStatusIsWorthAnotherLook() {
        // A proxy's empty 200 in front of the host; unlike a create, reading again cannot pay twice
        server.stubFor(get(urlEqualTo("/v1/videos/video_123")).willReturn(okJson("{}")));

        ApiResult.Failed<ObjectNode> failed = failed(jobs(2).retrieve("video_123", FAR_DEADLINE));

        assertThat(failed.error()).isInstanceOfAny(RETRYABLE);
        assertThat(failed.error().code()).isEqualTo("invalid_response");
        assertThat(failed.attempts()).isEqualTo(2);
        assertThat(sleeps()).hasSize(1);
    }

}
