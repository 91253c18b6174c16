package io.s3imagetovideo.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.s3imagetovideo.sidecar.VideoRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The host's video jobs: {@code POST /v1/videos} creates one, {@code POST /v1/videos/{id}/remix} makes
 * one from a finished job's video and a new prompt, {@code GET /v1/videos/{id}} reads one.
 */
public final class VideoJobs {

    private final Retrying retrying;
    private final ObjectMapper mapper;

    public VideoJobs(Retrying retrying, ObjectMapper mapper) {
        this.retrying = retrying;
        this.mapper = mapper;
    }

    /**
     * Creates a job. Every attempt carries the same {@code Idempotency-Key}, so that a host that honours
     * it never creates a second job for one upload. A 2xx without a job is a {@link ApiError.BadAnswer}:
     * the host may have made a job we cannot identify, so it is not asked again.
     */
    public ApiResult<ObjectNode> create(VideoRequest request, ImagePart image, String idempotencyKey,
            Instant deadline) {
        String boundary = CreateForm.newBoundary();
        ApiRequest post = new ApiRequest("create_video", "POST", retrying.transport().endpoint("/v1/videos"),
                Map.of("Content-Type", CreateForm.contentType(boundary), "Idempotency-Key", idempotencyKey,
                        "Accept", "application/json"),
                () -> CreateForm.of(request, image, boundary), true);
        return createCall(post, deadline);
    }

    /**
     * Asks for a new job from the video of the finished job {@code jobId} and a new prompt: OpenAI's
     * {@code {"prompt": ...}} as JSON, which is what LiteLLM and new-api read there too. A host without
     * remix answers 404 or a "not supported" error: a {@link ApiError.Refused}.
     */
    public ApiResult<ObjectNode> remix(String jobId, String prompt, String idempotencyKey, Instant deadline) {
        byte[] body;
        try {
            body = mapper.writeValueAsBytes(mapper.createObjectNode().put("prompt", prompt));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ApiRequest post = new ApiRequest("remix_video", "POST",
                retrying.transport().endpoint("/v1/videos/" + PathSegment.encode(jobId) + "/remix"),
                Map.of("Content-Type", "application/json", "Idempotency-Key", idempotencyKey,
                        "Accept", "application/json"),
                () -> java.net.http.HttpRequest.BodyPublishers.ofByteArray(body), true);
        return createCall(post, deadline);
    }

    private ApiResult<ObjectNode> createCall(ApiRequest post, Instant deadline) {
        return retrying.call(post, HttpResponse.BodyHandlers.ofByteArray(), answered -> {
            ApiAnswer answer = retrying.transport().read(answered);
            if (!answer.isSuccess()) {
                return new Retrying.Reading.Error<>(retrying.errors().classify(answer));
            }
            return jobWithId(answer).<Retrying.Reading<ObjectNode>>map(Retrying.Reading.Value::new)
                    .orElseGet(() -> new Retrying.Reading.Error<>(
                            retrying.errors().badAnswer(answer, "a JSON job object holding an 'id'")));
        }, deadline);
    }

    /**
     * The job as the host describes it now. A 2xx without a job is a proxy's hiccup more likely than a
     * broken host: {@link ApiError.Transient}, worth another look later.
     */
    public ApiResult<ObjectNode> retrieve(String jobId, Instant deadline) {
        URI uri = retrying.transport().endpoint("/v1/videos/" + PathSegment.encode(jobId));
        ApiRequest get = new ApiRequest("get_video", "GET", uri, Map.of("Accept", "application/json"),
                java.net.http.HttpRequest.BodyPublishers::noBody, true);
        return retrying.call(get, HttpResponse.BodyHandlers.ofByteArray(), answered -> {
            ApiAnswer answer = retrying.transport().read(answered);
            if (!answer.isSuccess()) {
                // vLLM-Omni reads a failed job with HTTP 500 and the job itself as the body (its
                // retrieve_video route; docs/contract.md, "Hosts"): that is the job's state, not a fault.
                Optional<ObjectNode> job = jobWithStatus(answer).filter(j -> j.path("id").isTextual());
                return job.<Retrying.Reading<ObjectNode>>map(Retrying.Reading.Value::new)
                        .orElseGet(() -> new Retrying.Reading.Error<>(retrying.errors().classify(answer)));
            }
            return jobWithStatus(answer).<Retrying.Reading<ObjectNode>>map(Retrying.Reading.Value::new)
                    .orElseGet(() -> new Retrying.Reading.Error<>(new ApiError.Transient(answer.status(),
                            "invalid_response", "The video API answered HTTP " + answer.status()
                                    + " without a JSON job object holding a 'status'.", Optional.empty())));
        }, deadline);
    }

    private Optional<ObjectNode> jobWithId(ApiAnswer answer) {
        return object(answer).filter(job -> job.path("id").isTextual() && !job.path("id").textValue().isBlank());
    }

    private Optional<ObjectNode> jobWithStatus(ApiAnswer answer) {
        return object(answer).filter(job -> job.path("status").isTextual());
    }

    private Optional<ObjectNode> object(ApiAnswer answer) {
        try {
            return mapper.readTree(answer.body()) instanceof ObjectNode job ? Optional.of(job) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
