package io.s3imagetovideo.local;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.s3imagetovideo.image.ImageHeader;
import io.s3imagetovideo.support.Mp4s;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sandbox of an OpenAI-format video API ({@code ../shared/seeds/}, DESIGN.md) in this JVM, as
 * strict as a real provider: it refuses what one refuses, with OpenAI's error format and status
 * codes, so a request that passes here is one a provider would take.
 *
 * <ul>
 *   <li>{@code POST /v1/videos}: {@code multipart/form-data} with {@code model} and {@code prompt}
 *       (required), {@code seconds}, {@code size} (one of four), {@code watermark} and {@code private}
 *       as the strings {@code "true"}/{@code "false"}, and {@code input_reference}: a file part with a
 *       file name, an image content type, and an image whose pixel size is {@code size}. Other fields
 *       are a provider's own options and are taken as they are.
 *   <li>{@code GET /v1/videos/{id}}: the job, moving {@code queued} → {@code in_progress} (with
 *       {@code progress}) → {@code completed} as the clock runs: time-driven, so a test that owns the
 *       clock owns the job.
 *   <li>{@code GET /v1/videos/{id}/content}: the MP4, once the job is completed.
 * </ul>
 * Every request needs {@code Authorization: Bearer <key>}. A repeated {@code Idempotency-Key} gets the
 * job it created the first time, as a provider that honours the header does.
 */
public final class SandboxVideoApi implements AutoCloseable {

    public static final String DEFAULT_KEY = "sk-sandbox-local";
    public static final Duration DEFAULT_QUEUED = Duration.ofSeconds(1);
    public static final Duration DEFAULT_RUNNING = Duration.ofSeconds(3);

    static final List<String> SIZES = List.of("720x1280", "1280x720", "1024x1792", "1792x1024");
    /** OpenAI's lengths and the reseller's (DESIGN.md: it accepts 10 and 15). */
    static final List<String> SECONDS = List.of("4", "8", "10", "12", "15");
    static final Set<String> IMAGE_TYPES = Set.of("image/png", "image/jpeg", "image/webp");
    static final int MAX_BODY_BYTES = 64 * 1024 * 1024;

    private static final Pattern JOB_PATH = Pattern.compile("/v1/videos/([A-Za-z0-9_-]+)(/content)?");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final ExecutorService executor;
    private final String apiKey;
    private final Clock clock;
    private final Duration queuedFor;
    private final Duration runningFor;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final Map<String, String> jobByIdempotencyKey = new ConcurrentHashMap<>();

    private record Job(String id, String model, String seconds, String size, Instant createdAt, byte[] video) {}

    private SandboxVideoApi(String apiKey, Clock clock, Duration queuedFor, Duration runningFor) throws IOException {
        this.apiKey = apiKey;
        this.clock = clock;
        this.queuedFor = queuedFor;
        this.runningFor = runningFor;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "sandbox-video-api");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A sandbox on a free loopback port whose jobs take {@code queuedFor + runningFor} on {@code clock}. */
    public static SandboxVideoApi start(String apiKey, Clock clock, Duration queuedFor, Duration runningFor)
            throws IOException {
        return new SandboxVideoApi(apiKey, clock, queuedFor, runningFor);
    }

    public static SandboxVideoApi start() throws IOException {
        return start(DEFAULT_KEY, Clock.systemUTC(), DEFAULT_QUEUED, DEFAULT_RUNNING);
    }

    /** The base URL, as {@code VIDEO_API_BASE_URL} takes it. */
    public URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** How many jobs were created (each a paid job at a real provider). */
    public int jobsCreated() {
        return jobs.size();
    }

    /** The bytes that {@code GET /v1/videos/{id}/content} serves for a job. */
    public Optional<byte[]> video(String jobId) {
        return Optional.ofNullable(jobs.get(jobId)).map(Job::video);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String path = exchange.getRequestURI().getPath();
            String method = exchange.getRequestMethod();
            if (!path.equals("/v1/videos") && !JOB_PATH.matcher(path).matches()) {
                error(exchange, 404, "Invalid URL (" + method + " " + path + ")", "invalid_request_error", null, null);
                return;
            }
            if (!authorized(exchange)) {
                return;
            }
            Matcher job = JOB_PATH.matcher(path);
            if (path.equals("/v1/videos") && method.equals("POST")) {
                create(exchange);
            } else if (job.matches() && method.equals("GET")) {
                if (job.group(2) == null) {
                    retrieve(exchange, job.group(1));
                } else {
                    content(exchange, job.group(1));
                }
            } else {
                exchange.getResponseHeaders().add("Allow", path.equals("/v1/videos") ? "POST" : "GET");
                error(exchange, 405, "Method " + method + " is not allowed on " + path, "invalid_request_error",
                        null, null);
            }
        }
    }

    /** OpenAI's answers to a missing and to a wrong key; the key itself is never echoed. */
    private boolean authorized(HttpExchange exchange) throws IOException {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null || !header.startsWith("Bearer ") || header.substring(7).isBlank()) {
            error(exchange, 401, "You didn't provide an API key. You need to provide your API key in an"
                    + " Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                    "invalid_request_error", null, null);
            return false;
        }
        if (!header.substring(7).equals(apiKey)) {
            error(exchange, 401, "Incorrect API key provided.", "invalid_request_error", null, "invalid_api_key");
            return false;
        }
        return true;
    }

    private void create(HttpExchange exchange) throws IOException {
        Optional<String> boundary = Multipart.boundary(exchange.getRequestHeaders().getFirst("Content-Type"));
        if (boundary.isEmpty()) {
            invalid(exchange, "The request must be multipart/form-data with a boundary.", null);
            return;
        }
        byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
        if (body.length > MAX_BODY_BYTES) {
            error(exchange, 413, "The request body is larger than " + MAX_BODY_BYTES + " bytes.",
                    "invalid_request_error", null, "request_too_large");
            return;
        }
        Multipart form;
        try {
            form = Multipart.parse(body, boundary.get());
        } catch (Multipart.MalformedException e) {
            invalid(exchange, "Could not parse multipart form: " + e.getMessage() + ".", null);
            return;
        }
        Optional<String> problem = Optional.empty();
        String param = null;
        for (String required : List.of("model", "prompt")) {
            if (form.get(required).map(p -> p.text().isBlank()).orElse(true)) {
                invalid(exchange, "Missing required parameter: '" + required + "'.", required);
                return;
            }
        }
        String seconds = form.get("seconds").map(Multipart.Part::text).orElse("4");
        String size = form.get("size").map(Multipart.Part::text).orElse("720x1280");
        if (!SECONDS.contains(seconds)) {
            problem = Optional.of("Invalid value: '" + seconds + "'. Supported values are: " + quoted(SECONDS) + ".");
            param = "seconds";
        } else if (!SIZES.contains(size)) {
            problem = Optional.of("Invalid value: '" + size + "'. Supported values are: " + quoted(SIZES) + ".");
            param = "size";
        } else {
            for (String flag : List.of("watermark", "private")) {
                Optional<String> value = form.get(flag).map(Multipart.Part::text);
                if (value.isPresent() && !value.get().equals("true") && !value.get().equals("false")) {
                    problem = Optional.of("Invalid value: '" + value.get() + "'. Supported values are: 'true' and 'false'.");
                    param = flag;
                }
            }
        }
        if (problem.isEmpty() && form.get("input_reference").isPresent()) {
            problem = checkImage(form.get("input_reference").get(), size);
            param = "input_reference";
        }
        if (problem.isPresent()) {
            invalid(exchange, problem.get(), param);
            return;
        }
        String idempotencyKey = exchange.getRequestHeaders().getFirst("Idempotency-Key");
        String id = idempotencyKey == null
                ? newJob(form, seconds, size)
                : jobByIdempotencyKey.computeIfAbsent(idempotencyKey, k -> newJob(form, seconds, size));
        // The answer as at creation, also to a repeated key: a provider replays the response it gave.
        json(exchange, 200, jobObject(jobs.get(id), true));
    }

    /** What a provider checks of the file: that it is one, that it is an image, and its size. */
    private static Optional<String> checkImage(Multipart.Part file, String size) {
        if (file.fileName().isEmpty() || file.fileName().get().isBlank()) {
            return Optional.of("'input_reference' must be a file upload with a filename.");
        }
        String type = file.contentType().map(t -> t.split(";")[0].trim().toLowerCase(java.util.Locale.ROOT)).orElse("");
        if (!IMAGE_TYPES.contains(type)) {
            return Optional.of("Invalid file format for 'input_reference': '" + (type.isEmpty() ? "none" : type)
                    + "'. Supported formats are: 'image/jpeg', 'image/png' and 'image/webp'.");
        }
        Optional<ImageHeader> header = ImageHeader.read(file.body());
        if (header.isEmpty()) {
            return Optional.of("The file in 'input_reference' is not a valid " + type + " image.");
        }
        String dimensions = header.get().width() + "x" + header.get().height();
        if (!dimensions.equals(size)) {
            return Optional.of("Inpaint image must match the requested width and height (image is "
                    + dimensions + ", size is " + size + ").");
        }
        return Optional.empty();
    }

    private String newJob(Multipart form, String seconds, String size) {
        String id = "video_" + UUID.randomUUID();
        byte[] video = Mp4s.ofSize(Mp4s.SMALL, id.hashCode());
        jobs.put(id, new Job(id, form.get("model").get().text(), seconds, size, clock.instant(), video));
        return id;
    }

    private void retrieve(HttpExchange exchange, String id) throws IOException {
        Job job = jobs.get(id);
        if (job == null) {
            notFound(exchange, id);
            return;
        }
        json(exchange, 200, jobObject(job, false));
    }

    private void content(HttpExchange exchange, String id) throws IOException {
        Job job = jobs.get(id);
        if (job == null) {
            notFound(exchange, id);
            return;
        }
        String variant = Optional.ofNullable(exchange.getRequestURI().getQuery())
                .filter(q -> q.startsWith("variant=")).map(q -> q.substring(8)).orElse("video");
        if (!variant.equals("video")) {
            invalid(exchange, "This sandbox only serves the variant 'video', not '" + variant + "'.", "variant");
            return;
        }
        if (!state(job, clock.instant()).equals("completed")) {
            error(exchange, 404, "Video is not ready yet, use GET /v1/videos/{video_id} to check status.",
                    "invalid_request_error", null, null);
            return;
        }
        exchange.getResponseHeaders().add("Content-Type", "video/mp4");
        exchange.sendResponseHeaders(200, job.video().length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(job.video());
        }
    }

    /**
     * The job as the API shows it: as it was created (what {@code POST} answers, queued even when the
     * clock says it is done already), or now, its state following from the time since it was created.
     */
    private ObjectNode jobObject(Job job, boolean asCreated) {
        Instant now = asCreated ? job.createdAt() : clock.instant();
        ObjectNode node = JSON.createObjectNode();
        node.put("id", job.id());
        node.put("object", "video");
        node.put("model", job.model());
        String status = asCreated ? "queued" : state(job, now);
        node.put("status", status);
        node.put("progress", asCreated ? 0 : progress(job, now));
        node.put("created_at", job.createdAt().getEpochSecond());
        node.put("seconds", job.seconds());
        node.put("size", job.size());
        if (status.equals("completed")) {
            node.put("completed_at", job.createdAt().plus(queuedFor).plus(runningFor).getEpochSecond());
        }
        return node;
    }

    private String state(Job job, Instant now) {
        Duration age = Duration.between(job.createdAt(), now);
        if (age.compareTo(queuedFor) < 0) {
            return "queued";
        }
        return age.compareTo(queuedFor.plus(runningFor)) < 0 ? "in_progress" : "completed";
    }

    private int progress(Job job, Instant now) {
        return switch (state(job, now)) {
            case "queued" -> 0;
            case "completed" -> 100;
            default -> {
                long running = Duration.between(job.createdAt().plus(queuedFor), now).toMillis();
                yield (int) Math.max(1, Math.min(99, running * 100 / Math.max(1, runningFor.toMillis())));
            }
        };
    }

    private static String quoted(List<String> values) {
        return String.join(", ", values.stream().map(v -> "'" + v + "'").toList());
    }

    private static void notFound(HttpExchange exchange, String id) throws IOException {
        error(exchange, 404, "Video with id '" + id + "' not found.", "invalid_request_error", null, "video_not_found");
    }

    private static void invalid(HttpExchange exchange, String message, String param) throws IOException {
        error(exchange, 400, message, "invalid_request_error", param,
                param == null ? "invalid_request" : "invalid_value");
    }

    private static void error(HttpExchange exchange, int status, String message, String type, String param,
            String code) throws IOException {
        ObjectNode error = JSON.createObjectNode();
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", code);
        ObjectNode body = JSON.createObjectNode();
        body.set("error", error);
        json(exchange, status, body);
    }

    private static void json(HttpExchange exchange, int status, ObjectNode body) throws IOException {
        // The request body is read to its end first: answering mid-upload shows the client a broken pipe.
        exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
