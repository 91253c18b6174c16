package io.s3imagetovideo.log;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintStream;

/**
 * CloudWatch metrics as Embedded Metric Format lines on stdout: CloudWatch Logs turns each line into a
 * data point, with no PutMetricData call, no permission and no latency on the invocation's path.
 * Written by hand rather than with Powertools Metrics, which would add AspectJ and its own JSON stack
 * to every cold start for what is one line of JSON (see README, "Logs and metrics").
 */
public final class Metrics {

    public static final String NAMESPACE = "S3ImageToVideo";
    /** One dimension, so that each function's counts can be graphed and alarmed on apart. */
    public static final String DIMENSION = "FunctionName";

    /** The metrics the functions emit, by their CloudWatch names. */
    public enum Metric {
        JOBS_SUBMITTED("JobsSubmitted"),
        JOBS_REJECTED("JobsRejected"),
        JOBS_FAILED("JobsFailed"),
        JOBS_COMPLETED("JobsCompleted"),
        JOBS_EXPIRED("JobsExpired"),
        API_RETRIES("ApiRetries"),
        API_LATENCY("ApiLatency");

        private final String cloudWatchName;

        Metric(String cloudWatchName) {
            this.cloudWatchName = cloudWatchName;
        }

        public String cloudWatchName() {
            return cloudWatchName;
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FUNCTION = functionName();

    private Metrics() {}

    public static void count(Metric metric) {
        emit(metric.cloudWatchName(), 1, "Count");
    }

    public static void milliseconds(Metric metric, long value) {
        emit(metric.cloudWatchName(), value, "Milliseconds");
    }

    private static void emit(String metric, long value, String unit) {
        ObjectNode line = JSON.createObjectNode();
        ObjectNode directive = line.putObject("_aws")
                .put("Timestamp", System.currentTimeMillis())
                .putArray("CloudWatchMetrics").addObject()
                .put("Namespace", NAMESPACE);
        directive.putArray("Dimensions").addArray().add(DIMENSION);
        directive.putArray("Metrics").addObject().put("Name", metric).put("Unit", unit);
        line.put(DIMENSION, FUNCTION);
        line.put(metric, value);
        // EMF must reach CloudWatch Logs as the line itself; the runtime's logger would frame it.
        PrintStream out = System.out;
        out.println(line);
    }

    private static String functionName() {
        String name = System.getenv("AWS_LAMBDA_FUNCTION_NAME");
        return name == null || name.isBlank() ? "local" : name;
    }
}
