package io.s3imagetovideo.local;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A picture sent as text, as new-api's channels and vLLM-Omni's {@code image_reference} take it: a
 * {@code data:image/...;base64,...} URL, or an http(s) URL the host downloads. The sandbox downloads
 * from loopback addresses only (in a local run, a presigned URL of the S3 server in the same JVM), so
 * that it never goes on the network.
 */
final class SandboxImages {

    /** A picture read, or why not, in words a host would use. */
    sealed interface Read {
        record Picture(byte[] bytes) implements Read {}

        record Problem(String message) implements Read {}
    }

    private static final Pattern DATA_URL = Pattern.compile("(?s)data:(image/[A-Za-z0-9.+-]+);base64,(.*)");
    /** An IPv4 literal, or an IPv6 one as a URI writes it, in brackets: getByName does not look these up. */
    private static final Pattern LITERAL = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}|\\[[0-9a-f:.]+]");
    private static final int MAX_BYTES = 32 * 1024 * 1024;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .followRedirects(HttpClient.Redirect.NEVER).build();

    private SandboxImages() {}

    /** A data URL or an http(s) URL, its picture read and checked to be one. */
    static Read read(String value) {
        String text = value.trim();
        String lower = text.toLowerCase(Locale.ROOT);
        Read read;
        if (lower.startsWith("data:")) {
            read = dataUrl(text);
        } else if (lower.startsWith("http://") || lower.startsWith("https://")) {
            read = download(text);
        } else {
            return new Read.Problem("the image is neither a data: URL nor an http(s) URL");
        }
        if (read instanceof Read.Picture picture && PictureToMp4.decode(picture.bytes()).isEmpty()) {
            return new Read.Problem("the image's bytes are not a PNG, JPEG or WebP picture");
        }
        return read;
    }

    private static Read dataUrl(String url) {
        Matcher m = DATA_URL.matcher(url);
        if (!m.matches()) {
            return new Read.Problem("the data URL is not data:image/<type>;base64,<data>");
        }
        try {
            return new Read.Picture(Base64.getMimeDecoder().decode(m.group(2)));
        } catch (IllegalArgumentException e) {
            return new Read.Problem("the data URL's base64 does not decode: " + e.getMessage());
        }
    }

    private static Read download(String url) {
        URI uri;
        try {
            uri = URI.create(url);
        } catch (IllegalArgumentException e) {
            return new Read.Problem("the image URL is not a URL: " + e.getMessage());
        }
        if (!loopback(uri.getHost())) {
            return new Read.Problem("the sandbox downloads images from loopback addresses only, not from "
                    + uri.getHost());
        }
        try {
            // Nothing but the URL: a presigned URL carries its own authorization, and no host sends a key.
            HttpResponse<InputStream> response = HTTP.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
                    .GET().build(), HttpResponse.BodyHandlers.ofInputStream());
            try (InputStream body = response.body()) {
                byte[] bytes = body.readNBytes(MAX_BYTES + 1);
                if (response.statusCode() != 200) {
                    return new Read.Problem("downloading the image answered HTTP " + response.statusCode());
                }
                if (bytes.length > MAX_BYTES) {
                    return new Read.Problem("the image is larger than " + MAX_BYTES + " bytes");
                }
                return new Read.Picture(bytes);
            }
        } catch (IOException e) {
            return new Read.Problem("downloading the image failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Read.Problem("downloading the image was interrupted");
        }
    }

    /**
     * True for {@code localhost} and loopback address literals. No other name is looked up: a DNS query
     * is already the network.
     */
    private static boolean loopback(String host) {
        if (host == null || host.isEmpty()) {
            return false;
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (name.equals("localhost") || name.endsWith(".localhost")) {
            return true;
        }
        if (!LITERAL.matcher(name).matches()) {
            return false;
        }
        try {
            return InetAddress.getByName(name).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
