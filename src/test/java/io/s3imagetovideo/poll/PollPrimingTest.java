package io.s3imagetovideo.poll;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.api.ApiKeySource;
import io.s3imagetovideo.api.ApiTransport;
import io.s3imagetovideo.time.Sleeper;
import io.s3imagetovideo.config.PollConfig;
import io.s3imagetovideo.config.Secret;
import io.s3imagetovideo.priming.Priming;
import io.s3imagetovideo.wiring.Dependencies;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The poll function's SnapStart rehearsal goes the whole way, download and multipart upload included. */
class PollPrimingTest {

    @Test
    void rehearsesACompletedJobOnLoopbackOnly() throws Exception {
        PollConfig config = PollConfig.fromEnv(Map.of("VIDEO_API_KEY_SECRET_ARN",
                "arn:aws:secretsmanager:us-east-1:1:secret:k", "POLL_QUEUE_URL",
                "https://sqs.us-east-1.amazonaws.com/1/poll", "VIDEO_API_BASE_URL", "http://127.0.0.1:9"));
        // The real function's clients would reach AWS: the rehearsal must not use them, so there are none.
        var real = new Dependencies(null, Optional.empty(), ApiTransport.newHttpClient(Duration.ofSeconds(5)),
                ApiKeySource.fixed(new Secret("unused")), new ObjectMapper(), Clock.systemUTC(), Sleeper.SYSTEM,
                new SecureRandom());

        PollOutcome outcome;
        int requests;
        try (Priming.Server server = Priming.Server.start()) {
            outcome = PollPriming.rehearse(config, real, server);
            requests = server.requests();
        }

        assertThat(outcome.action()).isEqualTo(PollOutcome.Action.COMPLETED);
        // record, secret, status, download, create upload, part, record again, complete, thumbnail, record write
        assertThat(requests).isEqualTo(10);
    }
}
