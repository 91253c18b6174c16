package io.s3imagetovideo.hosts;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.fasterxml.jackson.databind.JsonNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.client.MappingBuilder;
import com.github.tomakehurst.wiremock.client.ResponseDefinitionBuilder;
import com.github.tomakehurst.wiremock.client.ScenarioMappingBuilder;
import com.github.tomakehurst.wiremock.http.HttpHeader;
import com.github.tomakehurst.wiremock.http.Request;
import com.github.tomakehurst.wiremock.matching.MatchResult;
import com.github.tomakehurst.wiremock.matching.ValueMatcher;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import io.s3imagetovideo.api.ApiKeySource;
import io.s3imagetovideo.config.Secret;
import io.s3imagetovideo.poll.PollHandler;
import io.s3imagetovideo.submit.SubmitHandler;
import io.s3imagetovideo.support.FunctionHarness;
import io.s3imagetovideo.support.Images;
import io.s3imagetovideo.support.SqsEvents;
import io.s3imagetovideo.support.TestContext;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import software.amazon.awssdk.services.sqs.model.Message;

/**
 * What the four conformance suites share: request checks WireMock has no matcher for (the bearer key
 * as a host compares it, a form field's kind, the picture inside it), the path an id travels in, and
 * the steps that drive both functions.
 */
final class HostConformance {

    static final String NAME = "in/scene";
    static final String IMAGE = NAME + ".png";
    static final String PROMPT_FILE = NAME + ".prompt.json";
    static final String RECORD = NAME + ".video.json";
    static final String VIDEO = NAME + ".mp4";

    private HostConformance() {}

    // --- request checks ----------------------------------------------------------------------------

    /** {@code Authorization: <scheme> <key>}, the scheme compared as the host compares it. */
    static boolean bearerIs(Request request, String key, boolean anySchemeCase) {
        String header = request.getHeader("Authorization");
        if (header == null) {
            return false;
        }
        int space = header.indexOf(' ');
        if (space <= 0) {
            return false;
        }
        String scheme = header.substring(0, space);
        boolean schemeOk = anySchemeCase ? scheme.equalsIgnoreCase("bearer")
                : scheme.equals("Bearer") || scheme.equals("bearer");
        return schemeOk && header.substring(space + 1).equals(key);
    }

    static ValueMatcher<Request> bearer(String key, boolean anySchemeCase) {
        return request -> MatchResult.of(bearerIs(request, key, anySchemeCase));
    }

    static ValueMatcher<Request> notBearer(String key, boolean anySchemeCase) {
        return request -> MatchResult.of(!bearerIs(request, key, anySchemeCase));
    }

    static ValueMatcher<Request> all(List<ValueMatcher<Request>> checks) {
        return request -> MatchResult.of(checks.stream().allMatch(c -> c.match(request).isExactMatch()));
    }

    static ValueMatcher<Request> not(ValueMatcher<Request> check) {
        return request -> MatchResult.of(!check.match(request).isExactMatch());
    }

    /** A part of the form, if the request is one and has it. */
    static Optional<Request.Part> part(Request request, String name) {
        if (!request.isMultipart()) {
            return Optional.empty();
        }
        try {
            return Optional.ofNullable(request.getPart(name));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A text field (no file name) of the form, as text. */
    static Optional<String> text(Request request, String name) {
        return part(request, name).filter(p -> !isFile(p)).map(p -> p.getBody().asString());
    }

    static boolean isFile(Request.Part part) {
        HttpHeader disposition = part.getHeader("Content-Disposition");
        return disposition.isPresent() && disposition.firstValue().contains("filename=");
    }

    /** A text field whose value passes {@code check}. */
    static ValueMatcher<Request> textField(String name, Predicate<String> check) {
        return request -> MatchResult.of(text(request, name).filter(check).isPresent());
    }

    static ValueMatcher<Request> noPart(String name) {
        return request -> MatchResult.of(part(request, name).isEmpty());
    }

    /**
     * A file part with a non-empty file name, one of {@code types} as its type, and bytes that decode
     * as a picture; {@code sizeField}, when given, names the text field whose {@code WxH} the picture
     * must have (OpenAI's "Inpaint image must match the requested width and height").
     */
    static ValueMatcher<Request> imageFile(String name, Set<String> types, Optional<String> sizeField) {
        return request -> {
            Optional<Request.Part> part = part(request, name).filter(HostConformance::isFile);
            if (part.isEmpty() || !fileName(part.get()).filter(n -> !n.isBlank()).isPresent()) {
                return MatchResult.noMatch();
            }
            HttpHeader type = part.get().getHeader("Content-Type");
            if (!type.isPresent() || !types.contains(type.firstValue().split(";")[0].trim().toLowerCase(Locale.ROOT))) {
                return MatchResult.noMatch();
            }
            Optional<BufferedImage> picture = decode(part.get().getBody().asBytes());
            if (picture.isEmpty()) {
                return MatchResult.noMatch();
            }
            return MatchResult.of(sizeField.map(f -> text(request, f).map(size -> size.equals(
                    picture.get().getWidth() + "x" + picture.get().getHeight())).orElse(false)).orElse(true));
        };
    }

    /**
     * A file part with a file name (without one, Starlette hands the field over as text, not as an
     * UploadFile) whose bytes open as a picture, whatever its type says.
     */
    static ValueMatcher<Request> namedPicture(String name) {
        return request -> MatchResult.of(part(request, name).filter(HostConformance::isFile)
                .filter(p -> fileName(p).filter(n -> !n.isBlank()).isPresent())
                .flatMap(p -> decode(p.getBody().asBytes())).isPresent());
    }

    static Optional<String> fileName(Request.Part part) {
        var m = Pattern.compile("filename=\"([^\"]*)\"").matcher(part.getHeader("Content-Disposition").firstValue());
        return m.find() ? Optional.of(m.group(1)) : Optional.empty();
    }

    /** A {@code data:image/...;base64,} URL whose bytes decode as a picture. */
    static boolean isImageDataUrl(String value) {
        return dataUrlImage(value).isPresent();
    }

    static Optional<BufferedImage> dataUrlImage(String value) {
        var m = Pattern.compile("data:(image/(png|jpeg|webp));base64,([A-Za-z0-9+/]+={0,2})").matcher(value);
        if (!m.matches()) {
            return Optional.empty();
        }
        return decode(Base64.getDecoder().decode(m.group(3)));
    }

    static Optional<BufferedImage> decode(byte[] bytes) {
        try {
            return Optional.ofNullable(ImageIO.read(new ByteArrayInputStream(bytes)));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    // --- ids in paths ------------------------------------------------------------------------------

    /** The id as one path segment, percent-encoded the way the functions send it (RFC 3986 unreserved kept). */
    static String encoded(String id) {
        StringBuilder out = new StringBuilder();
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    /**
     * A regex of every spelling of the id as one path segment that a server which percent-decodes its
     * path (Starlette, gin) reads back as the id: each character as itself or escaped, a {@code /}
     * only escaped. A double-encoded or cut id does not match.
     */
    static String idSegment(String id) {
        StringBuilder regex = new StringBuilder();
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            String escaped = "%" + String.format("%02X", b & 0xff);
            String lower = escaped.toLowerCase(Locale.ROOT);
            boolean plain = c < 0x80 && c != '/' && c != '%' && c != '?' && c != '#';
            regex.append("(?:").append(Pattern.quote(escaped)).append('|').append(Pattern.quote(lower));
            if (plain) {
                regex.append('|').append(Pattern.quote(String.valueOf(c)));
            }
            regex.append(')');
        }
        return regex.toString();
    }

    // --- driving the functions ---------------------------------------------------------------------

    /**
     * Both functions as Lambda runs them on the harness's S3, queues and clock, holding {@code key}: a
     * host's own key format where the harness's would not pass for one.
     */
    static final class Functions {
        final FunctionHarness h;
        final String key;

        Functions(FunctionHarness h) {
            this(h, FunctionHarness.API_KEY);
        }

        Functions(FunctionHarness h, String key) {
            this.h = h;
            this.key = key;
        }

        SubmitHandler submitHandler() {
            return new SubmitHandler(h.submitConfig(), h.dependencies(h.s3, h.sqs, keys()));
        }

        PollHandler pollHandler() {
            return new PollHandler(h.pollConfig(), h.dependencies(h.s3, h.sqs, keys()));
        }

        private ApiKeySource keys() {
            return ApiKeySource.fixed(new Secret(key));
        }

        SQSBatchResponse submit(String objectKey) {
            return submitHandler().handleRequest(h.eventFor(objectKey), new TestContext(Duration.ofMinutes(15)));
        }

        /** Uploads the picture and its prompt file; the picture's notification reaches the submit function. */
        SQSBatchResponse upload(String prompt) {
            h.put(PROMPT_FILE, prompt);
            h.put(IMAGE, Images.png(8, 8));
            return submit(IMAGE);
        }

        /** A new version of the prompt file next to the same picture. */
        SQSBatchResponse uploadPromptAgain(String prompt) {
            h.put(PROMPT_FILE, prompt);
            return submit(PROMPT_FILE);
        }

        /** The status check in the queue, handled {@code after} the last one as the event source mapping would. */
        FunctionHarness.Delivery deliverCheck(Duration after) {
            h.clock.advance(after);
            List<Message> messages = h.receive(2);
            assertThat(messages).as("one status check in the queue").hasSize(1);
            SQSBatchResponse response = h.poll(pollHandler(), SqsEvents.of(messages));
            h.acknowledge(messages, response);
            return new FunctionHarness.Delivery(messages.get(0), response);
        }

        /** The next status check, which must go through: the record it leaves. */
        JsonNode check(Duration after) {
            assertThat(deliverCheck(after).failedIds()).as("the check went through").isEmpty();
            return record();
        }

        JsonNode record() {
            return h.recordAt(RECORD);
        }

        /** The key is in no record, object name or JSON object the functions wrote. */
        void assertKeyNowhere() {
            for (String name : h.keys()) {
                assertThat(name).doesNotContain(key);
                if (name.endsWith(".json")) {
                    assertThat(new String(h.object(name).orElseThrow(), StandardCharsets.UTF_8)).as(name)
                            .doesNotContain(key);
                }
            }
        }
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /**
     * {@code answers} to {@code request}, one per request in turn; the last one for every request after.
     * A fresh builder per answer: WireMock keeps what a builder was given.
     */
    static void inTurn(WireMockServer server, String scenario, Supplier<MappingBuilder> request,
            ResponseDefinitionBuilder... answers) {
        for (int i = 0; i < answers.length; i++) {
            ScenarioMappingBuilder mapping = request.get().inScenario(scenario)
                    .whenScenarioStateIs(i == 0 ? Scenario.STARTED : "answer " + i);
            if (i + 1 < answers.length) {
                mapping = mapping.willSetStateTo("answer " + (i + 1));
            }
            server.stubFor(mapping.willReturn(answers[i]));
        }
    }

    static ResponseDefinitionBuilder json(int status, String contentType, String body) {
        return aResponse().withStatus(status).withHeader("Content-Type", contentType).withBody(body);
    }
}
