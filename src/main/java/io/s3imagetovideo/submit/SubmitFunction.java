package io.s3imagetovideo.submit;

import io.s3imagetovideo.api.VideoApi;
import io.s3imagetovideo.cap.DailyLedger;
import io.s3imagetovideo.config.SubmitConfig;
import io.s3imagetovideo.image.ImageFitter;
import io.s3imagetovideo.queue.SqsStatusChecks;
import io.s3imagetovideo.queue.SqsSubmissionQueue;
import io.s3imagetovideo.queue.StatusChecks;
import io.s3imagetovideo.queue.SubmissionQueue;
import io.s3imagetovideo.record.S3RecordStore;
import io.s3imagetovideo.sidecar.SidecarParser;
import io.s3imagetovideo.wiring.Dependencies;

/** The submit function's parts, put together from its settings and its clients: for the handler and priming. */
final class SubmitFunction {

    private SubmitFunction() {}

    static SubmitService service(SubmitConfig config, Dependencies d) {
        var api = VideoApi.over(config.api(), VideoApi.policyOf(config.api()), d.http(), d.keys(), d.mapper(),
                d.clock(), d.sleeper(), d.random());
        StatusChecks statusChecks = config.pollQueueUrl().isPresent() && d.sqs().isPresent()
                ? new SqsStatusChecks(d.sqs().get(), config.pollQueueUrl().get(), d.mapper())
                : StatusChecks.NONE;
        var objects = new UploadObjects(d.s3());
        var inputs = new InputCheck(objects, new SidecarParser(d.mapper(), config.defaults(), config.image().field()),
                new ImageFitter(config.maxImagePixels()), config.maxImageBytes());
        return new SubmitService(objects, inputs, new S3RecordStore(d.s3(), d.mapper()), api.jobs(),
                new ImageSending(config.image(), d.s3(), d.links()),
                new DailyLedger(d.s3(), d.mapper(), config.cap(), d.sleeper(), d.random()), statusChecks,
                config.pollInitialDelaySeconds(), config.maxWait(), d.clock(), d.random());
    }

    /** Where uploads that must wait go back to: the submission queue, when the function has one. */
    static SubmissionQueue queue(SubmitConfig config, Dependencies d) {
        return config.submissionQueueUrl().isPresent() && d.sqs().isPresent()
                ? new SqsSubmissionQueue(d.sqs().get(), config.submissionQueueUrl().get(), d.mapper())
                : SubmissionQueue.NONE;
    }
}
