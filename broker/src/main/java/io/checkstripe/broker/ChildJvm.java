package io.checkstripe.broker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One child JVM whose output goes to a log file: the common part of {@link BrokerProcess} and
 * the test kit's schema registry. A JVM shutdown hook kills the child if the parent exits without
 * closing it, so a failed test run does not leave brokers behind (a parent killed with SIGKILL
 * still can: nothing runs in it then).
 *
 * <p>Not thread-safe; its owners serialise calls.
 */
public final class ChildJvm {

    private static final Logger log = LoggerFactory.getLogger(ChildJvm.class);
    private static final int TAIL_LINES = 40;
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration KILL_WAIT = Duration.ofSeconds(30);

    private final String name;
    private final Path logFile;
    private final Process process;
    private final Thread reaper;
    private boolean ended;

    private ChildJvm(String name, Path logFile, Process process) {
        this.name = name;
        this.logFile = logFile;
        this.process = process;
        this.reaper = new Thread(process::destroyForcibly, "kill-" + name);
        Runtime.getRuntime().addShutdownHook(reaper);
    }

    /**
     * Starts {@code javaBinary jvmArgs... mainArgs...} in {@code workDir}, appending stdout and
     * stderr to {@code logFile}.
     */
    public static ChildJvm launch(String name, Path javaBinary, List<String> jvmArgs, List<String> mainArgs,
                           Path workDir, Path logFile) {
        List<String> command = new ArrayList<>();
        command.add(javaBinary.toString());
        command.addAll(jvmArgs);
        command.addAll(mainArgs);
        try {
            Files.createDirectories(workDir);
            ProcessBuilder builder = new ProcessBuilder(command)
                    .directory(workDir.toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()));
            Process process = builder.start();
            log.info("started {} as pid {}, log {}", name, process.pid(), logFile);
            return new ChildJvm(name, logFile, process);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + " with " + command, e);
        }
    }

    /** The java binary of the JVM running this code. */
    public static Path currentJavaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java");
    }

    /**
     * Waits until {@code ready} returns true, failing early when the child exits and, on
     * timeout, with the tail of its log so the cause is in the test report.
     */
    public void awaitReady(Duration timeout, Callable<Boolean> ready) {
        ChildExited exited = null;
        try {
            Waits.until(name + " ready", timeout, POLL, false, () -> {
                if (!process.isAlive()) {
                    throw new ChildExited(name + " exited with code " + process.exitValue()
                            + " before it was ready; last lines of " + logFile + ":\n" + tail());
                }
                return ready.call();
            });
        } catch (ChildExited e) {
            exited = e;
        } catch (IllegalStateException e) {
            throw new IllegalStateException(name + " not ready after " + timeout + "; last lines of "
                    + logFile + ":\n" + tail(), e);
        }
        if (exited != null) {
            throw new IllegalStateException(exited.getMessage());
        }
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** SIGKILL, then waits for the exit. Does nothing once the child was killed or stopped. */
    public void kill() {
        if (ended) {
            return;
        }
        process.destroyForcibly();
        awaitExitAfterKill();
        log.info("killed {} (pid {})", name, process.pid());
        end();
    }

    /**
     * SIGTERM and waits up to {@code grace} for a clean exit, then SIGKILL. Does nothing once the
     * child was killed or stopped.
     */
    public void stop(Duration grace) {
        if (ended) {
            return;
        }
        process.destroy();
        if (!waitForExit(grace)) {
            log.warn("{} (pid {}) still running {} after SIGTERM; killing it", name, process.pid(), grace);
            process.destroyForcibly();
            awaitExitAfterKill();
        }
        log.info("stopped {} (pid {}), exit code {}", name, process.pid(), process.exitValue());
        end();
    }

    /** The last lines of the log file, or a note saying why they cannot be read. */
    public String tail() {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - TAIL_LINES), lines.size()));
        } catch (IOException | UncheckedIOException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    private boolean waitForExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
            throw new IllegalStateException("interrupted while waiting for " + name + " to exit", e);
        }
    }

    private void awaitExitAfterKill() {
        if (!waitForExit(KILL_WAIT)) {
            throw new IllegalStateException(name + " (pid " + process.pid() + ") still alive " + KILL_WAIT
                    + " after SIGKILL");
        }
    }

    private void end() {
        ended = true;
        try {
            Runtime.getRuntime().removeShutdownHook(reaper);
        } catch (IllegalStateException alreadyShuttingDown) {
            // the hook runs anyway; the child is gone already
        }
    }

    /** The child died while it was awaited: reported as is, not as a timeout. */
    private static final class ChildExited extends RuntimeException {

        private static final long serialVersionUID = 1L;

        ChildExited(String message) {
            super(message);
        }
    }
}
