package io.s3imagetovideo.local;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A client of a sandbox host over HTTP, as the functions are one: multipart create, reads by a
 * path-encoded id, redirects followed by hand and without the key. Tests use it to see each host
 * answer what the real one would.
 */
final class SandboxClient {

    static final ObjectMapper JSON = new ObjectMapper();

    private final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
    private final URI base;
    private final String key;

    SandboxClient(URI base, String key) {
        this.base = base;
        this.key = key;
    }

    HttpResponse<byte[]> create(Form form, String... headers) {
        return createWithKey(form, key, headers);
    }

    /** {@code POST /v1/videos} with {@code key} as the bearer token, or no Authorization when null. */
    HttpResponse<byte[]> createWithKey(Form form, String key, String... headers) {
        var request = HttpRequest.newBuilder(base.resolve("/v1/videos"))
                .header("Content-Type", "multipart/form-data; boundary=" + Form.BOUNDARY)
                .POST(HttpRequest.BodyPublishers.ofByteArray(form.body()));
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        for (int i = 0; i + 1 < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return send(request.build());
    }

    /** {@code GET /v1/videos/{id}}, the id path-encoded as the functions encode it. */
    HttpResponse<byte[]> status(String id) {
        return get("/v1/videos/" + pathSegment(id), key);
    }

    HttpResponse<byte[]> content(String id) {
        return get("/v1/videos/" + pathSegment(id) + "/content", key);
    }

    /** A GET of a path on the host, with {@code key}, or no Authorization when null. */
    HttpResponse<byte[]> get(String rawPath, String key) {
        var request = HttpRequest.newBuilder(base.resolve(rawPath)).GET();
        if (key != null) {
            request.header("Authorization", "Bearer " + key);
        }
        return send(request.build());
    }

    HttpResponse<byte[]> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A URL of another host (a storage host, a CDN): fetched with no key, as the functions must. */
    HttpResponse<byte[]> fetchWithoutKey(URI url) {
        return send(HttpRequest.newBuilder(url).GET().build());
    }

    /** Every character but RFC 3986's unreserved ones percent-encoded: {@code =}, {@code +}, {@code /} too. */
    static String pathSegment(String id) {
        StringBuilder out = new StringBuilder();
        for (byte b : id.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xFF);
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || "-._~".indexOf(c) >= 0) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xFF));
            }
        }
        return out.toString();
    }

    static JsonNode json(HttpResponse<byte[]> response, int expectedStatus) {
        assertThat(response.statusCode()).as(new String(response.body(), StandardCharsets.UTF_8))
                .isEqualTo(expectedStatus);
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names;
    }

    /** A multipart form written by hand, so that a test can send what a careless client would. */
    record Form(List<Part> parts) {
        static final String BOUNDARY = "sandbox-client-boundary";

        record Part(String name, String fileName, String type, byte[] body) {}

        static Form of(String... namesAndValues) {
            Form form = new Form(List.of());
            for (int i = 0; i + 1 < namesAndValues.length; i += 2) {
                form = form.with(namesAndValues[i], namesAndValues[i + 1]);
            }
            return form;
        }

        Form with(String name, String value) {
            return plus(new Part(name, null, null, value.getBytes(StandardCharsets.UTF_8)));
        }

        Form withFile(String name, String fileName, String type, byte[] bytes) {
            return plus(new Part(name, fileName, type, bytes));
        }

        Form without(String name) {
            return new Form(parts.stream().filter(p -> !p.name().equals(name)).toList());
        }

        private Form plus(Part part) {
            List<Part> copy = new ArrayList<>(parts);
            copy.add(part);
            return new Form(List.copyOf(copy));
        }

        byte[] body() {
            var out = new ByteArrayOutputStream();
            for (Part part : parts) {
                String head = "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + part.name() + "\""
                        + (part.fileName() == null ? "" : "; filename=\"" + part.fileName() + "\"")
                        + (part.type() == null ? "" : "\r\nContent-Type: " + part.type()) + "\r\n\r\n";
                out.writeBytes(head.getBytes(StandardCharsets.UTF_8));
                out.writeBytes(part.body());
                out.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
            }
            out.writeBytes(("--" + BOUNDARY + "--\r\n").getBytes(StandardCharsets.UTF_8));
            return out.toByteArray();
        }

        @Override
        public String toString() {
            return "Form" + parts.stream().map(Part::name).toList();
        }
    }
}
