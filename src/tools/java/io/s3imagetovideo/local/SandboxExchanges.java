package io.s3imagetovideo.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;

/** What every sandbox host does with a request and its answer, whatever its own shapes. */
final class SandboxExchanges {

    static final ObjectMapper JSON = new ObjectMapper();
    static final int MAX_BODY_BYTES = 64 * 1024 * 1024;

    private SandboxExchanges() {}

    /** A create request's body as a form, or why it is not one. */
    sealed interface FormRead {
        record Read(Multipart form) implements FormRead {}

        record NotMultipart() implements FormRead {}

        record TooLarge() implements FormRead {}

        record Malformed(String why) implements FormRead {}
    }

    static FormRead form(HttpExchange exchange) throws IOException {
        Optional<String> boundary = Multipart.boundary(exchange.getRequestHeaders().getFirst("Content-Type"));
        if (boundary.isEmpty()) {
            return new FormRead.NotMultipart();
        }
        byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY_BYTES + 1);
        if (body.length > MAX_BODY_BYTES) {
            return new FormRead.TooLarge();
        }
        try {
            return new FormRead.Read(Multipart.parse(body, boundary.get()));
        } catch (Multipart.MalformedException e) {
            return new FormRead.Malformed(e.getMessage());
        }
    }

    /** A text field of the form: a part without a file name. */
    static Optional<String> text(Multipart form, String name) {
        return form.parts().stream().filter(p -> p.name().equals(name) && p.fileName().isEmpty()).findFirst()
                .map(Multipart.Part::text);
    }

    /**
     * The token of an {@code Authorization} header that starts with one of {@code schemes} (each with its
     * space, as {@code "Bearer "}: hosts differ on the case they take), if it is not blank.
     */
    static Optional<String> token(HttpExchange exchange, List<String> schemes) {
        String header = exchange.getRequestHeaders().getFirst("Authorization");
        if (header == null) {
            return Optional.empty();
        }
        return schemes.stream().filter(header::startsWith).findFirst()
                .map(scheme -> header.substring(scheme.length()).trim()).filter(t -> !t.isEmpty());
    }

    /** The value of a query parameter, decoded. */
    static Optional<String> query(HttpExchange exchange, String name) {
        String query = exchange.getRequestURI().getRawQuery();
        if (query == null) {
            return Optional.empty();
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            if (key.equals(name)) {
                return Optional.of(eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return Optional.empty();
    }

    static void json(HttpExchange exchange, int status, JsonNode body) throws IOException {
        json(exchange, status, body, "application/json");
    }

    static void json(HttpExchange exchange, int status, JsonNode body, String contentType) throws IOException {
        send(exchange, status, contentType, body.toString().getBytes(StandardCharsets.UTF_8));
    }

    static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        // The request body is read to its end first: answering mid-upload shows the client a broken pipe.
        exchange.getRequestBody().transferTo(OutputStream.nullOutputStream());
        if (contentType != null) {
            exchange.getResponseHeaders().add("Content-Type", contentType);
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
