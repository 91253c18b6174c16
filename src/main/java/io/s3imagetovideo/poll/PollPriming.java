package io.s3imagetovideo.poll;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.config.PollConfig;
import io.s3imagetovideo.priming.Priming.Request;
import io.s3imagetovideo.priming.Priming.Response;
import io.s3imagetovideo.priming.Priming;
import io.s3imagetovideo.queue.StatusCheck;
import io.s3imagetovideo.wiring.Dependencies;
import io.s3imagetovideo.wiring.DependencyFactory;
import java.time.Instant;
import java.util.Optional;

/**
 * SnapStart priming for the poll function: one status check of a job that has just completed,
 * through the function's own {@link PollService}, {@code java.net.http} client and Jackson mapper,
 * against the loopback server of {@link Priming} (record read, job status, the streamed download,
 * the multipart upload of the video, the record write, the Secrets Manager key).
 */
final class PollPriming {

    static final String BUCKET = "priming-bucket";
    static final String RECORD = "priming/scene.video.json";
    static final String VIDEO = "priming/scene.mp4";
    static final String JOB = "video_priming";
    /** Enough bytes for one short part; their content does not matter to the upload. */
    static final byte[] MP4 = new byte[64 * 1024];

    private PollPriming() {}

    /** Registers the rehearsal of the function that {@code config} and {@code real} make. */
    static void register(PollConfig config, Dependencies real) {
        Priming.register("poll", server -> rehearse(config, real, server));
    }

    static PollOutcome rehearse(PollConfig config, Dependencies real, Priming.Server server) throws Exception {
        Instant now = real.clock().instant();
        String record = "{\"id\":\"" + JOB + "\",\"object\":\"video\",\"status\":\"in_progress\",\"progress\":50,"
                + "\"source\":{\"bucket\":\"" + BUCKET + "\",\"image\":\"priming/scene.png\"},"
                + "\"submitted_at\":\"" + now + "\",\"updated_at\":\"" + now + "\"}";
        server.routes(r -> answer(r, record, real.mapper()));
        PollConfig onLoopback = config.withApi(config.api().withBaseUrl(server.endpoint()).withMaxAttempts(1))
                .withPollQueueUrl(server.endpoint() + "/000000000000/priming");
        try (DependencyFactory.Loopback loopback = DependencyFactory.onLoopback(real, server.endpoint(), server.tls())) {
            // Through the handler's own message parsing as well: the check arrives as an SQS body.
            String body = real.mapper().writeValueAsString(new StatusCheck(BUCKET, RECORD, JOB, 1).toJson(real.mapper()));
            StatusCheck check = StatusCheck.parse(body, real.mapper()).orElseThrow();
            return PollFunction.service(onLoopback, loopback.dependencies()).check(check, now.plusSeconds(120));
        }
    }

    private static Response answer(Request r, String record, ObjectMapper mapper) throws Exception {
        Optional<Response> aws = Priming.secretOrMessageSent(r, mapper);
        if (aws.isPresent()) {
            return aws.get();
        }
        String path = r.path();
        if (r.method().equals("GET") && path.endsWith("/v1/videos/" + JOB)) {
            return Response.of(200, "application/json", "{\"id\":\"" + JOB + "\",\"object\":\"video\","
                    + "\"model\":\"sora-2\",\"status\":\"completed\",\"progress\":100,\"created_at\":1700000000,"
                    + "\"seconds\":\"10\",\"size\":\"720x1280\"}");
        }
        if (r.method().equals("GET") && path.endsWith("/v1/videos/" + JOB + "/content")) {
            return Response.of(200, "video/mp4", MP4);
        }
        if (path.equals("/" + BUCKET + "/" + RECORD)) {
            return r.method().equals("GET")
                    ? Response.of(200, "application/json", record).with("ETag", "\"r1\"")
                    : Response.of(200, "application/xml", new byte[0]).with("ETag", "\"r2\"");
        }
        if (path.equals("/" + BUCKET + "/" + VIDEO)) {
            if (r.method().equals("POST") && r.query().startsWith("uploads")) {
                return Response.of(200, "application/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                        + "<InitiateMultipartUploadResult><Bucket>" + BUCKET + "</Bucket><Key>" + VIDEO
                        + "</Key><UploadId>priming</UploadId></InitiateMultipartUploadResult>");
            }
            if (r.method().equals("PUT")) {
                return Response.of(200, "application/xml", new byte[0]).with("ETag", "\"part1\"");
            }
            if (r.method().equals("POST")) {
                return Response.of(200, "application/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                        + "<CompleteMultipartUploadResult><Bucket>" + BUCKET + "</Bucket><Key>" + VIDEO
                        + "</Key><ETag>&quot;video-1&quot;</ETag></CompleteMultipartUploadResult>");
            }
            if (r.method().equals("DELETE")) {
                return Response.of(204, "application/xml", new byte[0]);
            }
        }
        return Response.of(400, "text/plain", "not part of the rehearsal: " + r.method() + " " + path);
    }
}
