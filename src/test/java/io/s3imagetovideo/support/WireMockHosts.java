package io.s3imagetovideo.support;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.core.WireMockConfiguration;
import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import java.util.function.UnaryOperator;

/**
 * The one way the tests start a WireMock host: on a free loopback port, each with a fresh set of
 * options (WireMock keeps a server's stubs and journal in its options, so two servers must not share
 * one). Unit suites register {@link #extension()}; {@link FunctionHarness} starts its hosts here too.
 */
public final class WireMockHosts {

    private WireMockHosts() {}

    /** A host per test, started before it and stopped after it, its stubs and journal reset. */
    public static WireMockExtension extension() {
        return extension(UnaryOperator.identity());
    }

    public static WireMockExtension extension(UnaryOperator<WireMockConfiguration> adjust) {
        return WireMockExtension.newInstance().options(optionsOf(adjust)).build();
    }

    /** A started host; whoever starts it stops it. */
    public static WireMockServer start(UnaryOperator<WireMockConfiguration> adjust) {
        WireMockServer server = new WireMockServer(optionsOf(adjust));
        server.start();
        return server;
    }

    private static WireMockConfiguration optionsOf(UnaryOperator<WireMockConfiguration> adjust) {
        return adjust.apply(options()).dynamicPort().bindAddress("127.0.0.1");
    }
}
