package io.checkstripe.restore;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;

/**
 * Hands pieces of bytes, in order, from one producer to a worker on a pool thread, so that the restore's
 * serial steps run side by side instead of one after the other: the output is written on one thread and
 * hashed (SHA-256, the slowest serial step) on another while the restore thread fetches and decodes. The
 * pieces are the caller's arrays, not copies: the caller must never change an array it has added. At most
 * {@code maxQueuedBytes} wait (a larger piece alone), so memory stays bounded; the worker takes what has piled
 * up, up to {@value #MAX_GATHER} pieces and {@value #GATHER_BYTES} bytes, in one batch.
 *
 * <p>A failure of the worker is thrown by the next {@link #add} and by {@link #finish}. Not thread-safe on
 * the producer side: one thread adds and finishes.
 */
final class PieceQueue implements AutoCloseable {

    /** Consumes a batch of pieces, in order. */
    @FunctionalInterface
    interface Worker {
        /**
         * @param batch the pieces, each positioned at its first byte and limited after its last
         * @param bytes their total length
         */
        void accept(ByteBuffer[] batch, long bytes) throws IOException;
    }

    /** Pieces gathered into one batch at most (a gathering write takes up to Linux's IOV_MAX, 1024). */
    static final int MAX_GATHER = 64;
    /** Bytes after which no further piece is gathered into a batch. */
    static final long GATHER_BYTES = 1L << 20;

    private final String what;
    private final long maxQueuedBytes;
    private final Worker worker;
    /** Guarded by itself, as are the fields below it. */
    private final ArrayDeque<ByteBuffer> queue = new ArrayDeque<>();
    private long queuedBytes;
    private boolean finishing;
    private IOException failure;
    private Future<?> running;

    private PieceQueue(String what, long maxQueuedBytes, Worker worker) {
        this.what = what;
        this.maxQueuedBytes = maxQueuedBytes;
        this.worker = worker;
    }

    /**
     * Starts {@code worker} on {@code pool}.
     *
     * @param what names the work in failures ("writing /path", "hashing ...")
     * @throws IllegalArgumentException when {@code maxQueuedBytes} is below 1
     */
    static PieceQueue start(String what, ExecutorService pool, long maxQueuedBytes, Worker worker) {
        if (maxQueuedBytes < 1) {
            throw new IllegalArgumentException("a queue of " + maxQueuedBytes + " bytes holds nothing");
        }
        PieceQueue q = new PieceQueue(Objects.requireNonNull(what, "what"), maxQueuedBytes,
                Objects.requireNonNull(worker, "worker"));
        q.running = pool.submit(q::work);
        return q;
    }

    /**
     * Queues {@code bytes[off, off + len)}; waits while the queue is full.
     *
     * @throws IOException when the worker failed
     */
    void add(byte[] bytes, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, bytes.length);
        if (len == 0) {
            return;
        }
        synchronized (queue) {
            while (failure == null && queuedBytes > 0 && queuedBytes + len > maxQueuedBytes) {
                try {
                    queue.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new InterruptedIOException("interrupted while " + what);
                }
            }
            if (failure != null) {
                throw new IOException("failed " + what + ": " + failure.getMessage(), failure);
            }
            queue.add(ByteBuffer.wrap(bytes, off, len));
            queuedBytes += len;
            queue.notifyAll();
        }
    }

    /**
     * Lets the worker finish what is queued and waits for it.
     *
     * @throws IOException when the worker failed
     */
    void finish() throws IOException {
        synchronized (queue) {
            finishing = true;
            queue.notifyAll();
        }
        try {
            running.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while " + what);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io
                    : new IOException("failed " + what + ": " + e.getCause(), e.getCause());
        }
    }

    /** Drops what is queued and stops the worker once its batch in hand is done; waits for it. */
    @Override
    public void close() {
        synchronized (queue) {
            queue.clear();
            queuedBytes = 0;
        }
        try {
            finish();
        } catch (IOException e) {
            // the work is being dropped: how it ended no longer matters
        }
    }

    private Void work() throws IOException {
        List<ByteBuffer> batch = new ArrayList<>(MAX_GATHER);
        try {
            while (true) {
                long bytes = 0;
                synchronized (queue) {
                    while (queue.isEmpty() && !finishing) {
                        queue.wait();
                    }
                    if (queue.isEmpty()) {
                        return null;
                    }
                    while (!queue.isEmpty() && batch.size() < MAX_GATHER && bytes < GATHER_BYTES) {
                        ByteBuffer b = queue.poll();
                        bytes += b.remaining();
                        batch.add(b);
                    }
                }
                worker.accept(batch.toArray(ByteBuffer[]::new), bytes);
                batch.clear();
                synchronized (queue) {
                    queuedBytes = Math.max(0, queuedBytes - bytes);
                    queue.notifyAll();
                }
            }
        } catch (InterruptedException e) {
            throw failed(new InterruptedIOException("interrupted while " + what));
        } catch (IOException e) {
            throw failed(e);
        } catch (RuntimeException e) {
            throw failed(new IOException("failed " + what + ": " + e, e));
        }
    }

    private IOException failed(IOException e) {
        synchronized (queue) {
            failure = e;
            queue.clear();
            queuedBytes = 0;
            queue.notifyAll();
        }
        return e;
    }
}
