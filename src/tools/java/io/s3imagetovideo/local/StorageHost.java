package io.s3imagetovideo.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A storage host on a loopback port of its own, as an object store behind a video host's
 * {@code /content} redirect is: it serves {@code /blobs/<id>.mp4?sig=<signature>} to whoever has the
 * signed URL, with no key. It records whether a request ever brought an {@code Authorization} header:
 * the video host's key must never go to another host.
 */
final class StorageHost implements AutoCloseable {

    private static final Pattern BLOB = Pattern.compile("/blobs/([A-Za-z0-9_-]+)\\.mp4");

    private final HttpServer server;
    private final Function<String, Optional<SandboxJob>> jobs;
    private final byte[] signingKey = new byte[32];
    private final AtomicBoolean sawAuthorization = new AtomicBoolean();
    private final AtomicInteger downloads = new AtomicInteger();

    StorageHost(Function<String, Optional<SandboxJob>> jobs, ExecutorService executor) throws IOException {
        this.jobs = jobs;
        new SecureRandom().nextBytes(signingKey);
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 50);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The signed URL of a job's video. */
    URI urlOf(SandboxJob job) {
        return baseUrl().resolve("/blobs/" + job.id + ".mp4?sig=" + signature(job.id));
    }

    boolean sawAuthorization() {
        return sawAuthorization.get();
    }

    /** How many videos it served. */
    int downloads() {
        return downloads.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (exchange.getRequestHeaders().containsKey("Authorization")) {
                sawAuthorization.set(true);
            }
            Matcher blob = BLOB.matcher(exchange.getRequestURI().getPath());
            Optional<SandboxJob> job = blob.matches() ? jobs.apply(blob.group(1)) : Optional.empty();
            if (!exchange.getRequestMethod().equals("GET") || job.isEmpty()) {
                SandboxExchanges.send(exchange, 404, "text/plain", "NoSuchKey".getBytes(StandardCharsets.UTF_8));
            } else if (!SandboxExchanges.query(exchange, "sig").orElse("").equals(signature(job.get().id))) {
                SandboxExchanges.send(exchange, 403, "text/plain",
                        "SignatureDoesNotMatch".getBytes(StandardCharsets.UTF_8));
            } else {
                downloads.incrementAndGet();
                SandboxExchanges.send(exchange, 200, "video/mp4", job.get().video());
            }
        }
    }

    private String signature(String id) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(signingKey, "HmacSHA256"));
            return HexFormat.of().formatHex(mac.doFinal(id.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
