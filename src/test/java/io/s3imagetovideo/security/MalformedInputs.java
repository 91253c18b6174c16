package io.s3imagetovideo.security;

import io.s3imagetovideo.support.FitImages;
import io.s3imagetovideo.support.Images;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Hostile prompt files and images, made from a fixed seed so that every run feeds the very same bytes
 * and a failure can be replayed. Each input carries a label that says what is wrong with it.
 *
 * <p>Only inputs that are wrong by the documented rules are made here: every one must be refused
 * before the API is called, images with a right signature but a broken header or absurd dimensions
 * included (the header is read before anything is decoded).
 */
final class MalformedInputs {

    /** The MAX_IMAGE_BYTES the hostile-input test runs with: small, so that oversized images stay cheap. */
    static final int MAX_IMAGE_BYTES = 64 * 1024;

    /** A fixed seed: the same inputs on every run, on every machine. */
    static final long SEED = 0x5EC0_1A11_F022L;

    /** One input and what is wrong with it. */
    record Input(String label, byte[] bytes) {
        @Override
        public String toString() {
            return label + " (" + bytes.length + " bytes)";
        }
    }

    private static final String VALID = "{\"prompt\": \"Let the cow happily take the driving test\", \"seconds\": \"10\","
            + " \"size\": \"720x1280\", \"watermark\": false, \"private\": true, \"extra\": {\"style\": \"comic\"}}";

    private MalformedInputs() {}

    // --- prompt files -------------------------------------------------------------------------------

    static List<Input> sidecars() {
        Random random = new Random(SEED);
        List<Input> inputs = new ArrayList<>();

        // Truncated JSON: the valid file cut off after every one of its bytes (the empty file included)
        byte[] valid = utf8(VALID);
        for (int length = 0; length < valid.length; length++) {
            inputs.add(new Input("truncated after " + length + " bytes", Arrays.copyOf(valid, length)));
        }

        // Not an object at all
        for (String json : List.of("[]", "[{\"prompt\": \"x\"}]", "\"a cow\"", "42", "null", "true", "   ", "\n")) {
            inputs.add(text("top level is " + json.strip(), json));
        }

        // Wrong types and values, one field at a time
        String[][] wrong = {
                {"prompt", "1"}, {"prompt", "true"}, {"prompt", "null"}, {"prompt", "[]"}, {"prompt", "{}"},
                {"prompt", "[\"a cow\"]"}, {"prompt", "\"\""}, {"prompt", "\"   \""}, {"prompt", "\"\\n\\t \""},
                {"model", "1"}, {"model", "\"\""}, {"model", "\"  \""}, {"model", "[]"}, {"model", "{}"},
                {"model", "false"},
                {"seconds", "0"}, {"seconds", "-1"}, {"seconds", "\"0\""}, {"seconds", "\"-5\""}, {"seconds", "1.5"},
                {"seconds", "10.0"}, {"seconds", "1e2"}, {"seconds", "\"ten\""}, {"seconds", "\"10s\""},
                {"seconds", "\" 10\""}, {"seconds", "\"1e3\""}, {"seconds", "true"}, {"seconds", "[]"},
                {"seconds", "{}"}, {"seconds", "\"9999999999\""}, {"seconds", "9999999999"},
                {"seconds", "99999999999999999999999999999"}, {"seconds", "1e400"}, {"seconds", "-0.0"},
                {"seconds", "\"0x10\""}, {"seconds", "\"１０\""},
                {"size", "\"1x1\""}, {"size", "\"720X1280\""}, {"size", "\"720 x 1280\""}, {"size", "\"1280x720 \""},
                {"size", "720"}, {"size", "[720, 1280]"}, {"size", "{\"w\": 720}"}, {"size", "\"\""},
                {"size", "\"99999999x99999999\""}, {"size", "true"},
                {"watermark", "\"yes\""}, {"watermark", "1"}, {"watermark", "0"}, {"watermark", "\"TRUE\""},
                {"watermark", "\"\""}, {"watermark", "[]"},
                {"private", "\"no\""}, {"private", "1"}, {"private", "\"False\""}, {"private", "{}"},
                {"extra", "[]"}, {"extra", "\"style=comic\""}, {"extra", "1"}, {"extra", "true"},
                {"extra", "{\"style\": 1}"}, {"extra", "{\"style\": null}"}, {"extra", "{\"style\": {}}"},
                {"extra", "{\"style\": [\"comic\"]}"}, {"extra", "{\"prompt\": \"override\"}"},
                {"extra", "{\"input_reference\": \"x\"}"}, {"extra", "{\"bad name\": \"x\"}"},
                {"extra", "{\"\": \"x\"}"}, {"extra", "{\"a\\r\\nContent-Type: text/html\": \"x\"}"},
                {"extra", "{\"a\\\"; filename=\\\"x\": \"x\"}"}, {"extra", "{\"" + "n".repeat(65) + "\": \"x\"}"},
                {"extra", "{\"style\": \"" + "v".repeat(4097) + "\"}"},
        };
        for (String[] field : wrong) {
            inputs.add(text(field[0] + " = " + abbreviate(field[1]), withField(field[0], field[1])));
        }

        // Too many extra fields
        StringBuilder many = new StringBuilder("{");
        for (int i = 0; i < 33; i++) {
            many.append(i == 0 ? "" : ",").append("\"f").append(i).append("\": \"v\"");
        }
        inputs.add(text("extra with 33 fields", withField("extra", many.append('}').toString())));

        // Huge strings: a prompt over the limit, a file over 64 KiB (the limit is judged before reading)
        inputs.add(text("prompt of 32,001 characters", withField("prompt", quoted("p".repeat(32_001)))));
        inputs.add(text("prompt of 32,001 two-byte characters",
                withField("prompt", quoted("é".repeat(32_001)))));
        inputs.add(text("file of 64 KiB + 1 byte, valid but for its size", padTo(VALID, 64 * 1024 + 1)));
        inputs.add(text("prompt of 200,000 characters", withField("prompt", quoted("x".repeat(200_000)))));
        inputs.add(new Input("1 MiB of spaces", filled(1024 * 1024, (byte) ' ')));

        // Deep nesting, inside the size limit: as a value, as the whole file, unbalanced
        for (int depth : new int[] {100, 1_000, 5_000, 20_000}) {
            inputs.add(text("extra value nested " + depth + " deep",
                    withField("extra", "{\"a\": " + "[".repeat(depth) + "]".repeat(depth) + "}")));
            inputs.add(text("unknown field nested " + depth + " deep",
                    withField("deep", "{\"a\":".repeat(depth) + "1" + "}".repeat(depth))));
            inputs.add(text("file of " + depth + " open brackets", "[".repeat(depth)));
        }

        // Unknown fields: typos, other cases, look-alikes, many of them, huge names
        for (String name : List.of("promt", "Prompt", "PROMPT", "prompt ", " prompt", "prompt\u200b", "prοmpt",
                "__proto__", "constructor", "", "\\u0000", "seconds\\u0000", "$schema", "fit ", "negative_prompt")) {
            inputs.add(text("unknown field '" + name + "'", withField(name, "\"x\"")));
        }
        StringBuilder unknown = new StringBuilder("{\"prompt\": \"a cow\"");
        for (int i = 0; i < 500; i++) {
            unknown.append(", \"u").append(i).append("\": ").append(i);
        }
        inputs.add(text("500 unknown fields", unknown.append('}').toString()));
        inputs.add(text("unknown field with a 40,000 character name", withField("n".repeat(40_000), "1")));
        inputs.add(text("unknown field with a 60,000 character name", withField("n".repeat(60_000), "1")));

        // Duplicate keys, where a lenient reader would let the last one win
        inputs.add(text("duplicate prompt", "{\"prompt\": \"a cow\", \"prompt\": \"a horse\"}"));
        inputs.add(text("duplicate seconds", "{\"prompt\": \"a cow\", \"seconds\": \"10\", \"seconds\": \"15\"}"));
        inputs.add(text("duplicate key in extra", "{\"prompt\": \"a cow\", \"extra\": {\"s\": \"a\", \"s\": \"b\"}}"));
        inputs.add(text("duplicate extra", "{\"prompt\": \"a cow\", \"extra\": {}, \"extra\": {}}"));

        // Syntax a lenient reader accepts and JSON does not
        for (String json : List.of(
                "{'prompt': 'a cow'}", "{prompt: \"a cow\"}", "{\"prompt\": \"a cow\",}", "{\"prompt\": \"a cow\"",
                "{\"prompt\": \"a cow\" // note\n}", "{\"prompt\": \"a cow\" /* note */}", "# note\n{\"prompt\": \"x\"}",
                "{\"prompt\": \"a cow\", \"seconds\": NaN}", "{\"prompt\": \"a cow\", \"seconds\": Infinity}",
                "{\"prompt\": \"a cow\", \"seconds\": 0x10}", "{\"prompt\": \"a cow\", \"seconds\": 010}",
                "{\"prompt\": \"a cow\", \"seconds\": +10}", "{\"prompt\": \"a cow\"}{\"prompt\": \"x\"}",
                "{\"prompt\": \"a cow\"} trailing", "{\"prompt\": \"a cow\"}]", "{\"prompt\": \"a \\q cow\"}",
                "{\"prompt\": \"a \\u12 cow\"}", "{\"prompt\": \"a cow\", \"seconds\": " + "9".repeat(2_000) + "}",
                "{\"prompt\" \"a cow\"}", "{\"prompt\": \"a cow\" \"seconds\": \"10\"}", "{,}", "{:}", "}{",
                "{\"prompt\": undefined}", "{\"prompt\": \"a cow\", \"seconds\": -}")) {
            inputs.add(text("not JSON: " + abbreviate(json), json));
        }

        // NUL and control characters where JSON allows none (raw, inside and outside strings)
        for (int c : new int[] {0x00, 0x01, 0x07, 0x08, 0x0B, 0x0C, 0x1B, 0x1F}) {
            inputs.add(new Input("raw control 0x" + Integer.toHexString(c) + " inside the prompt string",
                    concat(utf8("{\"prompt\": \"a "), new byte[] {(byte) c}, utf8(" cow\"}"))));
            inputs.add(new Input("raw control 0x" + Integer.toHexString(c) + " between fields",
                    concat(utf8("{\"prompt\": \"a cow\","), new byte[] {(byte) c}, utf8("\"seconds\": \"10\"}"))));
        }
        inputs.add(new Input("NUL bytes after the object", concat(utf8("{\"prompt\": \"a cow\"}"), new byte[16])));
        inputs.add(new Input("NUL byte before the object", concat(new byte[] {0}, utf8("{\"prompt\": \"a cow\"}"))));
        inputs.add(new Input("only NUL bytes", new byte[64]));
        inputs.add(new Input("raw newline inside the prompt string", utf8("{\"prompt\": \"a\ncow\"}")));

        // Invalid UTF-8 inside the prompt string, overlong forms (C0 AF for '/') and surrogates included
        byte[][] invalidUtf8 = {
                {(byte) 0xC0, (byte) 0xAF}, {(byte) 0xE0, (byte) 0x80, (byte) 0xAF},
                {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                {(byte) 0xC3, 0x28}, {(byte) 0xA0, (byte) 0xA1}, {(byte) 0xE2, 0x28, (byte) 0xA1},
                {(byte) 0xF0, 0x28, (byte) 0x8C, (byte) 0xBC}, {(byte) 0xFF}, {(byte) 0xFE},
                {(byte) 0xF8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xE2, (byte) 0x82},
                {(byte) 0x80}, {(byte) 0xED, (byte) 0xA0},
        };
        for (byte[] bad : invalidUtf8) {
            inputs.add(new Input("invalid UTF-8 " + hex(bad) + " inside the prompt",
                    concat(utf8("{\"prompt\": \"a "), bad, utf8(" cow\"}"))));
            inputs.add(new Input("invalid UTF-8 " + hex(bad) + " as a field name",
                    concat(utf8("{\"prompt\": \"a cow\", \""), bad, utf8("\": 1}"))));
        }

        // Byte order marks that do not introduce a valid object
        byte[] utf8Bom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
        inputs.add(new Input("UTF-8 BOM alone", utf8Bom));
        inputs.add(new Input("UTF-8 BOM twice", concat(utf8Bom, utf8Bom, utf8("{\"prompt\": \"a cow\"}"))));
        inputs.add(new Input("UTF-8 BOM after whitespace", concat(utf8("  "), utf8Bom, utf8("{\"prompt\": \"a cow\"}"))));
        inputs.add(new Input("UTF-8 BOM before a typo", concat(utf8Bom, utf8("{\"promt\": \"a cow\"}"))));
        inputs.add(new Input("UTF-16 LE BOM before UTF-8 text",
                concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, utf8("{\"prompt\": \"a cow\"}"))));
        inputs.add(new Input("UTF-16 BE BOM before UTF-8 text",
                concat(new byte[] {(byte) 0xFE, (byte) 0xFF}, utf8("{\"prompt\": \"a cow\"}"))));
        inputs.add(new Input("truncated UTF-8 BOM", concat(new byte[] {(byte) 0xEF, (byte) 0xBB},
                utf8("{\"prompt\": \"a cow\"}"))));

        // Seeded noise: random bytes, and the valid file with random bytes in place of its structure
        for (int i = 0; i < 40; i++) {
            byte[] noise = new byte[1 + random.nextInt(2_000)];
            random.nextBytes(noise);
            noise[0] = (byte) (0x80 | random.nextInt(0x7F)); // never a byte a JSON document may start with
            inputs.add(new Input("random bytes #" + i, noise));
        }
        byte[] structural = utf8("{}[]:,\"");
        for (int i = 0; i < 40; i++) {
            byte[] mutated = valid.clone();
            // Replace one structural byte of the valid file by another structural byte or a letter
            int at;
            do {
                at = random.nextInt(mutated.length);
            } while (indexOf(structural, mutated[at]) < 0);
            byte replacement = random.nextBoolean() ? (byte) ('a' + random.nextInt(26)) : structural[random.nextInt(structural.length)];
            if (replacement == mutated[at]) {
                replacement = 'x';
            }
            mutated[at] = replacement;
            inputs.add(new Input("valid file with byte " + at + " ('" + (char) valid[at] + "') replaced by '"
                    + (char) replacement + "'", mutated));
        }
        return inputs;
    }

    // --- images -------------------------------------------------------------------------------------

    static List<Input> images() {
        Random random = new Random(SEED + 1);
        List<Input> inputs = new ArrayList<>();
        byte[] png = Images.png(8, 8);
        byte[] jpeg = Images.jpeg(8, 8);
        byte[] webp = Images.webp();

        inputs.add(new Input("zero bytes", new byte[0]));
        // Signatures cut short: not even the magic is complete
        for (int length = 1; length < 8; length++) {
            inputs.add(new Input("PNG cut after " + length + " bytes", Arrays.copyOf(png, length)));
        }
        for (int length = 1; length < 3; length++) {
            inputs.add(new Input("JPEG cut after " + length + " bytes", Arrays.copyOf(jpeg, length)));
        }
        for (int length = 1; length < 12; length++) {
            inputs.add(new Input("WebP cut after " + length + " bytes", Arrays.copyOf(webp, length)));
        }
        // The magic with one byte wrong
        for (int i = 0; i < 8; i++) {
            byte[] bad = png.clone();
            bad[i] ^= 0x20;
            inputs.add(new Input("PNG with signature byte " + i + " altered", bad));
        }
        for (int i = 0; i < 3; i++) {
            byte[] bad = jpeg.clone();
            bad[i] = 0x00;
            inputs.add(new Input("JPEG with marker byte " + i + " zeroed", bad));
        }
        for (int i : new int[] {0, 3, 8, 11}) {
            byte[] bad = webp.clone();
            bad[i] = '?';
            inputs.add(new Input("WebP with byte " + i + " of RIFF/WEBP altered", bad));
        }
        // Other formats and things that are no image at all, whatever the name says
        inputs.add(new Input("GIF89a", concat(ascii("GIF89a"), new byte[] {8, 0, 8, 0, 0, 0, 0, 0x3B})));
        inputs.add(new Input("GIF87a", concat(ascii("GIF87a"), new byte[] {8, 0, 8, 0, 0, 0, 0, 0x3B})));
        inputs.add(new Input("BMP", concat(ascii("BM"), new byte[60])));
        inputs.add(new Input("TIFF little-endian", concat(new byte[] {'I', 'I', 42, 0}, new byte[60])));
        inputs.add(new Input("TIFF big-endian", concat(new byte[] {'M', 'M', 0, 42}, new byte[60])));
        inputs.add(new Input("ICO", concat(new byte[] {0, 0, 1, 0}, new byte[60])));
        inputs.add(new Input("AVIF/HEIF box", concat(new byte[] {0, 0, 0, 0x1C}, ascii("ftypavif"), new byte[20])));
        inputs.add(new Input("JPEG 2000", concat(new byte[] {0, 0, 0, 0x0C, 'j', 'P', ' ', ' '}, new byte[20])));
        inputs.add(new Input("RIFF WAVE, not WEBP", concat(ascii("RIFF"), new byte[] {36, 0, 0, 0}, ascii("WAVEfmt "))));
        inputs.add(new Input("RIFF AVI, not WEBP", concat(ascii("RIFF"), new byte[] {36, 0, 0, 0}, ascii("AVI LIST"))));
        inputs.add(new Input("PDF", ascii("%PDF-1.7\n%\u00e2\u00e3\n1 0 obj\n<<>>\nendobj\n")));
        inputs.add(new Input("SVG", ascii("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"8\" height=\"8\"/>")));
        inputs.add(new Input("HTML", ascii("<!doctype html><html><body><img src=x onerror=alert(1)></body></html>")));
        inputs.add(new Input("ZIP", concat(new byte[] {'P', 'K', 3, 4}, new byte[60])));
        inputs.add(new Input("gzip", concat(new byte[] {0x1F, (byte) 0x8B, 8, 0}, new byte[60])));
        inputs.add(new Input("MP4", concat(new byte[] {0, 0, 0, 0x18}, ascii("ftypisom"), new byte[20])));
        inputs.add(new Input("ELF executable", concat(new byte[] {0x7F, 'E', 'L', 'F'}, new byte[60])));
        inputs.add(new Input("Java class", concat(new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE}, new byte[60])));
        inputs.add(new Input("a prompt file uploaded as the image", utf8("{\"prompt\": \"a cow\"}")));
        inputs.add(new Input("base64 of a PNG", ascii(java.util.Base64.getEncoder().encodeToString(png))));
        inputs.add(new Input("data: URL of a PNG",
                ascii("data:image/png;base64," + java.util.Base64.getEncoder().encodeToString(png))));
        inputs.add(new Input("PNG after a UTF-8 BOM", concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, png)));
        inputs.add(new Input("PNG after a newline", concat(new byte[] {'\n'}, png)));
        inputs.add(new Input("PNG after 512 zero bytes", concat(new byte[512], png)));
        inputs.add(new Input("PNG bytes reversed", reversed(png)));
        inputs.add(new Input("one NUL byte", new byte[1]));
        inputs.add(new Input("4 KiB of NUL bytes", new byte[4096]));
        inputs.add(new Input("4 KiB of 0xFF", filled(4096, (byte) 0xFF)));
        // A valid signature, but larger than MAX_IMAGE_BYTES: refused from the listed size, never downloaded
        inputs.add(new Input("PNG signature and junk, 1 byte over MAX_IMAGE_BYTES",
                concat(Arrays.copyOf(png, 16), filled(MAX_IMAGE_BYTES + 1 - 16, (byte) 0x42))));
        inputs.add(new Input("JPEG signature and junk, 4 times MAX_IMAGE_BYTES",
                concat(Arrays.copyOf(jpeg, 4), filled(4 * MAX_IMAGE_BYTES - 4, (byte) 0x42))));
        // A right signature, then a header that cannot be read
        inputs.add(new Input("PNG signature only", Arrays.copyOf(png, 8)));
        inputs.add(new Input("PNG header claiming 0x0 pixels", FitImages.forgedPngHeader(0, 0)));
        for (int i = 0; i < 10; i++) {
            byte[] junk = new byte[1 + random.nextInt(256)];
            random.nextBytes(junk);
            inputs.add(new Input("PNG signature then junk #" + i, concat(Arrays.copyOf(png, 8), junk)));
            inputs.add(new Input("JPEG signature then junk #" + i, concat(new byte[] {(byte) 0xFF, (byte) 0xD8,
                    (byte) 0xFF, (byte) 0xE0, 0, 2}, junk)));
            inputs.add(new Input("WebP signature then junk #" + i, concat(utf8("RIFF"), new byte[] {0x40, 0, 0, 0},
                    utf8("WEBP"), junk)));
        }
        // A PNG cut inside its pixel data: the header reads, the pixels do not
        byte[] bigPng = Images.png(64, 64);
        for (int i = 0; i < 10; i++) {
            // Past the IHDR, and at least 12 bytes short of the pixel data's end (its checksums)
            int cut = 40 + random.nextInt(bigPng.length - 24 - 40);
            inputs.add(new Input("PNG cut at byte " + cut + " of " + bigPng.length, Arrays.copyOf(bigPng, cut)));
        }
        // Decompression bombs: a few bytes whose header claims more pixels than anyone should decode
        for (int[] size : new int[][] {{100_000, 100_000}, {65_535, 65_535}, {8_000, 8_000}, {1, 60_000_000},
                {Integer.MAX_VALUE, Integer.MAX_VALUE}}) {
            inputs.add(new Input("PNG header claiming " + size[0] + "x" + size[1],
                    FitImages.forgedPngHeader(size[0], size[1])));
        }
        inputs.add(new Input("JPEG frame header claiming 65535x65535", concat(new byte[] {(byte) 0xFF, (byte) 0xD8,
                (byte) 0xFF, (byte) 0xC0, 0, 17, 8, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 3,
                1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1}, new byte[64])));
        inputs.add(new Input("WebP VP8X canvas claiming 16384x16384", concat(utf8("RIFF"), new byte[] {30, 0, 0, 0},
                utf8("WEBPVP8X"), new byte[] {10, 0, 0, 0, 0, 0, 0, 0, (byte) 0xFF, 0x3F, 0, (byte) 0xFF, 0x3F, 0},
                new byte[8])));
        // Seeded noise whose first bytes are no image signature
        for (int i = 0; i < 40; i++) {
            byte[] noise = new byte[1 + random.nextInt(8_192)];
            random.nextBytes(noise);
            if ((noise[0] & 0xFF) == 0x89 || (noise[0] & 0xFF) == 0xFF || noise[0] == 'R') {
                noise[0] = 0x00;
            }
            inputs.add(new Input("random bytes #" + i, noise));
        }
        return inputs;
    }

    // --- helpers ------------------------------------------------------------------------------------

    /** The valid file with one field set to the raw JSON {@code value} (replacing it, or added). */
    private static String withField(String name, String rawValue) {
        String base = "{\"prompt\": \"Let the cow happily take the driving test\", \"seconds\": \"10\"";
        String key = quoted(name);
        if (name.equals("prompt")) {
            return "{" + key + ": " + rawValue + ", \"seconds\": \"10\"}";
        }
        if (name.equals("seconds")) {
            return "{\"prompt\": \"Let the cow happily take the driving test\", " + key + ": " + rawValue + "}";
        }
        return base + ", " + key + ": " + rawValue + "}";
    }

    /** A JSON string literal; the name may hold JSON escapes of its own (written as they are). */
    private static String quoted(String s) {
        return "\"" + s + "\"";
    }

    private static String padTo(String json, int size) {
        return json.substring(0, json.length() - 1) + " ".repeat(size - json.length()) + "}";
    }

    private static Input text(String label, String text) {
        return new Input(label, utf8(text));
    }

    private static String abbreviate(String s) {
        String oneLine = s.replace("\n", "\\n").replace("\r", "\\r");
        return oneLine.length() > 40 ? oneLine.substring(0, 37) + "..." : oneLine;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static byte[] filled(int length, byte value) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, value);
        return bytes;
    }

    private static byte[] reversed(byte[] bytes) {
        byte[] out = new byte[bytes.length];
        for (int i = 0; i < bytes.length; i++) {
            out[i] = bytes[bytes.length - 1 - i];
        }
        return out;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] bytes, byte b) {
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == b) {
                return i;
            }
        }
        return -1;
    }

    private static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder();
        for (byte b : bytes) {
            s.append(s.isEmpty() ? "" : " ").append(String.format("%02X", b & 0xFF));
        }
        return s.toString();
    }
}
