package io.s3imagetovideo.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Issue 6, "Least privilege": reads {@code template.yaml} (CloudFormation's short tags kept as the
 * intrinsic functions they stand for) and the README's permissions table, and checks that the two
 * grant exactly the same actions, that no action has a wildcard and no resource is {@code *} unless
 * the README says so, that writes go only to the output suffixes (and the ledger and fitted-input
 * prefixes of docs/contract.md, "Spend cap"), and that the stack's bucket is locked down.
 */
class TemplateSecurityTest {

    private static final Map<String, String> FUNCTIONS = Map.of("SubmitFunction", "submit", "PollFunction", "poll");
    /** How every S3 resource of the roles names the bucket: the existing one when given, else the stack's. */
    private static final Map<String, Object> BUCKET = Map.of("Bucket", Map.of("Fn::If",
            List.of("UseExistingBucket", Map.of("Ref", "ExistingBucketName"), Map.of("Ref", "ImagesBucket"))));
    private static final String BUCKET_ARN = "arn:${AWS::Partition}:s3:::${Bucket}";
    /** The keys the functions may write (docs/contract.md, "Bucket layout" and "Spend cap"). */
    private static final Set<String> WRITABLE = Set.of("/*.video.json", "/*.mp4", "/*.thumbnail.webp",
            "/*.thumbnail.jpg", "/*.thumbnail.png", "/.s3-image-to-video/ledger/*", "/.s3-image-to-video/inputs/*");

    private static Map<String, Object> template;
    private static Map<String, Object> resources;
    private static List<ReadmeGrant> readme;

    /** One row's action of the README's permissions table. */
    record ReadmeGrant(String function, String action, boolean anyResource) {}

    /** One action an Allow statement of a function's role grants, on what. */
    record Grant(String function, String action, List<Object> resources) {}

    @BeforeAll
    static void read() throws IOException {
        template = new Yaml(new CloudFormationConstructor()).load(Files.readString(Path.of("template.yaml")));
        resources = map(template.get("Resources"));
        readme = readmePermissions(Files.readString(Path.of("README.md")));
    }

    // --- the functions' roles -------------------------------------------------------------------

    @Test
    void functionsGetTheirPermissionsOnlyFromInlineStatementsTheTemplateShows() {
        for (String function : FUNCTIONS.keySet()) {
            Map<String, Object> properties = map(map(resources.get(function)).get("Properties"));

            // An explicit role, a managed policy or a SAM policy template would grant what no test here sees;
            // so would SAM's events (an SQS event attaches a policy for every queue, an S3 event adds an
            // invoke permission) and an asynchronous destination. The event source mappings stand alone.
            assertThat(properties).as(function).doesNotContainKeys("Role", "ManagedPolicyArns", "PermissionsBoundary",
                    "Events", "EventInvokeConfig");
            for (Object policy : list(properties.get("Policies"))) {
                assertThat(policy).as(function + " policy").isInstanceOf(Map.class);
                assertThat(map(policy)).as(function + " policy").containsKey("Statement");
            }
        }
        assertThat(resources.values()).extracting(r -> map(r).get("Type"))
                .doesNotContain("AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::User",
                        // Nothing may invoke a function but its event source mapping
                        "AWS::Lambda::Permission", "AWS::Lambda::EventInvokeConfig");
    }

    @Test
    void noActionHasAWildcard() {
        for (Grant grant : grants()) {
            assertThat(grant.action()).as(grant.function()).doesNotContain("*").matches("[a-z0-9-]+:[A-Za-z0-9]+");
        }
    }

    @Test
    void noResourceIsAWildcardUnlessTheReadmeListsIt() {
        for (Grant grant : grants()) {
            for (Object resource : grant.resources()) {
                boolean wildcard = resource instanceof String s && (s.equals("*") || s.endsWith(":*"));
                boolean allowed = readme.stream().anyMatch(r -> r.anyResource()
                        && (r.function().equals(grant.function()) || r.function().equals("both"))
                        && r.action().equals(grant.action()));
                assertThat(wildcard && !allowed).as(grant + " on " + resource).isFalse();
            }
        }
    }

    @Test
    void theReadmeListsExactlyThePermissionsTheTemplateGrants() {
        Set<String> granted = new TreeSet<>();
        for (Grant grant : grants()) {
            granted.add(grant.function() + " " + grant.action());
        }
        granted.addAll(grantedBySam());
        Set<String> documented = new TreeSet<>();
        for (ReadmeGrant row : readme) {
            for (String function : row.function().equals("both") ? FUNCTIONS.values() : List.of(row.function())) {
                documented.add(function + " " + row.action());
            }
        }

        assertThat(documented).isEqualTo(granted);
    }

    @Test
    void s3ActionsApplyOnlyToThisBucketAndWritesOnlyToTheOutputSuffixes() {
        for (Grant grant : grants()) {
            if (!grant.action().startsWith("s3:")) {
                continue;
            }
            for (Object resource : grant.resources()) {
                String path = pathInBucket(resource);
                switch (grant.action()) {
                    case "s3:ListBucket" -> assertThat(path).as(grant.toString()).isEmpty();
                    case "s3:GetObject" -> assertThat(path).as(grant.toString()).startsWith("/");
                    default -> assertThat(path).as(grant.toString()).isIn(WRITABLE);
                }
            }
        }
        // The submit function writes records, ledgers and fitted inputs only; the poll function never
        // reads an image or prompt file, and writes records, videos and thumbnails only
        assertThat(pathsOf("submit", "s3:PutObject"))
                .containsExactlyInAnyOrder("/*.video.json", "/.s3-image-to-video/ledger/*", "/.s3-image-to-video/inputs/*");
        assertThat(pathsOf("poll", "s3:GetObject")).containsExactly("/*.video.json");
        assertThat(pathsOf("poll", "s3:PutObject")).containsExactlyInAnyOrder("/*.video.json", "/*.mp4",
                "/*.thumbnail.webp", "/*.thumbnail.jpg", "/*.thumbnail.png");
        assertThat(pathsOf("poll", "s3:AbortMultipartUpload")).containsExactly("/*.mp4");
    }

    @Test
    void theSecretIsReadOnOneArnAndQueuesAreUsedOnlyWhereTheTemplateMakesThem() {
        for (Grant grant : grants()) {
            if (grant.action().startsWith("secretsmanager:")) {
                assertThat(grant.action()).isEqualTo("secretsmanager:GetSecretValue");
                assertThat(grant.resources()).hasSize(1);
                assertThat(grant.resources().get(0)).isEqualTo(Map.of("Fn::If", List.of("CreateApiKeySecret",
                        Map.of("Ref", "ApiKeySecret"), Map.of("Ref", "VideoApiKeySecretArn"))));
            }
        }
        // Each queue by its own ARN, never a dead-letter queue: the poll function uses its queue only,
        // the submit function the submission queue (its event source mapping, and sending an upload
        // back) and the poll queue for sending
        Map<String, Set<String>> queueActions = new TreeMap<>();
        for (Grant grant : grants()) {
            if (grant.action().startsWith("sqs:")) {
                for (Object resource : grant.resources()) {
                    assertThat(map(resource).keySet()).as(grant.toString()).containsExactly("Fn::GetAtt");
                    String queue = grant.function() + " " + list(map(resource).get("Fn::GetAtt")).get(0);
                    queueActions.computeIfAbsent(queue, q -> new TreeSet<>()).add(grant.action());
                }
            }
        }
        Set<String> consume = Set.of("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
                "sqs:GetQueueAttributes", "sqs:SendMessage");
        assertThat(queueActions).isEqualTo(Map.of(
                "submit SubmissionQueue", consume,
                "submit PollQueue", Set.of("sqs:SendMessage"),
                "poll PollQueue", consume));
        assertThat(map(map(template.get("Parameters")).get("VideoApiKey")).get("NoEcho")).isEqualTo(true);
    }

    // --- the bucket -----------------------------------------------------------------------------

    @Test
    void theBucketBlocksPublicAccessEncryptsAndEnforcesOwnership() {
        Map<String, Object> resource = map(resources.get("ImagesBucket"));
        Map<String, Object> bucket = map(resource.get("Properties"));

        // The stack's own bucket only; an existing bucket is the user's, and the stack changes nothing on it
        assertThat(resource.get("Condition")).isEqualTo("CreateBucket");
        assertThat(resources.values()).filteredOn(r -> String.valueOf(map(r).get("Type")).startsWith("AWS::S3::"))
                .allSatisfy(r -> assertThat(map(r).get("Condition")).isEqualTo("CreateBucket"));
        assertThat(map(bucket.get("PublicAccessBlockConfiguration"))).isEqualTo(Map.of("BlockPublicAcls", true,
                "BlockPublicPolicy", true, "IgnorePublicAcls", true, "RestrictPublicBuckets", true));
        Object encryption = map(map(list(map(bucket.get("BucketEncryption")).get("ServerSideEncryptionConfiguration"))
                .get(0)).get("ServerSideEncryptionByDefault")).get("SSEAlgorithm");
        assertThat(encryption).isIn("AES256", "aws:kms", "aws:kms:dsse");
        assertThat(list(map(bucket.get("OwnershipControls")).get("Rules")))
                .containsExactly(Map.of("ObjectOwnership", "BucketOwnerEnforced"));
    }

    @Test
    void theStacksBucketExpiresFittedInputsAndAbandonedUploads() {
        List<Object> rules = list(map(map(map(resources.get("ImagesBucket")).get("Properties"))
                .get("LifecycleConfiguration")).get("Rules"));

        // Copies of the users' images, for presigned URLs: gone after a day
        assertThat(rules).anySatisfy(r -> {
            assertThat(map(r)).containsEntry("Status", "Enabled").containsEntry("ExpirationInDays", 1);
            assertThat(map(r).get("Prefix")).isEqualTo(".s3-image-to-video/inputs/");
        });
        assertThat(rules).anySatisfy(r -> assertThat(map(r)).containsEntry("Status", "Enabled")
                .containsEntry("AbortIncompleteMultipartUpload", Map.of("DaysAfterInitiation", 1)));
        // Nothing else expires: the records, videos and ledgers are the users'
        assertThat(rules).filteredOn(r -> map(r).containsKey("ExpirationInDays")).hasSize(1);
    }

    @Test
    void theBucketPolicyRefusesEveryRequestWithoutTlsAndGrantsNothing() {
        List<Map<String, Object>> policies = new ArrayList<>();
        for (Object resource : resources.values()) {
            if ("AWS::S3::BucketPolicy".equals(map(resource).get("Type"))) {
                policies.add(map(map(resource).get("Properties")));
            }
        }

        assertThat(policies).hasSize(1);
        assertThat(policies.get(0).get("Bucket")).isEqualTo(Map.of("Ref", "ImagesBucket"));
        List<Object> statements = list(map(policies.get(0).get("PolicyDocument")).get("Statement"));
        assertThat(statements).allSatisfy(s -> assertThat(map(s).get("Effect")).isEqualTo("Deny"));
        assertThat(statements).anySatisfy(s -> {
            Map<String, Object> statement = map(s);
            assertThat(statement.get("Principal")).isEqualTo("*");
            assertThat(statement.get("Action")).isEqualTo("s3:*");
            assertThat(statement.get("Condition")).isEqualTo(Map.of("Bool", Map.of("aws:SecureTransport", "false")));
            assertThat(list(statement.get("Resource"))).containsExactlyInAnyOrder(
                    Map.of("Fn::GetAtt", List.of("ImagesBucket", "Arn")), Map.of("Fn::Sub", "${ImagesBucket.Arn}/*"));
        });
    }

    @Test
    void theApiBaseUrlParameterAcceptsHttpsOnly() {
        String pattern = String.valueOf(map(map(template.get("Parameters")).get("VideoApiBaseUrl")).get("AllowedPattern"));

        assertThat("https://api.chainhub.tech").matches(pattern);
        assertThat("https://proxy.example.com/openai").matches(pattern);
        assertThat("http://api.chainhub.tech").doesNotMatch(pattern);
        assertThat("https://user:pass@api.chainhub.tech").doesNotMatch(pattern);
    }

    // --- reading the template and the README ----------------------------------------------------

    /** Every action every Allow statement of each function's policies grants. */
    private static List<Grant> grants() {
        List<Grant> grants = new ArrayList<>();
        for (Map.Entry<String, String> function : FUNCTIONS.entrySet()) {
            Map<String, Object> properties = map(map(resources.get(function.getKey())).get("Properties"));
            for (Object policy : list(properties.get("Policies"))) {
                for (Object s : list(map(policy).get("Statement"))) {
                    Map<String, Object> statement = map(s);
                    assertThat(statement.get("Effect")).as(function.getKey() + " " + statement).isEqualTo("Allow");
                    assertThat(statement).as(function.getKey() + " " + statement).doesNotContainKeys("NotAction", "NotResource");
                    for (Object action : list(statement.get("Action"))) {
                        grants.add(new Grant(function.getValue(), (String) action, list(statement.get("Resource"))));
                    }
                }
            }
        }
        return grants;
    }

    /** What an S3 grant of a function covers in the bucket: "" for the bucket, "/..." for its keys. */
    private static List<String> pathsOf(String function, String action) {
        return grants().stream().filter(g -> g.function().equals(function) && g.action().equals(action))
                .flatMap(g -> g.resources().stream()).map(TemplateSecurityTest::pathInBucket).toList();
    }

    /**
     * The part after the bucket of an S3 resource, which must be {@code !Sub [arn...${Bucket}..., BUCKET]}:
     * a literal ARN, a !Ref or another variable would name another bucket.
     */
    private static String pathInBucket(Object resource) {
        assertThat(map(resource).keySet()).as("S3 resource " + resource).containsExactly("Fn::Sub");
        List<Object> sub = list(map(resource).get("Fn::Sub"));
        assertThat(sub).as("S3 resource " + resource).hasSize(2);
        assertThat(sub.get(1)).as("S3 resource " + resource).isEqualTo(BUCKET);
        String arn = String.valueOf(sub.get(0));
        assertThat(arn).as("S3 resource " + resource).startsWith(BUCKET_ARN);
        String path = arn.substring(BUCKET_ARN.length());
        assertThat(path).as("S3 resource " + resource).doesNotContain("$").matches("|/.*");
        return path;
    }

    /** What SAM adds to the roles it creates, which the template does not spell out: the basic execution role's log actions. */
    private static Set<String> grantedBySam() {
        Set<String> granted = new TreeSet<>();
        for (String function : FUNCTIONS.values()) {
            for (String action : List.of("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")) {
                granted.add(function + " " + action);
            }
        }
        return granted;
    }

    /** The rows of the permissions table in the README's "Security" section, one per action. */
    private static List<ReadmeGrant> readmePermissions(String readme) {
        String security = readme.substring(readme.indexOf("## Security"));
        security = security.substring(security.indexOf("### Permissions"));
        security = security.substring(0, security.indexOf("\n## "));
        List<ReadmeGrant> rows = new ArrayList<>();
        Pattern action = Pattern.compile("`([a-z0-9-]+:[A-Za-z0-9*]+)`");
        for (String line : security.split("\n")) {
            String[] cells = line.split("\\|");
            if (cells.length < 5 || !Set.of("submit", "poll", "both").contains(cells[1].trim())) {
                continue;
            }
            boolean anyResource = cells[3].trim().equals("`*`") || cells[3].trim().equals("*");
            Matcher m = action.matcher(cells[2]);
            while (m.find()) {
                rows.add(new ReadmeGrant(cells[1].trim(), m.group(1), anyResource));
            }
        }
        assertThat(rows).as("the README's permissions table").isNotEmpty();
        return rows;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    /** A YAML list, or a single value standing for a list of one (as IAM allows). */
    @SuppressWarnings("unchecked")
    static List<Object> list(Object o) {
        return o == null ? List.of() : o instanceof List<?> l ? (List<Object>) l : List.of(o);
    }

    /**
     * SnakeYAML's safe constructor, taught CloudFormation's short tags: {@code !Sub x} becomes
     * {@code {"Fn::Sub": x}}, {@code !Ref x} {@code {"Ref": x}}, {@code !GetAtt A.B} {@code {"Fn::GetAtt": [A, B]}}.
     */
    static final class CloudFormationConstructor extends SafeConstructor {
        CloudFormationConstructor() {
            super(new LoaderOptions());
            for (String name : List.of("Base64", "Cidr", "Equals", "FindInMap", "GetAZs", "GetAtt", "If",
                    "ImportValue", "Join", "Not", "And", "Or", "Select", "Split", "Sub", "Transform", "Length",
                    "ToJsonString")) {
                yamlConstructors.put(new Tag("!" + name), new Intrinsic("Fn::" + name));
            }
            yamlConstructors.put(new Tag("!Ref"), new Intrinsic("Ref"));
            yamlConstructors.put(new Tag("!Condition"), new Intrinsic("Condition"));
        }

        private final class Intrinsic extends AbstractConstruct {
            private final String name;

            Intrinsic(String name) {
                this.name = name;
            }

            @Override
            public Object construct(Node node) {
                Object value = switch (node) {
                    case ScalarNode scalar -> constructScalar(scalar);
                    case SequenceNode sequence -> constructSequence(sequence);
                    case MappingNode mapping -> new LinkedHashMap<>(constructMapping(mapping));
                    default -> throw new IllegalArgumentException("unexpected YAML node " + node);
                };
                if (name.equals("Fn::GetAtt") && value instanceof String dotted) {
                    value = List.of(dotted.split("\\.", 2));
                }
                Map<String, Object> intrinsic = new HashMap<>();
                intrinsic.put(name, value);
                return intrinsic;
            }
        }
    }
}
