package io.s3imagetovideo.poll;

import static org.assertj.core.api.Assertions.assertThat;

import io.s3imagetovideo.config.PollConfig;
import io.s3imagetovideo.support.Rehearsals;
import io.s3imagetovideo.wiring.Dependencies;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The poll function's SnapStart rehearsal goes the whole way, download and multipart upload included. */
class PollPrimingTest {

    @Test
    void rehearsesACompletedJobOnLoopbackOnly() throws Exception {
        PollConfig config = PollConfig.fromEnv(Map.of("VIDEO_API_KEY_SECRET_ARN",
                "arn:aws:secretsmanager:us-east-1:1:secret:k", "POLL_QUEUE_URL",
                "https://sqs.us-east-1.amazonaws.com/1/poll", "VIDEO_API_BASE_URL", "http://127.0.0.1:9"));
        Dependencies real = Rehearsals.withoutAwsClients();

        Rehearsals.Run<PollOutcome> run = Rehearsals.onLoopback(server -> PollPriming.rehearse(config, real, server));

        assertThat(run.outcome().action()).isEqualTo(PollOutcome.Action.COMPLETED);
        // record, secret, status, download, create upload, part, record again, complete, thumbnail, record write
        assertThat(run.requests()).isEqualTo(10);
    }
}
