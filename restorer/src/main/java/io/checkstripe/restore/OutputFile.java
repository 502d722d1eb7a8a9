package io.checkstripe.restore;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The restored file, written durably: bytes go to a temp file in the target's directory (so the final rename
 * is atomic on the same file system), which {@link #commit} forces to disk, renames over the target and makes
 * durable by syncing the directory. Closing without a commit deletes the temp file, so a failed restore never
 * leaves a partial file at the target. Not thread-safe.
 */
final class OutputFile implements AutoCloseable {

    private static final int BUFFER = 1 << 20;

    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final OutputStream out;
    private boolean committed;
    private boolean closed;

    private OutputFile(Path target, Path temp, FileChannel channel) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER);
    }

    /** Starts writing {@code target} through a new temp file beside it. */
    static OutputFile create(Path target) throws IOException {
        Path dir = target.getParent();
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".restoring");
        try {
            return new OutputFile(target, temp, FileChannel.open(temp, StandardOpenOption.WRITE));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    void write(byte[] bytes, int off, int len) throws IOException {
        out.write(bytes, off, len);
    }

    /** Forces the bytes to disk, renames the temp file over the target atomically and syncs the directory. */
    void commit() throws IOException {
        out.flush();
        channel.force(true);
        closed = true;
        out.close();
        try {
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("cannot rename " + temp + " to " + target + " atomically on this file system", e);
        }
        committed = true;
        try (FileChannel dir = FileChannel.open(target.getParent(), StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /** Deletes the temp file unless the output was committed. */
    @Override
    public void close() throws IOException {
        if (committed) {
            return;
        }
        try {
            if (!closed) {
                closed = true;
                channel.close();
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
