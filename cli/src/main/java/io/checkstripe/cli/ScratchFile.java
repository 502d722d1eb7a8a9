package io.checkstripe.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;

import io.checkstripe.core.DurableFiles;

/**
 * Where {@code restore --out -} restores to before anything reaches stdout: a file in a new directory of
 * {@code java.io.tmpdir}, readable by its owner only, so that a reader of the pipe gets the checkpoint only
 * once it was verified, never a prefix of a restore that failed. The directory needs room for the whole
 * checkpoint ({@code -Djava.io.tmpdir} in {@code CHECKSTRIPE_JAVA_OPTS} moves it). Closing deletes it.
 * Not thread-safe.
 */
final class ScratchFile implements AutoCloseable {

    private static final int COPY_BUFFER_BYTES = 1 << 20;

    private final Path dir;

    private ScratchFile(Path dir) {
        this.dir = dir;
    }

    static ScratchFile create() throws IOException {
        return new ScratchFile(Files.createTempDirectory("checkstripe-restore-"));
    }

    /** The file to restore to. */
    Path path() {
        return dir.resolve("checkpoint");
    }

    /**
     * Copies the file to {@code out}.
     *
     * @throws IOException when the file cannot be read or {@code out} fails (the reader of a pipe went away)
     */
    void copyTo(PrintStream out) throws IOException {
        byte[] buffer = new byte[COPY_BUFFER_BYTES];
        long copied = 0;
        try (InputStream in = Files.newInputStream(path())) {
            for (int n; (n = in.read(buffer)) > 0; copied += n) {
                out.write(buffer, 0, n);
                // A PrintStream records a failed write instead of throwing it; checkError also flushes.
                if (out.checkError()) {
                    throw new IOException("standard output failed after " + copied
                            + " bytes of the restored checkpoint");
                }
            }
        }
    }

    @Override
    public void close() throws IOException {
        DurableFiles.deleteRecursively(dir);
    }
}
