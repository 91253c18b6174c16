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

class ConfigTest {

    @Test
    void appliesEveryDefaultToEmptyEnvironment() {
        Config config = Config.fromEnv(Map.of());

        assertThat(config.videoApiBaseUrl()).isEqualTo(URI.create("https://api.chainhub.tech"));
        assertThat(config.videosEndpoint()).isEqualTo(URI.create("https://api.chainhub.tech/v1/videos"));
        assertThat(config.videoApiKeySecretArn()).isEmpty();
        assertThat(config.videoApiKey()).isEmpty();
        assertThat(config.defaultModel()).isEqualTo("sora-2");
        assertThat(config.defaultSeconds()).isEqualTo("10");
        assertThat(config.defaultSize()).isEqualTo(VideoSize.PORTRAIT_720);
        assertThat(config.defaultSize().value()).isEqualTo("720x1280");
        assertThat(config.defaultWatermark()).isFalse();
        assertThat(config.defaultPrivate()).isTrue();
        assertThat(config.maxImageBytes()).isEqualTo(20_971_520L);
        assertThat(config.pollQueueUrl()).isEmpty();
        assertThat(config.pollInitialDelaySeconds()).isEqualTo(15);
        assertThat(config.pollMaxDelaySeconds()).isEqualTo(900);
        assertThat(config.pollMaxAgeSeconds()).isEqualTo(7200);
    }

    @Test
    void treatsBlankValuesAsUnset() {
        Config config = Config.fromEnv(Map.of("DEFAULT_MODEL", "  ", "DEFAULT_SIZE", "", "VIDEO_API_KEY", " "));

        assertThat(config.defaultModel()).isEqualTo("sora-2");
        assertThat(config.defaultSize()).isEqualTo(VideoSize.PORTRAIT_720);
        assertThat(config.videoApiKey()).isEmpty();
    }

    @Test
    void readsEverySetting() {
        Config config = Config.fromEnv(Map.ofEntries(
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
                Map.entry("POLL_MAX_DELAY_SECONDS", "60"),
                Map.entry("POLL_MAX_AGE_SECONDS", "600")));

        assertThat(config.videosEndpoint()).isEqualTo(URI.create("http://localhost:8080/v1/videos"));
        assertThat(config.videoApiKey()).map(Secret::value).contains("sk-local");
        assertThat(config.defaultModel()).isEqualTo("sora-2-pro");
        assertThat(config.defaultSeconds()).isEqualTo("15");
        assertThat(config.defaultSize()).isEqualTo(VideoSize.LANDSCAPE_1024);
        assertThat(config.defaultWatermark()).isTrue();
        assertThat(config.defaultPrivate()).isFalse();
        assertThat(config.maxImageBytes()).isEqualTo(1000L);
        assertThat(config.pollQueueUrl()).contains("https://sqs.eu-west-1.amazonaws.com/123/q");
        assertThat(config.pollInitialDelaySeconds()).isEqualTo(5);
        assertThat(config.pollMaxDelaySeconds()).isEqualTo(60);
        assertThat(config.pollMaxAgeSeconds()).isEqualTo(600);
    }

    @ParameterizedTest
    @CsvSource({
            "https://proxy.example.com/openai,   https://proxy.example.com/openai/v1/videos",
            "https://proxy.example.com/openai/,  https://proxy.example.com/openai/v1/videos",
            "https://proxy.example.com/,         https://proxy.example.com/v1/videos",
            "http://127.0.0.1:9000/a/b,          http://127.0.0.1:9000/a/b/v1/videos",
    })
    void appendsVideosPathToBaseUrlCarryingPath(String base, String endpoint) {
        Config config = Config.fromEnv(Map.of("VIDEO_API_BASE_URL", base));

        assertThat(config.videosEndpoint()).isEqualTo(URI.create(endpoint));
    }

    @Test
    void ignoresPlainKeyWhenSecretArnIsSet() {
        Config config = Config.fromEnv(Map.of(
                "VIDEO_API_KEY_SECRET_ARN", "arn:aws:secretsmanager:eu-west-1:123456789012:secret:video-key",
                "VIDEO_API_KEY", "sk-local"));

        assertThat(config.videoApiKeySecretArn())
                .contains("arn:aws:secretsmanager:eu-west-1:123456789012:secret:video-key");
        assertThat(config.videoApiKey()).isEqualTo(Optional.empty());
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
            "POLL_MAX_AGE_SECONDS       | 0",
            "VIDEO_API_BASE_URL         | ftp://x",
            "VIDEO_API_BASE_URL         | not a url",
            "VIDEO_API_BASE_URL         | api.chainhub.tech",
            "VIDEO_API_BASE_URL         | https://api.chainhub.tech?x=1",
    })
    void rejectsMalformedSettingNamingTheVariable(String name, String value) {
        assertThatThrownBy(() -> Config.fromEnv(Map.of(name, value)))
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
        assertThatThrownBy(() -> Config.fromEnv(Map.of("VIDEO_API_BASE_URL", url)))
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
        Config config = Config.fromEnv(Map.of("VIDEO_API_BASE_URL", url));

        assertThat(config.videoApiBaseUrl()).isEqualTo(URI.create(url));
    }

    @Test
    void refusesBaseUrlWithUserInformationWithoutEchoingIt() {
        assertThatThrownBy(() -> Config.fromEnv(Map.of("VIDEO_API_BASE_URL", "https://me:sk-pass-93b1@api.example.com")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("VIDEO_API_BASE_URL")
                .hasMessageNotContaining("sk-pass-93b1");
    }

    @Test
    void fitsImagesByCoverWithinFiftyMegapixelsByDefault() {
        Config config = Config.fromEnv(Map.of());

        assertThat(config.defaultFit()).isEqualTo(Fit.COVER);
        assertThat(config.maxImagePixels()).isEqualTo(50_000_000L);
    }

    @Test
    void readsFitSettings() {
        Config config = Config.fromEnv(Map.of("DEFAULT_FIT", "contain", "MAX_IMAGE_PIXELS", "24000000"));

        assertThat(config.defaultFit()).isEqualTo(Fit.CONTAIN);
        assertThat(config.maxImagePixels()).isEqualTo(24_000_000L);
        assertThat(Config.fromEnv(Map.of("DEFAULT_FIT", "none")).defaultFit()).isEqualTo(Fit.NONE);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "DEFAULT_FIT      | crop",
            "DEFAULT_FIT      | Cover",
            "MAX_IMAGE_PIXELS | 0",
            "MAX_IMAGE_PIXELS | 50MP",
    })
    void rejectsMalformedFitSettingNamingTheVariable(String name, String value) {
        assertThatThrownBy(() -> Config.fromEnv(Map.of(name, value)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(name)
                .hasMessageContaining(value);
    }

    @Test
    void toStringDoesNotRevealApiKey() {
        Config config = Config.fromEnv(Map.of("VIDEO_API_KEY", "sk-secret-123"));

        assertThat(config.videoApiKey()).map(Secret::value).contains("sk-secret-123");
        assertThat(config.toString()).doesNotContain("sk-secret-123");
        assertThat(config.videoApiKey().orElseThrow().toString()).doesNotContain("sk-secret-123");
    }
}
