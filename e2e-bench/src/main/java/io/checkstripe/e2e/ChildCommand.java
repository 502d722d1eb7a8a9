package io.checkstripe.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A checkstripe command line (the {@code main} of a named class) run in a child JVM through {@link PeakRssMain}: its exit code, its peak
 * resident set and how long it took. The child uses this JVM's {@code java}, class path and, when loaded
 * here, the incubating Vector API module (so it codes with the same kernel), and the given JVM options (a
 * small {@code -Xmx}); its output goes to a log file.
 *
 * @param exitCode    the command's exit code
 * @param peakRssKib  its peak resident set in KiB, -1 when it reported none
 * @param elapsed     wall-clock time from launch to exit, JVM start-up included
 * @param log         the file holding its output
 */
record ChildCommand(int exitCode, long peakRssKib, Duration elapsed, Path log) {

    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    ChildCommand {
        if (peakRssKib < -1 || elapsed.isNegative()) {
            throw new IllegalArgumentException("peak RSS " + peakRssKib + " KiB and elapsed " + elapsed
                    + " must not be negative");
        }
    }

    /**
     * Runs {@code java jvmOptions PeakRssMain mainClass args} and waits up to {@code timeout} for it.
     *
     * @throws IOException when the child cannot start, or does not end in time (it is killed then)
     */
    static ChildCommand run(List<String> jvmOptions, String mainClass, List<String> args, Path log, Duration timeout)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // The same codec kernel as here: the vector one needs the incubating module bin/checkstripe adds.
        ModuleLayer.boot().findModule(VECTOR_MODULE).ifPresent(m -> command.addAll(List.of("--add-modules",
                VECTOR_MODULE)));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), PeakRssMain.class.getName(),
                mainClass));
        command.addAll(args);
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.to(log.toFile())).start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IOException("child " + String.join(" ", args) + " still running after " + timeout
                        + "; see " + log);
            }
        } finally {
            p.destroyForcibly();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        long rss = -1;
        for (String line : Files.readAllLines(log)) {
            if (line.startsWith(PeakRssMain.MARKER)) {
                rss = Long.parseLong(line.substring(PeakRssMain.MARKER.length()).strip());
            }
        }
        return new ChildCommand(p.exitValue(), rss, elapsed, log);
    }
}
