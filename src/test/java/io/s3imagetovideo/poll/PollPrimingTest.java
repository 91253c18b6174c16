package io.s3imagetovideo.poll;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.api.ApiKeySource;
import io.s3imagetovideo.api.Sleeper;
import io.s3imagetovideo.api.VideoApiClient;
import io.s3imagetovideo.aws.Priming;
import io.s3imagetovideo.config.Config;
import io.s3imagetovideo.config.Secret;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The poll function's SnapStart rehearsal goes the whole way, download and multipart upload included. */
class PollPrimingTest {

    @Test
    void rehearsesACompletedJobOnLoopbackOnly() throws Exception {
        Config config = Config.fromEnv(Map.of("VIDEO_API_KEY_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:1:secret:k",
                "POLL_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/1/poll", "VIDEO_API_BASE_URL", "http://127.0.0.1:9"));
        ObjectMapper mapper = new ObjectMapper();
        var wiring = new PollHandler.Wiring(config, null, null, VideoApiClient.newHttpClient(config.apiConnectTimeout()),
                mapper, ApiKeySource.fixed(new Secret("unused")), Clock.systemUTC(), Sleeper.SYSTEM);

        PollService.Outcome outcome;
        int requests;
        try (Priming.Server server = Priming.Server.start()) {
            outcome = PollPriming.rehearse(wiring, server);
            requests = server.requests();
        }

        assertThat(outcome.action()).isEqualTo("completed");
        // record, secret, status, download, create upload, part, record again, complete, record write
        assertThat(requests).isEqualTo(9);
    }
}
