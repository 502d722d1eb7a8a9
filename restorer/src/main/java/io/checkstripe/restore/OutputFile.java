package io.checkstripe.restore;

import io.checkstripe.core.DurableFiles;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * <p>Written behind, twice over. {@link #write} only queues the caller's array ({@link PieceQueue}, at most
 * {@value #MAX_QUEUED_BYTES} bytes), and a writer thread writes the queue in order, small pieces gathered into
 * one system call; so the restore goes on with the next stripes while the kernel copies the last ones. And
 * every {@value #FLUSH_EVERY_BYTES} bytes written, a background task forces what is in the file so far (one
 * force at a time), so the disk writes while the restore goes on, and the final force only has the tail left.
 * Without it the page cache takes the whole checkpoint and the commit waits for all of it at disk speed after
 * the rest is done. A failure of the writer or of a force is thrown by the next {@link #write} or by
 * {@link #commit}.
 *
 * <p>Not thread-safe: one caller writes and commits; the writer and the forces run on the given pool.
 */
final class OutputFile implements AutoCloseable {

    static final long FLUSH_EVERY_BYTES = 32L << 20;
    static final long MAX_QUEUED_BYTES = 8L << 20;

    private final Path target;
    private final Path temp;
    private final FileChannel channel;
    private final ExecutorService pool;
    private PieceQueue writer;
    /** Used by the writer thread only, then by the caller once the writer has finished. */
    private long unforced;
    private Future<?> forcing;
    private boolean committed;
    private boolean closed;

    private OutputFile(Path target, Path temp, FileChannel channel, ExecutorService pool) {
        this.target = target;
        this.temp = temp;
        this.channel = channel;
        this.pool = pool;
    }

    /** Starts writing {@code target} through a new temp file beside it; writing and forcing run on {@code pool}. */
    static OutputFile create(Path target, ExecutorService pool) throws IOException {
        Path dir = target.getParent();
        Path temp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".restoring");
        try {
            OutputFile file = new OutputFile(target, temp, FileChannel.open(temp, StandardOpenOption.WRITE), pool);
            file.writer = PieceQueue.start("writing " + temp, pool, MAX_QUEUED_BYTES, file::writeBatch);
            return file;
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temp);
            throw e;
        }
    }

    /**
     * Queues {@code bytes[off, off + len)} to be appended; waits while {@value #MAX_QUEUED_BYTES} bytes are
     * queued. The array is written later, on another thread: the caller must not change it afterwards.
     *
     * @throws IOException when an earlier write or force failed
     */
    void write(byte[] bytes, int off, int len) throws IOException {
        writer.add(bytes, off, len);
    }

    /** On the writer thread: appends a batch, and starts a background force every {@link #FLUSH_EVERY_BYTES}. */
    private void writeBatch(ByteBuffer[] batch, long bytes) throws IOException {
        for (long left = bytes; left > 0; ) {
            left -= channel.write(batch);
        }
        unforced += bytes;
        if (unforced >= FLUSH_EVERY_BYTES && (forcing == null || forcing.isDone())) {
            awaitForcing();
            unforced = 0;
            forcing = pool.submit(() -> {
                channel.force(false);
                return null;
            });
        }
    }

    /** Waits for the background force in progress, if any, and rethrows its failure. */
    private void awaitForcing() throws IOException {
        Future<?> f = forcing;
        if (f == null) {
            return;
        }
        try {
            f.get();
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

    /**
     * Writes what is queued, forces the bytes to disk, renames the temp file over the target atomically and
     * syncs the directory.
     */
    void commit() throws IOException {
        writer.finish();
        awaitForcing();
        channel.force(true);
        closed = true;
        channel.close();
        DurableFiles.moveDurably(temp, target);
        committed = true;
    }

    /** Stops the writer and deletes the temp file, unless the output was committed. */
    @Override
    public void close() throws IOException {
        if (committed) {
            return;
        }
        try {
            writer.close();
            Future<?> f = forcing;
            if (f != null) {
                f.cancel(false);
                try {
                    awaitForcing();
                } catch (IOException | CancellationException e) {
                    // the output is being dropped: a failed or cancelled force no longer matters
                }
            }
            if (!closed) {
                closed = true;
                channel.close();
            }
        } finally {
            Files.deleteIfExists(temp);
        }
    }
}
