package io.s3imagetovideo.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A video host speaking {@code /v1/videos} in this JVM, as strict as the real one it plays: it refuses
 * what that host refuses, in that host's error shapes and status codes, so a request that passes here
 * is one the host would take, and it answers what that host answers, nulls and odd ids included.
 *
 * <p>Which host it plays is a {@link Host}; each is a class of its own ({@link SeedHost},
 * {@link NewApiHost}, {@link LiteLlmHost}, {@link VllmOmniHost}) whose comments say which source file of
 * the host each shape comes from. Every job moves on the clock: queued for {@code queuedFor}, running for
 * {@code runningFor}, then done, so a test that owns the clock owns the job. What every host serves as
 * the video is a real H.264 MP4 of the picture it received ({@link PictureToMp4}). A repeated
 * {@code Idempotency-Key} gets the job it created the first time, on every host, as the seed host always
 * did; the research notes do not say new-api, LiteLLM or vLLM-Omni honour the header, so a test about
 * duplicate jobs counts {@link #jobsCreated()} rather than relying on it.
 */
public final class SandboxVideoApi implements AutoCloseable {

    public static final String DEFAULT_KEY = "sk-sandbox-local";
    public static final Duration DEFAULT_QUEUED = Duration.ofSeconds(1);
    public static final Duration DEFAULT_RUNNING = Duration.ofSeconds(3);

    /** The hosts the sandbox can play (DESIGN.md, "Hosts"). */
    public enum Host {
        /** The OpenAI-format reseller of {@code ../shared/seeds/}: a file part, four sizes, OpenAI's errors. */
        SEED,
        /** new-api with a doubao/seedance channel: the picture as a text field {@code image} (a URL). */
        NEW_API,
        /** The LiteLLM proxy in front of Gemini Veo: {@code processing}, nulls, base64 ids. */
        LITELLM,
        /** vLLM-Omni serving Wan2.2: any size, a failed job read with HTTP 500. */
        VLLM_OMNI;

        /**
         * The settings that suit this host, as the README's host table gives them: what a user sets in
         * the stack for it, and what the local run sets when it plays it.
         */
        public java.util.Map<String, String> settings() {
            return switch (this) {
                case SEED -> java.util.Map.of();
                // new-api's video channels read only text fields: the image as a data: URL in the field image.
                case NEW_API -> java.util.Map.of("VIDEO_IMAGE_FIELD", "image", "VIDEO_IMAGE_SEND_AS", "data_url",
                        "DEFAULT_MODEL", "doubao-seedance-1-0-pro-250528", "DEFAULT_SECONDS", "5", "VIDEO_SECONDS", "any");
                case LITELLM -> java.util.Map.of("DEFAULT_MODEL", "veo-3.1-fast-generate-preview", "DEFAULT_SECONDS", "8",
                        "VIDEO_SECONDS", "4,6,8", "DEFAULT_SIZE", "1280x720",
                        "VIDEO_SIZES", "1280x720,720x1280,1920x1080,1080x1920");
                case VLLM_OMNI -> java.util.Map.of("DEFAULT_MODEL", "Wan-AI/Wan2.2-TI2V-5B-Diffusers",
                        "DEFAULT_SECONDS", "5", "VIDEO_SIZES", "any", "DEFAULT_SIZE", "832x480");
            };
        }

        /** {@code seed}, {@code new-api}, {@code litellm}, {@code vllm-omni}: the name the local run takes. */
        public String flag() {
            return name().toLowerCase(java.util.Locale.ROOT).replace('_', '-');
        }

        public static Optional<Host> ofFlag(String flag) {
            return java.util.Arrays.stream(values()).filter(h -> h.flag().equals(flag)).findFirst();
        }
    }

    /** Creates still to answer with 429, as a host at its concurrency limit does. */
    private final java.util.concurrent.atomic.AtomicInteger busyAnswers = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * The next {@code creates} job creations are answered 429 with {@code Retry-After: 2}, in OpenAI's
     * error envelope (LiteLLM's for a key's parallel-request limit): for a local run that shows an
     * upload waiting in the queue for the host, and going on.
     */
    public SandboxVideoApi busyFor(int creates) {
        busyAnswers.set(creates);
        return this;
    }

    private final Host host;
    private final HttpServer server;
    private final ExecutorService executor;
    private final SandboxJobs jobs;
    private final SandboxHost shape;

    private SandboxVideoApi(Host host, String apiKey, Clock clock, Duration queuedFor, Duration runningFor,
            boolean redirectToStorage) throws IOException {
        this.host = host;
        this.jobs = new SandboxJobs(clock, queuedFor, runningFor);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "sandbox-video-api");
            t.setDaemon(true);
            return t;
        });
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        this.shape = switch (host) {
            case SEED -> new SeedHost(apiKey, jobs);
            case NEW_API -> new NewApiHost(apiKey, jobs, this::baseUrl);
            case LITELLM -> new LiteLlmHost(apiKey, jobs);
            case VLLM_OMNI -> new VllmOmniHost(apiKey, jobs,
                    redirectToStorage ? Optional.of(new StorageHost(jobs::get, executor)) : Optional.empty());
        };
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** The seed host on a free loopback port whose jobs take {@code queuedFor + runningFor} on {@code clock}. */
    public static SandboxVideoApi start(String apiKey, Clock clock, Duration queuedFor, Duration runningFor)
            throws IOException {
        return start(Host.SEED, apiKey, clock, queuedFor, runningFor);
    }

    public static SandboxVideoApi start() throws IOException {
        return start(DEFAULT_KEY, Clock.systemUTC(), DEFAULT_QUEUED, DEFAULT_RUNNING);
    }

    /** {@code host} on a free loopback port whose jobs take {@code queuedFor + runningFor} on {@code clock}. */
    public static SandboxVideoApi start(Host host, String apiKey, Clock clock, Duration queuedFor,
            Duration runningFor) throws IOException {
        return new SandboxVideoApi(host, apiKey, clock, queuedFor, runningFor, false);
    }

    /**
     * vLLM-Omni whose {@code /content} answers {@code 307} to a signed URL on a second loopback port, a
     * storage host: a deployment that puts its videos in an object store does so. (vLLM-Omni itself
     * always streams the file, vllm-omni.md §5; DESIGN.md counts on a host that may redirect.)
     */
    public static SandboxVideoApi startRedirectingToStorage(String apiKey, Clock clock, Duration queuedFor,
            Duration runningFor) throws IOException {
        return new SandboxVideoApi(Host.VLLM_OMNI, apiKey, clock, queuedFor, runningFor, true);
    }

    public Host host() {
        return host;
    }

    /** The base URL, as {@code VIDEO_API_BASE_URL} takes it. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** How many jobs were created (each a paid job at a real provider). */
    public int jobsCreated() {
        return jobs.size();
    }

    /** The bytes that the host serves as the video of a job, by any id the host answers for it. */
    public Optional<byte[]> video(String jobId) {
        return job(jobId).map(SandboxJob::video);
    }

    /** The picture a job was made from, as the host received it; empty for a text-only job. */
    public Optional<byte[]> receivedImage(String jobId) {
        return job(jobId).flatMap(j -> j.image);
    }

    /** The storage host's base URL, when {@code /content} redirects there. */
    public Optional<URI> storageUrl() {
        return shape.storageUrl();
    }

    /**
     * True when a request for a stored video (vLLM-Omni's storage host, new-api's {@code metadata.url})
     * carried an {@code Authorization} header: the key went somewhere it must never go.
     */
    public boolean storageSawAuthorization() {
        return shape.storageSawAuthorization();
    }

    /** How many videos the storage served. */
    public int storageDownloads() {
        return shape.storageDownloads();
    }

    private Optional<SandboxJob> job(String id) {
        return shape.job(id);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (exchange.getRequestMethod().equals("POST") && exchange.getRequestURI().getPath().endsWith("/v1/videos")
                    && busyAnswers.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                exchange.getRequestBody().readAllBytes();
                byte[] body = ("{\"error\":{\"message\":\"Rate limit exceeded. Limit type: max_parallel_requests."
                        + " Current limit: 1\",\"type\":\"None\",\"param\":\"None\",\"code\":\"429\"}}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.getResponseHeaders().add("Retry-After", "2");
                exchange.sendResponseHeaders(429, body.length);
                exchange.getResponseBody().write(body);
                return;
            }
            try {
                shape.handle(exchange);
            } catch (RuntimeException e) {
                // A bug of the sandbox's own, shown as one rather than as a connection closed without an answer.
                if (exchange.getResponseCode() == -1) {
                    byte[] body = ("sandbox error: " + e).getBytes(StandardCharsets.UTF_8);
                    exchange.sendResponseHeaders(500, body.length);
                    exchange.getResponseBody().write(body);
                }
                throw e;
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        shape.close();
        executor.shutdownNow();
    }
}
