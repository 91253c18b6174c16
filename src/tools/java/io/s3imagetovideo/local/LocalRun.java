package io.s3imagetovideo.local;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.api.ApiKeySource;
import io.s3imagetovideo.api.ApiTransport;
import io.s3imagetovideo.time.Sleeper;
import io.s3imagetovideo.config.ApiConfig;
import io.s3imagetovideo.config.PollConfig;
import io.s3imagetovideo.config.SubmitConfig;
import io.s3imagetovideo.poll.PollHandler;
import io.s3imagetovideo.record.Status;
import io.s3imagetovideo.submit.SubmitHandler;
import io.s3imagetovideo.support.Events;
import io.s3imagetovideo.support.S3ProxyServer;
import io.s3imagetovideo.support.SqsEvents;
import io.s3imagetovideo.support.TestContext;
import io.s3imagetovideo.wiring.Dependencies;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.elasticmq.rest.sqs.SQSRestServer;
import org.elasticmq.rest.sqs.SQSRestServerBuilder;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.sqs.SqsClient;
import software.amazon.awssdk.services.sqs.model.Message;
import software.amazon.awssdk.services.sqs.model.MessageSystemAttributeName;
import software.amazon.awssdk.services.sqs.model.QueueAttributeName;

/**
 * The whole flow on this machine, with nothing but a JDK: {@code ./mvnw -B -q -Plocal test-compile exec:java}.
 *
 * <p>S3 is S3Proxy keeping its bucket as a folder ({@code local-bucket/videos/}), SQS is ElasticMQ, the
 * video API is {@link SandboxVideoApi} (or the API named by {@code VIDEO_API_BASE_URL} and
 * {@code VIDEO_API_KEY}), all in this JVM. It uploads {@code samples/<name>.prompt.json} and
 * {@code samples/<name>.png}, sends the S3 notification of each PUT to the submission queue as the
 * bucket would, then does what Lambda's SQS event sources do for both functions: receives from each
 * queue (the uploads, those sent back while the host is busy, the status checks), invokes the function,
 * and deletes the messages it did not report as failed, until the record is done. The handlers are the deployed ones, given their clients through the constructor
 * meant for local runs, because a running JVM cannot change its own environment.
 */
public final class LocalRun {

    public static final String BUCKET = "videos";
    static final Set<String> DONE = Set.of(Status.COMPLETED.word(), Status.FAILED.word(), Status.EXPIRED.word(),
            Status.REJECTED.word());
    /** Settings a user may set for a local run too; the AWS ones stay pointed at the local servers. */
    private static final List<String> USER_SETTINGS_PREFIXES = List.of("DEFAULT_", "POLL_INITIAL_", "POLL_MIN_", "POLL_MAX_",
            "VIDEO_API_CONNECT_", "VIDEO_API_TIMEOUT_", "VIDEO_API_MAX_", "VIDEO_API_RETRY_", "MAX_IMAGE_", "VIDEO_SIZES",
            "VIDEO_SECONDS", "VIDEO_IMAGE_", "SAVE_THUMBNAIL", "MAX_JOBS_PER_DAY", "MAX_VIDEO_SECONDS_PER_DAY",
            "SUBMIT_MAX_WAIT_SECONDS");

    /** Which video API the functions call, and the settings that suit it (the README's host table). */
    public record Api(URI baseUrl, String key, String description, boolean sandbox, Map<String, String> settings) {
        public Api(URI baseUrl, String key, String description, boolean sandbox) {
            this(baseUrl, key, description, sandbox, Map.of());
        }

        @Override
        public String toString() {
            return "Api[" + baseUrl + ", key=***]";
        }
    }

    /** What a run left behind. */
    public record Result(JsonNode record, Path recordFile, Optional<Path> videoFile) {
        public String status() {
            return record.path("status").asText();
        }
    }

    private final Path samples;
    private final Path bucketRoot;
    private final String name;
    private final Api api;
    private final Map<String, String> userEnv;
    private final PrintStream out;
    private final ObjectMapper mapper = new ObjectMapper();

    public LocalRun(Path samples, Path bucketRoot, String name, Api api, Map<String, String> userEnv, PrintStream out) {
        this.samples = samples;
        this.bucketRoot = bucketRoot;
        this.name = name;
        this.api = api;
        this.userEnv = userEnv;
        this.out = out;
    }

    public static void main(String[] args) throws Exception {
        boolean serve = List.of(args).contains("--serve");
        String name = List.of(args).stream().filter(a -> !a.startsWith("--")).findFirst().orElse("scene");
        String hostFlag = List.of(args).stream().filter(a -> a.startsWith("--host=")).findFirst()
                .map(a -> a.substring("--host=".length())).orElse(SandboxVideoApi.Host.SEED.flag());
        Optional<SandboxVideoApi.Host> host = SandboxVideoApi.Host.ofFlag(hostFlag);
        if (host.isEmpty()) {
            System.err.println("--host must be one of " + java.util.Arrays.stream(SandboxVideoApi.Host.values())
                    .map(SandboxVideoApi.Host::flag).collect(Collectors.joining(", ")) + "; got '" + hostFlag + "'");
            System.exit(2);
            return;
        }
        Map<String, String> env = System.getenv();
        Optional<Api> external;
        try {
            external = externalApi(env);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Result result;
        if (external.isPresent()) {
            result = start(new LocalRun(Path.of("samples"), Path.of("local-bucket"), name, external.get(), env,
                    System.out), serve);
        } else {
            // The first create finds the host at its limit: the run shows an upload waiting in the queue.
            try (SandboxVideoApi sandbox = SandboxVideoApi.start(host.get(), SandboxVideoApi.DEFAULT_KEY,
                    Clock.systemUTC(), SandboxVideoApi.DEFAULT_QUEUED, SandboxVideoApi.DEFAULT_RUNNING).busyFor(1)) {
                Api api = new Api(sandbox.baseUrl(), SandboxVideoApi.DEFAULT_KEY,
                        "the sandbox playing " + host.get().flag() + " in this JVM (" + sandbox.baseUrl()
                                + "): no key, no cost; busy for its first job; set VIDEO_API_BASE_URL and"
                                + " VIDEO_API_KEY to use a real one", true, host.get().settings());
                result = start(new LocalRun(Path.of("samples"), Path.of("local-bucket"), name, api, env, System.out),
                        serve);
            }
        }
        // ElasticMQ's and S3Proxy's pools outlive their stop() for a while; the run is over.
        System.exit(result.status().equals(Status.COMPLETED.word()) && result.videoFile().isPresent() ? 0 : 1);
    }

    private static Result start(LocalRun local, boolean serve) throws Exception {
        if (serve) {
            local.serve();
        }
        return local.run();
    }

    /** The API the environment names, if it names one: both variables, or neither (the sandbox). */
    static Optional<Api> externalApi(Map<String, String> env) {
        String base = blankToNull(env.get("VIDEO_API_BASE_URL"));
        String key = blankToNull(env.get("VIDEO_API_KEY"));
        if (base == null && key == null) {
            return Optional.empty();
        }
        if (base == null || key == null) {
            throw new IllegalArgumentException("Set both VIDEO_API_BASE_URL and VIDEO_API_KEY to use a real video"
                    + " API, or neither to use the sandbox (" + (base == null ? "VIDEO_API_BASE_URL" : "VIDEO_API_KEY")
                    + " is not set).");
        }
        return Optional.of(new Api(URI.create(base), key, base + " (from VIDEO_API_BASE_URL, key from VIDEO_API_KEY):"
                + " the functions create a real job there, which may cost money", false));
    }

    public Result run() throws Exception {
        Instant started = Instant.now();
        step("Video API: " + api.description());
        Path image = sampleImage();
        Path prompt = samplePrompt();
        return withServers((s3, sqs, s3Endpoint, sqsEndpoint) -> flow(s3, sqs, image, prompt, started));
    }

    /**
     * Starts the same servers with the sample uploaded and no function run, and keeps them up until
     * Ctrl-C, so that the invoke command can run each function against them, one event at a time.
     */
    public void serve() throws Exception {
        step("Video API: " + api.description());
        Path image = sampleImage();
        Path prompt = samplePrompt();
        withServers((s3, sqs, s3Endpoint, sqsEndpoint) -> {
            createBucket(s3);
            String queueUrl = createQueue(sqs, "poll");
            String submissionQueueUrl = createQueue(sqs, "submission");
            String imageKey = imageKey(image);
            removeEarlierRun(s3, imageKey);
            upload(s3, name + ".prompt.json", prompt);
            upload(s3, imageKey, image);
            step("Serving until Ctrl-C. In another terminal, in this folder, point the functions at these servers:");
            out.println("export AWS_ENDPOINT_URL_S3=" + s3Endpoint + " AWS_ENDPOINT_URL_SQS=" + sqsEndpoint
                    + " AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=" + S3ProxyServer.ACCESS_KEY
                    + " AWS_SECRET_ACCESS_KEY=" + S3ProxyServer.SECRET_KEY + " POLL_QUEUE_URL=" + queueUrl
                    + " SUBMISSION_QUEUE_URL=" + submissionQueueUrl
                    + (api.sandbox() ? " VIDEO_API_BASE_URL=" + api.baseUrl() + " VIDEO_API_KEY=" + api.key() : ""));
            step("then invoke them, as S3 and the queue would:");
            out.println("./mvnw -q -Pinvoke test-compile exec:java -Dexec.args=\"submit --bucket " + BUCKET + " --key "
                    + imageKey + "\"");
            out.println("./mvnw -q -Pinvoke test-compile exec:java -Dexec.args=\"poll --bucket " + BUCKET + " --key "
                    + name + ".video.json\"");
            Thread.currentThread().join();
            return null;
        });
    }

    private interface ServerAction<T> {
        T apply(S3Client s3, SqsClient sqs, URI s3Endpoint, URI sqsEndpoint) throws Exception;
    }

    /** S3Proxy on the folder and ElasticMQ, for the length of {@code action}. */
    private <T> T withServers(ServerAction<T> action) throws Exception {
        Files.createDirectories(bucketRoot);
        SQSRestServer mq = SQSRestServerBuilder.withDynamicPort().withInterface("127.0.0.1").start();
        try (S3ProxyServer s3Server = S3ProxyServer.onDisk(bucketRoot.toAbsolutePath().toString())) {
            URI sqsEndpoint = URI.create("http://127.0.0.1:" + mq.waitUntilStarted().localAddress().getPort());
            step("S3: S3Proxy at " + s3Server.endpoint() + ", bucket '" + BUCKET + "' kept in "
                    + bucketRoot.resolve(BUCKET) + "/");
            step("SQS: ElasticMQ at " + sqsEndpoint + ", the submission queue and the poll queue");
            SdkHttpClient http = UrlConnectionHttpClient.builder().build();
            try (S3Client s3 = s3Client(s3Server.endpoint(), http); SqsClient sqs = sqsClient(sqsEndpoint, http)) {
                return action.apply(s3, sqs, s3Server.endpoint(), sqsEndpoint);
            } finally {
                http.close();
            }
        } finally {
            mq.stopAndWait();
        }
    }

    private Result flow(S3Client s3, SqsClient sqs, Path image, Path prompt, Instant started) throws Exception {
        createBucket(s3);
        String pollQueueUrl = createQueue(sqs, "poll");
        String submissionQueueUrl = createQueue(sqs, "submission");
        Map<String, String> env = functionEnv(pollQueueUrl, submissionQueueUrl);
        SubmitConfig submitConfig = SubmitConfig.fromEnv(env);
        PollConfig pollConfig = PollConfig.fromEnv(env);

        String imageKey = imageKey(image);
        String promptKey = name + ".prompt.json";
        String recordKey = name + ".video.json";
        String videoKey = name + ".mp4";
        removeEarlierRun(s3, imageKey);

        for (Map.Entry<String, Path> file : List.of(Map.entry(promptKey, prompt), Map.entry(imageKey, image))) {
            String key = file.getKey();
            PutObjectResponse put = upload(s3, key, file.getValue());
            // What the bucket's notification does: the event of the PUT goes to the submission queue.
            String body = Events.notificationJson(List.of(new Events.Put(BUCKET, key, Files.size(file.getValue()),
                    put.eTag())));
            sqs.sendMessage(b -> b.queueUrl(submissionQueueUrl).messageBody(body));
        }

        SubmitHandler submit = new SubmitHandler(submitConfig, dependencies(submitConfig.api(), s3, sqs));
        PollHandler poll = new PollHandler(pollConfig, dependencies(pollConfig.api(), s3, sqs));
        Duration limit = pollConfig.pollMaxAge().plus(submitConfig.maxWait().compareTo(Duration.ofHours(1)) < 0
                ? submitConfig.maxWait() : Duration.ofHours(1));
        JsonNode record = record(s3, recordKey);
        // What Lambda's event source mappings do: receive from each queue, invoke, delete what did not fail.
        while (!DONE.contains(record.path("status").asText())) {
            if (Duration.between(started, Instant.now()).compareTo(limit) > 0) {
                throw new IllegalStateException("the record is still " + record.path("status").asText()
                        + " after " + limit.toSeconds() + " s");
            }
            List<Message> uploads = receive(sqs, submissionQueueUrl);
            if (!uploads.isEmpty()) {
                SQSBatchResponse response = invoke(() -> submit.handleRequest(SqsEvents.of(uploads),
                        new TestContext("submit", Duration.ofMinutes(5), "local-submit")));
                Set<String> failed = acknowledge(sqs, submissionQueueUrl, uploads, response);
                record = record(s3, recordKey);
                step("Submit function, " + describeUploads(uploads) + " → record " + describe(record)
                        + waiting(record) + (failed.isEmpty() ? "" : "; the message failed and comes back"));
            }
            List<Message> checks = receive(sqs, pollQueueUrl);
            if (!checks.isEmpty()) {
                SQSBatchResponse response = invoke(() -> poll.handleRequest(SqsEvents.of(checks),
                        new TestContext("poll", Duration.ofMinutes(5), "local-poll")));
                Set<String> failed = acknowledge(sqs, pollQueueUrl, checks, response);
                record = record(s3, recordKey);
                step("Poll function, status check " + checkNumber(checks) + " → record " + describe(record)
                        + (failed.isEmpty() ? "" : "; the check failed and goes back to the queue"));
            }
            if (record.path("status").asText().equals(Status.WAITING.word()) && uploads.isEmpty()
                    && checks.isEmpty()) {
                break;
            }
        }

        return finish(record, recordKey, imageKey, promptKey, videoKey, started);
    }

    private static List<Message> receive(SqsClient sqs, String queueUrl) {
        return sqs.receiveMessage(b -> b.queueUrl(queueUrl).maxNumberOfMessages(10).waitTimeSeconds(1)
                .messageSystemAttributeNames(MessageSystemAttributeName.ALL)).messages();
    }

    private static Set<String> acknowledge(SqsClient sqs, String queueUrl, List<Message> messages,
            SQSBatchResponse response) {
        Set<String> failed = response.getBatchItemFailures().stream()
                .map(SQSBatchResponse.BatchItemFailure::getItemIdentifier).collect(Collectors.toSet());
        for (Message m : messages) {
            if (!failed.contains(m.messageId())) {
                sqs.deleteMessage(b -> b.queueUrl(queueUrl).receiptHandle(m.receiptHandle()));
            }
        }
        return failed;
    }

    /** Which uploads the submission messages carry: the S3 events' keys, or "sent back" for a waiting upload. */
    private String describeUploads(List<Message> messages) {
        return messages.stream().map(m -> {
            try {
                JsonNode body = mapper.readTree(m.body());
                if (body.has("Records")) {
                    return "S3 event for " + java.net.URLDecoder.decode(
                            body.path("Records").path(0).path("s3").path("object").path("key").asText(),
                            StandardCharsets.UTF_8);
                }
                return "the waiting upload, sent back to the queue";
            } catch (IOException e) {
                return "a message";
            }
        }).collect(Collectors.joining(", "));
    }

    /** For a record that waits for a busy host: until when. */
    private static String waiting(JsonNode record) {
        return record.path("next_try_at").isTextual()
                ? " (the host was busy: it waits in the queue until " + record.path("next_try_at").asText() + ")"
                : "";
    }

    private Result finish(JsonNode record, String recordKey, String imageKey, String promptKey, String videoKey,
            Instant started) throws IOException {
        Path recordFile = bucketRoot.resolve(BUCKET).resolve(recordKey);
        Optional<Path> videoFile = Optional.of(bucketRoot.resolve(BUCKET).resolve(videoKey)).filter(Files::isRegularFile);
        step("Files in " + bucketRoot.resolve(BUCKET) + "/:");
        List<String> keys = new java.util.ArrayList<>(List.of(imageKey, promptKey, recordKey, videoKey));
        if (record.path("output").path("thumbnail").isTextual()) {
            keys.add(record.path("output").path("thumbnail").asText());
        }
        for (String key : keys) {
            Path file = bucketRoot.resolve(BUCKET).resolve(key);
            if (Files.isRegularFile(file)) {
                out.printf("      %-40s %,d bytes%n", file, Files.size(file));
            }
        }
        if (record.isMissingNode()) {
            step("No record was written");
        } else {
            step("The record, " + recordFile + ":");
            out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(record));
        }
        String outcome;
        if (!record.path("status").asText().equals(Status.COMPLETED.word())) {
            outcome = "the record is " + record.path("status").asText()
                    + (record.has("error") ? "; its error says why" : "");
        } else if (videoFile.isPresent()) {
            outcome = "the video is " + videoFile.get();
        } else {
            outcome = "the record is completed but no video was saved";
        }
        step(String.format(Locale.ROOT, "Done in %.1f s: %s", Duration.between(started, Instant.now()).toMillis() / 1000.0,
                outcome));
        return new Result(record, recordFile, videoFile);
    }

    /** What the template would set, pointed at the local servers; the user's own settings win. */
    private Map<String, String> functionEnv(String pollQueueUrl, String submissionQueueUrl) {
        Map<String, String> env = new HashMap<>();
        env.put("VIDEO_API_BASE_URL", api.baseUrl().toString());
        env.put("VIDEO_API_KEY", api.key());
        env.put("POLL_QUEUE_URL", pollQueueUrl);
        env.put("SUBMISSION_QUEUE_URL", submissionQueueUrl);
        env.putAll(api.settings());
        // The sandbox finishes in seconds; a real provider takes minutes, so look less often.
        env.put("POLL_INITIAL_DELAY_SECONDS", api.sandbox() ? "1" : "10");
        env.put("POLL_MAX_DELAY_SECONDS", api.sandbox() ? "1" : "30");
        userEnv.forEach((k, v) -> {
            if (USER_SETTINGS_PREFIXES.stream().anyMatch(k::startsWith)) {
                env.put(k, v);
            }
        });
        return env;
    }

    /** The local servers' clients, the key as the local environment gives it (never a secret here). */
    private Dependencies dependencies(ApiConfig config, S3Client s3, SqsClient sqs) {
        return new Dependencies(s3, Optional.of(sqs), ApiTransport.newHttpClient(config.connectTimeout()),
                ApiKeySource.fixed(config.key().orElseThrow()), mapper, Clock.systemUTC(), Sleeper.SYSTEM,
                new SecureRandom());
    }

    /** Runs a handler with its log lines indented under the step that caused them. */
    private <T> T invoke(java.util.function.Supplier<T> handler) {
        PrintStream original = System.out;
        System.setOut(new PrintStream(new Indenting(out, "      │ "), true, StandardCharsets.UTF_8));
        try {
            return handler.get();
        } finally {
            System.out.flush();
            System.setOut(original);
        }
    }

    private String createQueue(SqsClient sqs, String queueName) {
        return sqs.createQueue(b -> b.queueName(queueName).attributes(Map.of(
                // A message the function reports as failed comes back soon, not after SQS's default 30 s.
                QueueAttributeName.VISIBILITY_TIMEOUT, "5"))).queueUrl();
    }

    private String imageKey(Path image) {
        return name + image.getFileName().toString().substring(name.length());
    }

    /** A fresh start for this name: otherwise the unchanged upload is rightly taken for the earlier one. */
    private void removeEarlierRun(S3Client s3, String imageKey) {
        List<String> removed = new java.util.ArrayList<>();
        for (String previous : List.of(imageKey, name + ".prompt.json", name + ".video.json", name + ".mp4",
                name + ".thumbnail.webp", name + ".thumbnail.jpg", name + ".thumbnail.png")) {
            if (exists(s3, previous)) {
                s3.deleteObject(b -> b.bucket(BUCKET).key(previous));
                removed.add(onDisk(previous));
            }
        }
        if (!removed.isEmpty()) {
            step("Removed the files of an earlier run: " + String.join(", ", removed));
        }
    }

    private PutObjectResponse upload(S3Client s3, String key, Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        PutObjectResponse put = s3.putObject(b -> b.bucket(BUCKET).key(key)
                .contentType(key.endsWith(".json") ? "application/json" : contentType(key)), RequestBody.fromBytes(bytes));
        step("PUT " + file + " → s3://" + BUCKET + "/" + key + " (" + bytes.length + " bytes)");
        return put;
    }

    private Path samplePrompt() {
        Path prompt = samples.resolve(name + ".prompt.json");
        if (!Files.isRegularFile(prompt)) {
            throw new IllegalArgumentException("No " + prompt + ": put the prompt file next to the image");
        }
        return prompt;
    }

    private Path sampleImage() {
        for (String extension : List.of(".png", ".jpg", ".jpeg", ".webp")) {
            Path candidate = samples.resolve(name + extension);
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalArgumentException("No image for '" + name + "' in " + samples
                + "/ (looked for .png, .jpg, .jpeg, .webp)");
    }

    private static String contentType(String key) {
        String lower = key.toLowerCase(Locale.ROOT);
        return lower.endsWith(".png") ? "image/png" : lower.endsWith(".webp") ? "image/webp" : "image/jpeg";
    }

    private void createBucket(S3Client s3) {
        try {
            s3.createBucket(b -> b.bucket(BUCKET));
        } catch (BucketAlreadyOwnedByYouException e) {
            // kept from an earlier run: its other files stay
        }
    }

    private static boolean exists(S3Client s3, String key) {
        try {
            s3.headObject(b -> b.bucket(BUCKET).key(key));
            return true;
        } catch (NoSuchKeyException e) {
            return false;
        }
    }

    /** The record, or a missing node when none was written. */
    private JsonNode record(S3Client s3, String key) throws IOException {
        try {
            return mapper.readTree(s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key)).asByteArray());
        } catch (NoSuchKeyException e) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        }
    }

    private String checkNumber(List<Message> messages) {
        return messages.stream().map(m -> {
            try {
                return mapper.readTree(m.body()).path("check").asText("?");
            } catch (IOException e) {
                return "?";
            }
        }).collect(Collectors.joining(", "));
    }

    private static String describe(JsonNode record) {
        String status = record.path("status").asText();
        if (record.path("progress").isNumber() && !DONE.contains(status)) {
            return status + " (" + record.get("progress").asInt() + "%)";
        }
        return status;
    }

    private String onDisk(String key) {
        return bucketRoot.resolve(BUCKET).resolve(key).toString();
    }

    private void step(String line) {
        out.println("==> " + line);
    }

    private static S3Client s3Client(URI endpoint, SdkHttpClient http) {
        return S3Client.builder().endpointOverride(endpoint).forcePathStyle(true).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(
                        AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)))
                .httpClient(http).build();
    }

    private static SqsClient sqsClient(URI endpoint, SdkHttpClient http) {
        return SqsClient.builder().endpointOverride(endpoint).region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local", "local")))
                .httpClient(http).build();
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s.trim();
    }

    /** Prefixes every line written through it. */
    private static final class Indenting extends OutputStream {
        private final PrintStream target;
        private final byte[] prefix;
        private boolean lineStart = true;

        Indenting(PrintStream target, String prefix) {
            this.target = target;
            this.prefix = prefix.getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public void write(int b) {
            if (lineStart) {
                target.write(prefix, 0, prefix.length);
                lineStart = false;
            }
            target.write(b);
            if (b == '\n') {
                lineStart = true;
                target.flush();
            }
        }
    }
}
