package io.s3imagetovideo.priming;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.log.Log;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;

/**
 * SnapStart priming. Before Lambda snapshots an initialised function, it calls the CRaC
 * {@code beforeCheckpoint} hooks; a function's hook runs its real code path once, end to end, so that
 * the classes it needs (the SDK's marshallers, signer, XML and JSON protocols, the HTTP clients,
 * Jackson, the multipart body) are loaded, initialised and compiled in the snapshot rather than on
 * the first invocation after a restore.
 *
 * <p>Without side effects: every request of the rehearsal goes to a {@link Server} on the loopback
 * interface inside this process, over TLS as every real request goes ({@link LoopbackTls}), with
 * made-up credentials, so no AWS account, bucket, queue or video API is touched and nothing is paid for. A rehearsal that fails is logged and otherwise ignored: a
 * failed hook would fail the snapshot, and priming is an optimisation, never a condition.
 */
public final class Priming {

    /** The runtime's CRaC context may hold its resources weakly; these must live as long as the function. */
    private static final List<Resource> REGISTERED = new CopyOnWriteArrayList<>();

    private Priming() {}

    /** A rehearsal of one function's path against the loopback {@link Server}. */
    public interface Rehearsal {
        void run(Server server) throws Exception;
    }

    /** Registers {@code rehearsal} to run once before the snapshot is taken. */
    public static void register(String function, Rehearsal rehearsal) {
        Resource resource = new Resource() {
            @Override
            public void beforeCheckpoint(Context<? extends Resource> context) {
                prime(function, rehearsal);
            }

            @Override
            public void afterRestore(Context<? extends Resource> context) {
                // nothing to reopen: the rehearsal's server and clients are closed before the snapshot
            }
        };
        REGISTERED.add(resource);
        Core.getGlobalContext().register(resource);
    }

    /** Runs a rehearsal now; what {@code beforeCheckpoint} does. */
    public static void prime(String function, Rehearsal rehearsal) {
        long started = System.nanoTime();
        try (Server server = Server.start()) {
            LoopbackTls.loadDefaultTrust();
            rehearsal.run(server);
            Log.info("priming_done", "function", function, "requests", server.requests(),
                    "ms", (System.nanoTime() - started) / 1_000_000);
        } catch (Exception | LinkageError e) {
            Log.warn("priming_failed", "function", function, "error", e.getClass().getSimpleName(),
                    "message", e.getMessage());
        }
    }

    /** S3's answer to a read of a key that is not there. */
    public static Response noSuchKey() {
        return Response.of(404, "application/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error>"
                + "<Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>");
    }

    /**
     * The answers both rehearsals need from AWS's JSON services: the key from Secrets Manager (a made-up
     * one) and SQS's receipt for a sent message; empty for any other request.
     */
    public static Optional<Response> secretOrMessageSent(Request r, ObjectMapper mapper) throws Exception {
        String target = r.header("x-amz-target");
        if (target != null && target.endsWith("GetSecretValue")) {
            return Optional.of(Response.of(200, "application/x-amz-json-1.1",
                    "{\"ARN\":\"priming\",\"Name\":\"priming\",\"SecretString\":\"sk-priming-not-a-real-key\"}"));
        }
        if (target != null && target.endsWith("SendMessage")) {
            return Optional.of(Response.of(200, "application/x-amz-json-1.0", sqsSent(r.body(), mapper)));
        }
        return Optional.empty();
    }

    /** SQS's answer to SendMessage, with the MD5 of the body that the SDK checks against what it sent. */
    static String sqsSent(byte[] request, ObjectMapper mapper) throws Exception {
        String body = mapper.readTree(request).path("MessageBody").asText();
        String md5 = HexFormat.of().formatHex(MessageDigest.getInstance("MD5")
                .digest(body.getBytes(StandardCharsets.UTF_8)));
        return "{\"MessageId\":\"priming\",\"MD5OfMessageBody\":\"" + md5 + "\"}";
    }

    /** One HTTP request as the loopback server saw it. */
    public record Request(String method, String target, Map<String, String> headers, byte[] body) {
        public String path() {
            int q = target.indexOf('?');
            return q < 0 ? target : target.substring(0, q);
        }

        public String query() {
            int q = target.indexOf('?');
            return q < 0 ? "" : target.substring(q + 1);
        }

        /** A header by its name in any case. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** A canned answer. */
    public record Response(int status, Map<String, String> headers, byte[] body) {
        public static Response of(int status, String contentType, String body) {
            return of(status, contentType, body.getBytes(StandardCharsets.UTF_8));
        }

        public static Response of(int status, String contentType, byte[] body) {
            return new Response(status, Map.of("Content-Type", contentType), body);
        }

        public Response with(String header, String value) {
            Map<String, String> all = new TreeMap<>(headers);
            all.put(header, value);
            return new Response(status, all, body);
        }
    }

    /** What the loopback server answers; set by the rehearsal before its first request. */
    public interface Routes {
        Response answer(Request request) throws Exception;
    }

    /**
     * A minimal HTTPS (HTTP/1.1 over TLS) server on 127.0.0.1, one connection at a time, every answer
     * with {@code Connection: close} so that no client keeps a pooled connection into the snapshot.
     * Only the JDK's own sockets and TLS: nothing loaded for it that the function would not load anyway.
     */
    public static final class Server implements AutoCloseable {
        private final ServerSocket socket;
        private final LoopbackTls tls;
        private final Thread acceptor;
        private volatile Routes routes = request -> Response.of(404, "text/plain", "no route");
        private volatile int requests;

        private Server(ServerSocket socket, LoopbackTls tls) {
            this.socket = socket;
            this.tls = tls;
            this.acceptor = Thread.ofPlatform().daemon().name("priming-server").start(this::serve);
        }

        public static Server start() throws IOException, java.security.GeneralSecurityException {
            LoopbackTls tls = LoopbackTls.load();
            return new Server(tls.serverContext().getServerSocketFactory().createServerSocket(0, 16,
                    InetAddress.getLoopbackAddress()), tls);
        }

        public URI endpoint() {
            return URI.create("https://127.0.0.1:" + socket.getLocalPort());
        }

        /** The TLS the rehearsal's clients must trust to reach this server. */
        public LoopbackTls tls() {
            return tls;
        }

        public void routes(Routes routes) {
            this.routes = routes;
        }

        public int requests() {
            return requests;
        }

        private void serve() {
            while (!socket.isClosed()) {
                try (Socket connection = socket.accept()) {
                    connection.setSoTimeout(10_000);
                    exchange(connection.getInputStream(), connection.getOutputStream());
                    // Closing a TLS socket waits, up to its read timeout, for the client's close_notify; a
                    // client that still holds the answer's stream sends it only when it lets go.
                    connection.setSoTimeout(100);
                } catch (Exception e) {
                    if (!socket.isClosed()) {
                        Log.warn("priming_server_error", "error", e.getClass().getSimpleName(),
                                "message", e.getMessage());
                    }
                }
            }
        }

        private void exchange(InputStream in, OutputStream out) throws Exception {
            String[] requestLine = line(in).split(" ");
            Map<String, String> headers = new TreeMap<>();
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                int colon = header.indexOf(':');
                headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
            }
            if ("100-continue".equalsIgnoreCase(headers.get("expect"))) {
                out.write("HTTP/1.1 100 Continue\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
            byte[] body = "chunked".equalsIgnoreCase(headers.get("transfer-encoding")) ? chunked(in)
                    : in.readNBytes(Integer.parseInt(headers.getOrDefault("content-length", "0")));
            requests++;
            Response response = routes.answer(new Request(requestLine[0], requestLine[1], headers, body));
            StringBuilder head = new StringBuilder("HTTP/1.1 ").append(response.status()).append(" X\r\n");
            response.headers().forEach((k, v) -> head.append(k).append(": ").append(v).append("\r\n"));
            head.append("Content-Length: ").append(response.body().length).append("\r\nConnection: close\r\n\r\n");
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (!"HEAD".equals(requestLine[0])) {
                out.write(response.body());
            }
            out.flush();
        }

        private static byte[] chunked(InputStream in) throws IOException {
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            for (int size = Integer.parseInt(line(in).split(";")[0].trim(), 16); size > 0;
                    size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
                body.write(in.readNBytes(size));
                line(in);
            }
            while (!line(in).isEmpty()) {
                // trailers: not needed
            }
            return body.toByteArray();
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("connection closed mid-request");
                }
                if (b != '\r') {
                    line.write(b);
                }
            }
            return line.toString(StandardCharsets.ISO_8859_1);
        }

        @Override
        public void close() throws IOException {
            socket.close();
            acceptor.interrupt();
        }
    }
}
