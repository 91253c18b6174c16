package io.s3imagetovideo.bench.sim;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-format video host that runs at most {@code slots} jobs at once, each for {@code jobTime}
 * on the simulated clock, and answers a create beyond that with 429 and {@code Retry-After} (the
 * LiteLLM proxy's shape for a key's parallel-request limit); {@code failureRate} of all answers are a
 * 500 instead. It counts every job per upload (by the prompt, which names the upload), so that a
 * duplicate job cannot hide, and does not deduplicate by {@code Idempotency-Key}.
 */
public final class BusyHost implements AutoCloseable {

    record Job(String id, String prompt, Instant createdAt, Instant finishesAt, byte[] video) {}

    private final HttpServer server;
    private final Clock clock;
    private final int slots;
    private final Duration jobTime;
    private final int retryAfterSeconds;
    private final double failureRate;
    private final Random random = new Random(20261201);
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> jobsPerPrompt = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
    private final AtomicInteger posts = new AtomicInteger();
    private int maxRunning;

    public BusyHost(Clock clock, int slots, Duration jobTime, int retryAfterSeconds, double failureRate)
            throws IOException {
        this.clock = clock;
        this.slots = slots;
        this.jobTime = jobTime;
        this.retryAfterSeconds = retryAfterSeconds;
        this.failureRate = failureRate;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 100);
        server.setExecutor(Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "busy-host");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/v1/videos", this::answer);
        server.start();
    }

    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    public int posts() {
        return posts.get();
    }

    public int jobs() {
        return jobs.size();
    }

    public synchronized int maxRunning() {
        return maxRunning;
    }

    public Map<String, Integer> answers() {
        Map<String, Integer> copy = new TreeMap<>();
        answers.forEach((k, v) -> copy.put(k, v.get()));
        return copy;
    }

    /** Uploads (by prompt) that got more than one job. */
    public Map<String, Integer> duplicates() {
        Map<String, Integer> more = new TreeMap<>();
        jobsPerPrompt.forEach((k, v) -> {
            if (v.get() > 1) {
                more.put(k, v.get());
            }
        });
        return more;
    }

    public byte[] video(String jobId) {
        Job job = jobs.get(jobId);
        return job == null ? null : job.video();
    }

    private void answer(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            byte[] body = exchange.getRequestBody().readAllBytes();
            if (!"Bearer sk-soak".equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                send(exchange, 401, "{\"error\":{\"message\":\"bad key\",\"type\":\"auth_error\",\"param\":null,\"code\":\"401\"}}");
                return;
            }
            if (fails()) {
                count("500");
                send(exchange, 500, "{\"error\":{\"message\":\"The server had an error\",\"type\":null,\"param\":null,\"code\":\"500\"}}");
                return;
            }
            if (exchange.getRequestMethod().equals("POST") && path.equals("/v1/videos")) {
                posts.incrementAndGet();
                create(exchange, new String(body, StandardCharsets.ISO_8859_1));
            } else if (path.endsWith("/content")) {
                Job job = jobs.get(path.substring("/v1/videos/".length(), path.length() - "/content".length()));
                if (job == null || clock.instant().isBefore(job.finishesAt())) {
                    send(exchange, 404, "{\"error\":{\"message\":\"not ready\",\"type\":null,\"param\":null,\"code\":\"404\"}}");
                    return;
                }
                count("200 content");
                exchange.getResponseHeaders().add("Content-Type", "video/mp4");
                exchange.sendResponseHeaders(200, job.video().length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(job.video());
                }
            } else {
                Job job = jobs.get(path.substring("/v1/videos/".length()));
                if (job == null) {
                    send(exchange, 404, "{\"error\":{\"message\":\"no such video\",\"type\":null,\"param\":null,\"code\":\"404\"}}");
                    return;
                }
                count("200 status");
                send(exchange, 200, json(job));
            }
        }
    }

    private synchronized void create(HttpExchange exchange, String form) throws IOException {
        Instant now = clock.instant();
        long running = jobs.values().stream().filter(j -> now.isBefore(j.finishesAt())).count();
        if (running >= slots) {
            count("429");
            exchange.getResponseHeaders().add("Retry-After", Integer.toString(retryAfterSeconds));
            send(exchange, 429, "{\"error\":{\"message\":\"Rate limit exceeded for api_key. Limit type: max_parallel_requests."
                    + " Current limit: " + slots + "\",\"type\":\"None\",\"param\":\"None\",\"code\":\"429\"}}");
            return;
        }
        String prompt = prompt(form);
        String id = "video_" + UUID.randomUUID().toString().replace("-", "");
        byte[] video = ("\0\0\0\u0018ftypmp42 soak video of " + prompt + " " + id).getBytes(StandardCharsets.UTF_8);
        Job job = new Job(id, prompt, now, now.plus(jobTime), video);
        jobs.put(id, job);
        jobsPerPrompt.computeIfAbsent(prompt, k -> new AtomicInteger()).incrementAndGet();
        maxRunning = (int) Math.max(maxRunning, running + 1);
        count("200 create");
        send(exchange, 200, json(job));
    }

    private synchronized boolean fails() {
        return random.nextDouble() < failureRate;
    }

    private String json(Job job) {
        Instant now = clock.instant();
        boolean done = !now.isBefore(job.finishesAt());
        long progress = done ? 100 : Math.min(99, Duration.between(job.createdAt(), now).toMillis() * 100
                / jobTime.toMillis());
        return "{\"id\":\"" + job.id() + "\",\"object\":\"video\",\"model\":\"sora-2\",\"status\":\""
                + (done ? "completed" : progress == 0 ? "queued" : "in_progress") + "\",\"progress\":" + progress
                + ",\"created_at\":" + job.createdAt().getEpochSecond() + ",\"seconds\":\"10\",\"size\":\"720x1280\"}";
    }

    private static String prompt(String form) {
        int at = form.indexOf("soak upload #");
        return at < 0 ? "unknown" : form.substring(at, form.indexOf('\r', at));
    }

    private void count(String answer) {
        answers.computeIfAbsent(answer, k -> new AtomicInteger()).incrementAndGet();
    }

    private static void send(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
