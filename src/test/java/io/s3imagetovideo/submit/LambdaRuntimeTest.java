package io.s3imagetovideo.submit;

import static io.s3imagetovideo.support.FunctionHarness.API_KEY;
import static io.s3imagetovideo.support.FunctionHarness.JOB_ID;
import static io.s3imagetovideo.support.FunctionHarness.jobAccepted;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.http.Request;
import io.s3imagetovideo.support.Events;
import io.s3imagetovideo.support.FunctionHarness;
import io.s3imagetovideo.support.Images;
import io.s3imagetovideo.support.LambdaRuntimeProcess;
import io.s3imagetovideo.support.S3ProxyBackend;
import io.s3imagetovideo.support.S3ProxyServer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The submit function run as Lambda runs it, under the real runtime interface client. */
class LambdaRuntimeTest {

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
        try (LambdaRuntimeProcess function = new LambdaRuntimeProcess("submit",
                "io.s3imagetovideo.submit.SubmitHandler::handleRequest", Map.of(
                        "AWS_ACCESS_KEY_ID", S3ProxyServer.ACCESS_KEY,
                        "AWS_SECRET_ACCESS_KEY", S3ProxyServer.SECRET_KEY,
                        "AWS_ENDPOINT_URL_S3", S3.endpoint().toString(),
                        "VIDEO_API_BASE_URL", h.api.baseUrl(),
                        "VIDEO_API_KEY", API_KEY))) {
            result = function.invoke(Events.notificationJson(List.of(new Events.Put(h.bucket, "in box/场景 1+x.png",
                    png.length, h.s3.headObject(b -> b.bucket(h.bucket).key("in box/场景 1+x.png")).eTag()))));
        }

        // Then the invocation succeeded, one POST carried the image, and the record holds the job
        assertThat(result).as("the runtime's response").startsWith("response:").contains("submitted");
        assertThat(h.posts()).hasSize(1);
        Request.Part file = h.posts().get(0).getPart("input_reference");
        assertThat(file.getHeader("Content-Disposition").firstValue()).contains("filename=\"场景 1+x.png\"");
        assertThat(file.getBody().asBytes()).isEqualTo(png);
        JsonNode record = h.record("in box/场景 1+x.video.json").orElseThrow();
        assertThat(record.path("id").asText()).isEqualTo(JOB_ID);
    }
}
