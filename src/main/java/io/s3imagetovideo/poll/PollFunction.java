package io.s3imagetovideo.poll;

import io.s3imagetovideo.api.VideoApi;
import io.s3imagetovideo.config.PollConfig;
import io.s3imagetovideo.queue.SqsStatusChecks;
import io.s3imagetovideo.record.S3RecordStore;
import io.s3imagetovideo.wiring.Dependencies;
import java.time.Duration;

/** The poll function's parts, put together from its settings and its clients: for the handler and priming. */
final class PollFunction {

    /** Few attempts, short waits: the queue is the place to wait out a longer outage. */
    static final int STATUS_MAX_ATTEMPTS = 3;
    static final Duration STATUS_RETRY_MAX_DELAY = Duration.ofSeconds(5);

    private PollFunction() {}

    static PollService service(PollConfig config, Dependencies d) {
        var policy = VideoApi.policyOf(config.api()).atMost(STATUS_MAX_ATTEMPTS, STATUS_RETRY_MAX_DELAY);
        var api = VideoApi.over(config.api(), policy, d.http(), d.keys(), d.mapper(), d.clock(), d.sleeper(),
                d.random());
        var schedule = new PollSchedule(config.pollInitialDelaySeconds(), config.pollMinDelaySeconds(),
                config.pollMaxDelaySeconds(), config.pollMaxAge());
        return new PollService(new S3RecordStore(d.s3(), d.mapper()), api.jobs(), api.downloads(),
                new VideoUploader(d.s3(), d.clock()), new Thumbnails(api.downloads(), d.s3(), config.saveThumbnail()),
                new SqsStatusChecks(d.requireSqs(), config.pollQueueUrl(), d.mapper()), schedule, d.clock(), d.random());
    }
}
