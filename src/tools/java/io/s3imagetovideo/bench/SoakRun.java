package io.s3imagetovideo.bench;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.s3imagetovideo.api.ApiKeySource;
import io.s3imagetovideo.api.ApiTransport;
import io.s3imagetovideo.api.Sleeper;
import io.s3imagetovideo.config.Secret;
import io.s3imagetovideo.config.SubmitConfig;
import io.s3imagetovideo.storage.ETags;
import io.s3imagetovideo.submit.SubmitHandler;
import io.s3imagetovideo.support.Events;
import io.s3imagetovideo.support.Images;
import io.s3imagetovideo.support.S3ProxyServer;
import io.s3imagetovideo.support.TestContext;
import io.s3imagetovideo.wiring.Dependencies;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * The soak run for "exactly one paid job per upload": 500 uploads against a real S3 server and an
 * unreliable video API, with S3's and Lambda's delivery faults. A benchmark, not a unit test:
 * {@code ./mvnw -B -Psoak test-compile exec:java}. Exits non-zero when an invariant breaks.
 *
 * <p>The API here does not deduplicate by {@code Idempotency-Key}: every job it creates is counted,
 * so a duplicate can only be avoided by the function's own claim. Its timeouts answer after the
 * client gave up and create no job (a gateway timeout before the backend).
 */
public final class SoakRun {

    static final int UPLOADS = Integer.getInteger("soak.uploads", 500);
    static final double DUPLICATED = 0.20;
    static final double CONCURRENT = 0.05;
    static final double API_5XX = 0.20;
    static final double API_429 = 0.10;
    static final double API_TIMEOUT = 0.05;
    static final int CLIENT_TIMEOUT_MS = Integer.getInteger("soak.timeoutMs", 2000);
    static final int WORKERS = 8;

    private final Map<String, AtomicInteger> jobsPerUpload = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> createdWith = new ConcurrentHashMap<>();
    private final AtomicInteger events = new AtomicInteger();
    private final AtomicInteger duplicates = new AtomicInteger();
    private final AtomicInteger concurrent = new AtomicInteger();
    private final AtomicInteger redeliveries = new AtomicInteger();
    private final AtomicInteger abandoned = new AtomicInteger();

    public static void main(String[] args) throws Exception {
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
        int failures = new SoakRun().run();
        System.exit(failures == 0 ? 0 : 1);
    }

    int run() throws Exception {
        long started = System.nanoTime();
        HttpServer api = startApi();
        try (S3ProxyServer s3Server = S3ProxyServer.inMemory();
                S3Client s3 = S3Client.builder()
                        .endpointOverride(s3Server.endpoint())
                        .forcePathStyle(true)
                        .region(Region.US_EAST_1)
                        .credentialsProvider(StaticCredentialsProvider.create(
                                AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY, S3ProxyServer.SECRET_KEY)))
                        .httpClient(UrlConnectionHttpClient.builder().build())
                        .build()) {
            String bucket = "soak-" + UUID.randomUUID().toString().substring(0, 8);
            s3.createBucket(b -> b.bucket(bucket));
            SubmitConfig config = SubmitConfig.fromEnv(Map.of(
                    "VIDEO_API_BASE_URL", "http://127.0.0.1:" + api.getAddress().getPort(),
                    "VIDEO_API_KEY", "sk-soak",
                    "VIDEO_API_TIMEOUT_MS", Integer.toString(CLIENT_TIMEOUT_MS),
                    "VIDEO_API_MAX_ATTEMPTS", "4",
                    "VIDEO_API_RETRY_INITIAL_DELAY_MS", "20",
                    "VIDEO_API_RETRY_MAX_DELAY_MS", "200"));
            ObjectMapper mapper = new ObjectMapper();
            SubmitHandler handler = new SubmitHandler(config, new Dependencies(s3, Optional.empty(),
                    ApiTransport.newHttpClient(config.api().connectTimeout()), ApiKeySource.fixed(new Secret("sk-soak")),
                    mapper, Clock.systemUTC(), Sleeper.SYSTEM, new SecureRandom()));
            byte[] png = Images.png(32, 32);

            ExecutorService workers = Executors.newFixedThreadPool(WORKERS);
            ExecutorService twins = Executors.newCachedThreadPool();
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < UPLOADS; i++) {
                int n = i;
                done.add(workers.submit(() -> upload(n, bucket, s3, handler, png, twins)));
            }
            for (Future<?> f : done) {
                f.get();
            }
            workers.shutdown();
            twins.shutdown();

            return report(bucket, s3, mapper, (System.nanoTime() - started) / 1e9);
        } finally {
            api.stop(0);
        }
    }

    /** One user's upload: image and prompt in random order, each event possibly twice or twice at once. */
    private void upload(int n, String bucket, S3Client s3, SubmitHandler handler, byte[] png, ExecutorService twins) {
        Random random = ThreadLocalRandom.current();
        String base = "soak/upload " + n + "+é";
        List<String> keys = new ArrayList<>(List.of(base + ".png", base + ".prompt.json"));
        Collections.shuffle(keys, random);
        List<SQSEvent> late = new ArrayList<>();
        for (String key : keys) {
            byte[] body = key.endsWith(".png") ? png
                    : ("{\"prompt\": \"soak upload #" + n + "\"}").getBytes(StandardCharsets.UTF_8);
            var put = s3.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(body));
            SQSEvent event = Events.objectCreated(bucket, key, body.length, ETags.normalize(put.eTag()));
            double roll = random.nextDouble();
            if (roll < CONCURRENT) {
                concurrent.incrementAndGet();
                deliverTwiceAtOnce(handler, event, twins);
            } else {
                deliver(handler, event);
                if (roll < CONCURRENT + DUPLICATED) {
                    duplicates.incrementAndGet();
                    late.add(event);
                }
            }
        }
        // Duplicates arrive late, after both objects are in place, in any order.
        Collections.shuffle(late, random);
        late.forEach(e -> deliver(handler, e));
    }

    private void deliverTwiceAtOnce(SubmitHandler handler, SQSEvent event, ExecutorService twins) {
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> both = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            both.add(twins.submit(() -> {
                go.await();
                deliver(handler, event);
                return null;
            }));
        }
        go.countDown();
        for (Future<?> f : both) {
            try {
                f.get();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Delivers like Lambda's asynchronous invocation: a failed invocation is retried later. */
    private void deliver(SubmitHandler handler, SQSEvent event) {
        for (int attempt = 1; attempt <= 10; attempt++) {
            events.incrementAndGet();
            if (handler.handleRequest(event, new TestContext(Duration.ofSeconds(30))).getBatchItemFailures().isEmpty()) {
                return;
            }
            redeliveries.incrementAndGet();
            sleepQuietly(50);
        }
        abandoned.incrementAndGet();
    }

    private int report(String bucket, S3Client s3, ObjectMapper mapper, double seconds) throws IOException {
        Set<String> jobIds = ConcurrentHashMap.newKeySet();
        int missing = 0;
        for (int n = 0; n < UPLOADS; n++) {
            String key = "soak/upload " + n + "+é.video.json";
            try {
                JsonNode record = mapper.readTree(s3.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray());
                if (record.path("id").isTextual()) {
                    jobIds.add(record.get("id").textValue());
                } else {
                    missing++;
                    if (missing <= 3) {
                        System.out.println("  no job in " + key + ": " + record);
                    }
                }
            } catch (NoSuchKeyException e) {
                missing++;
            }
        }
        int accepted = jobsPerUpload.values().stream().mapToInt(AtomicInteger::get).sum();
        int duplicateJobs = jobsPerUpload.values().stream().mapToInt(c -> Math.max(0, c.get() - 1)).sum();
        System.out.printf("""
                soak run: %d uploads, %d%% of events duplicated, %d%% delivered twice at once; API fails %d%% 5xx, %d%% 429, %d%% timeout
                uploads:                       %d
                events delivered:              %d (late duplicates %d, concurrent pairs %d, redeliveries after a failed invocation %d, given up %d)
                API answers:                   %s
                POSTs accepted by the API:     %d
                jobs in records:               %d
                duplicate jobs:                %d
                images without a job record:   %d
                wall time:                     %.1f s
                """, UPLOADS, (int) (DUPLICATED * 100), (int) (CONCURRENT * 100), (int) (API_5XX * 100),
                (int) (API_429 * 100), (int) (API_TIMEOUT * 100), UPLOADS, events.get(), duplicates.get(),
                concurrent.get(), redeliveries.get(), abandoned.get(), new java.util.TreeMap<>(answers), accepted,
                jobIds.size(), duplicateJobs, missing, seconds);
        jobsPerUpload.forEach((upload, count) -> {
            if (count.get() > 1) {
                System.out.println("  " + count.get() + " jobs for '" + upload + "', idempotency keys used: "
                        + createdWith.get(upload).size());
            }
        });
        int failures = 0;
        if (jobIds.size() != UPLOADS || accepted != UPLOADS) {
            System.out.println("FAIL: jobs != uploads");
            failures++;
        }
        if (duplicateJobs != 0) {
            System.out.println("FAIL: duplicate jobs");
            failures++;
        }
        if (missing != 0) {
            System.out.println("FAIL: images without a job record");
            failures++;
        }
        System.out.println(failures == 0 ? "soak: PASS" : "soak: FAIL");
        return failures;
    }

    /** An OpenAI-format video API that fails often, and counts every job it creates per upload. */
    private HttpServer startApi() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/v1/videos", this::answer);
        server.start();
        return server;
    }

    private void answer(HttpExchange exchange) throws IOException {
        long arrived = System.nanoTime();
        byte[] body = exchange.getRequestBody().readAllBytes();
        double roll = ThreadLocalRandom.current().nextDouble();
        try (exchange) {
            if (roll < API_5XX) {
                boolean html = roll < API_5XX / 4;
                count(html ? "502 html" : "500");
                send(exchange, html ? 502 : 500, html ? "text/html" : "application/json", html
                        ? "<html><body>502 Bad Gateway</body></html>"
                        : "{\"error\":{\"message\":\"The server had an error\",\"type\":\"server_error\",\"param\":null,\"code\":null}}");
            } else if (roll < API_5XX + API_429) {
                count("429");
                exchange.getResponseHeaders().add("retry-after-ms", "50");
                send(exchange, 429, "application/json",
                        "{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"param\":null,\"code\":\"rate_limit_exceeded\"}}");
            } else if (roll < API_5XX + API_429 + API_TIMEOUT) {
                count("timeout");
                sleepQuietly(CLIENT_TIMEOUT_MS * 2L);
                send(exchange, 504, "text/plain", "gateway timeout");
            } else {
                String upload = promptOf(body);
                jobsPerUpload.computeIfAbsent(upload, k -> new AtomicInteger()).incrementAndGet();
                count("200");
                String key = exchange.getRequestHeaders().getFirst("Idempotency-Key");
                createdWith.computeIfAbsent(upload, k -> ConcurrentHashMap.newKeySet()).add(key);
                send(exchange, 200, "application/json", "{\"id\":\"video_" + UUID.randomUUID()
                        + "\",\"object\":\"video\",\"model\":\"sora-2\",\"status\":\"queued\",\"progress\":0,"
                        + "\"created_at\":1761623154,\"seconds\":\"10\",\"size\":\"720x1280\"}");
            }
        }
        if ((System.nanoTime() - arrived) / 1_000_000 > CLIENT_TIMEOUT_MS && roll >= API_5XX + API_429 + API_TIMEOUT) {
            count("200 slower than the client's timeout");
        }
    }

    private void count(String answer) {
        answers.computeIfAbsent(answer, k -> new AtomicInteger()).incrementAndGet();
    }

    private static String promptOf(byte[] multipart) {
        String text = new String(multipart, StandardCharsets.ISO_8859_1);
        int at = text.indexOf("soak upload #");
        return at < 0 ? "unknown" : text.substring(at, text.indexOf('\r', at));
    }

    private static void send(HttpExchange exchange, int status, String contentType, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", contentType);
        try {
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        } catch (IOException e) {
            // the client gave up waiting (the simulated timeout): nothing to answer
        }
    }

    private static void sleepQuietly(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
