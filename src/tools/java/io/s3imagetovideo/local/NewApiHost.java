package io.s3imagetovideo.local;

import static io.s3imagetovideo.local.SandboxExchanges.JSON;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * new-api (QuantumNous/new-api at 4ca47ee2, /tmp/research/new-api.md) with a doubao/seedance channel.
 * Its form reader keeps text values only ({@code common/gin.go:108-155}), so the picture must come as
 * the text field {@code image}, a {@code data:} or http(s) URL; a file part {@code input_reference} is
 * dropped without a word ({@code doubao/adaptor.go:270-304}). Status {@code unknown} until its poller
 * first looks at the task (modelled as halfway through {@code queuedFor}); errors in three envelopes
 * (§6). The finished video is at {@code metadata.url}, on this sandbox's {@code /files/<id>.mp4}, served
 * without a key as the upstream's storage would.
 */
final class NewApiHost implements SandboxHost {

    /** {@code relay/channel/task/doubao/constants.go}: a channel offers these; others have no channel. */
    static final List<String> MODELS = List.of("doubao-seedance-1-0-pro-250528", "doubao-seedance-1-0-lite-t2v",
            "doubao-seedance-1-0-lite-i2v", "doubao-seedance-1-5-pro-251215", "doubao-seedance-2-0-260128",
            "doubao-seedance-2-0-fast-260128");

    private static final Pattern JOB_PATH = Pattern.compile("/v1/videos/([^/]+)(/content)?");
    private static final Pattern FILE_PATH = Pattern.compile("/files/([^/]+)\\.mp4");
    private static final Pattern RATIO = Pattern.compile("([1-9][0-9]?):([1-9][0-9]?)");
    private static final String ALNUM = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    /** gin's {@code c.JSON}; the task fetch writes its body with a bare {@code application/json}. */
    private static final String GIN_JSON = "application/json; charset=utf-8";

    private final String apiKey;
    private final SandboxJobs jobs;
    private final Supplier<URI> baseUrl;
    private final SecureRandom random = new SecureRandom();
    private final AtomicBoolean storageSawAuthorization = new AtomicBoolean();
    private final AtomicInteger storageDownloads = new AtomicInteger();

    NewApiHost(String apiKey, SandboxJobs jobs, Supplier<URI> baseUrl) {
        this.apiKey = apiKey;
        this.jobs = jobs;
        this.baseUrl = baseUrl;
    }

    @Override
    public Optional<SandboxJob> job(String id) {
        return jobs.get(id);
    }

    @Override
    public boolean storageSawAuthorization() {
        return storageSawAuthorization.get();
    }

    @Override
    public int storageDownloads() {
        return storageDownloads.get();
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        Matcher file = FILE_PATH.matcher(path);
        if (file.matches() && method.equals("GET")) {
            file(exchange, file.group(1));
            return;
        }
        // middleware/request-id.go: every answer of new-api's carries the request id, errors quote it too.
        String requestId = requestId();
        exchange.getResponseHeaders().add("X-Oneapi-Request-Id", requestId);
        Matcher job = JOB_PATH.matcher(path);
        if (path.equals("/v1/videos") && method.equals("POST")) {
            if (authorized(exchange, requestId)) {
                create(exchange, requestId);
            }
        } else if (job.matches() && method.equals("GET")) {
            if (authorized(exchange, requestId)) {
                if (job.group(2) == null) {
                    fetch(exchange, job.group(1));
                } else {
                    content(exchange, job.group(1));
                }
            }
        } else {
            // router/web-router.go NoRoute → controller.RelayNotFound: types.OpenAIError, struct order.
            ObjectNode error = JSON.createObjectNode();
            error.put("message", "Invalid URL (" + method + " " + path + ")");
            error.put("type", "invalid_request_error");
            error.put("param", "");
            error.put("code", "");
            ObjectNode body = JSON.createObjectNode();
            body.set("error", error);
            SandboxExchanges.json(exchange, 404, body, GIN_JSON);
        }
    }

    /**
     * {@code middleware/auth.go} TokenAuth: {@code Bearer }/{@code bearer } stripped; a missing, unknown,
     * disabled or exhausted key all answer 401 "Invalid token" ({@code middleware/utils.go:12-27}).
     */
    private boolean authorized(HttpExchange exchange, String requestId) throws IOException {
        if (SandboxExchanges.token(exchange, List.of("Bearer ", "bearer ")).filter(apiKey::equals).isPresent()) {
            return true;
        }
        apiError(exchange, 401, "", "Invalid token", requestId);
        return false;
    }

    private void create(HttpExchange exchange, String requestId) throws IOException {
        Multipart form;
        switch (SandboxExchanges.form(exchange)) {
            case SandboxExchanges.FormRead.Read read -> form = read.form();
            case SandboxExchanges.FormRead.TooLarge t -> {
                taskError(exchange, 413, "read_request_body_failed", "request body too large");
                return;
            }
            case SandboxExchanges.FormRead.Malformed m -> {
                taskError(exchange, 400, "invalid_multipart_form", m.why());
                return;
            }
            case SandboxExchanges.FormRead.NotMultipart n -> {
                // new-api takes JSON as well; this sandbox plays its multipart path only.
                apiError(exchange, 400, "", "Invalid request: Invalid request: invalid JSON request body", requestId);
                return;
            }
        }
        // middleware/distributor.go:80-82 and :133-157: the model picks the channel.
        String model = SandboxExchanges.text(form, "model").map(String::trim).orElse("");
        if (model.isEmpty()) {
            apiError(exchange, 400, "", "Model name not specified, model name cannot be empty", requestId);
            return;
        }
        if (!MODELS.contains(model)) {
            apiError(exchange, 503, "model_not_found", "No available channel for model " + model
                    + " under group default (distributor)", requestId);
            return;
        }
        // relay/common/relay_utils.go:198-224 ValidateBasicTaskRequest.
        long images = form.parts().stream().filter(p -> p.name().equals("images") && p.fileName().isEmpty()).count();
        if (images == 1) {
            taskError(exchange, 400, "invalid_request",
                    "json: cannot unmarshal string into Go struct field TaskSubmitReq.images of type []string");
            return;
        }
        String prompt = SandboxExchanges.text(form, "prompt").orElse("");
        if (prompt.isBlank()) {
            taskError(exchange, 400, "invalid_request", "prompt is required");
            return;
        }
        Optional<String> imageField = form.parts().stream()
                .filter(p -> p.fileName().isEmpty() && (p.name().equals("images") || p.name().equals("image")))
                .map(Multipart.Part::text).filter(t -> !t.isBlank()).findFirst();
        Optional<byte[]> image = Optional.empty();
        if (imageField.isPresent()) {
            // Volcengine reads the URL when the task is submitted; what it refuses comes back as
            // fail_to_fetch_task with the upstream's status and body (relay_task.go:224-227).
            switch (SandboxImages.read(imageField.get())) {
                case SandboxImages.Read.Picture picture -> image = Optional.of(picture.bytes());
                case SandboxImages.Read.Problem problem -> {
                    taskError(exchange, 400, "fail_to_fetch_task", upstreamError(problem.message()));
                    return;
                }
            }
        }
        // size and duration are ignored by doubao; only ratio (an unknown form key, so metadata) shapes it.
        SandboxJob.Size videoSize = videoSize(SandboxExchanges.text(form, "ratio").orElse("adaptive"), image);
        String seconds = SandboxExchanges.text(form, "seconds").orElse(null);
        Optional<byte[]> picture = image;
        SandboxJob job = jobs.create(exchange.getRequestHeaders().getFirst("Idempotency-Key"),
                () -> new SandboxJob(taskId(), model, prompt, seconds, null, jobs.clock.instant(), picture, videoSize));
        // doubao/adaptor.go:227-234: dto.OpenAIVideo, field order, no seconds, size or metadata.
        ObjectNode body = JSON.createObjectNode();
        body.put("id", job.id);
        body.put("task_id", job.id);
        body.put("object", "video");
        body.put("model", job.model);
        body.put("status", "queued");
        body.put("progress", 0);
        body.put("created_at", job.createdAt.getEpochSecond());
        exchange.getResponseHeaders().add("X-New-Api-Other-Ratios", "{}");
        SandboxExchanges.json(exchange, 200, body, GIN_JSON);
    }

    /** Seedance's "adaptive" ratio follows the picture; a {@code W:H} ratio sets it, 1080p high. */
    private static SandboxJob.Size videoSize(String ratio, Optional<byte[]> image) {
        Matcher m = RATIO.matcher(ratio.trim());
        if (!m.matches() && image.isPresent()) {
            var picture = PictureToMp4.decode(image.get()).orElseThrow();
            return new SandboxJob.Size(picture.getWidth(), picture.getHeight());
        }
        int w = m.matches() ? Integer.parseInt(m.group(1)) : 16;
        int h = m.matches() ? Integer.parseInt(m.group(2)) : 9;
        return w >= h ? new SandboxJob.Size(1080 * w / h, 1080) : new SandboxJob.Size(1080, 1080 * h / w);
    }

    /** {@code relay/relay_task.go:362-416} and {@code doubao/adaptor.go:344-368}. */
    private void fetch(HttpExchange exchange, String id) throws IOException {
        Optional<SandboxJob> found = jobs.get(id);
        if (found.isEmpty()) {
            taskError(exchange, 400, "task_not_exist", "task_not_exist");
            return;
        }
        SandboxJob job = found.get();
        Instant now = jobs.clock.instant();
        State state = state(job, now);
        ObjectNode body = JSON.createObjectNode();
        body.put("id", job.id);
        body.put("task_id", job.id);
        body.put("object", "video");
        body.put("model", job.model);
        body.put("status", state.word);
        body.put("progress", state.progress);
        body.put("created_at", job.createdAt.getEpochSecond());
        // completed_at is the task row's updated_at: there from the start, moving with every change.
        body.put("completed_at", updatedAt(job, state).getEpochSecond());
        if (state == State.FAILURE) {
            ObjectNode error = body.putObject("error");
            error.put("message", "The request failed because the sandbox was asked to fail it (the word 'fail').");
            error.put("code", "InternalServiceError");
        }
        body.putObject("metadata").put("url", state == State.SUCCESS
                ? baseUrl.get().resolve("/files/" + job.id + ".mp4").toString() : "");
        SandboxExchanges.json(exchange, 200, body);
    }

    /** {@code controller/video_proxy.go:23-205}: streamed, never redirected; its errors a fourth shape. */
    private void content(HttpExchange exchange, String id) throws IOException {
        Optional<SandboxJob> job = jobs.get(id);
        if (job.isEmpty()) {
            proxyError(exchange, 404, "Task not found");
            return;
        }
        State state = state(job.get(), jobs.clock.instant());
        if (state != State.SUCCESS) {
            proxyError(exchange, 400, "Task is not completed yet, current status: " + state.name());
            return;
        }
        // The upstream's headers are copied, then Cache-Control set; ?variant= is never read.
        exchange.getResponseHeaders().add("Cache-Control", "public, max-age=86400");
        SandboxExchanges.send(exchange, 200, "video/mp4", job.get().video());
    }

    /** The upstream's storage (a Volcengine TOS URL in production): no key, 404 until the video is there. */
    private void file(HttpExchange exchange, String id) throws IOException {
        if (exchange.getRequestHeaders().containsKey("Authorization")) {
            storageSawAuthorization.set(true);
        }
        Optional<SandboxJob> job = jobs.get(id).filter(j -> state(j, jobs.clock.instant()) == State.SUCCESS);
        if (job.isEmpty()) {
            SandboxExchanges.send(exchange, 404, "application/xml",
                    "<Error><Code>NoSuchKey</Code></Error>".getBytes(StandardCharsets.UTF_8));
            return;
        }
        storageDownloads.incrementAndGet();
        SandboxExchanges.send(exchange, 200, "video/mp4", job.get().video());
    }

    /** The task's internal status (model/task.go:17-42), its OpenAI word and doubao's progress. */
    private enum State {
        NOT_START("unknown", 0), QUEUED("queued", 10), IN_PROGRESS("in_progress", 50), SUCCESS("completed", 100),
        FAILURE("failed", 100);

        final String word;
        final int progress;

        State(String word, int progress) {
            this.word = word;
            this.progress = progress;
        }
    }

    private State state(SandboxJob job, Instant now) {
        return switch (jobs.phase(job, now)) {
            case QUEUED -> now.isBefore(firstPoll(job)) ? State.NOT_START : State.QUEUED;
            case RUNNING -> State.IN_PROGRESS;
            case DONE -> job.fails ? State.FAILURE : State.SUCCESS;
        };
    }

    /** When new-api's poller first sees the task: until then the task row still says NOT_START. */
    private Instant firstPoll(SandboxJob job) {
        return job.createdAt.plus(jobs.queuedFor.dividedBy(2));
    }

    private Instant updatedAt(SandboxJob job, State state) {
        return switch (state) {
            case NOT_START -> job.createdAt;
            case QUEUED -> firstPoll(job);
            case IN_PROGRESS -> jobs.startedAt(job);
            case SUCCESS, FAILURE -> jobs.doneAt(job);
        };
    }

    private String taskId() {
        StringBuilder id = new StringBuilder("task_");
        for (int i = 0; i < 32; i++) {
            id.append(ALNUM.charAt(random.nextInt(ALNUM.length())));
        }
        return id.toString();
    }

    /**
     * {@code YYYYMMDDhhmmss} + nanoseconds mod 1e9 + 8 hex + 8 alphanumerics. From the wall clock, not the
     * jobs' clock: a stepping test clock moves on with every read, and a request id is no job's business.
     */
    private String requestId() {
        Instant now = Instant.now();
        StringBuilder id = new StringBuilder(DateTimeFormatter.ofPattern("yyyyMMddHHmmss").withZone(ZoneOffset.UTC)
                .format(now)).append(now.getNano()).append(HexFormat.of().toHexDigits(random.nextInt()));
        for (int i = 0; i < 8; i++) {
            id.append(ALNUM.charAt(random.nextInt(ALNUM.length())));
        }
        return id.toString();
    }

    /** Volcengine's error body, which new-api passes on as the message text. */
    private static String upstreamError(String message) {
        ObjectNode error = JSON.createObjectNode();
        error.put("code", "InvalidParameter");
        error.put("message", "The parameter `content.image_url` specified in the request is not valid: " + message);
        error.put("param", "content.image_url");
        error.put("type", "BadRequest");
        ObjectNode body = JSON.createObjectNode();
        body.set("error", error);
        return body.toString();
    }

    /** The middleware's envelope ({@code abortWithOpenAiMessage}): a gin.H, so its keys come out sorted. */
    private static void apiError(HttpExchange exchange, int status, String code, String message, String requestId)
            throws IOException {
        ObjectNode error = JSON.createObjectNode();
        error.put("code", code);
        error.put("message", message + " (request id: " + requestId + ")");
        error.put("type", "new_api_error");
        ObjectNode body = JSON.createObjectNode();
        body.set("error", error);
        SandboxExchanges.json(exchange, status, body, GIN_JSON);
    }

    /** The relay's {@code dto.TaskError} ({@code dto/task.go:7-14}): code, message, data. */
    private static void taskError(HttpExchange exchange, int status, String code, String message) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        body.put("code", code);
        body.put("message", message);
        body.putNull("data");
        SandboxExchanges.json(exchange, status, body, GIN_JSON);
    }

    /** The video proxy's own {@code gin.H} envelope: sorted keys, no code, no request id. */
    private static void proxyError(HttpExchange exchange, int status, String message) throws IOException {
        ObjectNode error = JSON.createObjectNode();
        error.put("message", message);
        error.put("type", "invalid_request_error");
        ObjectNode body = JSON.createObjectNode();
        body.set("error", error);
        SandboxExchanges.json(exchange, status, body, GIN_JSON);
    }
}
