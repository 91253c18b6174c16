package io.s3imagetovideo.support;

import static com.github.tomakehurst.wiremock.client.WireMock.aMultipart;
import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.equalTo;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.matching;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The video host as WireMock plays it: requests matched the way the host checks them (the bearer
 * key, the multipart fields, the file part's name and type), answers in the shapes it sends. The job
 * and error shapes are OpenAI's Videos API as the seed's reseller documented it (docs/contract.md,
 * "The flow").
 */
public final class HostStubs {

    public static final String API_KEY = "sk-test-4f1c9e2a7b";
    public static final String JOB_ID = "video_3fbdeb24-27db-422b-8bf3-5feb8acbc6a1";
    public static final String JOB_JSON = """
            {"id":"%s","object":"video","model":"sora-2","status":"queued","progress":0,\
            "created_at":1761623154,"seconds":"10","size":"720x1280"}""".formatted(JOB_ID);

    private static final ObjectMapper JSON = new ObjectMapper();

    private HostStubs() {}

    /** {@code POST /v1/videos} as a real host accepts it: with the key, the fields and a named image part. */
    public static MappingBuilder strictCreate() {
        return post(urlPathEqualTo("/v1/videos"))
                .atPriority(1)
                .withHeader("Authorization", equalTo("Bearer " + API_KEY))
                .withHeader("Content-Type", matching("multipart/form-data; ?boundary=.+"))
                .withMultipartRequestBody(aMultipart().withName("model"))
                .withMultipartRequestBody(aMultipart().withName("prompt"))
                .withMultipartRequestBody(aMultipart().withName("input_reference")
                        .withHeader("Content-Disposition", matching(".*filename=\"[^\"]+\".*"))
                        .withHeader("Content-Type", matching("image/(png|jpeg|webp)")));
    }

    /** What a real host says to a create request that lacks the key, a field or the file's name. */
    public static MappingBuilder anyOtherCreate() {
        return post(urlPathEqualTo("/v1/videos")).atPriority(10)
                .willReturn(openAiError(400, "invalid_request", "stub: request lacks a required field or header"));
    }

    /** {@code GET /v1/videos/{id}} as a real host answers it: only with the bearer key. */
    public static MappingBuilder statusOf(String jobId) {
        return get(urlPathEqualTo("/v1/videos/" + jobId)).withHeader("Authorization", equalTo("Bearer " + API_KEY));
    }

    public static MappingBuilder contentOf(String jobId) {
        return get(urlPathEqualTo("/v1/videos/" + jobId + "/content"))
                .withHeader("Authorization", equalTo("Bearer " + API_KEY));
    }

    public static ResponseDefinitionBuilder jobAccepted() {
        return json(JOB_JSON);
    }

    /** The job of {@link #JOB_JSON} with another status and progress, and any further fields. */
    public static String job(String status, int progress, String... extraFields) {
        ObjectNode job = (ObjectNode) read(JOB_JSON);
        job.put("status", status);
        job.put("progress", progress);
        for (int i = 0; i + 1 < extraFields.length; i += 2) {
            job.put(extraFields[i], extraFields[i + 1]);
        }
        return job.toString();
    }

    public static ResponseDefinitionBuilder json(String body) {
        return aResponse().withStatus(200).withHeader("Content-Type", "application/json").withBody(body);
    }

    public static ResponseDefinitionBuilder video(byte[] bytes) {
        return aResponse().withStatus(200).withHeader("Content-Type", "video/mp4").withBody(bytes);
    }

    /** OpenAI's error envelope. */
    public static ResponseDefinitionBuilder openAiError(int status, String code, String message) {
        return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                .withBody("{\"error\":{\"message\":\"" + message + "\",\"type\":\"invalid_request_error\","
                        + "\"param\":null,\"code\":\"" + code + "\"}}");
    }

    public static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
