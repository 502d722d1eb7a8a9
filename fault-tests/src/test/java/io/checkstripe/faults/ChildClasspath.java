package io.checkstripe.faults;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The class path of the {@code checkstripe} child processes: this JVM's, with every checkstripe entry (module
 * jars and class directories) replaced by a private copy taken once per test JVM. A build that reinstalls a
 * module while the suite runs (other builds share the machine and the local repository) then cannot swap a jar
 * under a running child, which would fail later with a {@code NoClassDefFoundError} that no fault explains.
 * Third-party jars are used in place: nothing rewrites them.
 */
final class ChildClasspath {

    private static final String VALUE = snapshot();

    private ChildClasspath() {
    }

    static String get() {
        return VALUE;
    }

    private static String snapshot() {
        Path target = Path.of("target", "child-classpath-" + ProcessHandle.current().pid()).toAbsolutePath();
        List<String> entries = new ArrayList<>();
        int i = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path path = Path.of(entry);
            if (!isCheckstripe(path) || !Files.exists(path)) {
                entries.add(entry);
                continue;
            }
            Path copy = target.resolve(i++ + "-" + path.getFileName());
            copy(path, copy);
            entries.add(copy.toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    private static boolean isCheckstripe(Path path) {
        String p = path.toAbsolutePath().toString().replace(File.separatorChar, '/');
        return p.contains("/io/checkstripe/") || p.contains("/checkstripe-") || p.endsWith("/target/classes")
                || p.endsWith("/target/test-classes");
    }

    private static void copy(Path from, Path to) {
        try {
            Files.createDirectories(to.getParent());
            if (Files.isDirectory(from)) {
                try (Stream<Path> walk = Files.walk(from)) {
                    for (Path p : walk.toList()) {
                        Path dest = to.resolve(from.relativize(p).toString());
                        if (Files.isDirectory(p)) {
                            Files.createDirectories(dest);
                        } else {
                            Files.copy(p, dest, StandardCopyOption.REPLACE_EXISTING);
                        }
                    }
                }
            } else {
                Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot copy class path entry " + from + " to " + to, e);
        }
    }
}
