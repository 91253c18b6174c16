package io.s3imagetovideo.log;

import com.amazonaws.services.lambda.runtime.LambdaRuntime;
import com.amazonaws.services.lambda.runtime.logging.LogLevel;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One structured line per decision: {@code {"event": "...", "key": ..., ...}}. Callers pass only
 * identifiers, statuses and numbers: never a prompt, image bytes or the API key. Each line carries the
 * invocation's request id, so one upload's story can be pulled out of CloudWatch Logs Insights.
 */
public final class Log {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Inside Lambda the runtime's logger frames each line; elsewhere (tests, local runs) stdout does. */
    private static final boolean IN_LAMBDA = System.getenv("AWS_LAMBDA_RUNTIME_API") != null;
    /** Outside Lambda the runtime does not filter by level; honour the same variable it reads. */
    private static final LogLevel THRESHOLD = threshold(System.getenv("AWS_LAMBDA_LOG_LEVEL"));
    /** Tests run several handler instances at once, each on its own thread. */
    private static final ThreadLocal<String> REQUEST_ID = new ThreadLocal<>();

    private Log() {}

    /** Tags every line this thread writes until the next call, with Lambda's id for the invocation. */
    public static void requestId(String awsRequestId) {
        REQUEST_ID.set(awsRequestId);
    }

    public static void info(String event, Object... keyValues) {
        write(LogLevel.INFO, event, keyValues);
    }

    public static void warn(String event, Object... keyValues) {
        write(LogLevel.WARN, event, keyValues);
    }

    public static void error(String event, Object... keyValues) {
        write(LogLevel.ERROR, event, keyValues);
    }

    private static void write(LogLevel level, String event, Object... keyValues) {
        if (!IN_LAMBDA && level.ordinal() < THRESHOLD.ordinal()) {
            return;
        }
        ObjectNode line = JSON.createObjectNode();
        line.put("level", level.name());
        line.put("event", event);
        String requestId = REQUEST_ID.get();
        if (requestId != null) {
            line.put("request_id", requestId);
        }
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            Object value = keyValues[i + 1];
            String name = String.valueOf(keyValues[i]);
            switch (value) {
                case null -> line.putNull(name);
                case Number n when n instanceof Long || n instanceof Integer -> line.put(name, n.longValue());
                case Boolean b -> line.put(name, b);
                default -> line.put(name, value.toString());
            }
        }
        if (IN_LAMBDA) {
            LambdaRuntime.getLogger().log(line.toString(), level);
        } else {
            System.out.println(line);
        }
    }

    static LogLevel threshold(String name) {
        if (name == null || name.isBlank()) {
            return LogLevel.INFO;
        }
        try {
            return LogLevel.valueOf(name.trim().toUpperCase(java.util.Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return LogLevel.INFO;
        }
    }
}
