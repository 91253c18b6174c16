package io.s3imagetovideo.submit;

import static org.assertj.core.api.Assertions.assertThat;

import io.s3imagetovideo.config.SubmitConfig;
import io.s3imagetovideo.storage.ObjectLinks;
import io.s3imagetovideo.support.Rehearsals;
import io.s3imagetovideo.wiring.Dependencies;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The SnapStart rehearsal goes the whole way: a rehearsal that stopped early (a canned answer the SDK
 * rejects, say) would still leave the snapshot valid, but would prime only half the path.
 */
class SubmitPrimingTest {

    @Test
    void rehearsesAWholeSubmissionOnLoopbackOnly() throws Exception {
        // Given the function's settings for a deployment whose key is in Secrets Manager and whose S3 is unreachable
        SubmitConfig config = SubmitConfig.fromEnv(Map.of("VIDEO_API_KEY_SECRET_ARN",
                "arn:aws:secretsmanager:us-east-1:1:secret:k", "POLL_QUEUE_URL",
                "https://sqs.us-east-1.amazonaws.com/1/poll", "VIDEO_API_BASE_URL", "http://127.0.0.1:9"));
        Dependencies real = Rehearsals.withoutAwsClients();

        // When the rehearsal runs against the loopback server
        Rehearsals.Run<SubmitOutcome> run = Rehearsals.onLoopback(server -> SubmitPriming.rehearse(config, real, server));

        // Then it submitted the job, having made every call of a real submission
        assertThat(run.outcome().action()).isEqualTo(SubmitOutcome.Action.SUBMITTED);
        assertThat(run.outcome().jobId()).contains("video_priming");
        // secret, list, prompt, image, claim, POST, record, SQS (the listing shows no record to read)
        assertThat(run.requests()).isEqualTo(8);
    }

    @Test
    void rehearsesTheSpendCapAndAPresignedImageToo() throws Exception {
        // Given the template's daily cap and a host that takes the image as a presigned link
        SubmitConfig config = SubmitConfig.fromEnv(Map.of("VIDEO_API_KEY_SECRET_ARN",
                "arn:aws:secretsmanager:us-east-1:1:secret:k", "POLL_QUEUE_URL",
                "https://sqs.us-east-1.amazonaws.com/1/poll", "VIDEO_API_BASE_URL", "http://127.0.0.1:9",
                "MAX_JOBS_PER_DAY", "100", "VIDEO_IMAGE_FIELD", "image", "VIDEO_IMAGE_SEND_AS", "presigned_url"));
        // The real links would be signed with the function's credentials: the rehearsal must sign its own.
        ObjectLinks realLinks = (bucket, key, validFor) -> {
            throw new AssertionError("the rehearsal used the real presigner");
        };
        Dependencies real = Rehearsals.withoutAwsClients().withLinks(realLinks);

        // When the rehearsal runs against the loopback server
        Rehearsals.Run<SubmitOutcome> run = Rehearsals.onLoopback(server -> SubmitPriming.rehearse(config, real, server));

        // Then it went the whole way, ledger and the image's copy included
        assertThat(run.outcome().action()).isEqualTo(SubmitOutcome.Action.SUBMITTED);
        assertThat(run.outcome().jobId()).contains("video_priming");
        // the eight of a plain submission, the ledger's read and write, the fitted image's copy
        assertThat(run.requests()).isEqualTo(11);
    }
}
