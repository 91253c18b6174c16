package io.s3imagetovideo.local;

import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.net.URI;
import java.util.Optional;

/**
 * One host's {@code /v1/videos}: its routes, its checks, its answers and its error shapes, each from
 * the host's source (the research notes name the files). The sandbox hands it every request.
 */
interface SandboxHost extends AutoCloseable {

    void handle(HttpExchange exchange) throws IOException;

    /** The job an id names, in any form this host's paths accept for it. */
    Optional<SandboxJob> job(String id);

    /** Where the host keeps finished videos apart from its API, when it sends clients there. */
    default Optional<URI> storageUrl() {
        return Optional.empty();
    }

    /** True when a request for a stored video carried an {@code Authorization} header (a key). */
    default boolean storageSawAuthorization() {
        return false;
    }

    /** How many videos the storage served. */
    default int storageDownloads() {
        return 0;
    }

    @Override
    default void close() {}
}
