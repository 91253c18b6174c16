package io.s3imagetovideo.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.s3imagetovideo.api.ApiKeySource;
import io.s3imagetovideo.api.ApiTransport;
import io.s3imagetovideo.config.Secret;
import io.s3imagetovideo.priming.Priming;
import io.s3imagetovideo.time.Sleeper;
import io.s3imagetovideo.wiring.Dependencies;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/** The SnapStart rehearsals as the priming tests run them: against a loopback server, counted. */
public final class Rehearsals {

    private Rehearsals() {}

    /** What a rehearsal returned, and how many requests it made of the loopback server. */
    public record Run<T>(T outcome, int requests) {}

    /**
     * The real function's dependencies without its AWS clients, which would reach AWS: a rehearsal
     * must not use them, so there are none.
     */
    public static Dependencies withoutAwsClients() {
        return new Dependencies(null, Optional.empty(), ApiTransport.newHttpClient(Duration.ofSeconds(5)),
                ApiKeySource.fixed(new Secret("unused")), new ObjectMapper(), Clock.systemUTC(), Sleeper.SYSTEM,
                new SecureRandom());
    }

    /** One function's rehearsal, returning what its service decided. */
    public interface Rehearsal<T> {
        T run(Priming.Server server) throws Exception;
    }

    /** Runs {@code rehearsal} against a fresh loopback server, as the CRaC hook does. */
    public static <T> Run<T> onLoopback(Rehearsal<T> rehearsal) throws Exception {
        try (Priming.Server server = Priming.Server.start()) {
            T outcome = rehearsal.run(server);
            return new Run<>(outcome, server.requests());
        }
    }
}
