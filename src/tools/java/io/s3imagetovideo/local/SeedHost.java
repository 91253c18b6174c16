package io.s3imagetovideo.local;

import static io.s3imagetovideo.local.SandboxExchanges.JSON;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import io.s3imagetovideo.image.ImageHeader;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The OpenAI-format host of {@code ../shared/seeds/} (DESIGN.md): the reseller the functions were
 * written for, as strict as OpenAI's own API, with OpenAI's error envelope and status codes.
 *
 * <ul>
 *   <li>{@code POST /v1/videos}: {@code multipart/form-data} with {@code model} and {@code prompt}
 *       (required), {@code seconds}, {@code size} (one of four), {@code watermark} and {@code private}
 *       as the strings {@code "true"}/{@code "false"}, and {@code input_reference}: a file part with a
 *       file name, an image content type, and an image whose pixel size is {@code size}. Other fields
 *       are a provider's own options and are taken as they are.
 *   <li>{@code GET /v1/videos/{id}}: the job, {@code queued} → {@code in_progress} (with
 *       {@code progress}) → {@code completed} (or {@code failed}, with {@code error}).
 *   <li>{@code GET /v1/videos/{id}/content}: the MP4 once completed; {@code ?variant=thumbnail}, a JPEG
 *       of its first frame.
 * </ul>
 * Every request needs {@code Authorization: Bearer <key>}.
 */
final class SeedHost implements SandboxHost {

    static final List<String> SIZES = List.of("720x1280", "1280x720", "1024x1792", "1792x1024");
    /** OpenAI's lengths and the reseller's (DESIGN.md: it accepts 10 and 15). */
    static final List<String> SECONDS = List.of("4", "8", "10", "12", "15");
    static final Set<String> IMAGE_TYPES = Set.of("image/png", "image/jpeg", "image/webp");

    private static final Pattern JOB_PATH = Pattern.compile("/v1/videos/([A-Za-z0-9_-]+)(/content)?");

    private final String apiKey;
    private final SandboxJobs jobs;

    SeedHost(String apiKey, SandboxJobs jobs) {
        this.apiKey = apiKey;
        this.jobs = jobs;
    }

    @Override
    public Optional<SandboxJob> job(String id) {
        return jobs.get(id);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        Matcher job = JOB_PATH.matcher(path);
        boolean collection = path.equals("/v1/videos");
        if (!collection && !job.matches()) {
            error(exchange, 404, "Invalid URL (" + method + " " + path + ")", null, null);
        } else if (authorized(exchange)) {
            if (collection && method.equals("POST")) {
                create(exchange);
            } else if (!collection && method.equals("GET")) {
                if (job.group(2) == null) {
                    retrieve(exchange, job.group(1));
                } else {
                    content(exchange, job.group(1));
                }
            } else {
                exchange.getResponseHeaders().add("Allow", collection ? "POST" : "GET");
                error(exchange, 405, "Method " + method + " is not allowed on " + path, null, null);
            }
        }
    }

    /** OpenAI's answers to a missing and to a wrong key; the key itself is never echoed. */
    private boolean authorized(HttpExchange exchange) throws IOException {
        Optional<String> token = SandboxExchanges.token(exchange, List.of("Bearer "));
        if (token.isEmpty()) {
            error(exchange, 401, "You didn't provide an API key. You need to provide your API key in an"
                    + " Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", null, null);
            return false;
        }
        if (!token.get().equals(apiKey)) {
            error(exchange, 401, "Incorrect API key provided.", null, "invalid_api_key");
            return false;
        }
        return true;
    }

    private void create(HttpExchange exchange) throws IOException {
        Multipart form;
        switch (SandboxExchanges.form(exchange)) {
            case SandboxExchanges.FormRead.Read read -> form = read.form();
            case SandboxExchanges.FormRead.NotMultipart n -> {
                invalid(exchange, "The request must be multipart/form-data with a boundary.", null);
                return;
            }
            case SandboxExchanges.FormRead.TooLarge t -> {
                error(exchange, 413, "The request body is larger than " + SandboxExchanges.MAX_BODY_BYTES
                        + " bytes.", null, "request_too_large");
                return;
            }
            case SandboxExchanges.FormRead.Malformed m -> {
                invalid(exchange, "Could not parse multipart form: " + m.why() + ".", null);
                return;
            }
        }
        for (String required : List.of("model", "prompt")) {
            if (form.get(required).map(p -> p.text().isBlank()).orElse(true)) {
                invalid(exchange, "Missing required parameter: '" + required + "'.", required);
                return;
            }
        }
        String seconds = form.get("seconds").map(Multipart.Part::text).orElse("4");
        String size = form.get("size").map(Multipart.Part::text).orElse("720x1280");
        Optional<String> problem = Optional.empty();
        String param = null;
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
        Optional<Multipart.Part> file = form.get("input_reference");
        if (problem.isEmpty() && file.isPresent()) {
            problem = checkImage(file.get(), size);
            param = "input_reference";
        }
        if (problem.isPresent()) {
            invalid(exchange, problem.get(), param);
            return;
        }
        String model = form.get("model").get().text();
        String prompt = form.get("prompt").get().text();
        SandboxJob.Size videoSize = SandboxJob.Size.parse(size).orElseThrow();
        SandboxJob job = jobs.create(exchange.getRequestHeaders().getFirst("Idempotency-Key"),
                () -> new SandboxJob("video_" + UUID.randomUUID(), model, prompt, seconds, size, jobs.clock.instant(),
                        file.map(Multipart.Part::body), videoSize));
        // The answer as at creation, also to a repeated key: a provider replays the response it gave.
        SandboxExchanges.json(exchange, 200, jobObject(job, job.createdAt, true));
    }

    /** What a provider checks of the file: that it is one, that it is an image, and its size. */
    private static Optional<String> checkImage(Multipart.Part file, String size) {
        if (file.fileName().isEmpty() || file.fileName().get().isBlank()) {
            return Optional.of("'input_reference' must be a file upload with a filename.");
        }
        String type = file.contentType().map(t -> t.split(";")[0].trim().toLowerCase(Locale.ROOT)).orElse("");
        if (!IMAGE_TYPES.contains(type)) {
            return Optional.of("Invalid file format for 'input_reference': '" + (type.isEmpty() ? "none" : type)
                    + "'. Supported formats are: 'image/jpeg', 'image/png' and 'image/webp'.");
        }
        Optional<ImageHeader> header = ImageHeader.read(file.body());
        if (header.isEmpty() || PictureToMp4.decode(file.body()).isEmpty()) {
            return Optional.of("The file in 'input_reference' is not a valid " + type + " image.");
        }
        String dimensions = header.get().width() + "x" + header.get().height();
        if (!dimensions.equals(size)) {
            return Optional.of("Inpaint image must match the requested width and height (image is "
                    + dimensions + ", size is " + size + ").");
        }
        return Optional.empty();
    }

    private void retrieve(HttpExchange exchange, String id) throws IOException {
        Optional<SandboxJob> job = jobs.get(id);
        if (job.isEmpty()) {
            notFound(exchange, id);
            return;
        }
        SandboxExchanges.json(exchange, 200, jobObject(job.get(), jobs.clock.instant(), false));
    }

    private void content(HttpExchange exchange, String id) throws IOException {
        Optional<SandboxJob> job = jobs.get(id);
        if (job.isEmpty()) {
            notFound(exchange, id);
            return;
        }
        String variant = SandboxExchanges.query(exchange, "variant").orElse("video");
        if (!variant.equals("video") && !variant.equals("thumbnail")) {
            invalid(exchange, "This sandbox serves the variants 'video' and 'thumbnail', not '" + variant + "'.",
                    "variant");
            return;
        }
        if (jobs.phase(job.get(), jobs.clock.instant()) != SandboxJobs.Phase.DONE || job.get().fails) {
            error(exchange, 404, "Video is not ready yet, use GET /v1/videos/{video_id} to check status.", null, null);
            return;
        }
        if (variant.equals("thumbnail")) {
            SandboxExchanges.send(exchange, 200, "image/jpeg", job.get().thumbnailJpeg());
        } else {
            SandboxExchanges.send(exchange, 200, "video/mp4", job.get().video());
        }
    }

    /**
     * The job as the API shows it: as it was created (what {@code POST} answers, queued even when the
     * clock says it is done already), or at {@code now}.
     */
    private ObjectNode jobObject(SandboxJob job, Instant now, boolean asCreated) {
        SandboxJobs.Phase phase = jobs.phase(job, now);
        String status = asCreated ? "queued" : switch (phase) {
            case QUEUED -> "queued";
            case RUNNING -> "in_progress";
            case DONE -> job.fails ? "failed" : "completed";
        };
        ObjectNode node = JSON.createObjectNode();
        node.put("id", job.id);
        node.put("object", "video");
        node.put("model", job.model);
        node.put("status", status);
        node.put("progress", switch (status) {
            case "in_progress" -> jobs.runningPercent(job, now);
            case "completed" -> 100;
            default -> 0;
        });
        node.put("created_at", job.createdAt.getEpochSecond());
        node.put("seconds", job.seconds);
        node.put("size", job.size);
        if (status.equals("completed")) {
            node.put("completed_at", jobs.doneAt(job).getEpochSecond());
        }
        if (status.equals("failed")) {
            ObjectNode error = node.putObject("error");
            error.put("code", "video_generation_failed");
            error.put("message", "The sandbox failed this job, as its prompt asked (the word 'fail').");
        }
        return node;
    }

    private static String quoted(List<String> values) {
        return String.join(", ", values.stream().map(v -> "'" + v + "'").toList());
    }

    private static void notFound(HttpExchange exchange, String id) throws IOException {
        error(exchange, 404, "Video with id '" + id + "' not found.", null, "video_not_found");
    }

    private static void invalid(HttpExchange exchange, String message, String param) throws IOException {
        error(exchange, 400, message, param, param == null ? "invalid_request" : "invalid_value");
    }

    /** OpenAI's envelope: exactly message, type, param and code. */
    private static void error(HttpExchange exchange, int status, String message, String param, String code)
            throws IOException {
        ObjectNode error = JSON.createObjectNode();
        error.put("message", message);
        error.put("type", "invalid_request_error");
        error.put("param", param);
        error.put("code", code);
        ObjectNode body = JSON.createObjectNode();
        body.set("error", error);
        SandboxExchanges.json(exchange, status, body);
    }
}
