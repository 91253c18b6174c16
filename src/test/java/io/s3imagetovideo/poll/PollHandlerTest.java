package io.s3imagetovideo.poll;

import static io.s3imagetovideo.support.HostStubs.JOB_ID;
import static io.s3imagetovideo.support.HostStubs.job;
import static io.s3imagetovideo.support.HostStubs.json;
import static io.s3imagetovideo.support.HostStubs.statusOf;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.github.tomakehurst.wiremock.client.WireMock;
import io.s3imagetovideo.config.ConfigException;
import io.s3imagetovideo.config.PollConfig;
import io.s3imagetovideo.wiring.Dependencies;
import io.s3imagetovideo.wiring.DependencyFactory;
import io.s3imagetovideo.support.ElasticMqBackend;
import io.s3imagetovideo.support.FunctionHarness;
import io.s3imagetovideo.support.HostStubs;
import io.s3imagetovideo.support.S3ProxyBackend;
import io.s3imagetovideo.support.SqsEvents;
import io.s3imagetovideo.support.TestContext;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The handler's own duties: its wiring from the environment, its time budget, expiry on a dead API. */
class PollHandlerTest {

    @RegisterExtension
    static final S3ProxyBackend S3 = new S3ProxyBackend();
    @RegisterExtension
    static final ElasticMqBackend SQS = new ElasticMqBackend();

    FunctionHarness h;

    @BeforeEach
    void start() {
        h = new FunctionHarness(S3, SQS);
    }

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void buildsItsClientsFromTheEnvironment() {
        Map<String, String> env = Map.of("VIDEO_API_KEY", "k", "POLL_QUEUE_URL",
                "http://127.0.0.1:1/000000000000/poll", "AWS_ENDPOINT_URL", "http://127.0.0.1:1");
        PollConfig config = PollConfig.fromEnv(env);
        Dependencies dependencies = DependencyFactory.fromEnvironment(env, config.api(), true);

        assertThat(new PollHandler(config, dependencies)).isNotNull();
        assertThat(dependencies.sqs()).isPresent();
        assertThat(config.pollMaxAge()).isEqualTo(Duration.ofSeconds(7200));
    }

    @Test
    void refusesToStartWithoutTheQueueItReschedulesTo() {
        assertThatThrownBy(() -> PollConfig.fromEnv(Map.of("VIDEO_API_KEY", "k",
                "AWS_ENDPOINT_URL", "http://127.0.0.1:1")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("POLL_QUEUE_URL");
    }

    @Test
    void handsChecksBackToTheQueueWhenTooLittleTimeIsLeftToStartThem() {
        h.api.stubFor(statusOf(JOB_ID).willReturn(json(job("in_progress", 1))));
        h.submit("late");
        var messages = h.receive(2);

        SQSBatchResponse response = h.pollHandler().handleRequest(SqsEvents.of(messages),
                new TestContext("poll", Duration.ofSeconds(5), "req"));

        assertThat(FunctionHarness.Delivery.failedIds(response)).containsExactly(messages.get(0).messageId());
        h.api.verify(0, WireMock.getRequestedFor(WireMock.urlPathEqualTo("/v1/videos/" + JOB_ID)));
        assertThat(h.recordAt("late.video.json").path("status").asText()).isEqualTo("queued");
    }

    @Test
    void expiresAJobWhoseStatusCannotBeHadOnceItIsPastTheMaximumAge() {
        h.api.stubFor(statusOf(JOB_ID).willReturn(FunctionHarness.openAiError(503, "overloaded", "try later")));
        h.submit("old");
        h.clock.advance(Duration.ofSeconds(7200));

        assertThat(h.pollNext().failedIds()).isEmpty();

        var record = h.recordAt("old.video.json");
        assertThat(record.path("status").asText()).isEqualTo("expired");
        assertThat(record.path("error").path("message").asText()).contains("7200").contains("overloaded");
        assertThat(h.receive(1)).isEmpty();
    }
}
