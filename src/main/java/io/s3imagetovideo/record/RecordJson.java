package io.s3imagetovideo.record;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A {@link JobRecord} as the JSON of docs/contract.md ("Job record") and back: snake_case, the host's
 * job verbatim at top level (our {@code status} in the place of its own), our fields after it.
 */
public final class RecordJson {

    /** Every top-level field the functions write, in the order they are written; all others are the host's. */
    public static final List<String> OURS = List.of("status", "api_status", "missing", "claim_expires_at", "claim_token",
            "next_try_at", "waiting_since", "resumes_at", "error", "source", "request", "previous_id", "remixed_from", "submitted_at",
            "output", "poll", "updated_at");

    private final ObjectMapper mapper;

    public RecordJson(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The host's fields of a job object: everything but the names that are ours. */
    public static ObjectNode hostFields(ObjectNode job) {
        ObjectNode fields = job.deepCopy();
        fields.remove(OURS);
        return fields;
    }

    /** An instant as records write it: UTC, whole seconds. */
    public static String timestamp(Instant instant) {
        return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** The first whole second at or after {@code instant}: a moment the record can write without moving it earlier. */
    public static Instant wholeSecondUp(Instant instant) {
        Instant whole = instant.truncatedTo(ChronoUnit.SECONDS);
        return whole.equals(instant) ? whole : whole.plusSeconds(1);
    }

    public ObjectNode write(JobRecord r) {
        ObjectNode node = mapper.createObjectNode();
        node.put("status", r.status().word());
        r.apiStatus().ifPresent(word -> node.put("api_status", word));
        node.setAll(hostFields(r.job()));
        r.missing().ifPresent(m -> node.put("missing", m));
        r.claim().ifPresent(c -> {
            node.put("claim_expires_at", timestamp(c.expiresAt()));
            node.put("claim_token", c.token());
            c.nextTryAt().ifPresent(t -> node.put("next_try_at", timestamp(t)));
            c.waitingSince().ifPresent(t -> node.put("waiting_since", timestamp(t)));
        });
        r.resumesAt().ifPresent(t -> node.put("resumes_at", timestamp(t)));
        r.error().ifPresent(e -> node.set("error", error(e)));
        node.set("source", source(r.source()));
        r.request().ifPresent(q -> node.set("request", request(q)));
        r.previousId().ifPresent(p -> node.put("previous_id", p));
        r.remixedFrom().ifPresent(p -> node.put("remixed_from", p));
        r.submittedAt().ifPresent(t -> node.put("submitted_at", timestamp(t)));
        r.output().ifPresent(o -> {
            ObjectNode output = node.putObject("output").put("video", o.video()).put("bytes", o.bytes())
                    .put("content_type", o.contentType());
            o.thumbnail().ifPresent(t -> output.put("thumbnail", t));
        });
        r.poll().ifPresent(p -> {
            ObjectNode poll = node.putObject("poll").put("checks", p.checks());
            p.nextCheckAt().ifPresent(t -> poll.put("next_check_at", timestamp(t)));
            poll.put("token", p.token());
            p.progress().ifPresent(seen -> {
                double percent = seen.percent();
                if (percent == Math.rint(percent)) {
                    poll.put("progress", (long) percent);
                } else {
                    poll.put("progress", percent);
                }
                poll.put("progress_since", timestamp(seen.since()));
            });
            if (p.earlyChecks() > 0) {
                poll.put("early_checks", p.earlyChecks());
            }
        });
        node.put("updated_at", timestamp(r.updatedAt()));
        return node;
    }

    /** A record as stored; a document that is not one of ours reads as {@link Status#FOREIGN}. */
    public JobRecord read(JsonNode json, String bucket) {
        if (!(json instanceof ObjectNode node) || !node.path("status").isTextual()
                || Status.ofWord(node.get("status").textValue()).isEmpty()) {
            return JobRecord.foreign(bucket);
        }
        Status status = Status.ofWord(node.get("status").textValue()).orElseThrow();
        ObjectNode job = hostFields(node);
        Optional<RecordError> error = node.get("error") instanceof ObjectNode e ? Optional.of(error(e))
                : Optional.empty();
        Optional<Claim> claim = text(node, "claim_token").flatMap(token -> instant(node, "claim_expires_at")
                .map(at -> new Claim(at, token, status == Status.SUBMITTING && error.isPresent(),
                        instant(node, "next_try_at"), instant(node, "waiting_since"))));
        return new JobRecord(status, text(node, "api_status"), job, text(node, "missing"), claim, error, source(node.path("source"), bucket),
                node.get("request") instanceof ObjectNode q ? Optional.of(request(q)) : Optional.empty(),
                text(node, "previous_id"), instant(node, "submitted_at"), output(node.path("output")),
                poll(node.path("poll")), instant(node, "resumes_at"), text(node, "remixed_from"),
                instant(node, "updated_at").orElse(Instant.EPOCH));
    }

    private ObjectNode error(RecordError e) {
        ObjectNode node = mapper.createObjectNode().put("code", e.code()).put("message", e.message());
        e.more().properties().forEach(f -> node.set(f.getKey(), f.getValue().deepCopy()));
        e.httpStatus().ifPresent(s -> node.put("http_status", s));
        return node;
    }

    private static RecordError error(ObjectNode e) {
        OptionalInt status = e.path("http_status").canConvertToInt() && e.path("http_status").isNumber()
                ? OptionalInt.of(e.get("http_status").intValue()) : OptionalInt.empty();
        return new RecordError(text(e, "code").orElse("unknown"), text(e, "message").orElse(""), status, e);
    }

    private ObjectNode source(Source s) {
        ObjectNode node = mapper.createObjectNode().put("bucket", s.bucket());
        if (s.image() != null) {
            node.put("image", s.image()).put("image_etag", s.imageEtag());
        }
        if (!s.images().isEmpty()) {
            s.images().forEach(node.putArray("images")::add);
        }
        if (s.prompt() != null) {
            node.put("prompt", s.prompt()).put("prompt_etag", s.promptEtag());
        }
        return node;
    }

    private static Source source(JsonNode s, String bucket) {
        List<String> images = new ArrayList<>();
        s.path("images").forEach(i -> images.add(i.asText()));
        return new Source(text(s, "bucket").orElse(bucket), text(s, "image").orElse(null),
                text(s, "image_etag").orElse(null), text(s, "prompt").orElse(null),
                text(s, "prompt_etag").orElse(null), images);
    }

    private ObjectNode request(RequestSummary q) {
        ObjectNode node = mapper.createObjectNode().put("model", q.model()).put("seconds", q.seconds())
                .put("size", q.size()).put("watermark", q.watermark()).put("private", q.isPrivate());
        if (!q.extra().isEmpty()) {
            ObjectNode extra = node.putObject("extra");
            q.extra().forEach(extra::put);
        }
        return node;
    }

    private static RequestSummary request(ObjectNode q) {
        Map<String, String> extra = new LinkedHashMap<>();
        q.path("extra").properties().forEach(f -> extra.put(f.getKey(), f.getValue().asText()));
        return new RequestSummary(text(q, "model").orElse(null), text(q, "seconds").orElse(null),
                text(q, "size").orElse(null), text(q, "watermark").orElse(null), text(q, "private").orElse(null),
                extra);
    }

    private static Optional<Output> output(JsonNode o) {
        return o.path("video").isTextual() ? Optional.of(new Output(o.get("video").textValue(),
                o.path("bytes").asLong(), o.path("content_type").asText(Output.VIDEO_CONTENT_TYPE),
                text(o, "thumbnail"))) : Optional.empty();
    }

    private static Optional<PollState> poll(JsonNode p) {
        if (!p.isObject()) {
            return Optional.empty();
        }
        // Absent in records written before the schedule remembered progress: those read as no memory.
        Optional<PollState.Progress> seen = p.path("progress").isNumber()
                ? instant(p, "progress_since")
                        .map(since -> new PollState.Progress(p.get("progress").doubleValue(), since))
                : Optional.empty();
        return Optional.of(new PollState(p.path("checks").asInt(0), instant(p, "next_check_at"),
                text(p, "token").orElse(""), seen, Math.max(0, p.path("early_checks").asInt(0))));
    }

    private static Optional<String> text(JsonNode node, String field) {
        JsonNode v = node.get(field);
        return v != null && v.isTextual() ? Optional.of(v.textValue()) : Optional.empty();
    }

    private static Optional<Instant> instant(JsonNode node, String field) {
        try {
            return text(node, field).map(Instant::parse);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
