package io.s3imagetovideo.bench.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A test certificate authority for the benchmark, made with the JDK's keytool: a CA, a server
 * certificate it signed for 127.0.0.1 (RSA 2048 and SHA-256, as AWS's endpoints present), and a trust
 * store holding the JDK's own CA certificates plus the test CA, so that a function JVM pointed at it
 * validates its servers as it validates AWS's, at the cost of loading as large a store.
 */
public final class TestPki {

    static final String PASSWORD = "changeit";
    private static final List<String> PASSWORDLESS_PKCS12 = List.of("-J-Dkeystore.pkcs12.certProtectionAlgorithm=NONE",
            "-J-Dkeystore.pkcs12.macAlgorithm=NONE");

    private final Path serverKeyStore;
    private final Path trustStore;

    private TestPki(Path serverKeyStore, Path trustStore) {
        this.serverKeyStore = serverKeyStore;
        this.trustStore = trustStore;
    }

    /** Makes the CA, the server certificate and the trust store in {@code dir} (anything there is replaced). */
    public static TestPki create(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        for (String name : List.of("ca.p12", "server.p12", "trust.p12", "ca.pem", "server.csr", "server.pem")) {
            Files.deleteIfExists(dir.resolve(name));
        }
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Path ca = dir.resolve("ca.p12");
        Path server = dir.resolve("server.p12");
        Path trust = dir.resolve("trust.p12");
        keytool(keytool, "-genkeypair", "-alias", "ca", "-keyalg", "RSA", "-keysize", "2048", "-sigalg",
                "SHA256withRSA", "-dname", "CN=s3-image-to-video benchmark CA", "-ext", "bc:c", "-validity", "30",
                "-storetype", "PKCS12", "-keystore", ca.toString(), "-storepass", PASSWORD);
        keytool(keytool, "-exportcert", "-rfc", "-alias", "ca", "-keystore", ca.toString(), "-storepass", PASSWORD,
                "-file", dir.resolve("ca.pem").toString());
        keytool(keytool, "-genkeypair", "-alias", "server", "-keyalg", "RSA", "-keysize", "2048", "-sigalg",
                "SHA256withRSA", "-dname", "CN=127.0.0.1", "-validity", "30", "-storetype", "PKCS12", "-keystore",
                server.toString(), "-storepass", PASSWORD);
        keytool(keytool, "-certreq", "-alias", "server", "-keystore", server.toString(), "-storepass", PASSWORD,
                "-file", dir.resolve("server.csr").toString());
        keytool(keytool, "-gencert", "-alias", "ca", "-keystore", ca.toString(), "-storepass", PASSWORD,
                "-infile", dir.resolve("server.csr").toString(), "-outfile", dir.resolve("server.pem").toString(),
                "-rfc", "-validity", "30", "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-ext", "KU=digitalSignature,keyEncipherment",
                "-ext", "EKU=serverAuth");
        keytool(keytool, "-importcert", "-noprompt", "-alias", "ca", "-keystore", server.toString(), "-storepass",
                PASSWORD, "-file", dir.resolve("ca.pem").toString());
        keytool(keytool, "-importcert", "-alias", "server", "-keystore", server.toString(), "-storepass", PASSWORD,
                "-file", dir.resolve("server.pem").toString());
        // The JDK's CA certificates, and the test CA beside them, in a store made as the JDK makes its own
        // cacerts since JDK 18 (JDK-8275252): PKCS12 without a password, so neither a MAC nor encrypted
        // certificates. keytool's defaults would add both, and with them two 10,000-round PBKDF2 runs to
        // every load that the function's JVM on Lambda does not pay.
        keytool(keytool, PASSWORDLESS_PKCS12, "-importkeystore", "-srckeystore", Path.of(System.getProperty("java.home"),
                "lib", "security", "cacerts").toString(), "-srcstorepass", PASSWORD, "-destkeystore", trust.toString(),
                "-deststoretype", "PKCS12", "-deststorepass", PASSWORD, "-noprompt");
        keytool(keytool, PASSWORDLESS_PKCS12, "-importcert", "-noprompt", "-alias", "s3-image-to-video-benchmark-ca",
                "-keystore", trust.toString(), "-storepass", PASSWORD, "-file", dir.resolve("ca.pem").toString());
        return new TestPki(server, trust);
    }

    /** The TLS context of every server the benchmark starts. */
    public SSLContext serverContext() throws IOException, GeneralSecurityException {
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(serverKeyStore)) {
            keys.load(in, PASSWORD.toCharArray());
        }
        KeyManagerFactory factory = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(keys, PASSWORD.toCharArray());
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(factory.getKeyManagers(), null, null);
        return context;
    }

    /** The system properties that make a JVM's default TLS trust the test CA (and every public CA). */
    public List<String> jvmTrustFlags() {
        return List.of("-Djavax.net.ssl.trustStore=" + trustStore.toAbsolutePath(), "-Djavax.net.ssl.trustStoreType=PKCS12");
    }

    private static void keytool(Path keytool, String... args) throws IOException, InterruptedException {
        keytool(keytool, List.of(), args);
    }

    private static void keytool(Path keytool, List<String> options, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(keytool.toString()));
        command.addAll(options);
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }
}
