package io.s3imagetovideo.submit;

import static com.github.tomakehurst.wiremock.stubbing.Scenario.STARTED;
import static io.s3imagetovideo.support.FunctionHarness.API_KEY;
import static io.s3imagetovideo.support.FunctionHarness.JOB_ID;
import static io.s3imagetovideo.support.FunctionHarness.jobAccepted;
import static io.s3imagetovideo.support.FunctionHarness.openAiError;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.http.Request;
import io.s3imagetovideo.support.Events;
import io.s3imagetovideo.support.FitImages;
import io.s3imagetovideo.support.FunctionHarness;
import io.s3imagetovideo.support.Images;
import io.s3imagetovideo.support.LambdaRuntimeProcess;
import io.s3imagetovideo.support.S3ProxyBackend;
import io.s3imagetovideo.support.S3ProxyServer;
import io.s3imagetovideo.support.SqsEvents;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The submit function run as Lambda runs it, under the real runtime interface client. */
class SubmitRuntimeTest {

    @RegisterExtension
    static final S3ProxyBackend S3 = new S3ProxyBackend();

    private FunctionHarness h;

    @BeforeEach
    void start() {
        h = new FunctionHarness(S3);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void submitsThroughTheRealRuntimeClientWithANonAsciiKey() throws Exception {
        // Given the pair for 'in box/场景 1+x.png' in a real S3 server and a strict video API
        h.stubCreate(jobAccepted());
        byte[] png = Images.png(720, 1280); // the default size: sent untouched
        h.put("in box/场景 1+x.prompt.json", "{\"prompt\": \"a cow takes the driving test\"}");
        h.put("in box/场景 1+x.png", png);

        // When the runtime delivers the image's S3 notification to a function started from scratch
        String result;
        try (LambdaRuntimeProcess function = startFunction()) {
            result = function.invoke(notification("in box/场景 1+x.png", png.length));
        }

        // Then the invocation succeeded, one POST carried the image, and the record holds the job
        assertThat(result).as("the runtime's response").isEqualTo("response:{\"batchItemFailures\":[]}");
        assertThat(h.posts()).hasSize(1);
        Request.Part file = h.posts().get(0).getPart("input_reference");
        assertThat(file.getHeader("Content-Disposition").firstValue()).contains("filename=\"场景 1+x.png\"");
        assertThat(file.getBody().asBytes()).isEqualTo(png);
        JsonNode record = h.record("in box/场景 1+x.video.json").orElseThrow();
        assertThat(record.path("id").asText()).isEqualTo(JOB_ID);
    }

    @Test
    void fitsAPhonePhotoWithCoverAndSendsItAsItIsWithNone() throws Exception {
        // Given a 3024x4032 phone photo twice, once with fit cover and once with fit none, and an API
        // that accepts the first request and refuses the second as a real one refuses a wrong size
        byte[] photo = FitImages.jpeg(FitImages.picture(3024, 4032));
        h.api.stubFor(h.strictCreate().inScenario("fit").whenScenarioStateIs(STARTED).willSetStateTo("refuse")
                .willReturn(jobAccepted()));
        h.api.stubFor(h.strictCreate().inScenario("fit").whenScenarioStateIs("refuse").willReturn(
                openAiError(400, "invalid_value", "Inpaint image must match the requested width and height")));
        h.put("cover/IMG_0001.prompt.json", "{\"prompt\": \"waves\", \"size\": \"720x1280\", \"fit\": \"cover\"}");
        h.put("cover/IMG_0001.jpg", photo);
        h.put("none/IMG_0001.prompt.json", "{\"prompt\": \"waves\", \"size\": \"720x1280\", \"fit\": \"none\"}");
        h.put("none/IMG_0001.jpg", photo);

        // When one container of the function receives both events, one after the other
        String covered;
        String asItIs;
        try (LambdaRuntimeProcess function = startFunction()) {
            covered = function.invoke(notification("cover/IMG_0001.jpg", photo.length));
            asItIs = function.invoke(notification("none/IMG_0001.jpg", photo.length));
        }

        // Then with cover the API received a 720x1280 JPEG, and the record holds the job
        assertThat(covered).isEqualTo("response:{\"batchItemFailures\":[]}");
        assertThat(asItIs).isEqualTo("response:{\"batchItemFailures\":[]}");
        assertThat(h.posts()).hasSize(2);
        BufferedImage sent = FitImages.decode(h.posts().get(0).getPart("input_reference").getBody().asBytes());
        assertThat(sent.getWidth()).isEqualTo(720);
        assertThat(sent.getHeight()).isEqualTo(1280);
        assertThat(h.record("cover/IMG_0001.video.json").orElseThrow().path("id").asText()).isEqualTo(JOB_ID);

        // And with none the photo went byte for byte, and the API's refusal is in the record
        assertThat(h.posts().get(1).getPart("input_reference").getBody().asBytes()).isEqualTo(photo);
        JsonNode refused = h.record("none/IMG_0001.video.json").orElseThrow();
        assertThat(refused.path("status").asText()).isEqualTo("failed");
        assertThat(refused.path("error").path("message").asText())
                .isEqualTo("Inpaint image must match the requested width and height");
    }

    /** The submission queue's message of the object's S3 notification, as the event source mapping sends it. */
    private String notification(String key, long size) {
        return SqsEvents.json(SqsEvents.messageOf(Events.notificationJson(List.of(new Events.Put(h.bucket, key, size,
                h.s3.headObject(b -> b.bucket(h.bucket).key(key)).eTag())))));
    }

    private LambdaRuntimeProcess startFunction() {
        return new LambdaRuntimeProcess("submit", "io.s3imagetovideo.submit.SubmitHandler::handleRequest", Map.of(
                "AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY,
                "AWS_ENDPOINT_URL_S3", S3.endpoint().toString(),
                "VIDEO_API_BASE_URL", h.api.baseUrl(),
                "VIDEO_API_KEY", API_KEY));
    }
}
