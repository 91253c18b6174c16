package io.s3imagetovideo.security;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.absent;
import static com.github.tomakehurst.wiremock.client.WireMock.anyRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.anyUrl;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import io.s3imagetovideo.api.ApiError;
import io.s3imagetovideo.api.ApiKeySource;
import io.s3imagetovideo.api.ApiResult;
import io.s3imagetovideo.api.ApiTransport;
import io.s3imagetovideo.api.ImagePart;
import io.s3imagetovideo.api.ImageUpload;
import io.s3imagetovideo.api.RetryPolicy;
import io.s3imagetovideo.api.VideoApi;
import io.s3imagetovideo.api.VideoDownloads.VideoDownload;
import io.s3imagetovideo.config.ApiConfig;
import io.s3imagetovideo.config.Secret;
import io.s3imagetovideo.sidecar.VideoRequest;
import io.s3imagetovideo.sidecar.VideoSize;
import io.s3imagetovideo.support.Mp4s;
import io.s3imagetovideo.support.MutableClock;
import io.s3imagetovideo.support.WireMockHosts;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 6, "Transport": the bearer key goes to the API's base URL and nowhere else. The client follows
 * no redirects itself; the redirects it does follow (for {@code video_url} and {@code /content}) are
 * followed without the key. Two WireMock servers stand for the API and for another host (a CDN).
 */
class TransportSecurityTest {

    private static final String KEY = "sk-TRANSPORT-5c0e8d1f2a7b4e69";
    private static final String JOB_ID = "video_7d1e";
    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private static final Instant DEADLINE = NOW.plus(Duration.ofMinutes(5));

    @RegisterExtension
    final WireMockExtension api = WireMockHosts.extension();
    @RegisterExtension
    final WireMockExtension cdn = WireMockHosts.extension();
    private final MutableClock clock = new MutableClock(NOW);



    private VideoApi client(int maxAttempts) {
        var config = new ApiConfig(URI.create(api.baseUrl()), Optional.empty(), Optional.of(new Secret(KEY)),
                Duration.ofSeconds(5), Duration.ofSeconds(10), maxAttempts, Duration.ofMillis(10), Duration.ofMillis(10));
        return VideoApi.over(config, new RetryPolicy(maxAttempts, Duration.ofMillis(10), Duration.ofMillis(10),
                Duration.ofSeconds(10)), ApiTransport.newHttpClient(Duration.ofSeconds(5)),
                ApiKeySource.fixed(new Secret(KEY)), new ObjectMapper(), clock, clock::advance, new Random(7));
    }

    private static <T> T ok(ApiResult<T> result) {
        assertThat(result).isInstanceOf(ApiResult.Ok.class);
        return ((ApiResult.Ok<T>) result).value();
    }

    private static ApiError failure(ApiResult<?> result) {
        assertThat(result).isInstanceOf(ApiResult.Failed.class);
        return ((ApiResult.Failed<?>) result).error();
    }

    /** The other host's address: another port, and spelled as an IP where the API's base says localhost. */
    private String cdnUrl(String path) {
        return "http://127.0.0.1:" + cdn.getPort() + path;
    }

    private static ResponseDefinitionBuilder redirectTo(String location) {
        return aResponse().withStatus(302).withHeader("Location", location);
    }

    private static byte[] readAll(VideoDownload download) throws IOException {
        try (download; InputStream body = download.body()) {
            return body.readAllBytes();
        }
    }

    @Test
    void theApiClientFollowsNoRedirectsOnItsOwn() {
        HttpClient http = ApiTransport.newHttpClient(Duration.ofSeconds(1));

        assertThat(http.followRedirects()).isEqualTo(HttpClient.Redirect.NEVER);
    }

    @Test
    void contentRedirectedToAnotherHostIsFetchedThereWithoutTheKey() throws IOException {
        byte[] mp4 = Mp4s.small();
        api.stubFor(get(urlPathEqualTo("/v1/videos/" + JOB_ID + "/content"))
                .withHeader("Authorization", equalTo("Bearer " + KEY))
                .willReturn(redirectTo(cdnUrl("/blobs/" + JOB_ID + ".mp4?sig=abc"))));
        cdn.stubFor(get(urlPathEqualTo("/blobs/" + JOB_ID + ".mp4"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "video/mp4").withBody(mp4)));

        byte[] downloaded = readAll(ok(client(1).downloads().content(JOB_ID, DEADLINE)));

        assertThat(downloaded).isEqualTo(mp4);
        api.verify(1, getRequestedFor(urlPathEqualTo("/v1/videos/" + JOB_ID + "/content"))
                .withHeader("Authorization", equalTo("Bearer " + KEY)));
        cdn.verify(1, anyRequestedFor(anyUrl()));
        cdn.verify(0, anyRequestedFor(anyUrl()).withHeader("Authorization", matching(".*")));
        assertThat(cdn.getAllServeEvents()).allSatisfy(e -> assertThat(e.getRequest().getBodyAsString()).doesNotContain(KEY));
    }

    @Test
    void videoUrlOnTheApisOwnHostIsFetchedWithoutTheKeyAndItsRedirectToAnotherHostToo() throws IOException {
        byte[] mp4 = Mp4s.ofSize(5000, 2);
        api.stubFor(get(urlPathEqualTo("/share/" + JOB_ID)).willReturn(redirectTo(cdnUrl("/files/1"))));
        cdn.stubFor(get(urlPathEqualTo("/files/1")).willReturn(redirectTo("/files/2")));
        cdn.stubFor(get(urlPathEqualTo("/files/2"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "video/mp4").withBody(mp4)));

        byte[] downloaded = readAll(ok(client(1).downloads().url(URI.create(api.baseUrl() + "/share/" + JOB_ID),
                DEADLINE)));

        assertThat(downloaded).isEqualTo(mp4);
        // A video_url is a link, not an API call: not even the API's own host gets the key for it
        api.verify(1, getRequestedFor(urlPathEqualTo("/share/" + JOB_ID)).withHeader("Authorization", absent()));
        cdn.verify(2, anyRequestedFor(anyUrl()));
        cdn.verify(2, anyRequestedFor(anyUrl()).withHeader("Authorization", absent()));
    }

    @Test
    void aRedirectAnsweringTheCreateRequestIsNotFollowedSoTheKeyAndImageStayWithTheApi() {
        api.stubFor(post(urlPathEqualTo("/v1/videos")).willReturn(aResponse().withStatus(307)
                .withHeader("Location", cdnUrl("/v1/videos"))));
        VideoRequest request = new VideoRequest("a cow", "sora-2", "10", VideoSize.PORTRAIT_720, false, true, Map.of());
        ImageUpload image = new ImageUpload("scene.png", "image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G'});

        ApiError e = failure(client(3).jobs().create(request, new ImagePart.File("input_reference", image), "idem-1", DEADLINE));

        assertThat(e.httpStatus()).hasValue(307);
        assertThat(e).isInstanceOf(ApiError.Refused.class);
        api.verify(1, postRequestedFor(urlPathEqualTo("/v1/videos")));
        cdn.verify(0, anyRequestedFor(anyUrl()));
    }

    @Test
    void anApiThatQuotesTheRefusedKeyHasTheQuoteRedactedBeforeItReachesTheErrorMessage() {
        api.stubFor(post(urlPathEqualTo("/v1/videos")).willReturn(aResponse().withStatus(401)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"Incorrect API key provided: " + KEY + ". Check it at"
                        + " https://example.com/keys (key " + KEY + ").\",\"type\":\"invalid_request_error\","
                        + "\"code\":\"invalid_api_key\"}}")));
        VideoRequest request = new VideoRequest("a cow", "sora-2", "10", VideoSize.PORTRAIT_720, false, true, Map.of());
        ImageUpload image = new ImageUpload("scene.png", "image/png", new byte[] {(byte) 0x89, 'P', 'N', 'G'});

        ApiError e = failure(client(3).jobs().create(request, new ImagePart.File("input_reference", image), "idem-1", DEADLINE));

        assertThat(e.httpStatus()).hasValue(401);
        assertThat(e.message()).isEqualTo("Incorrect API key provided: [redacted]. Check it at"
                + " https://example.com/keys (key [redacted]).");
        assertThat(e.describe()).doesNotContain(KEY);
        assertThat(e.toString()).doesNotContain(KEY);
    }

    @Test
    void anErrorOnTheContentDownloadThatQuotesTheKeyIsRedactedToo() {
        api.stubFor(get(urlPathEqualTo("/v1/videos/" + JOB_ID + "/content")).willReturn(aResponse().withStatus(403)
                .withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"Key " + KEY + " may not download this video\","
                        + "\"code\":\"forbidden\"}}")));

        ApiError e = failure(client(1).downloads().content(JOB_ID, DEADLINE));

        assertThat(e.httpStatus()).hasValue(403);
        assertThat(e.message()).isEqualTo("Key [redacted] may not download this video");
        assertThat(e.describe()).doesNotContain(KEY);
    }
}
