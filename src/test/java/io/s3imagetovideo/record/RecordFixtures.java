package io.s3imagetovideo.record;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/** Records as the functions make them, for the record package's tests. Times are whole seconds, as records store them. */
final class RecordFixtures {

    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String BUCKET = "uploads";
    static final String KEY = "in/scene.video.json";
    static final Instant T0 = Instant.parse("2026-11-24T10:00:00Z");
    /** The submit function's deadline as a claim holds it: its invocation's end. */
    static final Instant DEADLINE = T0.plus(Duration.ofMinutes(15));
    /** As SubmitService.CLAIM_GRACE: clock skew allowed between instances. */
    static final Duration GRACE = Duration.ofSeconds(5);

    private RecordFixtures() {}

    static Source source() {
        return Source.pair(BUCKET, "in/scene.png", "3858f62230ac3c915f300c664312c11f", "in/scene.prompt.json",
                "9e107d9d372bb6826bd81d3542a419d6");
    }

    static RequestSummary request() {
        return new RequestSummary("sora-2", "10", "720x1280", "false", "true", Map.of());
    }

    /** A host's answer, parsed as the API client parses it. */
    static ObjectNode job(String json) {
        try {
            return (ObjectNode) MAPPER.readTree(json.replace('\'', '"'));
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    static ObjectNode createdJob() {
        return job("{'id': 'video_123', 'object': 'video', 'model': 'sora-2', 'status': 'queued', 'progress': 0,"
                + " 'created_at': 1764000000, 'seconds': '10', 'size': '720x1280'}");
    }

    static JobRecord claimed() {
        return Transitions.claimed(source(), request(), Optional.of("video_old"), T0, DEADLINE, Optional.empty(),
                Optional.empty());
    }

    static JobRecord submitted() {
        return Transitions.submitted(claimed(), createdJob(), HostStatus.of("queued"), T0.plusSeconds(2));
    }

    static JobRecord progressed() {
        return Transitions.progressed(submitted(), job("{'id': 'video_123', 'status': 'processing', 'progress': 40}"),
                HostStatus.of("processing"), 3, T0.plusSeconds(120), T0.plusSeconds(60));
    }

    /** Every state Transitions makes, each by its name. */
    static Map<String, JobRecord> everyState() {
        Instant later = T0.plusSeconds(300);
        return Map.ofEntries(
                Map.entry("waiting for the prompt", Transitions.waiting(
                        new Source(BUCKET, "in/scene.png", "etag-image", null, null, List.of()), "prompt",
                        Optional.empty(), T0)),
                Map.entry("waiting for the image", Transitions.waiting(
                        new Source(BUCKET, null, null, "in/scene.prompt.json", "etag-prompt", List.of()), "image",
                        Optional.of("video_old"), T0)),
                Map.entry("rejected", Transitions.rejected(source(), "invalid_seconds",
                        "'seconds' must be a positive whole number; got '-3'.", Optional.empty(), T0)),
                Map.entry("rejected, two images", Transitions.rejected(
                        new Source(BUCKET, null, null, "in/scene.prompt.json", "etag-prompt",
                                List.of("in/scene.jpg", "in/scene.png")),
                        "ambiguous_image", "Two images share the name 'scene'.", Optional.of("video_old"), T0)),
                Map.entry("claimed", claimed()),
                Map.entry("claimed, extra request fields", Transitions.claimed(source(),
                        new RequestSummary("sora-2", "10", "720x1280", "false", "true",
                                Map.of("quality", "high", "seed", "42")),
                        Optional.empty(), T0, DEADLINE, Optional.empty(), Optional.empty())),
                Map.entry("claimed, a remix", Transitions.claimed(source(), request(), Optional.of("video_old"), T0,
                        DEADLINE, Optional.of("video_old"), Optional.empty())),
                Map.entry("waiting for a busy host", Transitions.waitingForHost(claimed(), "429",
                        "Rate limit exceeded.", OptionalInt.of(429), T0.plusSeconds(40), T0.plusSeconds(30))),
                Map.entry("held by the spend cap", Transitions.held(claimed(), "The spend cap of 2026-11-24 is reached.",
                        Instant.parse("2026-11-25T00:00:00Z"), T0)),
                Map.entry("released", Transitions.released(claimed(), "api_unavailable", "The video API answered 503.",
                        OptionalInt.of(503), T0.plusSeconds(30))),
                Map.entry("submitted, queued", submitted()),
                Map.entry("submitted, host word kept", Transitions.submitted(claimed(),
                        job("{'id': 'task_9', 'status': 'unknown', 'progress': null}"), HostStatus.of("unknown"), T0)),
                Map.entry("submitted, failed at once", Transitions.submitted(claimed(),
                        job("{'id': 'video_9', 'status': 'failed', 'error': {'code': 'moderation_blocked',"
                                + " 'message': 'Blocked.', 'type': 'invalid_request_error', 'param': null}}"),
                        HostStatus.of("failed"), T0)),
                Map.entry("refused", Transitions.refused(claimed(), "invalid_request", "Size not supported.",
                        OptionalInt.of(400), T0.plusSeconds(3))),
                Map.entry("progressed", progressed()),
                Map.entry("completed, long video", Transitions.completed(progressed(),
                        job("{'id': 'video_123', 'status': 'succeeded', 'progress': 100}"), 7,
                        new Output("in/scene.mp4", 5_368_709_120L, Output.VIDEO_CONTENT_TYPE), later)),
                Map.entry("completed, with a thumbnail", Transitions.completed(progressed(),
                        job("{'id': 'video_123', 'status': 'completed', 'progress': 100}"), 3,
                        new Output("in/scene.mp4", 1234L, Output.VIDEO_CONTENT_TYPE)
                                .withThumbnail("in/scene.thumbnail.webp"), later)),
                Map.entry("job failed", Transitions.jobFailed(progressed(),
                        job("{'id': 'video_123', 'status': 'error', 'error': {'code': 500, 'message': 'GPU lost',"
                                + " 'data': {'node': 'a1'}}}"),
                        4, later)),
                Map.entry("job failed, error a string", Transitions.jobFailed(progressed(),
                        job("{'id': 'video_123', 'status': 'failed', 'error': 'out of memory'}"), 4, later)),
                Map.entry("read refused", Transitions.readRefused(progressed(), "not_found", "No such video.",
                        OptionalInt.of(404), 5, later)),
                Map.entry("expired after an answer", Transitions.expired(progressed(),
                        job("{'id': 'video_123', 'status': 'running', 'progress': 99}"), 30, "Not finished in 2 h.",
                        later)),
                Map.entry("expired without an answer", Transitions.expired(progressed(), null, 30,
                        "Not finished in 2 h.", later)));
    }
}
