package io.s3imagetovideo.sidecar;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.image.Fit;
import io.s3imagetovideo.image.ImageFit;
import io.s3imagetovideo.image.RgbColor;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SidecarParserTest {

    private static final SidecarDefaults DEFAULTS =
            new SidecarDefaults("default-model", "8", VideoSize.LANDSCAPE_720, true, false, Fit.CONTAIN);

    private final SidecarParser parser = new SidecarParser(new ObjectMapper(), DEFAULTS);

    private SidecarParser.Result parse(String json) {
        return parser.parse(json.getBytes(StandardCharsets.UTF_8));
    }

    private VideoRequest valid(String json) {
        SidecarParser.Result result = parse(json);
        assertThat(result).as("result of %s", json).isInstanceOf(SidecarParser.Valid.class);
        return ((SidecarParser.Valid) result).request();
    }

    private List<SidecarProblem> problems(String json) {
        SidecarParser.Result result = parse(json);
        assertThat(result).as("result of %s", json).isInstanceOf(SidecarParser.Invalid.class);
        return ((SidecarParser.Invalid) result).problems();
    }

    private SidecarProblem onlyProblem(String json) {
        List<SidecarProblem> problems = problems(json);
        assertThat(problems).as("problems of %s", json).hasSize(1);
        return problems.get(0);
    }

    // --- valid sidecars -------------------------------------------------------------------------

    @Test
    void readsSidecarWithEveryFieldSet() {
        VideoRequest request = valid("""
                {
                  "prompt": "Let the cow happily take the driving test",
                  "model": "sora-2-pro",
                  "seconds": "15",
                  "size": "1792x1024",
                  "watermark": false,
                  "private": true,
                  "extra": { "style": "comic", "aspect": "wide", "a_first": "1" }
                }
                """);

        assertThat(request.prompt()).isEqualTo("Let the cow happily take the driving test");
        assertThat(request.model()).isEqualTo("sora-2-pro");
        assertThat(request.seconds()).isEqualTo("15");
        assertThat(request.size()).isEqualTo(VideoSize.LANDSCAPE_1024);
        assertThat(request.watermark()).isFalse();
        assertThat(request.isPrivate()).isTrue();
        // Then the extra fields keep the order the user wrote them in
        assertThat(request.extra()).containsExactly(
                Map.entry("style", "comic"), Map.entry("aspect", "wide"), Map.entry("a_first", "1"));
    }

    @Test
    void acceptsSecondsAsNumber() {
        assertThat(valid("{\"prompt\": \"p\", \"seconds\": 12}").seconds()).isEqualTo("12");
    }

    @Test
    void acceptsSecondsAsString() {
        assertThat(valid("{\"prompt\": \"p\", \"seconds\": \"12\"}").seconds()).isEqualTo("12");
    }

    @Test
    void normalisesSecondsWithLeadingZero() {
        assertThat(valid("{\"prompt\": \"p\", \"seconds\": \"010\"}").seconds()).isEqualTo("10");
    }

    @Test
    void acceptsBooleansAsStrings() {
        VideoRequest request = valid("{\"prompt\": \"p\", \"watermark\": \"true\", \"private\": \"false\"}");

        assertThat(request.watermark()).isTrue();
        assertThat(request.isPrivate()).isFalse();
    }

    @Test
    void acceptsBooleansAsBooleans() {
        VideoRequest request = valid("{\"prompt\": \"p\", \"watermark\": true, \"private\": false}");

        assertThat(request.watermark()).isTrue();
        assertThat(request.isPrivate()).isFalse();
    }

    @Test
    void appliesDefaultsForAbsentFields() {
        VideoRequest request = valid("{\"prompt\": \"a cow\"}");

        assertThat(request.model()).isEqualTo("default-model");
        assertThat(request.seconds()).isEqualTo("8");
        assertThat(request.size()).isEqualTo(VideoSize.LANDSCAPE_720);
        assertThat(request.watermark()).isTrue();
        assertThat(request.isPrivate()).isFalse();
        assertThat(request.extra()).isEmpty();
    }

    @Test
    void appliesDefaultsForExplicitNulls() {
        VideoRequest request = valid("""
                {"prompt": "a cow", "model": null, "seconds": null, "size": null,
                 "watermark": null, "private": null, "extra": null}
                """);

        assertThat(request.model()).isEqualTo("default-model");
        assertThat(request.seconds()).isEqualTo("8");
        assertThat(request.size()).isEqualTo(VideoSize.LANDSCAPE_720);
        assertThat(request.watermark()).isTrue();
        assertThat(request.isPrivate()).isFalse();
        assertThat(request.extra()).isEmpty();
    }

    @Test
    void acceptsPromptOfExactlyMaximumLength() {
        String prompt = "x".repeat(SidecarParser.MAX_PROMPT_CHARS);

        assertThat(valid("{\"prompt\": \"" + prompt + "\"}").prompt()).isEqualTo(prompt);
    }

    @Test
    void keepsUnicodePromptAsWritten() {
        assertThat(valid("{\"prompt\": \"让奶牛开心地参加驾照考试 🐄\"}").prompt()).isEqualTo("让奶牛开心地参加驾照考试 🐄");
    }

    @Test
    void requestToStringDoesNotRevealPrompt() {
        VideoRequest request = valid("{\"prompt\": \"a very secret storyline\", \"extra\": {\"style\": \"comic\"}}");

        assertThat(request.toString()).doesNotContain("a very secret storyline").contains("style");
    }

    // --- syntax ---------------------------------------------------------------------------------

    @Test
    void rejectsInvalidJsonNamingLineAndColumn() {
        // Given a trailing comma on the third line: the parser stumbles on the '}' that starts line 4
        SidecarProblem problem = onlyProblem("{\n  \"prompt\": \"p\",\n  \"model\": \"m\",\n}");

        assertThat(problem.code()).isEqualTo("invalid_json");
        assertThat(problem.message()).contains("line 4, column 1");
    }

    @Test
    void rejectsMissingCommaNamingLineAndColumn() {
        // Given no comma after the prompt: the parser stumbles on the quote at line 3, column 3
        SidecarProblem problem = onlyProblem("{\n  \"prompt\": \"p\"\n  \"model\": \"m\"\n}");

        assertThat(problem.code()).isEqualTo("invalid_json");
        assertThat(problem.message()).contains("line 3, column 3");
    }

    @Test
    void acceptsUtf8ByteOrderMark() {
        // Given a file saved by an editor that writes a BOM
        byte[] json = "\uFEFF{\"prompt\": \"a cow\"}".getBytes(StandardCharsets.UTF_8);

        SidecarParser.Result result = parser.parse(json);

        assertThat(result).isInstanceOf(SidecarParser.Valid.class);
    }

    @Test
    void rejectsOverlongUtf8ThatALenientDecoderWouldReadAsASlash() {
        // Given C0 AF, an overlong encoding of '/', inside the prompt
        byte[] json = concat("{\"prompt\": \"a".getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xC0, (byte) 0xAF},
                "b\"}".getBytes(StandardCharsets.UTF_8));

        SidecarParser.Result result = parser.parse(json);

        assertThat(result).isInstanceOfSatisfying(SidecarParser.Invalid.class, invalid ->
                assertThat(invalid.problems()).singleElement().satisfies(p -> {
                    assertThat(p.code()).isEqualTo("invalid_json");
                    assertThat(p.message()).contains("UTF-8");
                }));
    }

    @Test
    void rejectsAModelNameLongerThanAnyModel() {
        SidecarProblem problem = onlyProblem("{\"prompt\": \"p\", \"model\": \"" + "m".repeat(129) + "\"}");

        assertThat(problem.code()).isEqualTo("invalid_model");
        assertThat(problem.message()).contains("129").contains("128");
    }

    private static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    @Test
    void rejectsDuplicateKeys() {
        SidecarProblem problem = onlyProblem("{\"prompt\": \"one\", \"prompt\": \"two\"}");

        assertThat(problem.code()).isEqualTo("invalid_json");
        assertThat(problem.message()).contains("prompt");
    }

    @Test
    void rejectsTrailingGarbage() {
        assertThat(onlyProblem("{\"prompt\": \"p\"} {\"prompt\": \"q\"}").code()).isEqualTo("invalid_json");
        assertThat(onlyProblem("{\"prompt\": \"p\"} x").code()).isEqualTo("invalid_json");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "   ", "\n"})
    void rejectsEmptyFile(String content) {
        SidecarProblem problem = onlyProblem(content);

        assertThat(problem.code()).isEqualTo("invalid_json");
        assertThat(problem.message()).contains("empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"[{\"prompt\": \"p\"}]", "\"a cow\"", "42", "null", "true"})
    void rejectsNonObjectRoot(String content) {
        SidecarProblem problem = onlyProblem(content);

        assertThat(problem.code()).isEqualTo("invalid_json");
        assertThat(problem.message()).contains("JSON object");
    }

    // --- prompt ---------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"{}", "{\"prompt\": null}", "{\"prompt\": \"\"}", "{\"prompt\": \"  \\n\\t \"}"})
    void rejectsMissingOrBlankPrompt(String json) {
        SidecarProblem problem = onlyProblem(json);

        assertThat(problem.code()).isEqualTo("missing_prompt");
        assertThat(problem.message()).contains("prompt");
    }

    @ParameterizedTest
    @ValueSource(strings = {"42", "true", "[\"a\"]", "{\"text\": \"a\"}"})
    void rejectsPromptThatIsNotString(String value) {
        SidecarProblem problem = onlyProblem("{\"prompt\": " + value + "}");

        assertThat(problem.code()).isEqualTo("invalid_prompt");
        assertThat(problem.message()).contains("must be a string");
    }

    @Test
    void rejectsPromptLongerThanMaximum() {
        String prompt = "x".repeat(SidecarParser.MAX_PROMPT_CHARS + 1);

        SidecarProblem problem = onlyProblem("{\"prompt\": \"" + prompt + "\"}");

        assertThat(problem.code()).isEqualTo("invalid_prompt");
        assertThat(problem.message()).contains(String.valueOf(SidecarParser.MAX_PROMPT_CHARS + 1))
                .doesNotContain(prompt);
    }

    // --- unknown fields -------------------------------------------------------------------------

    @Test
    void rejectsSidecarWithUnknownFieldSuggestingClosestName() {
        List<SidecarProblem> problems = problems("{\"promt\": \"a cow\"}");

        // Then the typo is named, with a hint, and the prompt is reported missing as well
        assertThat(problems).extracting(SidecarProblem::code)
                .containsExactlyInAnyOrder("unknown_field", "missing_prompt");
        SidecarProblem unknown = problems.stream().filter(p -> p.code().equals("unknown_field")).findFirst().orElseThrow();
        assertThat(unknown.message()).contains("'promt'").contains("Did you mean 'prompt'?");
    }

    @Test
    void rejectsUnknownFieldWithoutHintWhenNothingIsClose() {
        SidecarProblem problem = onlyProblem("{\"prompt\": \"p\", \"resolution\": \"4k\"}");

        assertThat(problem.code()).isEqualTo("unknown_field");
        assertThat(problem.message()).contains("'resolution'").doesNotContain("Did you mean").contains("extra");
    }

    // --- fit and background ---------------------------------------------------------------------

    private ImageFit fitOf(String json) {
        SidecarParser.Result result = parse(json);
        assertThat(result).as("result of %s", json).isInstanceOf(SidecarParser.Valid.class);
        return ((SidecarParser.Valid) result).fit();
    }

    @Test
    void takesFitAndBackgroundFromTheDefaultsWhenLeftOut() {
        assertThat(fitOf("{\"prompt\": \"p\"}")).isEqualTo(new ImageFit(Fit.CONTAIN, RgbColor.BLACK));
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "cover", "contain"})
    void readsEachFit(String value) {
        assertThat(fitOf("{\"prompt\": \"p\", \"fit\": \"" + value + "\"}").mode().value()).isEqualTo(value);
    }

    @Test
    void readsBackgroundInEitherCase() {
        assertThat(fitOf("{\"prompt\": \"p\", \"fit\": \"contain\", \"background\": \"#FFaa00\"}"))
                .isEqualTo(new ImageFit(Fit.CONTAIN, new RgbColor(0xFFAA00)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"Cover\"   | Did you mean 'cover'?",
        "\"conatin\" | Did you mean 'contain'?",
        "\"crop\"    | Did you mean 'cover'?",
        "\"pad\"     | Did you mean 'contain'?",
        "\"stretch\" | \"none\"",
        "true        | \"cover\"",
    })
    void rejectsInvalidFitSayingWhatEachValueDoes(String value, String hint) {
        SidecarProblem problem = onlyProblem("{\"prompt\": \"p\", \"fit\": " + value + "}");

        assertThat(problem.code()).isEqualTo("invalid_fit");
        assertThat(problem.message()).contains("'fit'").contains("\"none\"", "\"cover\"", "\"contain\"")
                .contains(value).contains(hint);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "\"black\"   | Did you mean '#000000'?",
        "\"White\"   | Did you mean '#ffffff'?",
        "\"ff8800\"  | Did you mean '#ff8800'?",
        "\"#fff\"    | #rrggbb",
        "0          | #rrggbb",
    })
    void rejectsInvalidBackgroundWithTheFormItTakes(String value, String hint) {
        SidecarProblem problem = onlyProblem("{\"prompt\": \"p\", \"background\": " + value + "}");

        assertThat(problem.code()).isEqualTo("invalid_background");
        assertThat(problem.message()).contains("'background'").contains(value).contains(hint);
    }

    @Test
    void suggestsFitForATypoedFieldName() {
        SidecarProblem problem = onlyProblem("{\"prompt\": \"p\", \"fti\": \"cover\"}");

        assertThat(problem.message()).contains("Did you mean 'fit'?").contains("background");
    }

    // --- size -----------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"\"1080p\"", "\"720X1280\"", "\"\"", "720", "[720, 1280]"})
    void rejectsInvalidSize(String value) {
        SidecarProblem problem = onlyProblem("{\"prompt\": \"p\", \"size\": " + value + "}");

        assertThat(problem.code()).isEqualTo("invalid_size");
        assertThat(problem.message()).contains("720x1280", "1280x720", "1024x1792", "1792x1024");
    }

    @ParameterizedTest
    @ValueSource(strings = {"720x1280", "1280x720", "1024x1792", "1792x1024"})
    void acceptsEveryAllowedSize(String size) {
        assertThat(valid("{\"prompt\": \"p\", \"size\": \"" + size + "\"}").size().value()).isEqualTo(size);
    }

    // --- seconds --------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "\"0\"", "\"-1\"", "\"ten\"", "2.5", "\"2.5\"", "\"\"", "true", "[10]",
            "10000000000", "\" 10\""})
    void rejectsInvalidSeconds(String value) {
        SidecarProblem problem = onlyProblem("{\"prompt\": \"p\", \"seconds\": " + value + "}");

        assertThat(problem.code()).isEqualTo("invalid_seconds");
        assertThat(problem.message()).contains("positive whole number");
    }

    // --- booleans -------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"\"yes\"", "1", "0", "\"TRUE\"", "\"\"", "[]"})
    void rejectsInvalidWatermark(String value) {
        SidecarProblem problem = onlyProblem("{\"prompt\": \"p\", \"watermark\": " + value + "}");

        assertThat(problem.code()).isEqualTo("invalid_watermark");
        assertThat(problem.message()).contains("'watermark'");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"yes\"", "1", "0", "\"False\""})
    void rejectsInvalidPrivate(String value) {
        SidecarProblem problem = onlyProblem("{\"prompt\": \"p\", \"private\": " + value + "}");

        assertThat(problem.code()).isEqualTo("invalid_private");
        assertThat(problem.message()).contains("'private'");
    }

    // --- model ----------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"\"\"", "\"   \"", "2", "{}"})
    void rejectsBlankOrNonStringModel(String value) {
        assertThat(onlyProblem("{\"prompt\": \"p\", \"model\": " + value + "}").code()).isEqualTo("invalid_model");
    }

    // --- extra ----------------------------------------------------------------------------------

    @ParameterizedTest
    @ValueSource(strings = {"1", "true", "null", "[\"comic\"]", "{\"a\": 1}"})
    void rejectsExtraWithNonStringValue(String value) {
        SidecarProblem problem = onlyProblem("{\"prompt\": \"p\", \"extra\": {\"style\": " + value + "}}");

        assertThat(problem.code()).isEqualTo("invalid_extra");
        assertThat(problem.message()).contains("'extra.style'").contains("must be a string");
    }

    @ParameterizedTest
    @ValueSource(strings = {"\"comic\"", "[\"comic\"]", "3", "true"})
    void rejectsExtraThatIsNotObject(String value) {
        SidecarProblem problem = onlyProblem("{\"prompt\": \"p\", \"extra\": " + value + "}");

        assertThat(problem.code()).isEqualTo("invalid_extra");
        assertThat(problem.message()).contains("must be an object");
    }

    @ParameterizedTest
    @ValueSource(strings = {"model", "prompt", "seconds", "size", "watermark", "private", "input_reference"})
    void rejectsExtraOverridingReservedField(String name) {
        SidecarProblem problem = onlyProblem("{\"prompt\": \"p\", \"extra\": {\"" + name + "\": \"x\"}}");

        assertThat(problem.code()).isEqualTo("invalid_extra");
        assertThat(problem.message()).contains("'extra." + name + "'").contains("top level");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "with space", "quote\\\"d", "new\\nline", "名前"})
    void rejectsExtraWithInvalidFormFieldName(String name) {
        assertThat(onlyProblem("{\"prompt\": \"p\", \"extra\": {\"" + name + "\": \"x\"}}").code())
                .isEqualTo("invalid_extra");
    }

    @Test
    void rejectsExtraWithTooManyFields() {
        String fields = IntStream.rangeClosed(1, SidecarParser.MAX_EXTRA_FIELDS + 1)
                .mapToObj(i -> "\"f" + i + "\": \"v\"")
                .collect(Collectors.joining(", "));

        SidecarProblem problem = onlyProblem("{\"prompt\": \"p\", \"extra\": {" + fields + "}}");

        assertThat(problem.code()).isEqualTo("invalid_extra");
        assertThat(problem.message()).contains(String.valueOf(SidecarParser.MAX_EXTRA_FIELDS + 1));
    }

    @Test
    void acceptsExtraWithMaximumNumberOfFields() {
        String fields = IntStream.rangeClosed(1, SidecarParser.MAX_EXTRA_FIELDS)
                .mapToObj(i -> "\"f" + i + "\": \"v\"")
                .collect(Collectors.joining(", "));

        assertThat(valid("{\"prompt\": \"p\", \"extra\": {" + fields + "}}").extra())
                .hasSize(SidecarParser.MAX_EXTRA_FIELDS);
    }

    @Test
    void rejectsExtraValueLongerThanMaximum() {
        String value = "v".repeat(SidecarParser.MAX_EXTRA_VALUE_CHARS + 1);

        SidecarProblem problem = onlyProblem("{\"prompt\": \"p\", \"extra\": {\"style\": \"" + value + "\"}}");

        assertThat(problem.code()).isEqualTo("invalid_extra");
    }

    // --- several problems -----------------------------------------------------------------------

    @Test
    void reportsEveryProblemAtOnce() {
        List<SidecarProblem> problems = problems("""
                {"promt": "a cow", "seconds": 0, "size": "1080p", "watermark": "yes", "private": 1,
                 "extra": {"model": "x", "n": 2}}
                """);

        assertThat(problems).extracting(SidecarProblem::code).containsExactlyInAnyOrder(
                "unknown_field", "missing_prompt", "invalid_seconds", "invalid_size",
                "invalid_watermark", "invalid_private", "invalid_extra", "invalid_extra");
    }
}
