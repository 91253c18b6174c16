package io.s3imagetovideo.artifact;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;

/**
 * Copies modules of the running JDK's class library out of its runtime image, one folder per module:
 * the library ProGuard shrinks the deployment package against (pom.xml, "task-root"). ProGuard reads
 * class files only, and a JDK need not ship jmod files. Run by the build on the selected JDK as
 * {@code java JdkClasses.java <directory> <module>...}, so that the library is that JDK's.
 */
public final class JdkClasses {

    private JdkClasses() {}

    public static void main(String[] args) throws IOException {
        Path out = Path.of(args[0]);
        FileSystem jrt = FileSystems.getFileSystem(URI.create("jrt:/"));
        for (String module : Arrays.copyOfRange(args, 1, args.length)) {
            Path root = jrt.getPath("/modules", module);
            Path target = out.resolve(module);
            try (Stream<Path> all = Files.walk(root)) {
                for (Path p : all.filter(p -> p.toString().endsWith(".class")).toList()) {
                    Path copy = target.resolve(root.relativize(p).toString());
                    Files.createDirectories(copy.getParent());
                    Files.copy(p, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
    }
}
