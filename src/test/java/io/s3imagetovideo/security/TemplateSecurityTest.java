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
 * the README says so, that writes go only to the output suffixes, and that the bucket is locked down.
 */
class TemplateSecurityTest {

    private static final Map<String, String> FUNCTIONS = Map.of("SubmitFunction", "submit", "PollFunction", "poll");
    private static final String BUCKET_ARN = "arn:${AWS::Partition}:s3:::${AWS::StackName}-images-${AWS::AccountId}";

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

            // An explicit role, a managed policy or a SAM policy template would grant what no test here sees
            assertThat(properties).as(function).doesNotContainKeys("Role", "ManagedPolicyArns", "PermissionsBoundary");
            for (Object policy : list(properties.get("Policies"))) {
                assertThat(policy).as(function + " policy").isInstanceOf(Map.class);
                assertThat(map(policy)).as(function + " policy").containsKey("Statement");
            }
        }
        assertThat(resources.values()).extracting(r -> map(r).get("Type"))
                .doesNotContain("AWS::IAM::Role", "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy", "AWS::IAM::User");
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
                // Built with !Sub from the stack's name: a literal ARN or a !Ref would name another bucket
                String arn = String.valueOf(resource instanceof Map<?, ?> m ? m.get("Fn::Sub") : resource);
                switch (grant.action()) {
                    case "s3:ListBucket" -> assertThat(arn).isEqualTo(BUCKET_ARN);
                    case "s3:GetObject" -> assertThat(arn).startsWith(BUCKET_ARN + "/");
                    default -> assertThat(arn).as(grant.toString()).isIn(BUCKET_ARN + "/*.video.json", BUCKET_ARN + "/*.mp4");
                }
            }
        }
        // The submit function writes records only; the poll function never reads an image or prompt file
        assertThat(resourcesOf("submit", "s3:PutObject")).containsExactly(Map.of("Fn::Sub", BUCKET_ARN + "/*.video.json"));
        assertThat(resourcesOf("poll", "s3:GetObject")).containsExactly(Map.of("Fn::Sub", BUCKET_ARN + "/*.video.json"));
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
            if (grant.action().startsWith("sqs:")) {
                assertThat(grant.resources()).isEqualTo(List.of(Map.of("Fn::GetAtt", List.of("PollQueue", "Arn"))));
            }
        }
        assertThat(map(map(template.get("Parameters")).get("VideoApiKey")).get("NoEcho")).isEqualTo(true);
    }

    // --- the bucket -----------------------------------------------------------------------------

    @Test
    void theBucketBlocksPublicAccessEncryptsAndEnforcesOwnership() {
        Map<String, Object> bucket = map(map(resources.get("ImagesBucket")).get("Properties"));

        assertThat(map(bucket.get("PublicAccessBlockConfiguration"))).isEqualTo(Map.of("BlockPublicAcls", true,
                "BlockPublicPolicy", true, "IgnorePublicAcls", true, "RestrictPublicBuckets", true));
        Object encryption = map(map(list(map(bucket.get("BucketEncryption")).get("ServerSideEncryptionConfiguration"))
                .get(0)).get("ServerSideEncryptionByDefault")).get("SSEAlgorithm");
        assertThat(encryption).isIn("AES256", "aws:kms", "aws:kms:dsse");
        assertThat(list(map(bucket.get("OwnershipControls")).get("Rules")))
                .containsExactly(Map.of("ObjectOwnership", "BucketOwnerEnforced"));
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

    private static List<Object> resourcesOf(String function, String action) {
        return grants().stream().filter(g -> g.function().equals(function) && g.action().equals(action))
                .flatMap(g -> g.resources().stream()).toList();
    }

    /**
     * What SAM adds to the roles it creates, which the template does not spell out: the basic execution
     * role's log actions for both, and sending to an SQS on-failure destination.
     */
    private static Set<String> grantedBySam() {
        Set<String> granted = new TreeSet<>();
        for (Map.Entry<String, String> function : FUNCTIONS.entrySet()) {
            for (String action : List.of("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents")) {
                granted.add(function.getValue() + " " + action);
            }
            Map<String, Object> properties = map(map(resources.get(function.getKey())).get("Properties"));
            Object onFailure = map(map(map(properties.get("EventInvokeConfig")).get("DestinationConfig")).get("OnFailure"))
                    .get("Type");
            if ("SQS".equals(onFailure)) {
                granted.add(function.getValue() + " sqs:SendMessage");
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
    private static Map<String, Object> map(Object o) {
        return o == null ? Map.of() : (Map<String, Object>) o;
    }

    /** A YAML list, or a single value standing for a list of one (as IAM allows). */
    @SuppressWarnings("unchecked")
    private static List<Object> list(Object o) {
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
