package io.s3imagetovideo.api;

import java.net.URI;
import java.net.http.HttpHeaders;
import java.util.Optional;

/**
 * An HTTP answer whose body has been read (for a streamed error, its first part), and scrubbed of the
 * key the request carried.
 */
public record ApiAnswer(int status, HttpHeaders headers, byte[] body, URI uri) {

    public boolean isSuccess() {
        return status >= 200 && status < 300;
    }

    public boolean isRedirect() {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    public Optional<String> header(String name) {
        return headers.firstValue(name);
    }

    @Override
    public String toString() {
        return "ApiAnswer[status=" + status + ", uri host=" + uri.getHost() + ", bytes=" + body.length + "]";
    }
}
