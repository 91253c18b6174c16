package io.s3imagetovideo.api;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.s3imagetovideo.api.VideoDownloads.VideoDownload;
import io.s3imagetovideo.config.ApiConfig;
import io.s3imagetovideo.config.Secret;
import io.s3imagetovideo.support.MutableClock;
import io.s3imagetovideo.support.RecordingSleeper;
import io.s3imagetovideo.support.RotatingKeys;
import io.s3imagetovideo.support.WireMockHosts;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Downloads of a finished job's video. Two WireMock servers: {@code api} stands for the video host
 * (the base URL, {@code localhost}), {@code cdn} for another host its files live on ({@code 127.0.0.1},
 * another port).
 */
class VideoDownloadsTest {

    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private static final Instant FAR_DEADLINE = NOW.plus(Duration.ofMinutes(15));
    private static final String KEY = "sk-download-key-3e8b1d";
    private static final String JOB_ID = "video_123";
    private static final String CONTENT = "/v1/videos/" + JOB_ID + "/content";
    private static final byte[] MP4 = {0, 0, 0, 0x18, 'f', 't', 'y', 'p', 'i', 's', 'o', 'm', 0, 0, 2, 0};
    private static final Duration INITIAL_DELAY = Duration.ofMillis(100);
    private static final Duration MAX_DELAY = Duration.ofSeconds(1);

    @RegisterExtension
    final WireMockExtension api = WireMockHosts.extension();
    @RegisterExtension
    final WireMockExtension cdn = WireMockHosts.extension();
    private final MutableClock clock = new MutableClock(NOW);
    private final RecordingSleeper sleeper = new RecordingSleeper(clock);



    // --- fixtures -------------------------------------------------------------------------------

    private VideoDownloads downloads(int maxAttempts, ApiKeySource keys) {
        ApiConfig config = new ApiConfig(URI.create(api.baseUrl()), Optional.empty(), Optional.of(new Secret(KEY)),
                Duration.ofSeconds(5), Duration.ofSeconds(10), maxAttempts, INITIAL_DELAY, MAX_DELAY);
        return VideoApi.over(config, VideoApi.policyOf(config), ApiTransport.newHttpClient(config.connectTimeout()),
                keys, new ObjectMapper(), clock, sleeper, new Random(1234)).downloads();
    }

    private VideoDownloads downloads(int maxAttempts) {
        return downloads(maxAttempts, ApiKeySource.fixed(new Secret(KEY)));
    }

    /** The other host's address: another port, and spelled as an IP where the base URL says localhost. */
    private String cdnUrl(String path) {
        return "http://127.0.0.1:" + cdn.getPort() + path;
    }

    private static <T> ApiResult.Ok<T> ok(ApiResult<T> result) {
        assertThat(result).isInstanceOf(ApiResult.Ok.class);
        return (ApiResult.Ok<T>) result;
    }

    private static <T> ApiResult.Failed<T> failed(ApiResult<T> result) {
        assertThat(result).isInstanceOf(ApiResult.Failed.class);
        return (ApiResult.Failed<T>) result;
    }

    private static byte[] readAll(VideoDownload download) throws IOException {
        try (download) {
            return download.body().readAllBytes();
        }
    }

    private static ResponseDefinitionBuilder video() {
        return aResponse().withStatus(200).withHeader("Content-Type", "video/mp4").withBody(MP4);
    }

    private static ResponseDefinitionBuilder redirectTo(String location) {
        return aResponse().withStatus(302).withHeader("Location", location);
    }

    /** Answers {@code GET /content} with these responses in turn; the last one repeats. */
    private void contentAnswersInTurn(ResponseDefinitionBuilder... responses) {
        for (int i = 0; i < responses.length; i++) {
            String state = i == 0 ? Scenario.STARTED : "answer-" + i;
            var stub = get(urlPathEqualTo(CONTENT)).inScenario("content").whenScenarioStateIs(state)
                    .willReturn(responses[i]);
            if (i + 1 < responses.length) {
                stub = stub.willSetStateTo("answer-" + (i + 1));
            }
            api.stubFor(stub);
        }
    }

    private List<LoggedRequest> contentRequests() {
        return api.findAll(getRequestedFor(urlPathEqualTo(CONTENT)));
    }

    // --- /content: the key's refresh and the retry loop -----------------------------------------

    @Test
    void contentDownloadReadsTheKeyAgainAfterUnauthorized() throws IOException {
        // The host refuses a key rotated away since it was read, in OpenAI's envelope
        contentAnswersInTurn(aResponse().withStatus(401).withHeader("Content-Type", "application/json")
                .withBody("{\"error\": {\"message\": \"Incorrect API key provided\", \"type\": \"invalid_request_error\","
                        + " \"code\": \"invalid_api_key\"}}"), video());
        RotatingKeys keys = new RotatingKeys("sk-old", "sk-new");

        ApiResult.Ok<VideoDownload> download = ok(downloads(3, keys).content(JOB_ID, FAR_DEADLINE));

        assertThat(readAll(download.value())).isEqualTo(MP4);
        assertThat(download.value().contentType()).contains("video/mp4");
        assertThat(download.attempts()).isEqualTo(2);
        assertThat(keys.refreshes()).isEqualTo(1);
        assertThat(contentRequests()).extracting(r -> r.getHeader("Authorization"))
                .containsExactly("Bearer sk-old", "Bearer sk-new");
        // The refreshed key is asked with straight away, not after a backoff
        assertThat(sleeper.sleeps()).isEmpty();
    }

    @Test
    void contentDownloadRetriesABadGatewayBeforeSucceeding() throws IOException {
        // The host's proxy answers with its HTML error page once
        contentAnswersInTurn(aResponse().withStatus(502).withHeader("Content-Type", "text/html")
                .withBody("<html><h1>502 Bad Gateway</h1></html>"), video());

        ApiResult.Ok<VideoDownload> download = ok(downloads(3).content(JOB_ID, FAR_DEADLINE));

        assertThat(readAll(download.value())).isEqualTo(MP4);
        assertThat(download.attempts()).isEqualTo(2);
        assertThat(contentRequests()).hasSize(2).allSatisfy(r ->
                assertThat(r.getHeader("Authorization")).isEqualTo("Bearer " + KEY));
        assertThat(sleeper.sleeps()).hasSize(1);
        assertThat(sleeper.sleeps().get(0)).isBetween(Duration.ZERO, INITIAL_DELAY);
    }

    // --- redirects ------------------------------------------------------------------------------

    @Test
    void contentRedirectedToAnotherHostIsFetchedThereWithoutTheKey() throws IOException {
        // The host hands the file to its storage: a 302 to a signed URL on another host
        api.stubFor(get(urlPathEqualTo(CONTENT)).willReturn(redirectTo(cdnUrl("/blobs/" + JOB_ID + ".mp4?sig=abc"))));
        cdn.stubFor(get(urlPathEqualTo("/blobs/" + JOB_ID + ".mp4")).willReturn(video()));

        ApiResult.Ok<VideoDownload> download = ok(downloads(1).content(JOB_ID, FAR_DEADLINE));

        assertThat(readAll(download.value())).isEqualTo(MP4);
        assertThat(download.value().host()).isEqualTo("127.0.0.1");
        assertThat(download.attempts()).isEqualTo(2);
        assertThat(contentRequests()).singleElement().satisfies(r ->
                assertThat(r.getHeader("Authorization")).isEqualTo("Bearer " + KEY));
        List<LoggedRequest> atCdn = cdn.findAll(anyRequestedFor(anyUrl()));
        assertThat(atCdn).singleElement().satisfies(r -> {
            assertThat(r.getUrl()).isEqualTo("/blobs/" + JOB_ID + ".mp4?sig=abc");
            assertThat(r.containsHeader("Authorization")).isFalse();
        });
    }

    @Test
    void aRedirectBackToTheBaseUrlCarriesNoKeyEither() throws IOException {
        // The host redirects to another path of its own: a link to follow, not an API call
        api.stubFor(get(urlPathEqualTo(CONTENT)).willReturn(redirectTo("/files/" + JOB_ID + ".mp4")));
        api.stubFor(get(urlPathEqualTo("/files/" + JOB_ID + ".mp4")).willReturn(video()));

        ApiResult.Ok<VideoDownload> download = ok(downloads(1).content(JOB_ID, FAR_DEADLINE));

        assertThat(readAll(download.value())).isEqualTo(MP4);
        assertThat(api.findAll(getRequestedFor(urlPathEqualTo("/files/" + JOB_ID + ".mp4"))))
                .singleElement().satisfies(r -> assertThat(r.containsHeader("Authorization")).isFalse());
    }

    /** A chain on the other host: /hop/0 redirects to /hop/1, ... /hop/5 to /hop/6, which has the video. */
    private void stubRedirectChain() {
        for (int i = 0; i <= VideoDownloads.MAX_REDIRECTS; i++) {
            cdn.stubFor(get(urlPathEqualTo("/hop/" + i)).willReturn(redirectTo("/hop/" + (i + 1))));
        }
        cdn.stubFor(get(urlPathEqualTo("/hop/" + (VideoDownloads.MAX_REDIRECTS + 1))).willReturn(video()));
    }

    @Test
    void followsAChainOfFiveRedirects() throws IOException {
        stubRedirectChain();

        ApiResult.Ok<VideoDownload> download = ok(downloads(3).url(URI.create(cdnUrl("/hop/1")), FAR_DEADLINE));

        assertThat(readAll(download.value())).isEqualTo(MP4);
        assertThat(download.attempts()).isEqualTo(1 + VideoDownloads.MAX_REDIRECTS);
    }

    @Test
    void aRedirectChainLongerThanFiveFailsWithTooManyRedirects() {
        stubRedirectChain();

        ApiResult.Failed<VideoDownload> failed = failed(downloads(3).url(URI.create(cdnUrl("/hop/0")), FAR_DEADLINE));

        assertThat(failed.error().code()).isEqualTo("too_many_redirects");
        assertThat(failed.error().httpStatus()).hasValue(302);
        // Then the chain was walked once, not retried, and its end never asked for
        assertThat(failed.attempts()).isEqualTo(1 + VideoDownloads.MAX_REDIRECTS);
        cdn.verify(1 + VideoDownloads.MAX_REDIRECTS, anyRequestedFor(anyUrl()));
        cdn.verify(0, getRequestedFor(urlPathEqualTo("/hop/" + (VideoDownloads.MAX_REDIRECTS + 1))));
        assertThat(sleeper.sleeps()).isEmpty();
    }

    // --- the transport: the key stays with the base URL's origin --------------------------------

    /** A transport whose base URL is {@code baseUrl}, {@code {api}} and {@code {cdn}} standing for the ports. */
    private ApiTransport transport(String baseUrl, ApiKeySource keys) {
        URI base = URI.create(baseUrl.replace("{api}", Integer.toString(api.getPort()))
                .replace("{cdn}", Integer.toString(cdn.getPort())));
        return new ApiTransport(ApiTransport.newHttpClient(Duration.ofSeconds(5)), base, keys, Duration.ofSeconds(10),
                RetryPolicy.DEFAULT_SAFETY_MARGIN, clock);
    }

    private ApiTransport.Attempt<byte[]> probe(ApiTransport transport, boolean authenticated) {
        return transport.send(ApiRequest.get("probe", URI.create(api.baseUrl() + "/probe"), authenticated),
                HttpResponse.BodyHandlers.ofByteArray(), FAR_DEADLINE);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "another scheme, https://localhost:{api}",
            "another host,   http://127.0.0.1:{api}",
            "another port,   http://localhost:{cdn}"})
    void anAuthenticatedRequestToAnotherOriginCarriesNoKey(String difference, String baseUrl) {
        // Given a host that refuses every request without a key, as the video host would
        api.stubFor(get(urlPathEqualTo("/probe")).willReturn(aResponse().withStatus(401)));
        RotatingKeys keys = new RotatingKeys(KEY, KEY + "-rotated");

        ApiTransport.Attempt<byte[]> attempt = probe(transport(baseUrl, keys), true);

        // Then no key went out, and its 401 made no key be read again either
        assertThat(attempt).isInstanceOfSatisfying(ApiTransport.Attempt.Answered.class, answered ->
                assertThat(answered.key()).isNull());
        assertThat(attempt.exchanges()).isEqualTo(1);
        assertThat(keys.refreshes()).isZero();
        assertThat(api.findAll(anyRequestedFor(anyUrl()))).singleElement().satisfies(r ->
                assertThat(r.containsHeader("Authorization")).isFalse());
    }

    @Test
    void anAuthenticatedRequestToTheBaseUrlsOriginCarriesTheKeyWhateverTheCaseOfItsSpelling() {
        api.stubFor(get(urlPathEqualTo("/probe")).willReturn(aResponse().withStatus(204)));

        ApiTransport.Attempt<byte[]> attempt = probe(transport("HTTP://LOCALHOST:{api}", ApiKeySource.fixed(
                new Secret(KEY))), true);

        assertThat(attempt).isInstanceOf(ApiTransport.Attempt.Answered.class);
        assertThat(api.findAll(anyRequestedFor(anyUrl()))).singleElement().satisfies(r ->
                assertThat(r.getHeader("Authorization")).isEqualTo("Bearer " + KEY));
    }

    @Test
    void anUnauthenticatedRequestToTheBaseUrlCarriesNoKey() {
        api.stubFor(get(urlPathEqualTo("/probe")).willReturn(aResponse().withStatus(204)));

        probe(transport("http://localhost:{api}", ApiKeySource.fixed(new Secret(KEY))), false);

        assertThat(api.findAll(anyRequestedFor(anyUrl()))).singleElement().satisfies(r ->
                assertThat(r.containsHeader("Authorization")).isFalse());
    }

}
