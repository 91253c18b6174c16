package io.s3imagetovideo.config;

import java.time.Duration;
import java.util.Map;

/**
 * The poll function's settings (docs/contract.md, "Configuration"): only the ones it reads. How the
 * delays between status checks follow from them is {@code poll.PollSchedule}'s:
 * <ul>
 *   <li>{@code POLL_INITIAL_DELAY_SECONDS} (15): the delay before the first check, and the longest gap
 *       between checks while a job is young (until a tenth of its age is longer);
 *   <li>{@code POLL_MIN_DELAY_SECONDS} (5): the shortest gap, when the host's progress says the job is
 *       about to finish;
 *   <li>{@code POLL_MAX_DELAY_SECONDS} (900, SQS's limit): no gap is longer, whatever the other two say;
 *   <li>{@code POLL_MAX_AGE_SECONDS} (7200): a job not finished this long after submission is expired.
 * </ul>
 */
public record PollConfig(
        ApiConfig api,
        String pollQueueUrl,
        int pollInitialDelaySeconds,
        int pollMinDelaySeconds,
        int pollMaxDelaySeconds,
        Duration pollMaxAge,
        boolean saveThumbnail) {

    public static PollConfig fromEnv(Map<String, String> variables) {
        Env env = new Env(variables);
        return new PollConfig(
                ApiConfig.from(env),
                // The poll function reschedules its own checks: it cannot do without the queue.
                env.required("POLL_QUEUE_URL", "the poll function sends the next status check to that queue"),
                initialDelay(env),
                env.intInRange("POLL_MIN_DELAY_SECONDS", 5, 0, 900),
                env.intInRange("POLL_MAX_DELAY_SECONDS", 900, 0, 900),
                Duration.ofSeconds(env.intInRange("POLL_MAX_AGE_SECONDS", 7200, 1, Integer.MAX_VALUE)),
                env.bool("SAVE_THUMBNAIL", true));
    }

    /** Read by both functions: the submit function sends the first check with it. */
    static int initialDelay(Env env) {
        return env.intInRange("POLL_INITIAL_DELAY_SECONDS", 15, 0, 900);
    }

    public PollConfig withApi(ApiConfig other) {
        return new PollConfig(other, pollQueueUrl, pollInitialDelaySeconds, pollMinDelaySeconds, pollMaxDelaySeconds,
                pollMaxAge, saveThumbnail);
    }

    public PollConfig withPollQueueUrl(String url) {
        return new PollConfig(api, url, pollInitialDelaySeconds, pollMinDelaySeconds, pollMaxDelaySeconds, pollMaxAge,
                saveThumbnail);
    }
}
