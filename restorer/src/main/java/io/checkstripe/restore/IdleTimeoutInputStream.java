package io.checkstripe.restore;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * An input stream whose reads fail when one of them blocks longer than a timeout. The HTTP client's request
 * timeout ends once the response headers arrive; a sink that sends headers and then stops would otherwise
 * block a reader forever. A watchdog closes the stream under a read that waits too long and interrupts the
 * reading thread, and the read then throws {@link HttpTimeoutException}.
 *
 * <p>Only time spent inside a read counts: a reader that pauses between reads (because it is ahead of the
 * others) is not timed out. One reader thread at a time.
 */
final class IdleTimeoutInputStream extends FilterInputStream {

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "checkstripe-read-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final long timeoutNanos;
    private final String what;
    private final ScheduledFuture<?> check;
    private Thread reader;
    private long readStart;
    private volatile boolean timedOut;

    IdleTimeoutInputStream(InputStream in, Duration timeout, String what) {
        super(in);
        this.timeoutNanos = timeout.toNanos();
        this.what = what;
        long period = Math.max(10, timeout.toMillis() / 4);
        this.check = WATCHDOG.scheduleAtFixedRate(this::check, period, period, TimeUnit.MILLISECONDS);
    }

    @Override
    public int read() throws IOException {
        begin();
        try {
            return super.read();
        } catch (IOException e) {
            throw failure(e);
        } finally {
            end();
        }
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        begin();
        try {
            int n = super.read(b, off, len);
            if (timedOut) {
                throw failure(null);
            }
            return n;
        } catch (IOException e) {
            throw failure(e);
        } finally {
            end();
        }
    }

    @Override
    public long skip(long n) throws IOException {
        begin();
        try {
            return super.skip(n);
        } catch (IOException e) {
            throw failure(e);
        } finally {
            end();
        }
    }

    @Override
    public void close() throws IOException {
        check.cancel(false);
        super.close();
    }

    private synchronized void begin() throws IOException {
        if (timedOut) {
            throw failure(null);
        }
        reader = Thread.currentThread();
        readStart = System.nanoTime();
    }

    /** Under the same lock as {@link #check}, so an interrupt never reaches the reader after its read. */
    private synchronized void end() {
        readStart = 0;
        reader = null;
        if (timedOut) {
            Thread.interrupted(); // the watchdog's interrupt is consumed here, not left for the caller
        }
    }

    private IOException failure(IOException cause) {
        if (!timedOut) {
            return cause;
        }
        HttpTimeoutException e = new HttpTimeoutException(what + " sent nothing for "
                + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
        if (cause != null) {
            e.initCause(cause);
        }
        return e;
    }

    private synchronized void check() {
        if (reader != null && !timedOut && System.nanoTime() - readStart > timeoutNanos) {
            timedOut = true;
            check.cancel(false);
            // Java 17's HTTP body stream ignores an interrupt while waiting for data unless it is closed: close
            // it first, then interrupt, and the waiting read fails.
            try {
                in.close();
            } catch (IOException e) {
                // the read reports the timeout
            }
            reader.interrupt();
        }
    }
}
