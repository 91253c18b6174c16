package io.s3imagetovideo.submit;

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

/**
 * The SnapStart rehearsal goes the whole way: a rehearsal that stopped early (a canned answer the SDK
 * rejects, say) would still leave the snapshot valid, but would prime only half the path.
 */
class SubmitPrimingTest {

    @Test
    void rehearsesAWholeSubmissionOnLoopbackOnly() throws Exception {
        // Given the function's wiring for a deployment whose key is in Secrets Manager and whose S3 is unreachable
        Config config = Config.fromEnv(Map.of("VIDEO_API_KEY_SECRET_ARN", "arn:aws:secretsmanager:us-east-1:1:secret:k",
                "POLL_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/1/poll", "VIDEO_API_BASE_URL", "http://127.0.0.1:9"));
        ObjectMapper mapper = new ObjectMapper();
        var wiring = new SubmitHandler.Wiring(config, null, null, VideoApiClient.newHttpClient(config.apiConnectTimeout()),
                mapper, ApiKeySource.fixed(new Secret("unused")), Clock.systemUTC(), Sleeper.SYSTEM);

        // When the rehearsal runs against the loopback server
        SubmitService.Outcome outcome;
        int requests;
        try (Priming.Server server = Priming.Server.start()) {
            outcome = SubmitPriming.rehearse(wiring, server);
            requests = server.requests();
        }

        // Then it submitted the job, having made every call of a real submission
        assertThat(outcome.action()).isEqualTo("submitted");
        assertThat(outcome.jobId()).isEqualTo("video_priming");
        // secret, list, record, prompt, image, claim, POST, record, SQS
        assertThat(requests).isEqualTo(9);
    }
}
