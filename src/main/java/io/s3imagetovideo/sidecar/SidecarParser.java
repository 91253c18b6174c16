package io.s3imagetovideo.sidecar;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.image.Fit;
import io.s3imagetovideo.image.ImageFit;
import io.s3imagetovideo.image.RgbColor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a {@code <name>.prompt.json} sidecar (docs/contract.md, "Prompt sidecar") and checks every field
 * before any money is spent. All problems are reported at once, each with how to fix it.
 */
public final class SidecarParser {

    /** Larger sidecars are refused without being read: a prompt file is a few hundred bytes. */
    public static final long MAX_SIDECAR_BYTES = 64 * 1024;
    public static final int MAX_PROMPT_CHARS = 32_000;
    /** Model names are short identifiers; a long one is a mistake, not a model. */
    public static final int MAX_MODEL_CHARS = 128;
    public static final int MAX_EXTRA_FIELDS = 32;
    public static final int MAX_EXTRA_VALUE_CHARS = 4_096;

    static final Set<String> KNOWN_FIELDS = Set.of("prompt", "model", "seconds", "size", "watermark", "private",
            "extra", "fit", "background", "remix");
    /** Form fields that {@code extra} may not override: the request's own and the image's. */
    static final Set<String> RESERVED_FORM_FIELDS =
            Set.of("prompt", "model", "seconds", "size", "watermark", "private", "input_reference");
    private static final Pattern FORM_FIELD_NAME = Pattern.compile("[A-Za-z0-9_.\\-\\[\\]]{1,64}");
    private static final Pattern WHOLE_NUMBER = Pattern.compile("[0-9]{1,9}");

    private final ObjectMapper mapper;
    private final SidecarDefaults defaults;
    private final Set<String> reservedFields;

    public SidecarParser(ObjectMapper mapper, SidecarDefaults defaults) {
        this(mapper, defaults, "input_reference");
    }

    /** {@code imageField}: the form field the image travels in ({@code VIDEO_IMAGE_FIELD}), which {@code extra} may not set. */
    public SidecarParser(ObjectMapper mapper, SidecarDefaults defaults, String imageField) {
        // A strict reader of its own: a typo'd duplicate key or trailing garbage must not pass unnoticed.
        this.mapper = mapper.copy()
                .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
        this.defaults = defaults;
        Set<String> reserved = new java.util.HashSet<>(RESERVED_FORM_FIELDS);
        reserved.add(imageField);
        this.reservedFields = Set.copyOf(reserved);
    }

    /** The outcome of reading a sidecar: a request to send, or the problems that stop it. */
    public sealed interface Result permits Valid, Invalid {}

    /**
     * A request to send, and how its image is to be brought to {@code request.size()}. {@code remix}: the
     * new prompt is for the upload's last completed video, not for a new one from the image.
     */
    public record Valid(VideoRequest request, ImageFit fit, boolean remix) implements Result {}

    public record Invalid(List<SidecarProblem> problems) implements Result {
        public Invalid {
            problems = List.copyOf(problems);
        }
    }

    public Result parse(byte[] json) {
        JsonNode root;
        try {
            // Jackson decodes overlong and surrogate forms leniently; the JDK's decoder refuses them.
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(json)).toString();
            // Editors on Windows write a byte order mark; it is not part of the JSON.
            root = mapper.readTree(text.startsWith("\uFEFF") ? text.substring(1) : text);
        } catch (CharacterCodingException e) {
            return new Invalid(List.of(new SidecarProblem("invalid_json",
                    "The prompt file is not valid UTF-8 text. Save it as UTF-8.")));
        } catch (JsonProcessingException e) {
            return new Invalid(List.of(syntaxProblem(e)));
        } catch (IOException e) {
            return new Invalid(List.of(new SidecarProblem("invalid_json",
                    "The prompt file could not be read as JSON (" + e.getMessage() + ").")));
        }
        if (root == null || root.isMissingNode()) {
            return new Invalid(List.of(new SidecarProblem("invalid_json",
                    "The prompt file is empty. Write a JSON object such as {\"prompt\": \"a cow takes the driving test\"}.")));
        }
        if (!root.isObject()) {
            return new Invalid(List.of(new SidecarProblem("invalid_json",
                    "The prompt file must hold a JSON object such as {\"prompt\": \"...\"}, not a "
                            + describe(root) + ".")));
        }
        return check(root);
    }

    private Result check(JsonNode root) {
        List<SidecarProblem> problems = new ArrayList<>();
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!KNOWN_FIELDS.contains(name)) {
                problems.add(unknownField(name));
            }
        }
        String prompt = prompt(root.get("prompt"), problems);
        String model = optionalText(root, "model", problems).orElse(defaults.model());
        if (model.length() > MAX_MODEL_CHARS) {
            problems.add(new SidecarProblem("invalid_model", "The field 'model' is " + model.length()
                    + " characters long; a model name such as \"sora-2\" has at most " + MAX_MODEL_CHARS + "."));
        }
        String seconds = seconds(root.get("seconds"), problems);
        VideoSize size = size(root.get("size"), problems);
        boolean watermark = bool(root, "watermark", defaults.watermark(), problems);
        boolean isPrivate = bool(root, "private", defaults.isPrivate(), problems);
        Map<String, String> extra = extra(root.get("extra"), problems);
        Fit fit = fit(root.get("fit"), problems);
        RgbColor background = background(root.get("background"), problems);
        boolean remix = bool(root, "remix", false, problems);
        if (!problems.isEmpty()) {
            return new Invalid(problems);
        }
        return new Valid(new VideoRequest(prompt, model, seconds, size, watermark, isPrivate, extra),
                new ImageFit(fit, background), remix);
    }

    private static SidecarProblem syntaxProblem(JsonProcessingException e) {
        JsonLocation at = e.getLocation();
        String where = at == null ? "" : " at line " + at.getLineNr() + ", column " + at.getColumnNr();
        return new SidecarProblem("invalid_json",
                "The prompt file is not valid JSON" + where + ": " + e.getOriginalMessage()
                        + ". Fix the syntax (quotes around strings, commas between fields, no trailing comma).");
    }

    private static SidecarProblem unknownField(String name) {
        String hint = Suggestions.didYouMean(name, sortedKnown());
        return new SidecarProblem("unknown_field",
                "Unknown field '" + name + "'." + hint + " Allowed fields: " + String.join(", ", sortedKnown())
                        + "; provider options go inside \"extra\".");
    }

    private static String prompt(JsonNode node, List<SidecarProblem> problems) {
        if (node == null || node.isNull()) {
            problems.add(new SidecarProblem("missing_prompt",
                    "The field 'prompt' is missing. Add \"prompt\": \"what the video should show\"."));
            return null;
        }
        if (!node.isTextual()) {
            problems.add(new SidecarProblem("invalid_prompt",
                    "The field 'prompt' must be a string, not a " + describe(node) + "."));
            return null;
        }
        String text = node.textValue();
        if (text.isBlank()) {
            problems.add(new SidecarProblem("missing_prompt",
                    "The field 'prompt' is blank. Write what the video should show."));
            return null;
        }
        if (text.length() > MAX_PROMPT_CHARS) {
            problems.add(new SidecarProblem("invalid_prompt",
                    "The field 'prompt' has " + text.length() + " characters; shorten it to at most "
                            + MAX_PROMPT_CHARS + "."));
            return null;
        }
        return text;
    }

    private static Optional<String> optionalText(JsonNode root, String field, List<SidecarProblem> problems) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return Optional.empty();
        }
        if (!node.isTextual() || node.textValue().isBlank()) {
            problems.add(new SidecarProblem("invalid_" + field,
                    "The field '" + field + "' must be a non-blank string such as \"sora-2\", not "
                            + (node.isTextual() ? "a blank string" : "a " + describe(node)) + "."));
            return Optional.empty();
        }
        return Optional.of(node.textValue().trim());
    }

    private String seconds(JsonNode node, List<SidecarProblem> problems) {
        if (node == null || node.isNull()) {
            return defaults.seconds();
        }
        String digits = null;
        if (node.isIntegralNumber() && node.canConvertToInt()) {
            digits = Integer.toString(node.intValue());
        } else if (node.isTextual() && WHOLE_NUMBER.matcher(node.textValue()).matches()) {
            digits = node.textValue();
        }
        if (digits == null || Long.parseLong(digits) <= 0) {
            problems.add(new SidecarProblem("invalid_seconds",
                    "The field 'seconds' must be a positive whole number such as \"10\" or 10, not "
                            + render(node) + "."));
            return null;
        }
        String seconds = Long.toString(Long.parseLong(digits));
        if (!defaults.limits().allowsSeconds(seconds)) {
            problems.add(new SidecarProblem("invalid_seconds", "The field 'seconds' must be one of "
                    + String.join(", ", defaults.limits().seconds().orElseThrow()) + " for this video host"
                    + " (VIDEO_SECONDS), not " + render(node) + "."));
            return null;
        }
        return seconds;
    }

    private VideoSize size(JsonNode node, List<SidecarProblem> problems) {
        if (node == null || node.isNull()) {
            return defaults.size();
        }
        Optional<VideoSize> size = node.isTextual() ? VideoSize.parse(node.textValue()) : Optional.empty();
        if (size.isEmpty() || !defaults.limits().allows(size.get())) {
            String allowed = defaults.limits().sizes()
                    .map(list -> "one of " + String.join(", ", list.stream().map(VideoSize::value).toList())
                            + " (width x height) for this video host (VIDEO_SIZES)")
                    .orElse("width x height, such as \"1280x720\"");
            problems.add(new SidecarProblem("invalid_size", "The field 'size' must be " + allowed + ", not "
                    + render(node) + "."));
            return null;
        }
        return size.get();
    }

    private Fit fit(JsonNode node, List<SidecarProblem> problems) {
        if (node == null || node.isNull()) {
            return defaults.fit();
        }
        Optional<Fit> fit = node.isTextual() ? Fit.parse(node.textValue()) : Optional.empty();
        if (fit.isPresent()) {
            return fit.get();
        }
        String hint = node.isTextual() ? Suggestions.fit(node.textValue()) : "";
        problems.add(new SidecarProblem("invalid_fit",
                "The field 'fit' must be \"none\" (send the image as it is), \"cover\" (fill the frame, crop the"
                        + " edges) or \"contain\" (show all of it, pad with 'background'), not " + render(node) + "."
                        + hint));
        return defaults.fit();
    }

    private static RgbColor background(JsonNode node, List<SidecarProblem> problems) {
        if (node == null || node.isNull()) {
            return RgbColor.BLACK;
        }
        Optional<RgbColor> colour = node.isTextual() ? RgbColor.parse(node.textValue()) : Optional.empty();
        if (colour.isPresent()) {
            return colour.get();
        }
        String hint = node.isTextual() ? Suggestions.colour(node.textValue()) : "";
        problems.add(new SidecarProblem("invalid_background",
                "The field 'background' must be a colour written \"#rrggbb\" such as \"#000000\" (black, the"
                        + " default) or \"#ffffff\" (white), not " + render(node) + "." + hint));
        return RgbColor.BLACK;
    }

    private static boolean bool(JsonNode root, String field, boolean fallback, List<SidecarProblem> problems) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (node.isBoolean()) {
            return node.booleanValue();
        }
        if (node.isTextual() && (node.textValue().equals("true") || node.textValue().equals("false"))) {
            return node.textValue().equals("true");
        }
        problems.add(new SidecarProblem("invalid_" + field,
                "The field '" + field + "' must be true or false (or the strings \"true\"/\"false\"), not "
                        + render(node) + "."));
        return fallback;
    }

    private Map<String, String> extra(JsonNode node, List<SidecarProblem> problems) {
        Map<String, String> extra = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return extra;
        }
        if (!node.isObject()) {
            problems.add(new SidecarProblem("invalid_extra",
                    "The field 'extra' must be an object of string values such as {\"style\": \"comic\"}, not a "
                            + describe(node) + "."));
            return extra;
        }
        if (node.size() > MAX_EXTRA_FIELDS) {
            problems.add(new SidecarProblem("invalid_extra",
                    "The field 'extra' has " + node.size() + " fields; at most " + MAX_EXTRA_FIELDS + " are allowed."));
            return extra;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (reservedFields.contains(name)) {
                problems.add(new SidecarProblem("invalid_extra",
                        "'extra." + name + "' would override the request's own '" + name
                                + "' field; set it at the top level of the prompt file instead."));
            } else if (!FORM_FIELD_NAME.matcher(name).matches()) {
                problems.add(new SidecarProblem("invalid_extra",
                        "'extra' field name " + quote(name) + " is not a valid form field name; use 1 to 64 of"
                                + " the characters A-Z a-z 0-9 _ . - [ ]."));
            } else if (!value.isTextual()) {
                problems.add(new SidecarProblem("invalid_extra",
                        "'extra." + name + "' must be a string (it is sent as a form field as it is), not a "
                                + describe(value) + "; write it in quotes, e.g. \"" + name + "\": \""
                                + (value.isValueNode() ? value.asText() : "...") + "\"."));
            } else if (value.textValue().length() > MAX_EXTRA_VALUE_CHARS) {
                problems.add(new SidecarProblem("invalid_extra",
                        "'extra." + name + "' is longer than " + MAX_EXTRA_VALUE_CHARS + " characters."));
            } else {
                extra.put(name, value.textValue());
            }
        }
        return extra;
    }

    private static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "list";
            case OBJECT -> "object";
            case NUMBER -> "number";
            case BOOLEAN -> "boolean";
            case STRING -> "string";
            case NULL -> "null";
            default -> node.getNodeType().name().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** A value as the user wrote it, cut short so that a huge value cannot flood the record. */
    private static String render(JsonNode node) {
        String text = node.toString();
        return text.length() > 80 ? text.substring(0, 77) + "..." : text;
    }

    private static String quote(String s) {
        String cut = s.length() > 80 ? s.substring(0, 77) + "..." : s;
        return "'" + cut + "'";
    }

    private static List<String> sortedKnown() {
        return List.of("prompt", "model", "seconds", "size", "watermark", "private", "extra", "fit", "background",
                "remix");
    }
}
