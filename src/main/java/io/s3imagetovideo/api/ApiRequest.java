package io.s3imagetovideo.api;

import java.net.URI;
import java.net.http.HttpRequest;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One request as a resource describes it. {@code authenticated}: it goes to the base URL and carries
 * the key; a request to any other host never does. {@code body} makes a fresh body for every attempt.
 */
public record ApiRequest(String operation, String method, URI uri, Map<String, String> headers,
        Supplier<HttpRequest.BodyPublisher> body, boolean authenticated) {

    public static ApiRequest get(String operation, URI uri, boolean authenticated) {
        return new ApiRequest(operation, "GET", uri, Map.of(), HttpRequest.BodyPublishers::noBody, authenticated);
    }
}
