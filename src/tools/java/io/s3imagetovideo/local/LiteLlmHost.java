package io.s3imagetovideo.local;

import static io.s3imagetovideo.local.SandboxExchanges.JSON;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The LiteLLM proxy 1.80.8 (jebops2/litellm at 321ffd72, /tmp/research/litellm.md) routing to Gemini
 * Veo. The file part {@code input_reference} is the picture; {@code size} becomes an aspect ratio,
 * anything but the four known sizes silently 16:9 ({@code gemini/videos/transformation.py:137-155});
 * Veo 3 takes 4, 6 or 8 seconds. Ids are {@code video_} + padded base64 of the provider, model and
 * operation ({@code types/videos/utils.py:18-36}), and GET answers the same job under another id, its
 * {@code model_id} empty (gemini 379). Every field it does not know is null ({@code types/videos/main.py}),
 * every error {@code {"error":{message,type,param,code}}} with the status as a string code.
 */
final class LiteLlmHost implements SandboxHost {

    /** The proxy's {@code model_name}s, each routed to {@code gemini/<name>}. */
    static final List<String> MODELS = List.of("veo-3.1-generate-preview", "veo-3.1-fast-generate-preview",
            "veo-3.0-generate-001", "veo-3.0-fast-generate-001");
    /** Veo 3's lengths: Google refuses others, LiteLLM passes any whole number on. */
    static final List<Integer> SECONDS = List.of(4, 6, 8);
    private static final Map<String, String> ASPECT = Map.of("1280x720", "16:9", "1920x1080", "16:9", "720x1280",
            "9:16", "1080x1920", "9:16");

    /** A path segment: FastAPI's {@code {video_id}} is not a {@code :path}, so an id with a {@code /} is no match. */
    private static final Pattern JOB_PATH = Pattern.compile("/v1/videos/([^/]+)(/content|/remix)?");
    private static final String PREFIX = "litellm:custom_llm_provider:gemini;model_id:";
    private static final String ALNUM = "0123456789abcdefghijklmnopqrstuvwxyz";

    private final String apiKey;
    private final SandboxJobs jobs;
    /** Job ids by the operation they name: create and GET answer different ids for one job. */
    private final Map<String, String> byOperation = new ConcurrentHashMap<>();
    private final AtomicInteger made = new AtomicInteger();
    private final SecureRandom random = new SecureRandom();

    LiteLlmHost(String apiKey, SandboxJobs jobs) {
        this.apiKey = apiKey;
        this.jobs = jobs;
    }

    @Override
    public Optional<SandboxJob> job(String id) {
        return operation(id).map(byOperation::get).flatMap(jobs::get);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getPath();
        String method = exchange.getRequestMethod();
        Matcher job = JOB_PATH.matcher(path);
        String action = job.matches() ? Optional.ofNullable(job.group(2)).orElse("") : null;
        boolean collection = path.equals("/v1/videos");
        // Starlette routes before the auth dependency runs: no route, no auth (endpoints.py 23-476).
        if (!collection && action == null) {
            detail(exchange, 404, "Not Found");
            return;
        }
        if (!routed(method, collection, action)) {
            detail(exchange, 405, "Method Not Allowed");
        } else if (authorized(exchange)) {
            if (collection && method.equals("POST")) {
                create(exchange);
            } else if (collection || action.equals("/remix")) {
                // gemini 441-492: NotImplementedError, mapped with model="" to a 500.
                error(exchange, 500, "litellm.APIConnectionError: Video " + (collection ? "listing" : "remix")
                        + " is not supported by Google Veo. Please use video_generation() to create new videos.\n"
                        + "Traceback (most recent call last):\n  ...", null, null);
            } else if (action.isEmpty()) {
                status(exchange, job.group(1));
            } else {
                content(exchange, job.group(1));
            }
        }
    }

    /** endpoints.py: list and create on the collection; status and content by GET, remix by POST. */
    private static boolean routed(String method, boolean collection, String action) {
        if (collection) {
            return method.equals("POST") || method.equals("GET");
        }
        return method.equals(action.equals("/remix") ? "POST" : "GET");
    }

    /**
     * {@code proxy/auth/user_api_key_auth.py} with a database, so a wrong key is looked up and not found
     * (887-892); the messages quote what was sent, as the proxy's do.
     */
    private boolean authorized(HttpExchange exchange) throws IOException {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        Optional<String> token = SandboxExchanges.token(exchange, List.of("Bearer ", "bearer ", "Basic "));
        if (token.isPresent() && token.get().equals(apiKey)) {
            return true;
        }
        if (header == null || (token.isEmpty() && header.trim().matches("(?i)(bearer|basic)"))) {
            authError(exchange, "No api key passed in.", "auth_error", "None");
        } else if (token.isEmpty()) {
            authError(exchange, "Malformed API Key passed in. Ensure Key has `Bearer ` prefix.", "auth_error", "None");
        } else if (!token.get().startsWith("sk-")) {
            authError(exchange, "LiteLLM Virtual Key expected. Received=" + token.get()
                    + ", expected to start with 'sk-'.", "auth_error", "None");
        } else {
            String key = token.get();
            authError(exchange, "Invalid proxy server token passed. Received API Key = sk-..."
                    + key.substring(Math.max(3, key.length() - 4)) + ", Key Hash (Token) =" + sha256(key)
                    + ". Unable to find token in cache or `LiteLLM_VerificationTokenTable`", "token_not_found_in_db",
                    "key");
        }
        return false;
    }

    private void create(HttpExchange exchange) throws IOException {
        Multipart form;
        switch (SandboxExchanges.form(exchange)) {
            case SandboxExchanges.FormRead.Read read -> form = read.form();
            case SandboxExchanges.FormRead.NotMultipart n -> {
                // The proxy takes JSON as well (http_parsing_utils.py:40-43); this sandbox plays its form path.
                error(exchange, 400, "Invalid JSON payload: this sandbox takes multipart/form-data only",
                        "invalid_request_error", "request_body");
                return;
            }
            case SandboxExchanges.FormRead.TooLarge t -> {
                error(exchange, 413, "Request body too large", "None", "None");
                return;
            }
            case SandboxExchanges.FormRead.Malformed m -> {
                error(exchange, 400, "Invalid form data: " + m.why(), "invalid_request_error", "request_body");
                return;
            }
        }
        Optional<Multipart.Part> reference = form.get("input_reference");
        if (reference.isPresent() && reference.get().fileName().isEmpty()) {
            // endpoints.py 38: input_reference is an UploadFile; FastAPI's own 422, no LiteLLM envelope.
            validationError(exchange, reference.get().text());
            return;
        }
        Optional<String> model = SandboxExchanges.text(form, "model");
        if (model.isEmpty()) {
            // The router reads data["model"]: a KeyError, its str as the message (inferred, §2).
            error(exchange, 500, "'model'", "None", "None");
            return;
        }
        if (!MODELS.contains(model.get())) {
            error(exchange, 400, "{'error': '/videos: Invalid model name passed in model=" + model.get()
                    + ". Call `/v1/models` to view available models for your key.'}", "None", "None");
            return;
        }
        Optional<String> prompt = SandboxExchanges.text(form, "prompt");
        if (prompt.isEmpty()) {
            error(exchange, 500, "litellm.APIConnectionError: video_generation() missing 1 required positional"
                    + " argument: 'prompt'", null, null);
            return;
        }
        // gemini 119-128: int(seconds) or dropped; Google refuses what Veo 3 does not take.
        Optional<Integer> seconds = SandboxExchanges.text(form, "seconds").flatMap(LiteLlmHost::integer);
        if (seconds.isPresent() && !SECONDS.contains(seconds.get())) {
            // Google's wording is the sandbox's own; the shape around it is LiteLLM's.
            googleError(exchange, "Unsupported value for `durationSeconds`: " + seconds.get()
                    + ". This model takes 4, 6 or 8.");
            return;
        }
        // MIME sniffed from the bytes and nothing refused (gemini 31-52); Google then refuses what is no image.
        Optional<byte[]> image = reference.map(Multipart.Part::body);
        if (image.isPresent() && PictureToMp4.decode(image.get()).isEmpty()) {
            googleError(exchange, "Unable to process input image. Please retry or report in"
                    + " https://developers.generativeai.google/guide/troubleshooting");
            return;
        }
        boolean portrait = SandboxExchanges.text(form, "size").map(ASPECT::get).orElse("16:9").equals("9:16");
        boolean fullHd = SandboxExchanges.text(form, "resolution").orElse("720p").equals("1080p");
        int longSide = fullHd ? 1920 : 1280;
        int shortSide = fullHd ? 1080 : 720;
        SandboxJob.Size videoSize = portrait ? new SandboxJob.Size(shortSide, longSide)
                : new SandboxJob.Size(longSide, shortSide);
        String name = model.get();
        SandboxJob job = jobs.create(exchange.getRequestHeaders().getFirst("Idempotency-Key"), () -> {
            String operation = newOperation(name);
            String id = encode(name, operation);
            byOperation.put(operation, id);
            return new SandboxJob(id, name, prompt.get(), seconds.map(String::valueOf).orElse(null), null,
                    jobs.clock.instant(), image, videoSize);
        });
        // gemini 259-318: always "processing"; seconds and size null even when asked for.
        ObjectNode body = videoObject(job.id, "processing");
        body.put("model", job.model);
        body.putObject("usage").put("duration_seconds", job.seconds == null ? 8.0 : Double.parseDouble(job.seconds));
        litellmHeaders(exchange);
        SandboxExchanges.json(exchange, 200, body);
    }

    /** gemini 339-388: only id (re-encoded), object and status; done means completed (1.80.8 has no failed). */
    private void status(HttpExchange exchange, String id) throws IOException {
        Optional<SandboxJob> job = job(id);
        if (job.isEmpty()) {
            unknown(exchange, id);
            return;
        }
        Instant now = jobs.clock.instant();
        boolean done = jobs.phase(job.get(), now) == SandboxJobs.Phase.DONE;
        if (done && job.get().fails) {
            filtered(exchange);
            return;
        }
        litellmHeaders(exchange);
        SandboxExchanges.json(exchange, 200, videoObject(encode("", operation(id).orElseThrow()),
                done ? "completed" : "processing"));
    }

    /** endpoints.py 368-374: all in memory, then sent with a Content-Disposition; ?variant= ignored. */
    private void content(HttpExchange exchange, String id) throws IOException {
        Optional<SandboxJob> job = job(id);
        if (job.isEmpty()) {
            unknown(exchange, id);
            return;
        }
        if (jobs.phase(job.get(), jobs.clock.instant()) != SandboxJobs.Phase.DONE) {
            // gemini 390-439 raises; mapped with model="" to APIConnectionError, always 500 (§5).
            error(exchange, 500, "litellm.APIConnectionError: Video generation is not complete yet. Please check"
                    + " status with video_status() before downloading.\nTraceback (most recent call last):\n  ...",
                    null, null);
            return;
        }
        if (job.get().fails) {
            filtered(exchange);
            return;
        }
        exchange.getResponseHeaders().add("Content-Disposition", "attachment; filename=video_" + id + ".mp4");
        SandboxExchanges.send(exchange, 200, "video/mp4", job.get().video());
    }

    /**
     * A job Google filtered (its prompt asked to fail): the done operation has no samples, which fails
     * LiteLLM's model of the answer, a 500 on every read (§4); the job is never {@code failed}.
     */
    private static void filtered(HttpExchange exchange) throws IOException {
        error(exchange, 500, "litellm.APIConnectionError: 1 validation error for GeminiGenerateVideoResponse\n"
                + "generatedSamples\n  Field required [type=missing, input_value={'raiMediaFilteredCount': 1}]",
                null, null);
    }

    /**
     * An id that names no job: the proxy asks Google for it anyway, or, when it does not decode (e.g. its
     * {@code =} padding stripped: 1.80.8 does not re-add it), falls back to OpenAI; either way a 500.
     */
    private void unknown(HttpExchange exchange, String id) throws IOException {
        String message = operation(id).isPresent()
                ? "litellm.APIConnectionError: gemini - {\"error\": {\"code\": 404, \"message\": \"Requested entity"
                        + " was not found.\", \"status\": \"NOT_FOUND\"}}"
                : "litellm.APIConnectionError: openai - Error code: 401 - {'error': {'message': 'Incorrect API key"
                        + " provided.', 'type': 'invalid_request_error', 'param': None, 'code': 'invalid_api_key'}}";
        error(exchange, 500, message, null, null);
    }

    /** The 13 keys of {@code VideoObject}, in its order, null unless set. */
    private static ObjectNode videoObject(String id, String status) {
        ObjectNode node = JSON.createObjectNode();
        node.put("id", id);
        node.put("object", "video");
        node.put("status", status);
        for (String key : List.of("created_at", "completed_at", "expires_at", "error", "progress",
                "remixed_from_video_id", "seconds", "size", "model", "usage")) {
            node.putNull(key);
        }
        return node;
    }

    /**
     * An operation name, as Google's are, with one twist: every second one makes an id with a {@code +}
     * (Google's never do), so that a client that does not path-encode ids shows it. {@code '~'} as the
     * third byte of a base64 group has the low six bits 111110: {@code +}. Never a {@code /}: the real
     * proxy cannot route an id with one at all. The name's length always leaves {@code =} padding.
     */
    private String newOperation(String model) {
        String prefix = PREFIX + model + ";video_id:models/" + model + "/operations/";
        int length = 12;
        while ((prefix.length() + length) % 3 == 0) {
            length++;
        }
        StringBuilder op = new StringBuilder();
        for (int i = 0; i < length; i++) {
            op.append(ALNUM.charAt(random.nextInt(ALNUM.length())));
        }
        if (made.incrementAndGet() % 2 == 0) {
            int at = (2 - prefix.length() % 3 + 3) % 3 + 3;
            op.setCharAt(at, '~');
        }
        return "models/" + model + "/operations/" + op;
    }

    private static String encode(String model, String operation) {
        return "video_" + Base64.getEncoder().encodeToString((PREFIX + model + ";video_id:" + operation)
                .getBytes(StandardCharsets.UTF_8));
    }

    /** The operation an id names, decoded as 1.80.8 decodes it (39-94): padding required, any model_id. */
    private static Optional<String> operation(String id) {
        if (!id.startsWith("video_") || (id.length() - 6) % 4 != 0) {
            return Optional.empty();
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(id.substring(6)), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
        Matcher m = Pattern.compile("litellm:custom_llm_provider:gemini;model_id:[^;]*;video_id:(.+)").matcher(decoded);
        return m.matches() ? Optional.of(m.group(1)) : Optional.empty();
    }

    private static Optional<Integer> integer(String text) {
        try {
            return Optional.of(Integer.parseInt(text.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** common_request_processing.py 646-662: on answers the proxy builds, not on /content. */
    private void litellmHeaders(HttpExchange exchange) {
        exchange.getResponseHeaders().add("x-litellm-call-id", UUID.randomUUID().toString());
        exchange.getResponseHeaders().add("x-litellm-model-id", sha256("sandbox-deployment"));
        exchange.getResponseHeaders().add("x-litellm-version", "1.80.8");
    }

    /** A Veo refusal as the proxy passes it on: Google's body inside the message, type and param null (§6). */
    private static void googleError(HttpExchange exchange, String message) throws IOException {
        error(exchange, 400, "litellm.BadRequestError: GeminiException BadRequestError - {\n  \"error\": {\n"
                + "    \"code\": 400,\n    \"message\": \"" + message + "\",\n    \"status\": \"INVALID_ARGUMENT\"\n"
                + "  }\n}\n", null, null);
    }

    private static void authError(HttpExchange exchange, String message, String type, String param)
            throws IOException {
        error(exchange, 401, "Authentication Error, " + message, type, param);
    }

    /** {@code ProxyException.to_dict} (_types.py:2793-2803): code is the HTTP status as a string. */
    private static void error(HttpExchange exchange, int status, String message, String type, String param)
            throws IOException {
        ObjectNode error = JSON.createObjectNode();
        error.put("message", message);
        error.put("type", type);
        error.put("param", param);
        error.put("code", String.valueOf(status));
        ObjectNode body = JSON.createObjectNode();
        body.set("error", error);
        SandboxExchanges.json(exchange, status, body);
    }

    /** FastAPI's own answers, outside LiteLLM's handlers: {@code {"detail": ...}}. */
    private static void detail(HttpExchange exchange, int status, String detail) throws IOException {
        SandboxExchanges.json(exchange, status, JSON.createObjectNode().put("detail", detail));
    }

    private static void validationError(HttpExchange exchange, String input) throws IOException {
        ObjectNode body = JSON.createObjectNode();
        ObjectNode item = body.putArray("detail").addObject();
        item.put("type", "value_error");
        item.putArray("loc").add("body").add("input_reference");
        item.put("msg", "Value error, Expected UploadFile, received: <class 'str'>");
        item.put("input", input.length() > 100 ? input.substring(0, 100) + "..." : input);
        item.putObject("ctx").putObject("error");
        SandboxExchanges.json(exchange, 422, body);
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
