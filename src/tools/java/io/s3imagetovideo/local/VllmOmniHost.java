package io.s3imagetovideo.local;

import static io.s3imagetovideo.local.SandboxExchanges.JSON;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * vLLM-Omni serving Wan2.2 (/tmp/research/vllm-omni.md; routes from
 * {@code vllm_omni/entrypoints/openai/api_server.py} 005fd8ea, the job from {@code protocol/videos.py}
 * 079d7a56, auth and errors from upstream vLLM's {@code server_utils.py} 029329a8). Any {@code WxH}; the
 * picture is resized by the server, so any pixel size is taken. Every key of the job is always there,
 * null when empty; a failed job is read with HTTP 500 and the job as the body. Optionally its
 * {@code /content} redirects to a {@link StorageHost}, which vLLM-Omni itself never does.
 */
final class VllmOmniHost implements SandboxHost {

    /** {@code --served-model-name}, or the model argument as given: what {@code model} must equal. */
    static final String SERVED_MODEL = "Wan-AI/Wan2.2-TI2V-5B-Diffusers";
    /** The size of a job that names none and sends no picture: Wan2.2 TI2V-5B's 720p (a sandbox choice). */
    static final SandboxJob.Size DEFAULT_SIZE = new SandboxJob.Size(1280, 704);

    private static final Pattern JOB_PATH = Pattern.compile("/v1/videos/([^/]+)(/content)?");
    private static final Pattern SECONDS = Pattern.compile("[1-9][0-9]*");
    private static final Pattern SIZE = Pattern.compile("[0-9]+x[0-9]+");
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    private final String apiKey;
    private final SandboxJobs jobs;
    private final Optional<StorageHost> storage;

    VllmOmniHost(String apiKey, SandboxJobs jobs, Optional<StorageHost> storage) {
        this.apiKey = apiKey;
        this.jobs = jobs;
        this.storage = storage;
    }

    @Override
    public Optional<SandboxJob> job(String id) {
        return jobs.get(id);
    }

    @Override
    public Optional<URI> storageUrl() {
        return storage.map(StorageHost::baseUrl);
    }

    @Override
    public boolean storageSawAuthorization() {
        return storage.map(StorageHost::sawAuthorization).orElse(false);
    }

    @Override
    public int storageDownloads() {
        return storage.map(StorageHost::downloads).orElse(0);
    }

    @Override
    public void close() {
        storage.ifPresent(StorageHost::close);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        // AuthenticationMiddleware runs before routing, on every /v1 path, unknown ones too.
        if (path.startsWith("/v1") && !method.equals("OPTIONS") && !authorized(exchange)) {
            SandboxExchanges.json(exchange, 401, JSON.createObjectNode().put("error", "Unauthorized"));
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
        } else if (path.equals("/v1/videos") || job.matches()) {
            // The list, DELETE and /v1/videos/sync exist on the real server; the sandbox does not play them.
            SandboxExchanges.json(exchange, 405, JSON.createObjectNode().put("detail", "Method Not Allowed"));
        } else {
            SandboxExchanges.json(exchange, 404, JSON.createObjectNode().put("detail", "Not Found"));
        }
    }

    /** {@code verify_token}: the header's scheme is "bearer" in any case, the token exactly a key. */
    private boolean authorized(HttpExchange exchange) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null) {
            return false;
        }
        int space = header.indexOf(' ');
        return space > 0 && header.substring(0, space).toLowerCase(Locale.ROOT).equals("bearer")
                && header.substring(space + 1).equals(apiKey);
    }

    private void create(HttpExchange exchange) throws IOException {
        Multipart form;
        switch (SandboxExchanges.form(exchange)) {
            case SandboxExchanges.FormRead.Read read -> form = read.form();
            case SandboxExchanges.FormRead.NotMultipart n -> {
                // Every parameter is a Form field: a JSON body has no prompt (and no file).
                error(exchange, 400, "Bad Request", validation("missing", "prompt", "Field required"));
                return;
            }
            case SandboxExchanges.FormRead.TooLarge t -> {
                error(exchange, 413, "Request Entity Too Large", "Request body too large");
                return;
            }
            case SandboxExchanges.FormRead.Malformed m -> {
                error(exchange, 400, "Bad Request", "There was an error parsing the body: " + m.why());
                return;
            }
        }
        Optional<Refusal> refusal = refusal(form);
        if (refusal.isPresent()) {
            error(exchange, 400, refusal.get().type(), refusal.get().message());
            return;
        }
        Optional<Multipart.Part> file = form.get("input_reference");
        Optional<String> reference = SandboxExchanges.text(form, "image_reference");
        if (file.isPresent() && reference.isPresent()) {
            error(exchange, 400, "Bad Request", "Provide either input_reference or image_reference, not both.");
            return;
        }
        Optional<byte[]> image = Optional.empty();
        if (file.isPresent()) {
            // video_api_utils.py: opened with PIL whatever its name and type; a video would be tried next.
            if (PictureToMp4.decode(file.get().body()).isEmpty()) {
                error(exchange, 400, "Bad Request",
                        "Invalid input_reference: provided content is not a valid image or video.");
                return;
            }
            image = Optional.of(file.get().body());
        } else if (reference.isPresent()) {
            switch (imageReference(reference.get())) {
                case SandboxImages.Read.Picture picture -> image = Optional.of(picture.bytes());
                case SandboxImages.Read.Problem p -> {
                    error(exchange, 400, "Bad Request", "Invalid image_reference.image_url: " + p.message());
                    return;
                }
            }
        }
        String prompt = SandboxExchanges.text(form, "prompt").orElseThrow();
        String seconds = SandboxExchanges.text(form, "seconds").orElse("4");
        String size = SandboxExchanges.text(form, "size").orElse(null);
        Optional<byte[]> picture = image;
        SandboxJob job = jobs.create(exchange.getRequestHeaders().getFirst("Idempotency-Key"),
                () -> new SandboxJob("video_gen_" + UUID.randomUUID().toString().replace("-", ""), SERVED_MODEL, prompt,
                        seconds, size, jobs.clock.instant(), picture, videoSize(size, picture)));
        SandboxExchanges.json(exchange, 200, jobObject(job, job.createdAt, true));
    }

    /** A 400 of the form's: its {@code type} is the reason phrase, or the class of a model-level error. */
    private record Refusal(String type, String message) {
        static Refusal form(String type, String field, String message) {
            return new Refusal("Bad Request", validation(type, field, message));
        }
    }

    /** What the form's own validation refuses: patterns, ranges, the model's name (§2). */
    private static Optional<Refusal> refusal(Multipart form) {
        if (SandboxExchanges.text(form, "prompt").filter(p -> !p.isEmpty()).isEmpty()) {
            return Optional.of(Refusal.form("missing", "prompt", "Field required"));
        }
        if (form.get("input_reference").filter(p -> p.fileName().isEmpty()).isPresent()) {
            return Optional.of(Refusal.form("value_error", "input_reference",
                    "Value error, Expected UploadFile, received: <class 'str'>"));
        }
        Optional<String> seconds = SandboxExchanges.text(form, "seconds");
        if (seconds.isPresent() && !SECONDS.matcher(seconds.get()).matches()) {
            return Optional.of(Refusal.form("string_pattern_mismatch", "seconds",
                    "String should match pattern '^[1-9]\\\\d*$'"));
        }
        Optional<String> size = SandboxExchanges.text(form, "size");
        if (size.isPresent() && !SIZE.matcher(size.get()).matches()) {
            return Optional.of(Refusal.form("string_pattern_mismatch", "size",
                    "String should match pattern '^\\\\d+x\\\\d+$'"));
        }
        Optional<String> model = SandboxExchanges.text(form, "model");
        if (model.isPresent() && !model.get().equals(SERVED_MODEL)) {
            // An HTTPException raised by create_video: the reason phrase as its type.
            return Optional.of(new Refusal("Bad Request", "Model mismatch: request specifies '" + model.get()
                    + "' but server is running '" + SERVED_MODEL + "'."));
        }
        // Pydantic's limits of VideoGenerationRequest: a ValueError, so create_error_response's type.
        Optional<String> steps = SandboxExchanges.text(form, "num_inference_steps");
        if (steps.isPresent() && !inRange(steps.get(), 1, 200)) {
            return Optional.of(new Refusal("BadRequestError", "1 validation error for VideoGenerationRequest\n"
                    + "num_inference_steps\n  Input should be between 1 and 200"));
        }
        Optional<String> guidance = SandboxExchanges.text(form, "guidance_scale");
        if (guidance.isPresent() && !inRange(guidance.get(), 0, 20)) {
            return Optional.of(new Refusal("BadRequestError", "1 validation error for VideoGenerationRequest\n"
                    + "guidance_scale\n  Input should be between 0 and 20"));
        }
        return Optional.empty();
    }

    /** {@code image_reference}: a JSON object with {@code image_url}, a data: or http(s) URL. */
    private static SandboxImages.Read imageReference(String json) {
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            return new SandboxImages.Read.Problem("image_reference is not JSON");
        }
        if (node == null || !node.path("image_url").isTextual()) {
            return new SandboxImages.Read.Problem(node != null && node.has("file_id")
                    ? "file_id is not supported" : "image_reference has no image_url");
        }
        return SandboxImages.read(node.get("image_url").asText());
    }

    /** The size asked for; else the picture's own (the pipeline takes it as it is); else Wan's default. */
    private static SandboxJob.Size videoSize(String size, Optional<byte[]> image) {
        if (size != null) {
            // "0x720" passes the pattern and fails the job (parse_size runs in the job): any size will do.
            return SandboxJob.Size.parse(size).orElse(DEFAULT_SIZE);
        }
        return image.flatMap(PictureToMp4::decode).map(p -> new SandboxJob.Size(p.getWidth(), p.getHeight()))
                .orElse(DEFAULT_SIZE);
    }

    private void retrieve(HttpExchange exchange, String id) throws IOException {
        Optional<SandboxJob> job = jobs.get(id);
        if (job.isEmpty()) {
            error(exchange, 404, "Not Found", "Video not found");
            return;
        }
        ObjectNode body = jobObject(job.get(), jobs.clock.instant(), false);
        // retrieve_video: a failed job answers with its error's code as the HTTP status, the job as the body.
        SandboxExchanges.json(exchange, body.get("status").asText().equals("failed") ? 500 : 200, body);
    }

    private void content(HttpExchange exchange, String id) throws IOException {
        Optional<SandboxJob> job = jobs.get(id);
        if (job.isEmpty()) {
            error(exchange, 404, "Not Found", "Video not found");
            return;
        }
        Instant now = jobs.clock.instant();
        boolean done = jobs.phase(job.get(), now) == SandboxJobs.Phase.DONE;
        if (done && fails(job.get())) {
            error(exchange, 422, "Unprocessable Entity", "Video generation failed. Check job status for error details.");
        } else if (!done) {
            error(exchange, 404, "Not Found", "Generation is still in-progress");
        } else if (storage.isPresent()) {
            exchange.getResponseHeaders().add("Location", storage.get().urlOf(job.get()).toString());
            SandboxExchanges.send(exchange, 307, null, new byte[0]);
        } else {
            // Starlette's FileResponse headers.
            byte[] video = job.get().video();
            var headers = exchange.getResponseHeaders();
            headers.add("Content-Disposition", "attachment; filename=\"" + job.get().id + ".mp4\"");
            headers.add("Last-Modified", HTTP_DATE.format(jobs.doneAt(job.get())));
            headers.add("ETag", "\"" + Integer.toHexString(Arrays.hashCode(video)) + "\"");
            headers.add("Accept-Ranges", "bytes");
            SandboxExchanges.send(exchange, 200, "video/mp4", video);
        }
    }

    /** {@code VideoResponse}: every key, in declaration order, null when empty. */
    private ObjectNode jobObject(SandboxJob job, Instant now, boolean asCreated) {
        SandboxJobs.Phase phase = asCreated ? SandboxJobs.Phase.QUEUED : jobs.phase(job, now);
        boolean failed = phase == SandboxJobs.Phase.DONE && fails(job);
        boolean completed = phase == SandboxJobs.Phase.DONE && !failed;
        ObjectNode node = JSON.createObjectNode();
        node.put("model", job.model);
        node.put("prompt", job.prompt);
        node.put("id", job.id);
        node.put("object", "video");
        node.put("status", switch (phase) {
            case QUEUED -> "queued";
            case RUNNING -> "in_progress";
            case DONE -> failed ? "failed" : "completed";
        });
        node.put("size", job.size);
        // Only ever 0 or 100: the server reports no steps in between.
        node.put("progress", completed ? 100 : 0);
        node.put("seconds", job.seconds);
        node.put("quality", "default");
        if (phase == SandboxJobs.Phase.DONE) {
            node.put("completed_at", jobs.doneAt(job).getEpochSecond());
        } else {
            node.putNull("completed_at");
        }
        node.put("created_at", job.createdAt.getEpochSecond());
        node.putNull("remixed_from_video_id");
        if (failed) {
            ObjectNode error = node.putObject("error");
            error.put("code", 500);
            error.put("message", job.size != null && SandboxJob.Size.parse(job.size).isEmpty()
                    ? "Invalid size '" + job.size + "': width and height must be positive"
                    : "Video generation failed: the sandbox was asked to fail it (the word 'fail')");
        } else {
            node.putNull("error");
        }
        node.put("media_type", "video/mp4");
        node.putNull("expires_at");
        if (completed) {
            node.put("file_name", job.id + ".mp4");
        } else {
            node.putNull("file_name");
        }
        if (phase == SandboxJobs.Phase.DONE) {
            node.put("inference_time_s", jobs.runningFor.toMillis() / 1000.0);
        } else {
            node.putNull("inference_time_s");
        }
        node.putObject("stage_durations");
        node.put("peak_memory_mb", 0.0);
        return node;
    }

    /** A job fails when its prompt asks to, or when its size has a zero side (parse_size, in the job). */
    private static boolean fails(SandboxJob job) {
        return job.fails || (job.size != null && SandboxJob.Size.parse(job.size).isEmpty());
    }

    private static boolean inRange(String value, double min, double max) {
        try {
            double v = Double.parseDouble(value.trim());
            return v >= min && v <= max;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** FastAPI's RequestValidationError as vLLM words it: the exception, then its errors (§6). */
    private static String validation(String type, String field, String message) {
        String error = "{'type': '" + type + "', 'loc': ('body', '" + field + "'), 'msg': '" + message
                + "', 'input': None}";
        return "1 validation error:\n  " + error + " [" + error + "]";
    }

    /** vLLM's ErrorResponse: the reason phrase as type, param null, code the status as a number. */
    private static void error(HttpExchange exchange, int status, String type, String message) throws IOException {
        ObjectNode error = JSON.createObjectNode();
        error.put("message", message);
        error.put("type", type);
        error.putNull("param");
        error.put("code", status);
        ObjectNode body = JSON.createObjectNode();
        body.set("error", error);
        SandboxExchanges.json(exchange, status, body);
    }
}
