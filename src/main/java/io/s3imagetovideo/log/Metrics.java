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
        API_LATENCY("ApiLatency"),
        /** An upload found the day's spend cap reached and is held until the next day. */
        JOBS_HELD("JobsHeld"),
        /** The day's spend cap refused a share (the alarm's metric). */
        DAILY_CAP_REACHED("DailyCapReached"),
        /** An upload found the host busy and was sent back to the queue. */
        UPLOADS_WAITING("UploadsWaiting"),
        /** How long an upload sent back for a busy host has waited so far (its maximum: the oldest one). */
        WAITING_UPLOAD_AGE("WaitingUploadAgeSeconds"),
        /** The host's answers, by status class: 429 apart, as the sign of its concurrency limit. */
        HOST_ANSWER_2XX("HostAnswer2xx"),
        HOST_ANSWER_4XX("HostAnswer4xx"),
        HOST_ANSWER_429("HostAnswer429"),
        HOST_ANSWER_5XX("HostAnswer5xx"),
        HOST_UNREACHABLE("HostUnreachable");

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

    public static void seconds(Metric metric, long value) {
        emit(metric.cloudWatchName(), value, "Seconds");
    }

    /** The host's answer of HTTP {@code status}, counted by its class. */
    public static void hostAnswer(int status) {
        count(status == 429 ? Metric.HOST_ANSWER_429 : status >= 500 ? Metric.HOST_ANSWER_5XX
                : status >= 400 ? Metric.HOST_ANSWER_4XX : Metric.HOST_ANSWER_2XX);
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
