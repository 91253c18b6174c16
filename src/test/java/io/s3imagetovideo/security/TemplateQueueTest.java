package io.s3imagetovideo.security;

import static io.s3imagetovideo.security.TemplateSecurityTest.list;
import static io.s3imagetovideo.security.TemplateSecurityTest.map;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The template's wiring that docs/contract.md ("Submission queue", "Spend cap") fixes: uploads reach
 * the submit function only through the submission queue, from the stack's bucket by S3 notifications
 * or from an existing bucket by an EventBridge rule; the queue dead-letters after a bounded number of
 * receives; the dashboard and the alarms watch the queue, the jobs, the host and the day's cap.
 */
class TemplateQueueTest {

    /** Every key an upload may end with, as S3 and EventBridge filters see it (case-sensitive). */
    private static final Set<String> SUFFIXES = Set.of(".png", ".PNG", ".Png", ".jpg", ".JPG", ".Jpg", ".jpeg",
            ".JPEG", ".Jpeg", ".webp", ".WEBP", ".Webp", ".prompt.json");
    private static final Map<String, Object> SUBMISSION_QUEUE_ARN = Map.of("Fn::GetAtt", List.of("SubmissionQueue", "Arn"));
    private static final Map<String, Object> NOTIFY_WHEN_ASKED = Map.of("Fn::If",
            List.of("HasAlarmEmail", List.of(Map.of("Ref", "AlarmTopic")), Map.of("Ref", "AWS::NoValue")));

    private static Map<String, Object> template;
    private static Map<String, Object> resources;

    @BeforeAll
    static void read() throws IOException {
        template = new Yaml(new TemplateSecurityTest.CloudFormationConstructor()).load(Files.readString(Path.of("template.yaml")));
        resources = map(template.get("Resources"));
    }

    // --- into the queue -------------------------------------------------------------------------

    @Test
    void theStacksBucketNotifiesTheSubmissionQueueOfEveryUploadSuffix() {
        Map<String, Object> bucket = map(resources.get("ImagesBucket"));
        Map<String, Object> notifications = map(map(bucket.get("Properties")).get("NotificationConfiguration"));

        assertThat(notifications.keySet()).containsExactly("QueueConfigurations");
        Set<String> suffixes = new TreeSet<>();
        for (Object c : list(notifications.get("QueueConfigurations"))) {
            Map<String, Object> configuration = map(c);
            assertThat(configuration.get("Event")).isEqualTo("s3:ObjectCreated:*");
            assertThat(configuration.get("Queue")).isEqualTo(SUBMISSION_QUEUE_ARN);
            List<Object> rules = list(map(map(configuration.get("Filter")).get("S3Key")).get("Rules"));
            assertThat(rules).hasSize(1);
            assertThat(map(rules.get(0)).get("Name")).isEqualTo("suffix");
            assertThat(suffixes.add((String) map(rules.get(0)).get("Value"))).as("one configuration per suffix").isTrue();
        }
        assertThat(suffixes).isEqualTo(new TreeSet<>(SUFFIXES));
        // S3 checks its permission to send when the configuration is set: the queue policy comes first
        assertThat(list(bucket.get("DependsOn"))).contains("SubmissionQueuePolicy");
    }

    @Test
    void onlyS3ForTheStacksBucketOrTheStacksRuleMaySendToTheSubmissionQueue() {
        List<Map<String, Object>> policies = ofType("AWS::SQS::QueuePolicy");
        assertThat(policies).hasSize(1);
        Map<String, Object> policy = map(policies.get(0).get("Properties"));
        assertThat(list(policy.get("Queues"))).containsExactly(Map.of("Ref", "SubmissionQueue"));

        List<Object> statements = list(map(policy.get("PolicyDocument")).get("Statement"));
        assertThat(statements).hasSize(1);
        List<Object> branches = list(map(statements.get(0)).get("Fn::If"));
        assertThat(branches).hasSize(3);
        assertThat(branches.get(0)).isEqualTo("CreateBucket");

        // The bucket depends on this policy, so the policy names the bucket's ARN rebuilt from its name
        String bucketName = String.valueOf(map(map(map(resources.get("ImagesBucket")).get("Properties")).get("BucketName"))
                .get("Fn::Sub"));
        assertSendOnly(map(branches.get(1)), "s3.amazonaws.com", Map.of(
                "ArnEquals", Map.of("aws:SourceArn", Map.of("Fn::Sub", "arn:${AWS::Partition}:s3:::" + bucketName)),
                "StringEquals", Map.of("aws:SourceAccount", Map.of("Ref", "AWS::AccountId"))));
        assertSendOnly(map(branches.get(2)), "events.amazonaws.com", Map.of(
                "ArnEquals", Map.of("aws:SourceArn", Map.of("Fn::GetAtt", List.of("ExistingBucketRule", "Arn")))));
        assertThat(names(policies.get(0))).as("the queue policy must not refer to the bucket (a cycle)")
                .doesNotContain("ImagesBucket");
    }

    @Test
    void anExistingBucketFeedsTheSameQueueThroughAnEventBridgeRule() {
        Map<String, Object> conditions = map(template.get("Conditions"));
        assertThat(conditions.get("CreateBucket")).isEqualTo(Map.of("Fn::Equals", List.of(Map.of("Ref", "ExistingBucketName"), "")));
        assertThat(conditions.get("UseExistingBucket")).isEqualTo(Map.of("Fn::Not", List.of(Map.of("Condition", "CreateBucket"))));
        assertThat(map(map(template.get("Parameters")).get("ExistingBucketName")).get("Default")).isEqualTo("");

        List<Map<String, Object>> rules = ofType("AWS::Events::Rule");
        assertThat(rules).hasSize(1);
        Map<String, Object> rule = rules.get(0);
        assertThat(rule.get("Condition")).isEqualTo("UseExistingBucket");
        Map<String, Object> properties = map(rule.get("Properties"));
        Map<String, Object> pattern = map(properties.get("EventPattern"));
        assertThat(pattern.get("source")).isEqualTo(List.of("aws.s3"));
        assertThat(pattern.get("detail-type")).isEqualTo(List.of("Object Created"));
        Map<String, Object> detail = map(pattern.get("detail"));
        assertThat(detail.keySet()).containsExactlyInAnyOrder("bucket", "object");
        assertThat(map(detail.get("bucket")).get("name")).isEqualTo(List.of(Map.of("Ref", "ExistingBucketName")));
        Set<String> suffixes = new TreeSet<>();
        for (Object matcher : list(map(detail.get("object")).get("key"))) {
            assertThat(map(matcher).keySet()).containsExactly("suffix");
            suffixes.add((String) map(matcher).get("suffix"));
        }
        assertThat(suffixes).isEqualTo(new TreeSet<>(SUFFIXES));
        assertThat(list(properties.get("Targets"))).singleElement()
                .satisfies(t -> assertThat(map(t).get("Arn")).isEqualTo(SUBMISSION_QUEUE_ARN));

        assertThat(map(map(template.get("Outputs")).get("BucketName")).get("Value")).isEqualTo(Map.of("Fn::If",
                List.of("UseExistingBucket", Map.of("Ref", "ExistingBucketName"), Map.of("Ref", "ImagesBucket"))));
    }

    // --- out of the queue -----------------------------------------------------------------------

    @Test
    void theSubmitFunctionConsumesTheQueueThroughItsAliasReportingEachFailedUpload() {
        List<Map<String, Object>> mappings = ofType("AWS::Lambda::EventSourceMapping");
        assertThat(mappings).extracting(m -> map(m.get("Properties")).get("EventSourceArn")).containsExactlyInAnyOrder(
                SUBMISSION_QUEUE_ARN, Map.of("Fn::GetAtt", List.of("PollQueue", "Arn")));
        Map<String, Object> mapping = mappings.stream().map(m -> map(m.get("Properties")))
                .filter(p -> p.get("EventSourceArn").equals(SUBMISSION_QUEUE_ARN)).findFirst().orElseThrow();

        // The alias: SnapStart applies to published versions only
        assertThat(mapping.get("FunctionName")).isEqualTo(Map.of("Ref", "SubmitFunction.Alias"));
        assertThat(mapping.get("FunctionResponseTypes")).isEqualTo(List.of("ReportBatchItemFailures"));
        assertThat(mapping.get("ScalingConfig")).isEqualTo(Map.of("MaximumConcurrency", Map.of("Ref", "SubmitMaxConcurrency")));
        assertThat(mapping.get("BatchSize")).isEqualTo(10);
        assertThat((Integer) mapping.getOrDefault("MaximumBatchingWindowInSeconds", 0)).isBetween(0, 5);
        Map<String, Object> parameter = map(map(template.get("Parameters")).get("SubmitMaxConcurrency"));
        assertThat(parameter).containsEntry("Type", "Number").containsEntry("Default", 5)
                .containsEntry("MinValue", 2).containsEntry("MaxValue", 1000);

        // No other way in: no SAM event, no asynchronous invocation, no reserved concurrency to throttle the mapping
        Map<String, Object> function = map(map(resources.get("SubmitFunction")).get("Properties"));
        assertThat(function).doesNotContainKeys("Events", "EventInvokeConfig", "ReservedConcurrentExecutions");
        assertThat(map(function.get("Environment")).get("Variables"))
                .satisfies(v -> assertThat(map(v)).containsEntry("SUBMISSION_QUEUE_URL", Map.of("Ref", "SubmissionQueue")));
    }

    @Test
    void theSubmissionQueueDeadLettersAfterABoundedNumberOfReceivesAndKeepsAWaitingUploadLongEnough() {
        Map<String, Object> queue = map(map(resources.get("SubmissionQueue")).get("Properties"));
        Map<String, Object> redrive = map(queue.get("RedrivePolicy"));

        assertThat(redrive.get("deadLetterTargetArn")).isEqualTo(Map.of("Fn::GetAtt", List.of("SubmissionDeadLetterQueue", "Arn")));
        assertThat((Integer) redrive.get("maxReceiveCount")).isBetween(3, 20);
        assertThat(map(resources.get("SubmissionDeadLetterQueue")).get("Type")).isEqualTo("AWS::SQS::Queue");
        // AWS: at least 6x the timeout of the function the queue triggers
        int timeout = (Integer) map(map(resources.get("SubmitFunction")).get("Properties")).get("Timeout");
        assertThat((Integer) queue.get("VisibilityTimeout")).isGreaterThanOrEqualTo(6 * timeout);
        // An upload may wait SubmitMaxWaitSeconds for the host, and a day more when the cap holds it
        Map<String, Object> maxWait = map(map(template.get("Parameters")).get("SubmitMaxWaitSeconds"));
        assertThat(maxWait).containsEntry("Default", 86400).containsEntry("MinValue", 60);
        assertThat((Integer) queue.get("MessageRetentionPeriod"))
                .isGreaterThanOrEqualTo((Integer) maxWait.get("MaxValue") + 86400).isLessThanOrEqualTo(1209600);
        assertThat(queue.get("SqsManagedSseEnabled")).isEqualTo(true);
        assertThat(resources).doesNotContainKey("SubmitFailuresQueue");
    }

    // --- watching it ----------------------------------------------------------------------------

    /** One line of a dashboard widget: what it shows, summed or averaged over which period. */
    record Line(String widget, String namespace, String metric, String dimension, String value, String stat, int period) {}

    @Test
    void theDashboardShowsUploadsWaitingTheJobsTheHostsAnswersAndTheFunctions() throws IOException {
        List<Line> lines = dashboardLines();
        String submit = "${SubmitFunction}";
        String poll = "${PollFunction}";
        String queue = "${SubmissionQueue.QueueName}";

        // Uploads waiting: all three of the queue's counts in one widget; the age of the oldest
        assertThat(lines.stream().collect(Collectors.groupingBy(Line::widget))).anySatisfy((widget, shown) ->
                assertThat(shown).extracting(Line::namespace, Line::metric, Line::value).contains(
                        tuple("AWS/SQS", "ApproximateNumberOfMessagesVisible", queue),
                        tuple("AWS/SQS", "ApproximateNumberOfMessagesNotVisible", queue),
                        tuple("AWS/SQS", "ApproximateNumberOfMessagesDelayed", queue)));
        assertThat(lines).anySatisfy(l -> assertThat(l).isEqualTo(line(l, "AWS/SQS", "ApproximateAgeOfOldestMessage", "QueueName", queue)));

        // Jobs per hour; the host's answers per 5 minutes, of both functions
        for (String metric : List.of("JobsSubmitted", "JobsHeld")) {
            assertThat(lines).as(metric).anySatisfy(l -> assertThat(l)
                    .isEqualTo(new Line(l.widget(), "S3ImageToVideo", metric, "FunctionName", submit, "Sum", 3600)));
        }
        assertThat(lines).as("JobsCompleted").anySatisfy(l -> assertThat(l)
                .isEqualTo(new Line(l.widget(), "S3ImageToVideo", "JobsCompleted", "FunctionName", poll, "Sum", 3600)));
        for (String function : List.of(submit, poll)) {
            assertThat(lines).as("JobsFailed " + function).anySatisfy(l -> assertThat(l)
                    .isEqualTo(new Line(l.widget(), "S3ImageToVideo", "JobsFailed", "FunctionName", function, "Sum", 3600)));
            for (String metric : List.of("HostAnswer2xx", "HostAnswer4xx", "HostAnswer429", "HostAnswer5xx", "HostUnreachable")) {
                assertThat(lines).as(metric + " " + function).anySatisfy(l -> assertThat(l)
                        .isEqualTo(new Line(l.widget(), "S3ImageToVideo", metric, "FunctionName", function, "Sum", 300)));
            }
            for (String metric : List.of("Errors", "Throttles", "Duration")) {
                assertThat(lines).as(metric + " " + function).anySatisfy(l -> assertThat(l)
                        .isEqualTo(line(l, "AWS/Lambda", metric, "FunctionName", function)));
            }
        }
        for (String other : List.of("${PollQueue.QueueName}", "${SubmissionDeadLetterQueue.QueueName}", "${PollDeadLetterQueue.QueueName}")) {
            assertThat(lines).as(other).anySatisfy(l -> assertThat(l)
                    .isEqualTo(line(l, "AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", other)));
        }
    }

    @Test
    void reachingTheDailyCapADeadLetteredUploadAndALongWaitRaiseAlarms() {
        Map<String, Object> cap = map(map(resources.get("DailyCapReachedAlarm")).get("Properties"));
        assertThat(cap).containsEntry("Namespace", "S3ImageToVideo").containsEntry("MetricName", "DailyCapReached")
                .containsEntry("Dimensions", List.of(Map.of("Name", "FunctionName", "Value", Map.of("Ref", "SubmitFunction"))))
                .containsEntry("Statistic", "Sum").containsEntry("Period", 3600).containsEntry("Threshold", 0)
                .containsEntry("ComparisonOperator", "GreaterThanThreshold");

        Map<String, Object> deadLetters = map(map(resources.get("SubmissionDeadLetterAlarm")).get("Properties"));
        assertThat(deadLetters).containsEntry("MetricName", "ApproximateNumberOfMessagesVisible").containsEntry("Dimensions",
                List.of(Map.of("Name", "QueueName", "Value", Map.of("Fn::GetAtt", List.of("SubmissionDeadLetterQueue", "QueueName")))));

        Map<String, Object> oldest = map(map(resources.get("OldestWaitingUploadAlarm")).get("Properties"));
        // The function's own age of a waiting upload (SQS's age of a message restarts with each send-back),
        // and SQS's, for a queue nobody consumes: the larger counts.
        assertThat(names(oldest)).contains("SubmitFunction", "SubmissionQueue", "SubmitMaxWaitSeconds");
        assertThat(oldest.toString()).contains("WaitingUploadAgeSeconds", "ApproximateAgeOfOldestMessage",
                "MAX([age, queueAge])");

        // Every alarm mails the AlarmEmail, when one is given
        for (Map<String, Object> alarm : ofType("AWS::CloudWatch::Alarm")) {
            assertThat(map(alarm.get("Properties")).get("AlarmActions")).as(alarm.toString()).isEqualTo(NOTIFY_WHEN_ASKED);
        }
    }

    /**
     * The functions' metrics the dashboard and the alarms name must be ones the code emits: a misspelt
     * name is a line that stays empty and an alarm that never fires. Looked up as string literals in
     * src/main/java, so that it does not depend on how the code spells them out.
     */
    @Test
    void everyMetricOfTheDashboardAndTheAlarmsIsOneTheFunctionsEmit() throws IOException {
        Set<String> named = new TreeSet<>();
        dashboardLines().stream().filter(l -> l.namespace().equals("S3ImageToVideo")).forEach(l -> named.add(l.metric()));
        for (Map<String, Object> alarm : ofType("AWS::CloudWatch::Alarm")) {
            if ("S3ImageToVideo".equals(map(alarm.get("Properties")).get("Namespace"))) {
                named.add((String) map(alarm.get("Properties")).get("MetricName"));
            }
        }
        Set<String> literals = new TreeSet<>();
        Pattern literal = Pattern.compile("\"([A-Za-z0-9]+)\"");
        try (Stream<Path> sources = Files.walk(Path.of("src/main/java"))) {
            for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
                Matcher m = literal.matcher(Files.readString(source));
                while (m.find()) {
                    literals.add(m.group(1));
                }
            }
        }

        assertThat(named).contains("DailyCapReached", "JobsHeld");
        Set<String> missing = new TreeSet<>(named);
        missing.removeAll(literals);
        assertThat(missing).as("metrics the template names that no string literal in src/main/java spells").isEmpty();
    }

    // --- reading the template -------------------------------------------------------------------

    private static void assertSendOnly(Map<String, Object> statement, String service, Map<String, Object> condition) {
        assertThat(statement).containsEntry("Effect", "Allow").containsEntry("Principal", Map.of("Service", service))
                .containsEntry("Action", "sqs:SendMessage").containsEntry("Resource", SUBMISSION_QUEUE_ARN)
                .containsEntry("Condition", condition);
    }

    private static List<Map<String, Object>> ofType(String type) {
        return resources.values().stream().map(TemplateSecurityTest::map).filter(r -> type.equals(r.get("Type"))).toList();
    }

    /** The logical names and parameters an expression refers to, by Ref, GetAtt, Condition or ${} in Sub. */
    private static Set<String> names(Object o) {
        Set<String> names = new LinkedHashSet<>();
        if (o instanceof Map<?, ?> m) {
            m.forEach((k, v) -> {
                switch (String.valueOf(k)) {
                    case "Ref", "Condition" -> names.add(String.valueOf(v).split("\\.")[0]);
                    case "Fn::GetAtt" -> names.add(String.valueOf(list(v).get(0)));
                    case "Fn::Sub" -> {
                        Matcher vars = Pattern.compile("\\$\\{([^!}.]+)").matcher(String.valueOf(list(v).get(0)));
                        while (vars.find()) {
                            names.add(vars.group(1));
                        }
                        names.addAll(names(list(v).size() > 1 ? list(v).get(1) : null));
                    }
                    default -> names.addAll(names(v));
                }
            });
        } else if (o instanceof List<?> l) {
            l.forEach(x -> names.addAll(names(x)));
        }
        return names;
    }

    /** Every line of every metric widget of the dashboard, with the widget's stat and period unless it sets its own. */
    private static List<Line> dashboardLines() throws IOException {
        List<Map<String, Object>> dashboards = ofType("AWS::CloudWatch::Dashboard");
        assertThat(dashboards).hasSize(1);
        Object body = map(dashboards.get(0).get("Properties")).get("DashboardBody");
        assertThat(body).as("DashboardBody is a !Sub of a JSON string").isInstanceOf(Map.class);
        // A ${} outside a JSON string stands for a number (a parameter); inside, it stays as it is
        String json = String.valueOf(map(body).get("Fn::Sub")).replaceAll("(?<!\")\\$\\{[^}]+}(?!\")", "0");
        List<Line> lines = new ArrayList<>();
        for (JsonNode widget : new ObjectMapper().readTree(json).path("widgets")) {
            if (!widget.path("type").asText().equals("metric")) {
                continue;
            }
            JsonNode properties = widget.path("properties");
            assertThat(properties.path("region").asText()).isEqualTo("${AWS::Region}");
            for (JsonNode metric : properties.path("metrics")) {
                // [namespace, name, dimension, value, {options}]: written out in full, no "." shorthand
                assertThat(metric.size()).as(metric.toString()).isBetween(4, 5);
                for (int i = 0; i < 4; i++) {
                    assertThat(metric.get(i).asText()).as(metric.toString()).isNotEqualTo(".");
                }
                JsonNode options = metric.size() == 5 ? metric.get(4) : new ObjectMapper().createObjectNode();
                lines.add(new Line(properties.path("title").asText(), metric.get(0).asText(), metric.get(1).asText(),
                        metric.get(2).asText(), metric.get(3).asText(),
                        options.path("stat").asText(properties.path("stat").asText()),
                        options.path("period").asInt(properties.path("period").asInt(300))));
            }
        }
        return lines;
    }

    /** {@code actual} if it shows this metric, whatever its stat and period. */
    private static Line line(Line actual, String namespace, String metric, String dimension, String value) {
        return new Line(actual.widget(), namespace, metric, dimension, value, actual.stat(), actual.period());
    }
}
