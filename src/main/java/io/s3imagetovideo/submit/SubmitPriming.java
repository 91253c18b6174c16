package io.s3imagetovideo.submit;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.config.SubmitConfig;
import io.s3imagetovideo.layout.BucketLayout;
import io.s3imagetovideo.priming.Priming.Request;
import io.s3imagetovideo.priming.Priming.Response;
import io.s3imagetovideo.priming.Priming;
import io.s3imagetovideo.wiring.Dependencies;
import io.s3imagetovideo.wiring.DependencyFactory;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Optional;

/**
 * SnapStart priming for the submit function: one whole submission of an image and its prompt file,
 * through the function's own {@link SubmitService}, {@code java.net.http} client and Jackson mapper,
 * against the loopback server of {@link Priming} (list, both downloads, the claim, the
 * multipart POST, the record write, the SQS message, the Secrets Manager key; with the settings' spend
 * cap its ledger, and with presigned links the fitted image's copy).
 */
final class SubmitPriming {

    static final String BUCKET = "priming-bucket";
    static final String IMAGE = "priming/scene.png";
    static final String SIDECAR = "priming/scene.prompt.json";
    static final String LEDGERS = "/" + BUCKET + "/" + BucketLayout.INTERNAL_PREFIX + "ledger/";
    /** A 1x1 PNG: the smallest input the image checks accept. */
    static final byte[] PNG = Base64.getDecoder().decode(
            "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGNgYGAAAAAEAAH2FzhVAAAAAElFTkSuQmCC");
    static final byte[] PROMPT = "{\"prompt\": \"priming\"}".getBytes(StandardCharsets.UTF_8);

    private SubmitPriming() {}

    /** Registers the rehearsal of the function that {@code config} and {@code real} make. */
    static void register(SubmitConfig config, Dependencies real) {
        Priming.register("submit", server -> rehearse(config, real, server));
    }

    static SubmitOutcome rehearse(SubmitConfig config, Dependencies real, Priming.Server server) {
        server.routes(r -> answer(r, real.mapper()));
        SubmitConfig onLoopback = config.withApi(config.api().withBaseUrl(server.endpoint()).withMaxAttempts(1))
                .withPollQueueUrl(server.endpoint() + "/000000000000/priming");
        try (DependencyFactory.Loopback loopback = DependencyFactory.onLoopback(real, server.endpoint(), server.tls())) {
            return SubmitFunction.service(onLoopback, loopback.dependencies())
                    .handle(BUCKET, IMAGE, real.clock().instant().plusSeconds(60));
        }
    }

    private static Response answer(Request r, ObjectMapper mapper) throws Exception {
        Optional<Response> aws = Priming.secretOrMessageSent(r, mapper);
        if (aws.isPresent()) {
            return aws.get();
        }
        if (r.method().equals("POST") && r.path().endsWith("/v1/videos")) {
            return Response.of(200, "application/json", "{\"id\":\"video_priming\",\"object\":\"video\","
                    + "\"model\":\"sora-2\",\"status\":\"queued\",\"progress\":0,\"created_at\":1700000000,"
                    + "\"seconds\":\"10\",\"size\":\"720x1280\"}");
        }
        String path = r.path();
        if (r.method().equals("GET") && path.equals("/" + BUCKET) && r.query().contains("list-type=2")) {
            return Response.of(200, "application/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                    + "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>" + BUCKET
                    + "</Name><Prefix>priming/scene.</Prefix><KeyCount>2</KeyCount><MaxKeys>1000</MaxKeys>"
                    + "<IsTruncated>false</IsTruncated>" + listed(IMAGE, PNG.length, "i1")
                    + listed(SIDECAR, PROMPT.length, "p1") + "</ListBucketResult>");
        }
        if (r.method().equals("GET") && path.equals("/" + BUCKET + "/" + IMAGE)) {
            return Response.of(200, "image/png", PNG).with("ETag", "\"i1\"");
        }
        if (r.method().equals("GET") && path.equals("/" + BUCKET + "/" + SIDECAR)) {
            return Response.of(200, "application/json", PROMPT).with("ETag", "\"p1\"");
        }
        // With a spend cap the day's ledger, which does not exist yet. The listing shows no record, so
        // the record is not read.
        if (r.method().equals("GET") && path.startsWith(LEDGERS)) {
            return Priming.noSuchKey();
        }
        // The record, the ledger, and with VIDEO_IMAGE_SEND_AS=presigned_url the fitted image's copy.
        if (r.method().equals("PUT") && path.startsWith("/" + BUCKET + "/")) {
            return Response.of(200, "application/xml", new byte[0]).with("ETag", "\"r" + System.nanoTime() + "\"");
        }
        return Response.of(400, "text/plain", "not part of the rehearsal: " + r.method() + " " + path);
    }

    private static String listed(String key, int size, String etag) {
        return "<Contents><Key>" + key + "</Key><LastModified>2026-01-01T00:00:00.000Z</LastModified><ETag>&quot;"
                + etag + "&quot;</ETag><Size>" + size + "</Size><StorageClass>STANDARD</StorageClass></Contents>";
    }
}
