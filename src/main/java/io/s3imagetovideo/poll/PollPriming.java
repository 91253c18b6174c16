package io.s3imagetovideo.poll;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.api.SecretsManagerApiKeySource;
import io.s3imagetovideo.aws.AwsClients;
import io.s3imagetovideo.aws.Priming;
import io.s3imagetovideo.aws.Priming.Request;
import io.s3imagetovideo.aws.Priming.Response;
import java.time.Instant;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.secretsmanager.SecretsManagerClient;
import software.amazon.awssdk.services.sqs.SqsClient;

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

    /** Registers the rehearsal of {@code wiring}'s path and hands the wiring on unchanged. */
    static PollHandler.Wiring registered(PollHandler.Wiring wiring) {
        Priming.register("poll", server -> rehearse(wiring, server));
        return wiring;
    }

    static PollService.Outcome rehearse(PollHandler.Wiring w, Priming.Server server) throws Exception {
        String record = "{\"id\":\"" + JOB + "\",\"object\":\"video\",\"status\":\"in_progress\",\"progress\":50,"
                + "\"source\":{\"bucket\":\"" + BUCKET + "\",\"image\":\"priming/scene.png\"},"
                + "\"submitted_at\":\"" + w.clock().instant() + "\",\"updated_at\":\"" + w.clock().instant() + "\"}";
        server.routes(r -> answer(r, record, w.mapper()));
        try (SdkHttpClient http = AwsClients.httpClient();
                S3Client s3 = Priming.s3(server, http);
                SqsClient sqs = Priming.sqs(server, http);
                SecretsManagerClient secrets = Priming.secretsManager(server, http)) {
            var keys = new SecretsManagerApiKeySource(secrets, "priming", w.mapper());
            var loopback = new PollHandler.Wiring(Priming.onLoopback(w.config(), server), s3, sqs, w.http(),
                    w.mapper(), keys, w.clock(), w.sleeper());
            // Through the handler's own message parsing as well: the check arrives as an SQS body.
            StatusCheck check = StatusCheck.fromJson(w.mapper().readTree(
                    w.mapper().writeValueAsString(new StatusCheck(BUCKET, RECORD, JOB, 1).toJson(w.mapper()))))
                    .orElseThrow();
            Instant deadline = w.clock().instant().plusSeconds(120);
            return loopback.pollService().check(check, deadline);
        }
    }

    private static Response answer(Request r, String record, ObjectMapper mapper) throws Exception {
        String target = r.header("x-amz-target");
        if (target != null && target.endsWith("GetSecretValue")) {
            return Response.of(200, "application/x-amz-json-1.1",
                    "{\"ARN\":\"priming\",\"Name\":\"priming\",\"SecretString\":\"sk-priming-not-a-real-key\"}");
        }
        if (target != null && target.endsWith("SendMessage")) {
            return Response.of(200, "application/x-amz-json-1.0", Priming.sqsSent(r.body(), mapper));
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
