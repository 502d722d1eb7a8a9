package io.checkstripe.restore;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the application from a restored checkpoint ({@code restore --exec CMD ARGS...}): every
 * {@code {}} in the command and its arguments becomes the restored file's path, the environment variable
 * {@value #RESTORED_FILE_ENV} names it too, and the child inherits standard input, output and error. The
 * restore's exit code is then the application's. Run it only after a verified restore. Stateless and
 * thread-safe.
 */
public final class AppLauncher {

    /** The environment variable that carries the restored file's absolute path. */
    public static final String RESTORED_FILE_ENV = "CHECKSTRIPE_RESTORED_FILE";

    /** The placeholder replaced by the restored file's path. */
    public static final String PLACEHOLDER = "{}";

    private static final Logger log = LoggerFactory.getLogger(AppLauncher.class);

    private AppLauncher() {
    }

    /**
     * The command line with every {@value #PLACEHOLDER} replaced by {@code restored}'s absolute path.
     *
     * @throws IllegalArgumentException when the command is empty
     */
    public static List<String> commandLine(List<String> command, Path restored) {
        Objects.requireNonNull(command, "command");
        if (command.isEmpty() || command.get(0).isBlank()) {
            throw new IllegalArgumentException("--exec needs a command to run");
        }
        String path = restored.toAbsolutePath().toString();
        List<String> line = new ArrayList<>(command.size());
        for (String arg : command) {
            line.add(Objects.requireNonNull(arg, "argument").replace(PLACEHOLDER, path));
        }
        return line;
    }

    /**
     * Runs the command and waits for it.
     *
     * @return the command's exit code
     * @throws IllegalArgumentException when the command is empty
     * @throws IOException              when it cannot be started (the message names it)
     */
    public static int launch(List<String> command, Path restored) throws IOException {
        List<String> line = commandLine(command, restored);
        ProcessBuilder pb = new ProcessBuilder(line).inheritIO();
        pb.environment().put(RESTORED_FILE_ENV, restored.toAbsolutePath().toString());
        log.info("starting {} with {}={}", line, RESTORED_FILE_ENV, restored.toAbsolutePath());
        Process process;
        try {
            process = pb.start();
        } catch (IOException e) {
            throw new IOException("cannot start " + line.get(0) + ": " + e.getMessage(), e);
        }
        try {
            int code = process.waitFor();
            log.info("{} exited with code {}", line.get(0), code);
            return code;
        } catch (InterruptedException e) {
            process.destroy();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for " + line.get(0));
        }
    }
}
