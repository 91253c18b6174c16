package io.s3imagetovideo.submit;

import static io.s3imagetovideo.support.FunctionHarness.API_KEY;
import static io.s3imagetovideo.support.FunctionHarness.JOB_ID;
import static io.s3imagetovideo.support.FunctionHarness.jobAccepted;
import static io.s3imagetovideo.support.FunctionHarness.openAiError;
import static io.s3imagetovideo.support.FunctionHarness.failedIds;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import io.s3imagetovideo.support.Events;
import io.s3imagetovideo.support.FitImages;
import io.s3imagetovideo.support.FunctionHarness;
import io.s3imagetovideo.support.Images;
import io.s3imagetovideo.support.SqsEvents;
import io.s3imagetovideo.support.S3Backend;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The submit function's behaviour (issue "Submit function"), run against whichever real S3 server a
 * subclass provides. Events are S3 notifications through the Lambda runtime's own serializers.
 */
abstract class SubmitFunctionContract {

    static final String PROMPT = "{\"prompt\": \"Let the cow happily take the driving test\", \"seconds\": \"10\","
            + " \"size\": \"720x1280\", \"watermark\": false, \"private\": true, \"extra\": {\"style\": \"comic\"}}";

    protected FunctionHarness h;

    protected abstract S3Backend backend();

    @BeforeEach
    void start() {
        h = new FunctionHarness(backend());
    }

    @AfterEach
    void stop() {
        h.close();
    }

    // --- the pair, from the event files in events/ --------------------------------------------

    @Test
    void submitsOncePairIsCompleteWhenImageArrivesLastUsingEventFile() {
        // Given the bucket and keys of events/sqs-s3-put-image.json, a key with a space, a '+' and Chinese
        FunctionHarness fh = new FunctionHarness(backend(), Events.bucketOf("sqs-s3-put-image.json"));
        try {
            fh.stubCreate(jobAccepted());
            String image = "in box/场景 1+x.png";
            fh.put("in box/场景 1+x.prompt.json", PROMPT);
            // Already the requested size: the bytes are sent untouched.
            byte[] png = Images.png(720, 1280);
            fh.put(image, png);

            // When the image's event (the one from events/) arrives last
            fh.invoke(Events.load("sqs-s3-put-image.json"));

            // Then exactly one POST with every field, the image bytes, its name and its type
            assertThat(fh.posts()).hasSize(1);
            LoggedRequest post = fh.posts().get(0);
            assertThat(post.getHeader("Authorization")).isEqualTo("Bearer " + API_KEY);
            Map<String, String> fields = textFields(post);
            assertThat(fields).containsEntry("model", "sora-2")
                    .containsEntry("prompt", "Let the cow happily take the driving test")
                    .containsEntry("seconds", "10")
                    .containsEntry("size", "720x1280")
                    .containsEntry("watermark", "false")
                    .containsEntry("private", "true")
                    .containsEntry("style", "comic");
            Request.Part file = post.getPart("input_reference");
            assertThat(file.getHeader("Content-Type").firstValue()).isEqualTo("image/png");
            assertThat(file.getHeader("Content-Disposition").firstValue()).contains("filename=\"场景 1+x.png\"");
            assertThat(file.getBody().asBytes()).isEqualTo(png);

            // And the record next to the image holds the API's job and where it came from
            JsonNode record = fh.record("in box/场景 1+x.video.json").orElseThrow();
            assertThat(record.path("id").asText()).isEqualTo(JOB_ID);
            assertThat(record.path("status").asText()).isEqualTo("queued");
            assertThat(record.path("object").asText()).isEqualTo("video");
            assertThat(record.path("created_at").asLong()).isEqualTo(1761623154L);
            assertThat(record.path("source").path("image").asText()).isEqualTo(image);
            assertThat(record.path("source").path("prompt").asText()).isEqualTo("in box/场景 1+x.prompt.json");
            assertThat(record.path("source").path("image_etag").asText()).isNotBlank().doesNotContain("\"");
            assertThat(record.path("request").path("private").asText()).isEqualTo("true");
            assertThat(record.path("submitted_at").asText()).isEqualTo("2026-11-24T10:00:00Z");
            assertThat(record.path("updated_at").asText()).isEqualTo("2026-11-24T10:00:00Z");
            assertThat(fh.contentType("in box/场景 1+x.video.json")).startsWith("application/json");
            assertThat(record.toString()).doesNotContain(API_KEY);
        } finally {
            fh.close();
        }
    }

    @Test
    void submitsWhenPromptArrivesLastUsingEventFile() {
        FunctionHarness fh = new FunctionHarness(backend(), Events.bucketOf("sqs-s3-put-prompt.json"));
        try {
            fh.stubCreate(jobAccepted());
            fh.put("in box/场景 1+x.png", Images.png(16, 16));
            // The image's own event came first and found no prompt yet
            fh.invoke(fh.eventFor("in box/场景 1+x.png"));
            assertThat(fh.record("in box/场景 1+x.video.json").orElseThrow().path("status").asText()).isEqualTo("waiting");
            assertThat(fh.posts()).isEmpty();

            fh.put("in box/场景 1+x.prompt.json", PROMPT);
            fh.invoke(Events.load("sqs-s3-put-prompt.json"));

            assertThat(fh.posts()).hasSize(1);
            JsonNode record = fh.record("in box/场景 1+x.video.json").orElseThrow();
            assertThat(record.path("status").asText()).isEqualTo("queued");
            assertThat(record.has("missing")).isFalse();
        } finally {
            fh.close();
        }
    }

    @Test
    void writesWaitingRecordNamingTheMissingPrompt() {
        h.put("scene.png", Images.png(8, 8));

        h.invoke(h.eventFor("scene.png"));

        JsonNode record = h.record("scene.video.json").orElseThrow();
        assertThat(record.path("status").asText()).isEqualTo("waiting");
        assertThat(record.path("missing").asText()).isEqualTo("prompt");
        assertThat(record.path("source").path("image").asText()).isEqualTo("scene.png");
        assertThat(h.posts()).isEmpty();
    }

    @Test
    void writesWaitingRecordNamingTheMissingImage() {
        h.put("a/b/scene.prompt.json", PROMPT);

        h.invoke(h.eventFor("a/b/scene.prompt.json"));

        JsonNode record = h.record("a/b/scene.video.json").orElseThrow();
        assertThat(record.path("status").asText()).isEqualTo("waiting");
        assertThat(record.path("missing").asText()).isEqualTo("image");
        assertThat(h.posts()).isEmpty();
    }

    @ParameterizedTest(name = "{0} sent as {1}")
    @CsvSource({"shot.PNG, image/png", "shot.jpg, image/jpeg", "shot.JPEG, image/jpeg", "shot.webp, image/webp",
            "shot.Png, image/png"})
    void submitsEveryImageTypeWithItsRealContentType(String imageKey, String contentType) {
        h.stubCreate(jobAccepted());
        byte[] bytes = switch (contentType) {
            case "image/png" -> Images.png(10, 10);
            case "image/jpeg" -> Images.jpeg(10, 10);
            default -> Images.webp();
        };
        h.put("shot.prompt.json", "{\"prompt\": \"waves\", \"fit\": \"none\"}");
        h.put(imageKey, bytes);

        h.invoke(h.eventFor(imageKey));

        assertThat(h.posts()).hasSize(1);
        Request.Part file = h.posts().get(0).getPart("input_reference");
        assertThat(file.getHeader("Content-Type").firstValue()).isEqualTo(contentType);
        assertThat(file.getHeader("Content-Disposition").firstValue()).contains("filename=\"" + imageKey + "\"");
        assertThat(h.record("shot.video.json").orElseThrow().path("status").asText()).isEqualTo("queued");
    }

    @Test
    void sendsTheContentTypeOfTheBytesNotOfTheExtension() {
        h.stubCreate(jobAccepted());
        h.put("mislabelled.prompt.json", PROMPT);
        h.put("mislabelled.png", Images.jpeg(10, 10));

        h.invoke(h.eventFor("mislabelled.png"));

        assertThat(h.posts().get(0).getPart("input_reference").getHeader("Content-Type").firstValue())
                .isEqualTo("image/jpeg");
    }

    @Test
    void appliesDefaultsFromTheEnvironmentForFieldsTheSidecarLeavesOut() {
        h.env("DEFAULT_MODEL", "sora-2-pro").env("DEFAULT_SECONDS", "15").env("DEFAULT_SIZE", "1792x1024")
                .env("DEFAULT_WATERMARK", "true").env("DEFAULT_PRIVATE", "false");
        h.stubCreate(jobAccepted());
        h.put("d.prompt.json", "{\"prompt\": \"waves\"}");
        h.put("d.webp", Images.webp());

        h.invoke(h.eventFor("d.prompt.json"));

        assertThat(textFields(h.posts().get(0))).containsEntry("model", "sora-2-pro").containsEntry("seconds", "15")
                .containsEntry("size", "1792x1024").containsEntry("watermark", "true").containsEntry("private", "false");
        JsonNode request = h.record("d.video.json").orElseThrow().path("request");
        assertThat(request.path("model").asText()).isEqualTo("sora-2-pro");
        assertThat(request.path("watermark").asText()).isEqualTo("true");
    }

    @Test
    void postsToTheBaseUrlPathWhenTheBaseCarriesOne() {
        h.env("VIDEO_API_BASE_URL", h.api.baseUrl() + "/openai-proxy/");
        h.api.stubFor(com.github.tomakehurst.wiremock.client.WireMock.post(
                com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo("/openai-proxy/v1/videos"))
                .willReturn(jobAccepted()));
        h.put("p.prompt.json", PROMPT);
        h.put("p.png", Images.png(4, 4));

        h.invoke(h.eventFor("p.png"));

        assertThat(h.record("p.video.json").orElseThrow().path("id").asText()).isEqualTo(JOB_ID);
    }

    // --- the image fitted to the size ---------------------------------------------------------

    /** A phone photo's size, 3024x4032, encoded once: twelve megapixels take a moment. */
    private static byte[] phonePhoto;

    static synchronized byte[] phonePhoto() {
        if (phonePhoto == null) {
            phonePhoto = FitImages.jpeg(FitImages.picture(3024, 4032));
        }
        return phonePhoto;
    }

    @Test
    void coverBringsAPhonePhotoToTheRequestedSizeBeforeSendingIt() {
        h.stubCreate(jobAccepted());
        h.put("IMG_0001.prompt.json", "{\"prompt\": \"waves\", \"size\": \"720x1280\", \"fit\": \"cover\"}");
        h.put("IMG_0001.jpg", phonePhoto());

        h.invoke(h.eventFor("IMG_0001.jpg"));

        assertThat(h.posts()).hasSize(1);
        Request.Part file = h.posts().get(0).getPart("input_reference");
        assertThat(file.getHeader("Content-Type").firstValue()).isEqualTo("image/jpeg");
        assertThat(file.getHeader("Content-Disposition").firstValue()).contains("filename=\"IMG_0001.jpg\"");
        BufferedImage sent = FitImages.decode(file.getBody().asBytes());
        assertThat(sent.getWidth()).isEqualTo(720);
        assertThat(sent.getHeight()).isEqualTo(1280);
        Color centre = new Color(sent.getRGB(360, 640));
        assertThat(centre.getGreen()).as("the green centre of the photo, in %s", centre).isGreaterThan(200);
        assertThat(centre.getRed() + centre.getBlue()).as("the green centre of the photo, in %s", centre).isLessThan(60);
        assertThat(textFields(h.posts().get(0))).containsEntry("size", "720x1280");
        assertThat(h.record("IMG_0001.video.json").orElseThrow().path("status").asText()).isEqualTo("queued");
    }

    @Test
    void fitNoneSendsThePhotoAsItIsAndRecordsTheApisRefusal() {
        h.stubCreate(openAiError(400, "invalid_value", "Inpaint image must match the requested width and height"));
        h.put("IMG_0002.prompt.json", "{\"prompt\": \"waves\", \"size\": \"720x1280\", \"fit\": \"none\"}");
        h.put("IMG_0002.jpg", phonePhoto());

        h.invoke(h.eventFor("IMG_0002.jpg"));

        assertThat(h.posts()).hasSize(1);
        assertThat(h.posts().get(0).getPart("input_reference").getBody().asBytes()).isEqualTo(phonePhoto());
        JsonNode record = h.record("IMG_0002.video.json").orElseThrow();
        assertThat(record.path("status").asText()).isEqualTo("failed");
        assertThat(record.path("error").path("message").asText())
                .isEqualTo("Inpaint image must match the requested width and height");
        assertThat(record.path("error").path("code").asText()).isEqualTo("invalid_value");
        assertThat(record.path("error").path("http_status").asInt()).isEqualTo(400);
    }

    @Test
    void sendsAFittedWebpAsPngNamedAfterIt() {
        h.stubCreate(jobAccepted());
        h.put("scene.prompt.json", "{\"prompt\": \"waves\", \"size\": \"1280x720\", \"fit\": \"contain\","
                + " \"background\": \"#ffffff\"}");
        h.put("scene.webp", FitImages.webp(FitImages.picture(300, 400)));

        h.invoke(h.eventFor("scene.webp"));

        Request.Part file = h.posts().get(0).getPart("input_reference");
        assertThat(file.getHeader("Content-Type").firstValue()).isEqualTo("image/png");
        assertThat(file.getHeader("Content-Disposition").firstValue()).contains("filename=\"scene.png\"");
        BufferedImage sent = FitImages.decode(file.getBody().asBytes());
        assertThat(sent.getWidth()).isEqualTo(1280);
        assertThat(sent.getHeight()).isEqualTo(720);
        assertThat(new Color(sent.getRGB(20, 360))).isEqualTo(Color.WHITE);
    }

    @Test
    void appliesTheDefaultFitFromTheEnvironment() {
        h.env("DEFAULT_FIT", "none");
        h.stubCreate(jobAccepted());
        byte[] small = Images.png(10, 10);
        h.put("small.prompt.json", "{\"prompt\": \"waves\"}");
        h.put("small.png", small);

        h.invoke(h.eventFor("small.png"));

        assertThat(h.posts().get(0).getPart("input_reference").getBody().asBytes()).isEqualTo(small);
    }

    @Test
    void rejectsAnImageClaimingTooManyPixelsWithoutDecodingOrCallingTheApi() {
        h.stubCreate(jobAccepted());
        h.put("bomb.prompt.json", PROMPT);
        h.put("bomb.png", FitImages.forgedPngHeader(100_000, 100_000));

        h.invoke(h.eventFor("bomb.png"));

        JsonNode record = h.record("bomb.video.json").orElseThrow();
        assertThat(record.path("status").asText()).isEqualTo("rejected");
        assertThat(record.path("error").path("code").asText()).isEqualTo("image_dimensions_too_large");
        assertThat(record.path("error").path("message").asText()).startsWith("'bomb.png' is 100000x100000 pixels")
                .contains("MAX_IMAGE_PIXELS");
        assertThat(h.posts()).isEmpty();
    }

    @Test
    void rejectsAnImageWhoseHeaderIsCutShort() {
        h.stubCreate(jobAccepted());
        h.put("cut.prompt.json", PROMPT);
        h.put("cut.png", Arrays.copyOf(Images.png(64, 64), 20));

        h.invoke(h.eventFor("cut.png"));

        JsonNode record = h.record("cut.video.json").orElseThrow();
        assertThat(record.path("error").path("code").asText()).isEqualTo("invalid_image");
        assertThat(record.path("error").path("message").asText()).contains("'cut.png'").contains("header");
        assertThat(h.posts()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "invalid_fit        | {\"prompt\": \"cow\", \"fit\": \"crop\"}             | Did you mean 'cover'?",
        "invalid_background | {\"prompt\": \"cow\", \"background\": \"black\"}     | Did you mean '#000000'?",
    })
    void rejectsBadFitOrBackgroundWithoutCallingTheApi(String code, String sidecar, String hint) {
        h.stubCreate(jobAccepted());
        h.put("bad.png", Images.png(4, 4));
        h.put("bad.prompt.json", sidecar);

        h.invoke(h.eventFor("bad.prompt.json"));

        JsonNode record = h.record("bad.video.json").orElseThrow();
        assertThat(record.path("status").asText()).isEqualTo("rejected");
        assertThat(record.path("error").path("code").asText()).isEqualTo(code);
        assertThat(record.path("error").path("message").asText()).contains(hint);
        assertThat(h.posts()).isEmpty();
    }

    // --- what is not ours -----------------------------------------------------------------------

    @ParameterizedTest
    @CsvSource({"scene.video.json", "scene.mp4", "notes.txt", "scene.json", "folder/", "scene.prompt.json.bak"})
    void ignoresKeysThatAreNeitherImageNorSidecar(String key) {
        h.stubCreate(jobAccepted());
        h.put("scene.png", Images.png(4, 4));
        h.put("scene.prompt.json", PROMPT);
        h.put(key, "{}");
        List<String> before = h.keys();

        var response = h.invoke(h.eventFor(key));

        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(h.keys()).isEqualTo(before);
        assertThat(h.posts()).isEmpty();
    }

    @Test
    void ignoresObjectRemovedEvents() {
        h.put("gone.png", Images.png(4, 4));
        SQSEvent event = SqsEvents.ofBody(Events.notificationJson(List.of(
                new Events.Put(h.bucket, "gone.png", 10, "x"))).replace("ObjectCreated:Put", "ObjectRemoved:Delete"));

        assertThat(h.invoke(event).getBatchItemFailures()).isEmpty();

        assertThat(h.record("gone.video.json")).isEmpty();
    }

    @Test
    void handlesEveryRecordOfAnEvent() {
        h.stubCreate(jobAccepted());
        h.put("one.png", Images.png(4, 4));
        h.put("one.prompt.json", PROMPT);
        h.put("two.png", Images.png(4, 4));
        var one = h.s3.headObject(b -> b.bucket(h.bucket).key("one.png"));
        var two = h.s3.headObject(b -> b.bucket(h.bucket).key("two.png"));

        h.invoke(Events.objectCreated(List.of(
                new Events.Put(h.bucket, "one.png", one.contentLength(), one.eTag()),
                new Events.Put(h.bucket, "two.png", two.contentLength(), two.eTag()))));

        assertThat(h.record("one.video.json").orElseThrow().path("status").asText()).isEqualTo("queued");
        assertThat(h.record("two.video.json").orElseThrow().path("status").asText()).isEqualTo("waiting");
    }

    @Test
    void decodesKeysWithEscapedSlashesAndPlusSigns() {
        h.stubCreate(jobAccepted());
        h.put("dir one/a+b é.png", Images.png(4, 4));
        h.put("dir one/a+b é.prompt.json", PROMPT);
        var head = h.s3.headObject(b -> b.bucket(h.bucket).key("dir one/a+b é.png"));
        String json = Events.notificationJson(List.of(new Events.Put(h.bucket, "dir one/a+b é.png",
                head.contentLength(), head.eTag()))).replace("dir+one/", "dir+one%2F");

        h.invoke(SqsEvents.ofBody(json));

        assertThat(h.posts()).hasSize(1);
        assertThat(h.record("dir one/a+b é.video.json")).isPresent();
    }

    // --- wrong input: recorded, never sent, never retried ------------------------------------

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "invalid_json      | `{\"prompt\": \"cow\",\n  \"seconds\": 10,,}`  | line 2",
        "missing_prompt    | {\"seconds\": \"10\"}                        | 'prompt' is missing",
        "missing_prompt    | {\"prompt\": \"   \"}                         | blank",
        "unknown_field     | {\"promt\": \"cow\"}                          | Did you mean 'prompt'",
        "invalid_size      | {\"prompt\": \"cow\", \"size\": \"1080x1920\"}  | 720x1280",
        "invalid_seconds   | {\"prompt\": \"cow\", \"seconds\": \"ten\"}     | positive whole number",
        "invalid_seconds   | {\"prompt\": \"cow\", \"seconds\": -5}         | positive whole number",
        "invalid_seconds   | {\"prompt\": \"cow\", \"seconds\": 2.5}        | positive whole number",
        "invalid_watermark | {\"prompt\": \"cow\", \"watermark\": \"yes\"}   | true or false",
        "invalid_private   | {\"prompt\": \"cow\", \"private\": 1}          | true or false",
        "invalid_extra     | {\"prompt\": \"cow\", \"extra\": {\"n\": 3}}    | must be a string",
        "invalid_json      | [\"cow\"]                                    | JSON object",
    })
    void rejectsBadSidecarWithoutCallingTheApi(String code, String sidecar, String hint) {
        h.stubCreate(jobAccepted());
        h.put("bad.png", Images.png(4, 4));
        h.put("bad.prompt.json", sidecar);

        h.invoke(h.eventFor("bad.prompt.json"));

        JsonNode record = h.record("bad.video.json").orElseThrow();
        assertThat(record.path("status").asText()).isEqualTo("rejected");
        assertThat(record.path("error").path("code").asText()).isEqualTo(code);
        assertThat(record.path("error").path("message").asText()).contains(hint).contains("bad.prompt.json");
        assertThat(record.has("id")).isFalse();
        assertThat(h.posts()).isEmpty();
    }

    @Test
    void rejectsBytesThatAreNoImageWhateverTheExtension() {
        h.stubCreate(jobAccepted());
        h.put("fake.png", "GIF89a this is not what it says".getBytes(StandardCharsets.US_ASCII));
        h.put("fake.prompt.json", PROMPT);

        h.invoke(h.eventFor("fake.png"));

        JsonNode record = h.record("fake.video.json").orElseThrow();
        assertThat(record.path("status").asText()).isEqualTo("rejected");
        assertThat(record.path("error").path("code").asText()).isEqualTo("invalid_image");
        assertThat(record.path("error").path("message").asText()).contains("fake.png").contains("PNG, JPEG or WebP");
        assertThat(h.posts()).isEmpty();
    }

    @Test
    void rejectsImageOverTheSizeLimitFromItsListedSize() {
        h.env("MAX_IMAGE_BYTES", "100");
        h.stubCreate(jobAccepted());
        h.put("big.png", Images.png(64, 64));
        h.put("big.prompt.json", PROMPT);

        h.invoke(h.eventFor("big.png"));

        JsonNode record = h.record("big.video.json").orElseThrow();
        assertThat(record.path("error").path("code").asText()).isEqualTo("image_too_large");
        assertThat(record.path("error").path("message").asText()).contains("MAX_IMAGE_BYTES").contains("100");
        assertThat(h.posts()).isEmpty();
    }

    @Test
    void rejectsTwoImagesWithOneNameNamingBoth() {
        h.stubCreate(jobAccepted());
        h.put("twin.png", Images.png(4, 4));
        h.put("twin.JPG", Images.jpeg(4, 4));
        h.put("twin.prompt.json", PROMPT);

        h.invoke(h.eventFor("twin.prompt.json"));

        JsonNode record = h.record("twin.video.json").orElseThrow();
        assertThat(record.path("status").asText()).isEqualTo("rejected");
        assertThat(record.path("error").path("code").asText()).isEqualTo("ambiguous_image");
        assertThat(record.path("error").path("message").asText()).contains("twin.png").contains("twin.JPG");
        assertThat(h.posts()).isEmpty();
    }

    @Test
    void doesNotMistakeAnotherNameWithTheSamePrefixForATwin() {
        h.stubCreate(jobAccepted());
        h.put("cat.png", Images.png(4, 4));
        h.put("cat.v2.png", Images.png(4, 4));
        h.put("cat.prompt.json", PROMPT);

        h.invoke(h.eventFor("cat.png"));

        assertThat(h.record("cat.video.json").orElseThrow().path("status").asText()).isEqualTo("queued");
    }

    // --- the API's answers ----------------------------------------------------------------------

    @Test
    void recordsTheApisRefusalAsFailedAndSucceeds() {
        h.stubCreate(openAiError(400, "invalid_value", "Inpaint image must match the requested width and height"));
        h.put("r.png", Images.png(4, 4));
        h.put("r.prompt.json", PROMPT);

        var response = h.invoke(h.eventFor("r.png"));

        JsonNode record = h.record("r.video.json").orElseThrow();
        assertThat(response.getBatchItemFailures()).isEmpty();
        assertThat(record.path("status").asText()).isEqualTo("failed");
        assertThat(record.path("error").path("message").asText())
                .isEqualTo("Inpaint image must match the requested width and height");
        assertThat(record.path("error").path("code").asText()).isEqualTo("invalid_value");
        assertThat(record.path("error").path("http_status").asInt()).isEqualTo(400);
        assertThat(record.path("request").path("size").asText()).isEqualTo("720x1280");
        assertThat(h.posts()).hasSize(1);
    }

    @Test
    void reportsTheMessageAsFailedWhenTheApiStaysUnavailable() {
        h.env("VIDEO_API_MAX_ATTEMPTS", "2");
        h.stubCreate(openAiError(503, "overloaded", "try later"));
        h.put("t.png", Images.png(4, 4));
        h.put("t.prompt.json", PROMPT);
        SQSEvent event = h.eventFor("t.png");

        assertThat(failedIds(h.invoke(event))).containsExactly(event.getRecords().get(0).getMessageId());

        JsonNode record = h.record("t.video.json").orElseThrow();
        assertThat(record.path("status").asText()).isEqualTo("submitting");
        assertThat(record.path("error").path("http_status").asInt()).isEqualTo(503);
        assertThat(h.posts()).hasSize(2);
    }

    static Map<String, String> textFields(LoggedRequest request) {
        Map<String, String> fields = new LinkedHashMap<>();
        for (Request.Part part : request.getParts()) {
            if (!part.getName().equals("input_reference")) {
                fields.put(part.getName(), part.getBody().asString());
            }
        }
        return fields;
    }
}
