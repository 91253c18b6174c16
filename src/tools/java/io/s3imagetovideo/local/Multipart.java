package io.s3imagetovideo.local;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code multipart/form-data} body (RFC 7578) split into its parts, as a server reads it. Small
 * and strict on purpose: what it cannot parse is a malformed request, which the sandbox refuses.
 */
record Multipart(List<Part> parts) {

    /** One part: its field name, its file name when it is a file, its content type, its bytes. */
    record Part(String name, Optional<String> fileName, Optional<String> contentType, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    static final class MalformedException extends Exception {
        MalformedException(String message) {
            super(message);
        }
    }

    private static final Pattern BOUNDARY = Pattern.compile("(?i)boundary=(?:\"([^\"]+)\"|([^;\\s]+))");
    private static final Pattern PARAM = Pattern.compile(
            ";\\s*([A-Za-z*]+)\\s*=\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^;\\s]+))");
    private static final byte[] CRLF = {'\r', '\n'};

    /** The boundary of a {@code multipart/form-data} content type, if it is one. */
    static Optional<String> boundary(String contentType) {
        if (contentType == null
                || !contentType.toLowerCase(Locale.ROOT).trim().startsWith("multipart/form-data")) {
            return Optional.empty();
        }
        Matcher m = BOUNDARY.matcher(contentType);
        return m.find() ? Optional.of(m.group(1) != null ? m.group(1) : m.group(2)) : Optional.empty();
    }

    static Multipart parse(byte[] body, String boundary) throws MalformedException {
        byte[] delimiter = ("--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        int at = indexOf(body, delimiter, 0);
        if (at < 0) {
            throw new MalformedException("the body holds no part delimited by the boundary");
        }
        List<Part> parts = new ArrayList<>();
        while (true) {
            int afterDelimiter = at + delimiter.length;
            if (startsWith(body, afterDelimiter, new byte[] {'-', '-'})) {
                return new Multipart(List.copyOf(parts));
            }
            if (!startsWith(body, afterDelimiter, CRLF)) {
                throw new MalformedException("a boundary line is not followed by CRLF");
            }
            int headersStart = afterDelimiter + 2;
            int headersEnd = indexOf(body, new byte[] {'\r', '\n', '\r', '\n'}, headersStart);
            if (headersEnd < 0) {
                throw new MalformedException("a part's headers do not end");
            }
            byte[] nextDelimiter = concat(CRLF, delimiter);
            int next = indexOf(body, nextDelimiter, headersEnd + 4);
            if (next < 0) {
                throw new MalformedException("the body ends without its closing boundary");
            }
            String headers = new String(body, headersStart, headersEnd - headersStart, StandardCharsets.UTF_8);
            parts.add(part(headers, Arrays.copyOfRange(body, headersEnd + 4, next)));
            at = next + 2;
        }
    }

    /** The first part named {@code name}. */
    Optional<Part> get(String name) {
        return parts.stream().filter(p -> p.name().equals(name)).findFirst();
    }

    private static Part part(String headerBlock, byte[] body) throws MalformedException {
        Map<String, String> headers = new LinkedHashMap<>();
        for (String line : headerBlock.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon <= 0) {
                throw new MalformedException("a part header has no name: '" + line + "'");
            }
            headers.put(line.substring(0, colon).trim().toLowerCase(Locale.ROOT), line.substring(colon + 1).trim());
        }
        String disposition = headers.get("content-disposition");
        if (disposition == null || !disposition.toLowerCase(Locale.ROOT).startsWith("form-data")) {
            throw new MalformedException("a part has no 'Content-Disposition: form-data' header");
        }
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = PARAM.matcher(disposition);
        while (m.find()) {
            String value = m.group(2) != null ? m.group(2).replaceAll("\\\\(.)", "$1") : m.group(3);
            params.put(m.group(1).toLowerCase(Locale.ROOT), value);
        }
        String name = params.get("name");
        if (name == null) {
            throw new MalformedException("a part's Content-Disposition has no name");
        }
        Optional<String> fileName = Optional.ofNullable(params.get("filename"));
        if (params.containsKey("filename*")) {
            // RFC 5987: charset''percent-encoded; UTF-8 is the only charset clients send.
            String extended = params.get("filename*");
            String encoded = extended.contains("''") ? extended.substring(extended.indexOf("''") + 2) : extended;
            fileName = Optional.of(java.net.URLDecoder.decode(encoded.replace("+", "%2B"), StandardCharsets.UTF_8));
        }
        return new Part(name, fileName, Optional.ofNullable(headers.get("content-type")), body);
    }

    private static boolean startsWith(byte[] data, int from, byte[] prefix) {
        return from + prefix.length <= data.length
                && Arrays.equals(data, from, from + prefix.length, prefix, 0, prefix.length);
    }

    private static int indexOf(byte[] data, byte[] pattern, int from) {
        outer:
        for (int i = Math.max(0, from); i <= data.length - pattern.length; i++) {
            for (int j = 0; j < pattern.length; j++) {
                if (data[i + j] != pattern[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
