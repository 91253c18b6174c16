package io.s3imagetovideo.artifact;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static io.s3imagetovideo.support.HostStubs.API_KEY;
import static io.s3imagetovideo.support.HostStubs.JOB_ID;
import static io.s3imagetovideo.support.HostStubs.contentOf;
import static io.s3imagetovideo.support.HostStubs.job;
import static io.s3imagetovideo.support.HostStubs.json;
import static io.s3imagetovideo.support.HostStubs.statusOf;
import static io.s3imagetovideo.support.HostStubs.video;
import static org.assertj.core.api.Assertions.assertThat;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.http.Request;
import io.s3imagetovideo.support.ElasticMqBackend;
import io.s3imagetovideo.support.Events;
import io.s3imagetovideo.support.FitImages;
import io.s3imagetovideo.support.FunctionHarness;
import io.s3imagetovideo.support.Images;
import io.s3imagetovideo.support.LambdaRuntimeProcess;
import io.s3imagetovideo.support.Mp4s;
import io.s3imagetovideo.support.S3ProxyBackend;
import io.s3imagetovideo.support.SqsEvents;
import io.s3imagetovideo.support.WireMockHosts;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * The deployment package as {@code sam build} gets it from the Makefile: within the size limit when
 * zipped, and both functions working from it alone, under the real runtime interface client with the
 * runtime's flags without SnapStart (java21's and java25's: C1) and the template's
 * {@code JAVA_TOOL_OPTIONS}, if any, against a real S3 server
 * (S3Proxy), a real SQS server (ElasticMQ), Secrets Manager and the video host (WireMock). What the
 * minimised jar could lose (classes reached only by name: ImageIO's service providers, the runtime's
 * event classes, the SDK's protocols and signers) shows up here as a failed invocation.
 */
class TaskRootIT {

    @RegisterExtension
    static final S3ProxyBackend S3 = new S3ProxyBackend();
    @RegisterExtension
    static final ElasticMqBackend SQS = new ElasticMqBackend();

    static final String SECRET_ARN = "arn:aws:secretsmanager:us-east-1:000000000000:secret:video-api-key";

    private FunctionHarness h;
    private WireMockServer secrets;

    @BeforeEach
    void start() {
        h = new FunctionHarness(S3, SQS);
        secrets = WireMockHosts.start(UnaryOperator.identity());
        secrets.stubFor(post(urlEqualTo("/")).withHeader("X-Amz-Target", equalTo("secretsmanager.GetSecretValue"))
                .willReturn(aResponse().withStatus(200).withHeader("Content-Type", "application/x-amz-json-1.1")
                        .withBody("{\"ARN\":\"" + SECRET_ARN + "\",\"Name\":\"video-api-key\",\"VersionId\":\"v1\","
                                + "\"SecretString\":\"{\\\"api_key\\\":\\\"" + API_KEY + "\\\"}\","
                                + "\"VersionStages\":[\"AWSCURRENT\"],\"CreatedDate\":1.7639712E9}")));
    }

    @AfterEach
    void stop() {
        secrets.stop();
        h.close();
    }

    @Test
    void zippedAsSamDeployUploadsItTheTaskRootFitsTheLimit() {
        long zipped = TaskRoots.zippedSize(TaskRoots.deployable(), TaskRoots.OUT.resolve("task-root.zip"));

        assertThat(zipped).as("the task root zipped, in bytes (limit %d)", TaskRoots.MAX_ZIPPED_BYTES)
                .isLessThanOrEqualTo(TaskRoots.MAX_ZIPPED_BYTES);
    }

    @Test
    void submitsAPngAndAWebpThenSavesBothVideosRunningFromTheTaskRootAlone() throws Exception {
        // Given a PNG of the default size and a WebP of half of it (fitted: decoded through the WebP
        // plugin, scaled, re-encoded), each with its prompt, and a host that accepts strict requests
        h.stubCreate(FunctionHarness.jobAccepted());
        byte[] png = Images.png(720, 1280);
        byte[] webp = FitImages.webp(FitImages.picture(360, 640));
        h.put("in/scene.prompt.json", "{\"prompt\": \"a cow takes the driving test\"}");
        h.put("in/scene.png", png);
        h.put("in/photo.prompt.json", "{\"prompt\": \"waves\", \"size\": \"720x1280\", \"fit\": \"cover\"}");
        h.put("in/photo.webp", webp);

        // When the submit function, started from the task root, receives both uploads' notifications
        try (LambdaRuntimeProcess submit = start("submit", "io.s3imagetovideo.submit.SubmitHandler::handleRequest")) {
            String submitted = submit.invoke(SqsEvents.json(concat(notification("in/scene.png", png.length),
                    notification("in/photo.webp", webp.length))));

            // Then both were submitted with the key from Secrets Manager, the WebP as a fitted 720x1280 PNG
            assertThat(submitted).as(submit.output()).isEqualTo("response:{\"batchItemFailures\":[]}");
            assertThat(submit.output()).doesNotContain(API_KEY);
        }
        secrets.verify(1, postRequestedFor(urlEqualTo("/")));
        assertThat(h.posts()).hasSize(2);
        Request.Part image = h.posts().get(0).getPart("input_reference");
        assertThat(image.getBody().asBytes()).isEqualTo(png);
        Request.Part fitted = h.posts().get(1).getPart("input_reference");
        assertThat(fitted.getHeader("Content-Disposition").firstValue()).contains("filename=\"photo.png\"");
        BufferedImage sent = FitImages.decode(fitted.getBody().asBytes());
        assertThat(sent.getWidth()).isEqualTo(720);
        assertThat(sent.getHeight()).isEqualTo(1280);
        assertThat(h.recordAt("in/scene.video.json").path("id").asText()).isEqualTo(JOB_ID);
        assertThat(h.recordAt("in/photo.video.json").path("id").asText()).isEqualTo(JOB_ID);

        // When the host has finished the job and the poll function, from the task root, gets both checks
        List<Message> checks = receiveChecks(2);
        // Larger than one part of the multipart upload (8 MiB): two parts, each with its CRC32
        byte[] mp4 = Mp4s.ofSize(9 * 1024 * 1024 + 5, 3);
        h.api.stubFor(statusOf(JOB_ID).willReturn(json(job("completed", 100))));
        h.api.stubFor(contentOf(JOB_ID).willReturn(video(mp4)));
        try (LambdaRuntimeProcess poll = start("poll", "io.s3imagetovideo.poll.PollHandler::handleRequest")) {
            String polled = poll.invoke(SqsEvents.json(checks));

            // Then each upload has its MP4 next to it, byte for byte the host's, and its record says so
            assertThat(polled).as(poll.output()).isEqualTo("response:{\"batchItemFailures\":[]}");
            assertThat(poll.output()).doesNotContain(API_KEY).contains("\"JobsCompleted\":1");
        }
        for (String name : List.of("in/scene", "in/photo")) {
            assertThat(h.object(name + ".mp4")).as(name + ".mp4").hasValueSatisfying(saved -> assertThat(saved)
                    .isEqualTo(mp4));
            assertThat(h.contentType(name + ".mp4")).isEqualTo("video/mp4");
            assertThat(h.recordAt(name + ".video.json").path("status").asText()).isEqualTo("completed");
        }
        assertThat(h.multipartUploads()).isEmpty();
    }

    @Test
    void sendsAFittedImageAsAPresignedLinkTheHostCanFetch() throws Exception {
        // Given a WebP to be fitted, and a host that takes the image as a link in the image field
        h.env("VIDEO_IMAGE_SEND_AS", "presigned_url");
        h.api.stubFor(post(urlEqualTo("/v1/videos")).atPriority(1).withHeader("Authorization",
                equalTo("Bearer " + API_KEY)).willReturn(FunctionHarness.jobAccepted()));
        byte[] webp = FitImages.webp(FitImages.picture(360, 640));
        h.put("in/link.prompt.json", "{\"prompt\": \"waves\", \"size\": \"720x1280\", \"fit\": \"cover\"}");
        h.put("in/link.webp", webp);

        // When the submit function, from the task root, receives the upload (the presigner signs with
        // the function's own credentials, on the S3 endpoint it uses)
        try (LambdaRuntimeProcess submit = start("submit", "io.s3imagetovideo.submit.SubmitHandler::handleRequest")) {
            String submitted = submit.invoke(SqsEvents.json(notification("in/link.webp", webp.length)));
            assertThat(submitted).as(submit.output()).isEqualTo("response:{\"batchItemFailures\":[]}");
        }

        // Then the host got a link to the fitted image that works without credentials
        String link = h.posts().get(0).getPart("input_reference").getBody().asString();
        var fetched = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(link)).build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(fetched.statusCode()).as(link).isEqualTo(200);
        BufferedImage picture = FitImages.decode(fetched.body());
        assertThat(picture.getWidth() + "x" + picture.getHeight()).isEqualTo("720x1280");
        assertThat(h.recordAt("in/link.video.json").path("id").asText()).isEqualTo(JOB_ID);
    }

    @Test
    void bothRehearsalsRunBeforeTheSnapshotFromTheTaskRootAlone() throws Exception {
        // Given an upload, and each function started as SnapStart starts it: the runtime runs the
        // CRaC hooks (the functions' rehearsals against their loopback server) before the snapshot
        h.stubCreate(FunctionHarness.jobAccepted());
        byte[] png = Images.png(720, 1280);
        h.put("snap/scene.prompt.json", "{\"prompt\": \"a cow takes the driving test\"}");
        h.put("snap/scene.png", png);
        Map<String, String> snapStart = Map.of("AWS_LAMBDA_INITIALIZATION_TYPE", "snap-start");

        for (String handler : List.of("io.s3imagetovideo.submit.SubmitHandler::handleRequest",
                "io.s3imagetovideo.poll.PollHandler::handleRequest")) {
            try (LambdaRuntimeProcess function = start(handler.contains("Submit") ? "submit" : "poll", handler, snapStart)) {
                // When, restored, it gets its first event
                String answer = function.invoke(handler.contains("Submit")
                        ? SqsEvents.json(notification("snap/scene.png", png.length)) : SqsEvents.json(receiveChecks(1)));

                // Then the rehearsal found everything it reaches in the shrunk jar, and the event was handled
                assertThat(function.output()).as(handler).contains("\"event\":\"priming_done\"")
                        .doesNotContain("priming_failed");
                assertThat(answer).as(function.output()).startsWith("response:");
            }
        }
    }

    /** A function started from the deployable task root with the environment the template gives it. */
    private LambdaRuntimeProcess start(String name, String handler) {
        return start(name, handler, Map.of());
    }

    private LambdaRuntimeProcess start(String name, String handler, Map<String, String> more) {
        Map<String, String> env = environment();
        env.putAll(more);
        return new LambdaRuntimeProcess(name, handler, env, TaskRoots.runtime(TaskRoots.deployable(), List.of()));
    }

    Map<String, String> environment() {
        return TaskRoots.functionEnvironment(h, S3.endpoint(), SQS.endpoint(), secrets.baseUrl());
    }

    private List<Message> notification(String key, long size) {
        return SqsEvents.messageOf(Events.notificationJson(List.of(new Events.Put(h.bucket, key, size,
                h.etag(key)))));
    }

    private List<Message> receiveChecks(int expected) {
        List<Message> checks = new ArrayList<>();
        for (int attempt = 0; attempt < 5 && checks.size() < expected; attempt++) {
            checks.addAll(h.receive(1));
        }
        assertThat(checks).as("the submit function's first checks").hasSize(expected);
        return checks;
    }

    @SafeVarargs
    private static <T> List<T> concat(List<T>... lists) {
        List<T> all = new ArrayList<>();
        for (List<T> l : lists) {
            all.addAll(l);
        }
        return all;
    }
}
