package io.checkstripe.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code checkstripe <subcommand>} run as its own OS process, the way a user or a service manager runs it:
 * {@code java -cp <this JVM's class path> io.checkstripe.cli.Checkstripe ...} (checkstripe's own entries from
 * {@link ChildClasspath}), stdout and stderr each going to a
 * file so that a test can wait for a line, assert on messages, and SIGKILL the process at any instant.
 *
 * <p>Children use the CLI's production {@code logback.xml} (the test class path also holds a
 * {@code logback-test.xml}, which would otherwise win), a small heap and the C1 compiler, so that many of them
 * start quickly on a 2-core machine. A JVM shutdown hook kills a child the test did not end, so an aborted test
 * run leaves no process behind (a SIGKILLed test JVM still can).
 *
 * <p>Not thread-safe: one test thread drives each instance.
 */
final class CheckstripeProcess implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CheckstripeProcess.class);
    private static final String MAIN = "io.checkstripe.cli.Checkstripe";
    private static final Duration STOP_GRACE = Duration.ofSeconds(45);
    private static final Duration POLL = Duration.ofMillis(100);
    private static final int TAIL_LINES = 30;

    private final String name;
    private final List<String> command;
    private final Path stdout;
    private final Path stderr;
    private final Process process;
    private final Thread reaper;
    private final long startNanos;
    private boolean ended;

    private CheckstripeProcess(String name, List<String> command, Path stdout, Path stderr, Process process) {
        this.name = name;
        this.command = command;
        this.stdout = stdout;
        this.stderr = stderr;
        this.process = process;
        this.startNanos = System.nanoTime();
        this.reaper = new Thread(process::destroyForcibly, "kill-" + name);
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /** How a child is started: its maximum heap and extra environment variables. */
    record Options(String heap, Map<String, String> env) {
        Options {
            if (heap == null || !heap.matches("\\d+[mg]")) {
                throw new IllegalArgumentException("heap must be like 256m or 1g, got " + heap);
            }
            env = Map.copyOf(env);
        }

        static Options defaults() {
            return new Options("256m", Map.of());
        }

        /** A long-running service (sink, striper): its own progress logged at INFO on stderr. */
        static Options service(String heap) {
            return new Options(heap, Map.of("CHECKSTRIPE_LOG_LEVEL", "INFO"));
        }
    }

    /**
     * Starts {@code checkstripe args...}; its output goes to {@code logDir/name.out} and {@code logDir/name.err}
     * (appended, so a restarted service keeps one history).
     */
    static CheckstripeProcess start(String name, Path logDir, Options options, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of("-Xms32m", "-Xmx" + options.heap(), "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-XX:+ExitOnOutOfMemoryError", "-Djava.awt.headless=true", "-Dlogback.configurationFile=logback.xml",
                "-cp", ChildClasspath.get(), MAIN));
        command.addAll(args);
        try {
            Files.createDirectories(logDir);
            Path out = logDir.resolve(name + ".out");
            Path err = logDir.resolve(name + ".err");
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
                    .redirectError(ProcessBuilder.Redirect.appendTo(err.toFile()))
                    .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            builder.environment().putAll(options.env());
            Process process = builder.start();
            log.info("started {} (pid {}): checkstripe {}", name, process.pid(), String.join(" ", args));
            return new CheckstripeProcess(name, command, out, err, process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    static CheckstripeProcess start(String name, Path logDir, List<String> args) {
        return start(name, logDir, Options.defaults(), args);
    }

    /** Runs {@code checkstripe args...} to its end (at most {@code timeout}) and returns what it did. */
    static Result run(String name, Path logDir, Duration timeout, List<String> args) {
        try (CheckstripeProcess p = start(name, logDir, args)) {
            int code = p.waitFor(timeout);
            return new Result(code, p.stdout(), p.stderr(), p.elapsed());
        }
    }

    /** A finished run: exit code, whole stdout and stderr, wall-clock time. */
    record Result(int exitCode, String stdout, String stderr, Duration elapsed) {
        @Override
        public String toString() {
            return "exit " + exitCode + " after " + elapsed.toMillis() + " ms\n--- stdout\n" + stdout + "--- stderr\n"
                    + stderr;
        }
    }

    String name() {
        return name;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    Duration elapsed() {
        return Duration.ofNanos(System.nanoTime() - startNanos);
    }

    String stdout() {
        return read(stdout);
    }

    String stderr() {
        return read(stderr);
    }

    /**
     * Waits until a line of stdout matches {@code pattern} and returns the match; fails at once, with the end of
     * stderr, if the process exits first.
     */
    Matcher awaitStdout(Pattern pattern, Duration timeout) {
        AtomicReference<Matcher> found = new AtomicReference<>();
        try {
            Awaitility.await(name + " prints " + pattern).atMost(timeout).pollDelay(Duration.ZERO).pollInterval(POLL)
                    .until(() -> {
                        Matcher m = pattern.matcher(stdout());
                        if (m.find()) {
                            found.set(m);
                            return true;
                        }
                        if (!process.isAlive()) {
                            throw new IllegalStateException(name + " exited with code " + process.exitValue()
                                    + " before printing " + pattern + "\n" + diagnostics());
                        }
                        return false;
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError(name + " did not print " + pattern + " within " + timeout + "\n" + diagnostics(), e);
        }
        return found.get();
    }

    /** Waits up to {@code timeout} for the exit and returns the exit code; a process still running then is killed. */
    int waitFor(Duration timeout) {
        if (!waitForExit(timeout)) {
            kill();
            throw new AssertionError(name + " still running after " + timeout + " (killed now)\n" + diagnostics());
        }
        end();
        return process.exitValue();
    }

    /** SIGKILL: no shutdown hook, no flush, no close; waits until the process is gone. */
    void kill() {
        if (ended) {
            return;
        }
        process.destroyForcibly();
        if (!waitForExit(STOP_GRACE)) {
            throw new IllegalStateException(name + " (pid " + process.pid() + ") still alive " + STOP_GRACE
                    + " after SIGKILL");
        }
        log.info("SIGKILLed {} (pid {}) after {} ms", name, process.pid(), elapsed().toMillis());
        end();
    }

    /** SIGTERM, as Ctrl-C or a service manager stops it; SIGKILL if it is still running after a grace period. */
    int stop() {
        if (ended) {
            return process.exitValue();
        }
        process.destroy();
        if (!waitForExit(STOP_GRACE)) {
            log.warn("{} (pid {}) still running {} after SIGTERM; killing it", name, process.pid(), STOP_GRACE);
            kill();
            return process.exitValue();
        }
        log.info("stopped {} (pid {}) with exit code {}", name, process.pid(), process.exitValue());
        end();
        return process.exitValue();
    }

    /** Asserts that the process is still running, showing its output when it is not. */
    void assertAlive() {
        assertThat(process.isAlive()).as("%s is running\n%s", name, diagnostics()).isTrue();
    }

    /** The command line, exit state and the end of both output files, for a failure message. */
    String diagnostics() {
        return "command: " + String.join(" ", command.subList(command.indexOf(MAIN), command.size()))
                + (process.isAlive() ? "\n(running)" : "\nexit code " + process.exitValue())
                + "\n--- end of " + stdout + "\n" + tail(stdout()) + "\n--- end of " + stderr + "\n" + tail(stderr());
    }

    /** Kills the process if it is still running. */
    @Override
    public void close() {
        kill();
    }

    private boolean waitForExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while waiting for " + name, e);
        }
    }

    private void end() {
        ended = true;
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException shuttingDown) {
            // the hook runs anyway and finds the process gone
        }
    }

    private static String tail(String text) {
        String[] lines = text.split("\n", -1);
        int from = Math.max(0, lines.length - TAIL_LINES);
        return String.join("\n", Arrays.copyOfRange(lines, from, lines.length));
    }

    private static String read(Path file) {
        try {
            // A line being written may end in half a character; decoding replaces it rather than failing.
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

}
