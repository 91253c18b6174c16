package io.s3imagetovideo.artifact;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The packaged artifact holds the functions and nothing of their development: no S3 server, no
 * WireMock, no ElasticMQ, no sandbox, no test classes. Run by failsafe after {@code package}, on the
 * jar and on the runtime-scope dependency list that {@code sam build} copies next to the classes.
 */
class DeployableArtifactIT {

    private static final Path MAIN_SOURCES = Path.of("src/main/java");
    /** Libraries and code that belong to tests and local runs only. */
    private static final List<String> DEVELOPMENT = List.of("org/gaul/", "s3proxy", "com/github/tomakehurst/",
            "wiremock", "org/elasticmq/", "elasticmq", "org/testcontainers/", "testcontainers", "org/junit/",
            "junit", "org/assertj/", "assertj", "aws-lambda-java-tests", "runtime-interface-client", "jetty",
            "io/s3imagetovideo/local/", "io/s3imagetovideo/support/", "io/s3imagetovideo/bench/", "logback-test");

    @Test
    void theJarHoldsOnlyClassesCompiledFromTheMainSources() throws IOException {
        Path jar = Path.of(System.getProperty("artifact.jar"));
        assertThat(jar).as("the packaged jar").isRegularFile();
        List<String> entries;
        try (JarFile file = new JarFile(jar.toFile())) {
            entries = Collections.list(file.entries()).stream().map(ZipEntry::getName).toList();
        }
        List<String> classes = entries.stream().filter(e -> e.endsWith(".class")).toList();

        assertThat(classes).as("the functions' classes").contains(
                "io/s3imagetovideo/submit/SubmitHandler.class", "io/s3imagetovideo/poll/PollHandler.class");
        assertThat(classes).as("classes without a source in " + MAIN_SOURCES)
                .filteredOn(c -> !Files.isRegularFile(MAIN_SOURCES.resolve(sourceOf(c))))
                .isEmpty();
        assertThat(entries).as("development code or libraries in the jar")
                .filteredOn(e -> DEVELOPMENT.stream().anyMatch(e.toLowerCase(java.util.Locale.ROOT)::contains))
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
                .filteredOn(j -> DEVELOPMENT.stream().anyMatch(Path.of(j).getFileName().toString()
                        .toLowerCase(java.util.Locale.ROOT)::contains))
                .isEmpty();
    }

    /** {@code a/b/C$Inner.class} comes from {@code a/b/C.java}. */
    private static String sourceOf(String classEntry) {
        String path = classEntry.substring(0, classEntry.length() - ".class".length());
        int inner = path.indexOf('$');
        return (inner < 0 ? path : path.substring(0, inner)) + ".java";
    }
}
