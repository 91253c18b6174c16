package io.s3imagetovideo.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.s3imagetovideo.config.PollConfig;
import io.s3imagetovideo.config.SubmitConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Each function gets only the environment it reads: the variables the template gives a function
 * (its own and the Globals') are all among those its settings read, watched while they are read.
 */
class TemplateEnvironmentTest {

    /** Set for the JVM and the AWS SDK, not read by the functions' settings. */
    private static final Set<String> FOR_THE_RUNTIME = Set.of("JAVA_TOOL_OPTIONS");

    @Test
    void theSubmitFunctionIsGivenOnlyWhatItReads() throws IOException {
        assertThat(templateEnvironment("SubmitFunction")).isSubsetOf(readBy(SubmitConfig::fromEnv));
    }

    @Test
    void thePollFunctionIsGivenOnlyWhatItReads() throws IOException {
        assertThat(templateEnvironment("PollFunction")).isSubsetOf(readBy(PollConfig::fromEnv));
    }

    @Test
    void eachFunctionIsGivenEverySettingThatHasATemplateParameter() throws IOException {
        // The settings a user chooses at deploy time reach the function that reads them.
        assertThat(templateEnvironment("SubmitFunction")).contains("VIDEO_API_BASE_URL", "VIDEO_API_KEY_SECRET_ARN",
                "DEFAULT_MODEL", "DEFAULT_SECONDS", "DEFAULT_SIZE", "DEFAULT_WATERMARK", "DEFAULT_PRIVATE",
                "DEFAULT_FIT", "MAX_IMAGE_BYTES", "MAX_IMAGE_PIXELS", "POLL_QUEUE_URL", "POLL_INITIAL_DELAY_SECONDS",
                "VIDEO_SIZES", "VIDEO_SECONDS", "VIDEO_IMAGE_FIELD", "VIDEO_IMAGE_SEND_AS", "MAX_JOBS_PER_DAY",
                "MAX_VIDEO_SECONDS_PER_DAY", "SUBMIT_MAX_WAIT_SECONDS", "SUBMISSION_QUEUE_URL");
        assertThat(templateEnvironment("PollFunction")).contains("VIDEO_API_BASE_URL", "VIDEO_API_KEY_SECRET_ARN",
                "POLL_QUEUE_URL", "POLL_INITIAL_DELAY_SECONDS", "POLL_MIN_DELAY_SECONDS", "POLL_MAX_DELAY_SECONDS",
                "POLL_MAX_AGE_SECONDS", "SAVE_THUMBNAIL");
        assertThat(templateEnvironment("PollFunction")).doesNotContain("DEFAULT_MODEL", "MAX_IMAGE_BYTES",
                "VIDEO_SIZES", "VIDEO_IMAGE_SEND_AS", "MAX_JOBS_PER_DAY", "SUBMIT_MAX_WAIT_SECONDS", "SUBMISSION_QUEUE_URL");
        assertThat(templateEnvironment("SubmitFunction")).doesNotContain("POLL_MAX_AGE_SECONDS", "SAVE_THUMBNAIL",
                "POLL_MIN_DELAY_SECONDS");
    }

    /** The names a function's settings look up, for an environment that sets nothing but the queues. */
    private static Set<String> readBy(Consumer<Map<String, String>> settings) {
        Set<String> read = new TreeSet<>();
        Map<String, String> watched = new HashMap<>(Map.of("POLL_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/1/q",
                "SUBMISSION_QUEUE_URL", "https://sqs.us-east-1.amazonaws.com/1/s")) {
            @Override
            public String get(Object key) {
                read.add((String) key);
                return super.get(key);
            }
        };
        settings.accept(watched);
        return read;
    }

    @SuppressWarnings("unchecked")
    private static Set<String> templateEnvironment(String function) throws IOException {
        Map<String, Object> template = new Yaml(new TemplateSecurityTest.CloudFormationConstructor())
                .load(Files.readString(Path.of("template.yaml")));
        Set<String> names = new TreeSet<>();
        Map<String, Object> globals = (Map<String, Object>) ((Map<String, Object>) template.get("Globals")).get("Function");
        names.addAll(variables(globals));
        Map<String, Object> resource = (Map<String, Object>) ((Map<String, Object>) template.get("Resources")).get(function);
        names.addAll(variables((Map<String, Object>) resource.get("Properties")));
        names.removeAll(FOR_THE_RUNTIME);
        return names;
    }

    @SuppressWarnings("unchecked")
    private static Set<String> variables(Map<String, Object> properties) {
        Object environment = properties.get("Environment");
        if (environment == null) {
            return Set.of();
        }
        return ((Map<String, Object>) ((Map<String, Object>) environment).get("Variables")).keySet();
    }
}
