package io.s3imagetovideo.api;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A finished job's video, as an open stream: from {@code GET /v1/videos/{id}/content} with the key, or
 * from a {@code video_url} the job names, without it. Redirects are followed here (the client follows
 * none), at most {@link #MAX_REDIRECTS}, and never with the key: another host must not see it.
 */
public final class VideoDownloads {

    /** The longest redirect chain followed; a CDN needs one or two hops. */
    public static final int MAX_REDIRECTS = 5;

    private final Retrying retrying;

    public VideoDownloads(Retrying retrying) {
        this.retrying = retrying;
    }

    /**
     * An open download: a live stream, never the whole video in memory. Whoever gets one reads
     * {@code body} and closes it. {@code host} is for logs: the URL itself may carry a signature.
     */
    public record VideoDownload(InputStream body, OptionalLong contentLength, Optional<String> contentType,
            String host) implements Closeable {

        @Override
        public void close() throws IOException {
            body.close();
        }
    }

    /** {@code GET {base}/v1/videos/{id}/content}, OpenAI's way, with the key. */
    public ApiResult<VideoDownload> content(String jobId, Instant deadline) {
        URI uri = retrying.transport().endpoint("/v1/videos/" + PathSegment.encode(jobId) + "/content");
        return follow(ApiRequest.get("download_content", uri, true), deadline);
    }

    /**
     * {@code GET {base}/v1/videos/{id}/content?variant=thumbnail}, OpenAI's preview image, with the key.
     * Hosts that do not read {@code variant} (new-api, LiteLLM) answer with the video itself: the
     * caller looks at the type before it reads on.
     */
    public ApiResult<VideoDownload> thumbnail(String jobId, Instant deadline) {
        URI uri = retrying.transport().endpoint("/v1/videos/" + PathSegment.encode(jobId) + "/content?variant=thumbnail");
        return follow(ApiRequest.get("download_thumbnail", uri, true), deadline);
    }

    /**
     * A job's {@code video_url} (the seed reseller's way), which may be on another host: without the key.
     * {@code videoUrl} must be an absolute http(s) URL ({@link #isHttp}).
     */
    public ApiResult<VideoDownload> url(URI videoUrl, Instant deadline) {
        if (!isHttp(videoUrl)) {
            throw new IllegalArgumentException("not an http(s) URL; the caller downloads /content instead");
        }
        return follow(ApiRequest.get("download_video_url", videoUrl, false), deadline);
    }

    /** One hop: the video, or where it moved to. */
    private sealed interface Hop {
        record Arrived(VideoDownload download) implements Hop {}

        record Moved(int status, URI to) implements Hop {}
    }

    private ApiResult<VideoDownload> follow(ApiRequest first, Instant deadline) {
        ApiRequest request = first;
        int exchanges = 0;
        for (int redirects = 0; ; redirects++) {
            URI from = request.uri();
            ApiResult<Hop> hop = retrying.call(request, HttpResponse.BodyHandlers.ofInputStream(),
                    answered -> read(answered, from), deadline);
            exchanges += hop.attempts();
            switch (hop) {
                case ApiResult.Failed<Hop> failed -> {
                    return new ApiResult.Failed<>(failed.error(), exchanges);
                }
                case ApiResult.Ok<Hop> ok -> {
                    switch (ok.value()) {
                        case Hop.Arrived arrived -> {
                            return new ApiResult.Ok<>(arrived.download(), exchanges);
                        }
                        case Hop.Moved moved -> {
                            if (redirects == MAX_REDIRECTS) {
                                return new ApiResult.Failed<>(new ApiError.Transient(moved.status(),
                                        "too_many_redirects", "The video download redirected more than "
                                                + MAX_REDIRECTS + " times (host " + from.getHost() + ").",
                                        Optional.empty()), exchanges);
                            }
                            if (!isHttp(moved.to())) {
                                return new ApiResult.Failed<>(new ApiError.BadAnswer(moved.status(),
                                        "invalid_video_url", "A redirect of the video download is not to an"
                                                + " http(s) URL."), exchanges);
                            }
                            // Without the key, whichever host it points to: the key stays with the base URL.
                            request = ApiRequest.get(first.operation() + "_redirect", moved.to(), false);
                        }
                    }
                }
            }
        }
    }

    private Retrying.Reading<Hop> read(ApiTransport.Attempt.Answered<InputStream> answered, URI from) {
        HttpResponse<InputStream> response = answered.response();
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return new Retrying.Reading.Value<>(new Hop.Arrived(new VideoDownload(response.body(),
                    response.headers().firstValueAsLong("Content-Length"),
                    response.headers().firstValue("Content-Type"), response.uri().getHost())));
        }
        ApiAnswer answer = retrying.transport().readHead(answered);
        if (answer.isRedirect()) {
            Optional<String> location = answer.header("Location");
            if (location.isEmpty()) {
                return new Retrying.Reading.Error<>(new ApiError.Transient(status, "redirect_without_location",
                        "The video download redirected without a Location (host " + from.getHost() + ").",
                        Optional.empty()));
            }
            try {
                return new Retrying.Reading.Value<>(new Hop.Moved(status, from.resolve(location.get().trim())));
            } catch (IllegalArgumentException e) {
                return new Retrying.Reading.Error<>(new ApiError.BadAnswer(status, "invalid_video_url",
                        "A redirect of the video download has a malformed Location."));
            }
        }
        return new Retrying.Reading.Error<>(retrying.errors().classify(answer));
    }

    public static boolean isHttp(URI uri) {
        return uri.getScheme() != null && uri.getHost() != null
                && (uri.getScheme().equalsIgnoreCase("https") || uri.getScheme().equalsIgnoreCase("http"));
    }
}
