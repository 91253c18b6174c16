package io.s3imagetovideo.priming;

import java.io.IOException;
import java.io.InputStream;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * TLS for the priming rehearsal, so that the snapshot holds the handshake, the certificate checks and
 * the record encryption that every real request pays for (all of AWS and any real host speak HTTPS).
 * The loopback server presents a self-signed RSA 2048 certificate for 127.0.0.1 bundled with the code
 * ({@code priming/loopback.p12}), as AWS presents RSA 2048 certificates; only the rehearsal's own
 * clients trust it, so it authenticates nothing anywhere else and its key is no secret.
 */
public final class LoopbackTls {

    private static final String KEYSTORE = "/priming/loopback.p12";
    private static final char[] PASSWORD = "priming".toCharArray();

    private final SSLContext server;
    private final SSLContext client;
    private final TrustManager[] trustManagers;

    private LoopbackTls(SSLContext server, SSLContext client, TrustManager[] trustManagers) {
        this.server = server;
        this.client = client;
        this.trustManagers = trustManagers;
    }

    public static LoopbackTls load() throws IOException, GeneralSecurityException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = LoopbackTls.class.getResourceAsStream(KEYSTORE)) {
            if (in == null) {
                throw new IOException("no " + KEYSTORE + " on the class path");
            }
            keys.load(in, PASSWORD);
        }
        KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, PASSWORD);
        SSLContext server = SSLContext.getInstance("TLS");
        server.init(keyManagers.getKeyManagers(), null, null);

        Certificate certificate = keys.getCertificate("loopback");
        KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
        trusted.load(null, null);
        trusted.setCertificateEntry("loopback", certificate);
        // The same algorithm (PKIX) as the default trust manager: the same checks run as for AWS's chains.
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext client = SSLContext.getInstance("TLS");
        client.init(null, trust.getTrustManagers(), null);
        return new LoopbackTls(server, client, trust.getTrustManagers());
    }

    public SSLContext serverContext() {
        return server;
    }

    /** For the rehearsal's {@code java.net.http} client. */
    public SSLContext clientContext() {
        return client;
    }

    /** For the rehearsal's AWS SDK HTTP client. */
    public TrustManager[] trustManagers() {
        return trustManagers.clone();
    }

    /**
     * The JDK's default TLS context and its trust store (cacerts), which the real clients use from their
     * first request: loaded now, so that the snapshot holds them parsed.
     */
    public static void loadDefaultTrust() throws GeneralSecurityException {
        SSLContext.getDefault();
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm()).init((KeyStore) null);
    }
}
