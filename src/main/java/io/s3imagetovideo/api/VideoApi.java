package io.s3imagetovideo.api;

import io.s3imagetovideo.time.Sleeper;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.config.ApiConfig;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.random.RandomGenerator;

/** The video host's resources over one transport and one retry loop: its jobs, and their videos. */
public record VideoApi(VideoJobs jobs, VideoDownloads downloads) {

    /** The retry policy {@code config} asks for. */
    public static RetryPolicy policyOf(ApiConfig config) {
        return new RetryPolicy(config.maxAttempts(), config.retryInitialDelay(), config.retryMaxDelay(),
                RetryPolicy.DEFAULT_SAFETY_MARGIN);
    }

    public static VideoApi over(ApiConfig config, RetryPolicy policy, HttpClient http, ApiKeySource keys,
            ObjectMapper mapper, Clock clock, Sleeper sleeper, RandomGenerator random) {
        var transport = new ApiTransport(http, config.baseUrl(), keys, config.requestTimeout(),
                policy.safetyMargin(), clock);
        var retrying = new Retrying(transport, new ApiErrors(mapper, clock), policy, clock, sleeper, random);
        return new VideoApi(new VideoJobs(retrying, mapper), new VideoDownloads(retrying));
    }
}
