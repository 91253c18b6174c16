package io.s3imagetovideo.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.s3imagetovideo.image.Fit;
import io.s3imagetovideo.sidecar.VideoSize;
import java.net.URI;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The settings of both functions ({@link SubmitConfig}, {@link PollConfig}), read from the environment. */
class ConfigTest {

    private static final String QUEUE = "https://sqs.eu-west-1.amazonaws.com/123/q";

    /** Starts both functions' settings from {@code env}, as each function would at start-up. */
    private static void startBoth(Map<String, String> env) {
        SubmitConfig.fromEnv(env);
        Map<String, String> withQueue = new java.util.HashMap<>(env);
        withQueue.putIfAbsent("POLL_QUEUE_URL", QUEUE);
        PollConfig.fromEnv(withQueue);
    }

    @Test
    void appliesEveryDefaultToEmptyEnvironment() {
        SubmitConfig config = SubmitConfig.fromEnv(Map.of());
        PollConfig poll = PollConfig.fromEnv(Map.of("POLL_QUEUE_URL", QUEUE));

        assertThat(config.api().baseUrl()).isEqualTo(URI.create("https://api.chainhub.tech"));
        assertThat(config.api().videosEndpoint()).isEqualTo(URI.create("https://api.chainhub.tech/v1/videos"));
        assertThat(config.api().keySecretArn()).isEmpty();
        assertThat(config.api().key()).isEmpty();
        assertThat(config.defaults().model()).isEqualTo("sora-2");
        assertThat(config.defaults().seconds()).isEqualTo("10");
        assertThat(config.defaults().size()).isEqualTo(VideoSize.PORTRAIT_720);
        assertThat(config.defaults().size().value()).isEqualTo("720x1280");
        assertThat(config.defaults().watermark()).isFalse();
        assertThat(config.defaults().isPrivate()).isTrue();
        assertThat(config.maxImageBytes()).isEqualTo(20_971_520L);
        assertThat(config.pollQueueUrl()).isEmpty();
        assertThat(config.pollInitialDelaySeconds()).isEqualTo(15);
        assertThat(poll.pollInitialDelaySeconds()).isEqualTo(15);
        assertThat(poll.pollMinDelaySeconds()).isEqualTo(5);
        assertThat(poll.pollMaxDelaySeconds()).isEqualTo(900);
        assertThat(poll.pollMaxAge()).isEqualTo(java.time.Duration.ofSeconds(7200));
        assertThat(poll.api()).isEqualTo(config.api());
    }

    @Test
    void treatsBlankValuesAsUnset() {
        SubmitConfig config = SubmitConfig.fromEnv(Map.of("DEFAULT_MODEL", "  ", "DEFAULT_SIZE", "", "VIDEO_API_KEY", " "));

        assertThat(config.defaults().model()).isEqualTo("sora-2");
        assertThat(config.defaults().size()).isEqualTo(VideoSize.PORTRAIT_720);
        assertThat(config.api().key()).isEmpty();
    }

    @Test
    void readsEverySetting() {
        Map<String, String> env = Map.ofEntries(
                Map.entry("VIDEO_API_BASE_URL", "http://localhost:8080"),
                Map.entry("VIDEO_API_KEY", "sk-local"),
                Map.entry("DEFAULT_MODEL", "sora-2-pro"),
                Map.entry("DEFAULT_SECONDS", "015"),
                Map.entry("DEFAULT_SIZE", "1792x1024"),
                Map.entry("DEFAULT_WATERMARK", "true"),
                Map.entry("DEFAULT_PRIVATE", "false"),
                Map.entry("MAX_IMAGE_BYTES", "1000"),
                Map.entry("POLL_QUEUE_URL", "https://sqs.eu-west-1.amazonaws.com/123/q"),
                Map.entry("POLL_INITIAL_DELAY_SECONDS", "5"),
                Map.entry("POLL_MIN_DELAY_SECONDS", "2"),
                Map.entry("POLL_MAX_DELAY_SECONDS", "60"),
                Map.entry("POLL_MAX_AGE_SECONDS", "600"));
        SubmitConfig config = SubmitConfig.fromEnv(env);
        PollConfig poll = PollConfig.fromEnv(env);

        assertThat(config.api().videosEndpoint()).isEqualTo(URI.create("http://localhost:8080/v1/videos"));
        assertThat(config.api().key()).map(Secret::value).contains("sk-local");
        assertThat(config.defaults().model()).isEqualTo("sora-2-pro");
        assertThat(config.defaults().seconds()).isEqualTo("15");
        assertThat(config.defaults().size()).isEqualTo(VideoSize.LANDSCAPE_1024);
        assertThat(config.defaults().watermark()).isTrue();
        assertThat(config.defaults().isPrivate()).isFalse();
        assertThat(config.maxImageBytes()).isEqualTo(1000L);
        assertThat(config.pollQueueUrl()).contains("https://sqs.eu-west-1.amazonaws.com/123/q");
        assertThat(poll.pollQueueUrl()).isEqualTo("https://sqs.eu-west-1.amazonaws.com/123/q");
        assertThat(config.pollInitialDelaySeconds()).isEqualTo(5);
        assertThat(poll.pollInitialDelaySeconds()).isEqualTo(5);
        assertThat(poll.pollMinDelaySeconds()).isEqualTo(2);
        assertThat(poll.pollMaxDelaySeconds()).isEqualTo(60);
        assertThat(poll.pollMaxAge()).isEqualTo(java.time.Duration.ofSeconds(600));
    }

    @ParameterizedTest
    @CsvSource({
            "https://proxy.example.com/openai,   https://proxy.example.com/openai/v1/videos",
            "https://proxy.example.com/openai/,  https://proxy.example.com/openai/v1/videos",
            "https://proxy.example.com/,         https://proxy.example.com/v1/videos",
            "http://127.0.0.1:9000/a/b,          http://127.0.0.1:9000/a/b/v1/videos",
    })
    void appendsVideosPathToBaseUrlCarryingPath(String base, String endpoint) {
        SubmitConfig config = SubmitConfig.fromEnv(Map.of("VIDEO_API_BASE_URL", base));

        assertThat(config.api().videosEndpoint()).isEqualTo(URI.create(endpoint));
    }

    @Test
    void ignoresPlainKeyWhenSecretArnIsSet() {
        ApiConfig config = SubmitConfig.fromEnv(Map.of(
                "VIDEO_API_KEY_SECRET_ARN", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:video-key",
                "VIDEO_API_KEY", "sk-local")).api();

        assertThat(config.keySecretArn())
                .contains("arn:aws:secretsmanager:eu-west-1:123456789012:secret:video-key");
        assertThat(config.key()).isEqualTo(Optional.empty());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "DEFAULT_SIZE               | 1080p",
            "DEFAULT_SECONDS            | 0",
            "DEFAULT_SECONDS            | ten",
            "DEFAULT_SECONDS            | -5",
            "DEFAULT_WATERMARK          | yes",
            "DEFAULT_PRIVATE            | 1",
            "MAX_IMAGE_BYTES            | abc",
            "MAX_IMAGE_BYTES            | 0",
            "POLL_INITIAL_DELAY_SECONDS | 901",
            "POLL_MAX_DELAY_SECONDS     | 901",
            "POLL_MAX_DELAY_SECONDS     | -1",
            "POLL_MIN_DELAY_SECONDS     | 901",
            "POLL_MIN_DELAY_SECONDS     | soon",
            "POLL_MAX_AGE_SECONDS       | 0",
            "VIDEO_API_BASE_URL         | ftp://x",
            "VIDEO_API_BASE_URL         | not a url",
            "VIDEO_API_BASE_URL         | api.chainhub.tech",
            "VIDEO_API_BASE_URL         | https://api.chainhub.tech?x=1",
    })
    void rejectsMalformedSettingNamingTheVariable(String name, String value) {
        assertThatThrownBy(() -> startBoth(Map.of(name, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(name);
    }

    @ParameterizedTest
    @CsvSource({
            "http://api.chainhub.tech",
            "http://api.example.com:8080/openai",
            "http://10.0.0.5:9000",
            "http://192.168.1.20",
            "http://128.0.0.1",
            "http://localhost.example.com",
            "http://127.0.0.1.nip.io",
            "http://[2001:db8::1]:8080",
            "http://[::2]",
    })
    void refusesPlainHttpToHostThatIsNotLoopbackBecauseTheKeyWouldTravelInClearText(String url) {
        assertThatThrownBy(() -> startBoth(Map.of("VIDEO_API_BASE_URL", url)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("VIDEO_API_BASE_URL")
                .hasMessageContaining("https");
    }

    @ParameterizedTest
    @CsvSource({
            "http://localhost:8080",
            "http://LOCALHOST:8080/openai",
            "http://127.0.0.1:9000",
            "http://127.3.4.5",
            "http://[::1]:8080",
            "http://[0:0:0:0:0:0:0:1]",
            "https://api.example.com",
            "https://10.0.0.5:8443/openai",
    })
    void acceptsHttpsAnywhereAndPlainHttpOnlyOnLoopback(String url) {
        ApiConfig config = SubmitConfig.fromEnv(Map.of("VIDEO_API_BASE_URL", url)).api();

        assertThat(config.baseUrl()).isEqualTo(URI.create(url));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "me:sk-pass-93b1@api.example.com",
            "https://me:sk-pass-93b1@bad_host",
            "https://api.example.com/v1?api_key=sk-pass-93b1",
            "http://api.example.com/#sk-pass-93b1",
            "https://api.example.com/ x?sk-pass-93b1",
    })
    void refusesABaseUrlThatCouldHoldASecretWithoutEchoingIt(String url) {
        assertThatThrownBy(() -> startBoth(Map.of("VIDEO_API_BASE_URL", url)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("VIDEO_API_BASE_URL")
                .hasMessageNotContaining("sk-pass-93b1");
    }

    @Test
    void refusesBaseUrlWithUserInformationWithoutEchoingIt() {
        assertThatThrownBy(() -> startBoth(Map.of("VIDEO_API_BASE_URL", "https://me:sk-pass-93b1@api.example.com")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("VIDEO_API_BASE_URL")
                .hasMessageNotContaining("sk-pass-93b1");
    }

    @Test
    void fitsImagesByCoverWithinFiftyMegapixelsByDefault() {
        SubmitConfig config = SubmitConfig.fromEnv(Map.of());

        assertThat(config.defaults().fit()).isEqualTo(Fit.COVER);
        assertThat(config.maxImagePixels()).isEqualTo(50_000_000L);
    }

    @Test
    void readsFitSettings() {
        SubmitConfig config = SubmitConfig.fromEnv(Map.of("DEFAULT_FIT", "contain", "MAX_IMAGE_PIXELS", "24000000"));

        assertThat(config.defaults().fit()).isEqualTo(Fit.CONTAIN);
        assertThat(config.maxImagePixels()).isEqualTo(24_000_000L);
        assertThat(SubmitConfig.fromEnv(Map.of("DEFAULT_FIT", "none")).defaults().fit()).isEqualTo(Fit.NONE);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "DEFAULT_FIT      | crop",
            "DEFAULT_FIT      | Cover",
            "MAX_IMAGE_PIXELS | 0",
            "MAX_IMAGE_PIXELS | 50MP",
    })
    void rejectsMalformedFitSettingNamingTheVariable(String name, String value) {
        assertThatThrownBy(() -> SubmitConfig.fromEnv(Map.of(name, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(name)
                .hasMessageContaining(value);
    }

    @Test
    void toStringDoesNotRevealApiKey() {
        SubmitConfig config = SubmitConfig.fromEnv(Map.of("VIDEO_API_KEY", "sk-secret-123"));

        assertThat(config.api().key()).map(Secret::value).contains("sk-secret-123");
        assertThat(config.toString()).doesNotContain("sk-secret-123");
        assertThat(config.api().key().orElseThrow().toString()).doesNotContain("sk-secret-123");
    }

    @Test
    void eachFunctionReadsOnlyTheSettingsItUses() {
        // A malformed poll setting does not stop the submit function, a malformed default not the poll function
        assertThat(SubmitConfig.fromEnv(Map.of("POLL_MAX_DELAY_SECONDS", "soon", "POLL_MAX_AGE_SECONDS", "0",
                "POLL_MIN_DELAY_SECONDS", "soon"))).isNotNull();
        assertThat(PollConfig.fromEnv(Map.of("POLL_QUEUE_URL", QUEUE, "DEFAULT_SIZE", "1080p", "MAX_IMAGE_BYTES", "x")))
                .isNotNull();
        // and the settings both read stop both
        assertThatThrownBy(() -> SubmitConfig.fromEnv(Map.of("POLL_INITIAL_DELAY_SECONDS", "901")))
                .hasMessageContaining("POLL_INITIAL_DELAY_SECONDS");
        assertThatThrownBy(() -> PollConfig.fromEnv(Map.of("POLL_QUEUE_URL", QUEUE, "VIDEO_API_TIMEOUT_MS", "0")))
                .hasMessageContaining("VIDEO_API_TIMEOUT_MS");
    }

    @Test
    void thePollFunctionRefusesToStartWithoutTheQueueItReschedulesTo() {
        assertThatThrownBy(() -> PollConfig.fromEnv(Map.of("VIDEO_API_KEY", "k")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("POLL_QUEUE_URL");
    }

    @Test
    void copiesChangeOneSettingByNameAndKeepTheRest() {
        SubmitConfig config = SubmitConfig.fromEnv(Map.of("VIDEO_API_KEY", "k", "DEFAULT_MODEL", "m", "MAX_IMAGE_BYTES", "9"));

        SubmitConfig copy = config.withApi(config.api().withBaseUrl(URI.create("http://127.0.0.1:9")))
                .withPollQueueUrl(QUEUE);

        assertThat(copy.api().baseUrl()).isEqualTo(URI.create("http://127.0.0.1:9"));
        assertThat(copy.pollQueueUrl()).contains(QUEUE);
        assertThat(copy.api().key()).isEqualTo(config.api().key());
        assertThat(copy.defaults()).isEqualTo(config.defaults());
        assertThat(copy.maxImageBytes()).isEqualTo(9);
    }
}
