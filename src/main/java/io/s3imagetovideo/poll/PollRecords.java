package io.s3imagetovideo.poll;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.s3imagetovideo.record.JobRecords;
import io.s3imagetovideo.record.JobStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The job records the poll function writes (DESIGN.md, "Job record"): the API's latest answer verbatim
 * at top level, merged over what earlier answers said, then the functions' own fields.
 *
 * <p>{@code poll: {checks, next_check_at}} is the poll function's own field: {@code checks} is the
 * number of the last status check that moved the record. A check whose number is not above it is a
 * duplicate or a stale redelivery and is dropped, which stops a duplicated SQS message from starting
 * a second chain of checks; it also makes every check's write change the record's ETag, so that a
 * concurrent twin of the same check loses its conditional write.
 */
final class PollRecords {

    /** Top-level fields the functions write; every other top-level field is the API's. */
    static final List<String> OURS = List.of("source", "request", "previous_id", "missing", "claim_expires_at",
            "submitted_at", "output", "poll", "updated_at");
    /** Our fields carried over from the record as it was, in the order a reader expects them. */
    private static final List<String> KEPT = List.of("source", "request", "previous_id", "submitted_at");

    static final String VIDEO_CONTENT_TYPE = "video/mp4";

    private final ObjectMapper mapper;

    PollRecords(ObjectMapper mapper) {
        this.mapper = mapper;
    }

    /** The job is still queued or in progress; the next check is due at {@code nextCheckAt}. */
    ObjectNode progressed(ObjectNode current, ObjectNode job, String jobId, int check, Instant nextCheckAt,
            Instant now) {
        ObjectNode record = merged(current, job, jobId);
        ObjectNode poll = mapper.createObjectNode();
        poll.put("checks", check);
        poll.put("next_check_at", JobRecords.timestamp(nextCheckAt));
        return finish(record, current, null, poll, now);
    }

    /** The video is saved at {@code videoKey}. */
    ObjectNode completed(ObjectNode current, ObjectNode job, String jobId, int check, String videoKey, long bytes,
            Instant now) {
        ObjectNode record = merged(current, job, jobId);
        record.put("status", JobStatus.COMPLETED);
        ObjectNode output = mapper.createObjectNode();
        output.put("video", videoKey);
        output.put("bytes", bytes);
        output.put("content_type", VIDEO_CONTENT_TYPE);
        return finish(record, current, output, lastCheck(check), now);
    }

    /** The API says the job failed: its {@code error} is kept, as {@code {code, message}} at least. */
    ObjectNode failed(ObjectNode current, ObjectNode job, String jobId, int check, Instant now) {
        ObjectNode record = merged(current, job, jobId);
        record.put("status", JobStatus.FAILED);
        record.set("error", jobError(job.get("error")));
        return finish(record, current, null, lastCheck(check), now);
    }

    /** The API refused the status check itself (the job is unknown to it, say). */
    ObjectNode failedHttp(ObjectNode current, String jobId, int check, String code, String message, int httpStatus,
            Instant now) {
        ObjectNode record = merged(current, mapper.createObjectNode(), jobId);
        record.put("status", JobStatus.FAILED);
        ObjectNode error = error(code, message);
        if (httpStatus > 0) {
            error.put("http_status", httpStatus);
        }
        record.set("error", error);
        return finish(record, current, null, lastCheck(check), now);
    }

    /** The job did not finish in time; {@code job} is the last answer, or null when there was none. */
    ObjectNode expired(ObjectNode current, ObjectNode job, String jobId, int check, String message, Instant now) {
        ObjectNode record = merged(current, job == null ? mapper.createObjectNode() : job, jobId);
        record.put("status", JobStatus.EXPIRED);
        record.set("error", error("expired", message));
        return finish(record, current, null, lastCheck(check), now);
    }

    /** Earlier answers' fields, overwritten by the latest answer's; the id stays the one the record follows. */
    private ObjectNode merged(ObjectNode current, ObjectNode job, String jobId) {
        ObjectNode record = mapper.createObjectNode();
        copyApiFields(current, record);
        copyApiFields(job, record);
        record.put("id", jobId);
        return record;
    }

    private static void copyApiFields(ObjectNode from, ObjectNode to) {
        for (Map.Entry<String, JsonNode> field : from.properties()) {
            if (!OURS.contains(field.getKey())) {
                to.set(field.getKey(), field.getValue().deepCopy());
            }
        }
    }

    private ObjectNode finish(ObjectNode record, ObjectNode current, ObjectNode output, ObjectNode poll,
            Instant now) {
        for (String field : KEPT) {
            if (current.has(field)) {
                record.set(field, current.get(field).deepCopy());
            }
        }
        if (output != null) {
            record.set("output", output);
        }
        record.set("poll", poll);
        record.put("updated_at", JobRecords.timestamp(now));
        return record;
    }

    private ObjectNode lastCheck(int check) {
        ObjectNode poll = mapper.createObjectNode();
        poll.put("checks", check);
        return poll;
    }

    /** The API's error as it sent it when it is {@code {code, message}}; otherwise made into that shape. */
    private ObjectNode jobError(JsonNode apiError) {
        if (apiError instanceof ObjectNode object && object.path("code").isTextual()
                && object.path("message").isTextual()) {
            return object.deepCopy();
        }
        ObjectNode error = apiError instanceof ObjectNode object ? object.deepCopy() : mapper.createObjectNode();
        String code = text(apiError == null ? null : apiError.get("code"));
        String message = apiError != null && apiError.isTextual() ? apiError.textValue()
                : text(apiError == null ? null : apiError.get("message"));
        error.put("code", code == null ? "job_failed" : code);
        error.put("message", message == null ? "The video API reported the job as failed without saying why." : message);
        return error;
    }

    private ObjectNode error(String code, String message) {
        ObjectNode error = mapper.createObjectNode();
        error.put("code", code);
        error.put("message", message);
        return error;
    }

    private static String text(JsonNode node) {
        return node == null || node.isNull() ? null : node.isTextual() ? node.textValue() : node.toString();
    }
}
