package io.s3imagetovideo.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The packaged artifact holds the functions and nothing of their development: no S3 server, no
 * WireMock, no ElasticMQ, no sandbox, no test classes. Run by failsafe after {@code package}, on the
 * jar, on the runtime-scope dependency list, and on the task root that the Makefile hands
 * {@code sam build}: one jar in {@code lib/}, which must also still name, in its META-INF/services,
 * only providers it holds (ProGuard drops what no code reaches; ImageIO fails on a provider it cannot
 * load).
 */
class DeployableArtifactIT {

    private static final Path MAIN_SOURCES = Path.of("src/main/java");
    /** Libraries and code that belong to tests and local runs only. */
    private static final List<String> DEVELOPMENT = List.of("org/gaul/", "s3proxy", "com/github/tomakehurst/",
            "wiremock", "org/elasticmq/", "elasticmq", "org/testcontainers/", "testcontainers", "org/junit/",
            "junit", "org/assertj/", "assertj", "aws-lambda-java-tests", "runtime-interface-client", "jetty",
            "io/s3imagetovideo/local/", "io/s3imagetovideo/support/", "io/s3imagetovideo/bench/", "logback-test",
            "io/s3imagetovideo/artifact/", "proguard", "com/guardsquare/");

    @Test
    void theJarHoldsOnlyClassesCompiledFromTheMainSources() throws IOException {
        Path jar = Path.of(System.getProperty("artifact.jar"));
        assertThat(jar).as("the packaged jar").isRegularFile();
        List<String> entries = entries(jar);
        List<String> classes = entries.stream().filter(e -> e.endsWith(".class")).toList();

        assertThat(classes).as("the functions' classes").contains(
                "io/s3imagetovideo/submit/SubmitHandler.class", "io/s3imagetovideo/poll/PollHandler.class");
        assertThat(classes).as("classes without a source in " + MAIN_SOURCES)
                .filteredOn(c -> !Files.isRegularFile(MAIN_SOURCES.resolve(sourceOf(c))))
                .isEmpty();
        assertThat(entries).as("development code or libraries in the jar")
                .filteredOn(DeployableArtifactIT::isDevelopment)
                .isEmpty();
    }

    @Test
    void theRuntimeDependenciesHoldNoDevelopmentLibrary() throws IOException {
        Path list = Path.of(System.getProperty("artifact.runtimeClasspath"));
        assertThat(list).as("the runtime classpath written at package").isRegularFile();
        List<String> jars = List.of(Files.readString(list).trim().split(File.pathSeparator));

        assertThat(jars).as("the libraries the functions need").anyMatch(j -> j.contains("aws-lambda-java-core"))
                .anyMatch(j -> j.contains("jackson-databind"));
        assertThat(jars).as("development libraries among the runtime dependencies")
                .filteredOn(j -> isDevelopment(Path.of(j).getFileName().toString()))
                .isEmpty();
    }

    @Test
    void theTaskRootIsOneJarOfTheFunctionsAndTheirLibrariesAndNothingOfTheirDevelopment() throws IOException {
        Path root = TaskRoots.deployable();
        assertThat(TaskRoots.files(root).keySet()).as("the task root's files").containsExactly("lib/s3-image-to-video.jar");
        Path jar = root.resolve("lib/s3-image-to-video.jar");
        List<String> entries = entries(jar);

        assertThat(entries).as("the functions, the SDK's clients, Jackson, the WebP plugin").contains(
                "io/s3imagetovideo/submit/SubmitHandler.class", "io/s3imagetovideo/poll/PollHandler.class",
                "software/amazon/awssdk/services/s3/DefaultS3Client.class",
                "software/amazon/awssdk/services/sqs/DefaultSqsClient.class",
                "software/amazon/awssdk/services/secretsmanager/DefaultSecretsManagerClient.class",
                "com/fasterxml/jackson/databind/ObjectMapper.class",
                "com/twelvemonkeys/imageio/plugins/webp/WebPImageReaderSpi.class");
        assertThat(entries).as("joda-time, which only the runtime's event serialiser would load; the handlers read"
                + " their events themselves").noneMatch(e -> e.startsWith("org/joda/"));
        assertThat(entries).as("the runtime's own library, which its class loader would find first")
                .noneMatch(e -> e.startsWith("com/amazonaws/services/lambda/runtime/") && !e.contains("/events/"));
        assertThat(entries).as("development code or libraries in the task root")
                .filteredOn(DeployableArtifactIT::isDevelopment)
                .isEmpty();
        assertThat(missingProviders(jar)).as("providers named in META-INF/services but not in the jar").isEmpty();
    }

    /** Providers a ServiceLoader would fail on: named for an interface that the jar or the JDK has, but absent. */
    private static List<String> missingProviders(Path jar) throws IOException {
        List<String> missing = new ArrayList<>();
        try (JarFile file = new JarFile(jar.toFile())) {
            Set<String> names = Collections.list(file.entries()).stream().map(ZipEntry::getName)
                    .collect(Collectors.toSet());
            for (String entry : names) {
                if (!entry.startsWith("META-INF/services/") || entry.endsWith("/")) {
                    continue;
                }
                String service = entry.substring("META-INF/services/".length());
                boolean used = names.contains(service.replace('.', '/') + ".class") || isJdkClass(service);
                if (!used) {
                    continue;
                }
                try (InputStream in = file.getInputStream(file.getEntry(entry))) {
                    for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                        String provider = line.replaceAll("#.*", "").trim();
                        if (!provider.isEmpty() && !names.contains(provider.replace('.', '/') + ".class")) {
                            missing.add(service + ": " + provider);
                        }
                    }
                }
            }
        }
        return missing;
    }

    private static boolean isJdkClass(String name) {
        try {
            Class.forName(name, false, ClassLoader.getPlatformClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }

    private static boolean isDevelopment(String entry) {
        return DEVELOPMENT.stream().anyMatch(entry.toLowerCase(Locale.ROOT)::contains);
    }

    private static List<String> entries(Path jar) throws IOException {
        try (JarFile file = new JarFile(jar.toFile())) {
            return Collections.list(file.entries()).stream().map(ZipEntry::getName).toList();
        }
    }

    /** {@code a/b/C$Inner.class} comes from {@code a/b/C.java}. */
    private static String sourceOf(String classEntry) {
        String path = classEntry.substring(0, classEntry.length() - ".class".length());
        int inner = path.indexOf('$');
        return (inner < 0 ? path : path.substring(0, inner)) + ".java";
    }
}
