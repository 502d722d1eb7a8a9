package io.checkstripe.restore;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * The restored file, written durably: bytes go to a temp file in the target's directory (so the final rename
 * is atomic on the same file system), which {@link #commit} forces to disk, renames over the target and makes
 * durable by syncing the directory. Closing without a commit deletes the temp file, so a failed restore never
 * leaves a partial file at the target.
 *
 * <p>Write-behind: every {@value #FLUSH_EVERY_BYTES} bytes a background task forces what was written so far
 * (one at a time), so the disk writes while the restore goes on fetching and decoding, and the final force
 * only has the tail left. Without it the page cache takes the whole checkpoint and the commit waits for all
 * of it at disk speed after the rest is done. Not thread-safe.
 */
final class OutputFile implements AutoCloseable {

    private static final int BUFFER = 1 << 20;
    static final long FLUSH_EVERY_BYTES = 32L << 20;

    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final OutputStream out;
    private final ExecutorService flusher;
    private long unforced;
    private Future<?> forcing;
    private boolean committed;
    private boolean closed;

    private OutputFile(Path target, Path temp, FileChannel channel, ExecutorService flusher) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
        this.flusher = flusher;
        this.out = new BufferedOutputStream(Channels.newOutputStream(channel), BUFFER);
    }

    /** Starts writing {@code target} through a new temp file beside it; write-behind runs on {@code flusher}. */
    static OutputFile create(Path target, ExecutorService flusher) throws IOException {
        Path dir = target.getParent();
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".restoring");
        try {
            return new OutputFile(target, temp, FileChannel.open(temp, StandardOpenOption.WRITE), flusher);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    void write(byte[] bytes, int off, int len) throws IOException {
        out.write(bytes, off, len);
        unforced += len;
        if (unforced >= FLUSH_EVERY_BYTES && (forcing == null || forcing.isDone())) {
            awaitForcing();
            out.flush();
            unforced = 0;
            forcing = flusher.submit(() -> {
                channel.force(false);
                return null;
            });
        }
    }

    /** Waits for the background force in progress, if any, and rethrows its failure. */
    private void awaitForcing() throws IOException {
        if (forcing == null) {
            return;
        }
        try {
            forcing.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while forcing " + temp + " to disk");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io
                    : new IOException("cannot force " + temp + " to disk: " + e.getCause(), e.getCause());
        } finally {
            forcing = null;
        }
    }

    /** Forces the bytes to disk, renames the temp file over the target atomically and syncs the directory. */
    void commit() throws IOException {
        out.flush();
        awaitForcing();
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
            if (forcing != null) {
                forcing.cancel(false);
                awaitForcingQuietly();
            }
            if (!closed) {
                closed = true;
                channel.close();
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    private void awaitForcingQuietly() {
        try {
            awaitForcing();
        } catch (IOException | CancellationException e) {
            // the output is being dropped: a failed or cancelled force no longer matters
        }
    }
}
