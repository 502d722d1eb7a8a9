package io.checkstripe.e2e;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * Paces a series of operations at a steady rate: the i-th starts {@code i * interval} after the first, or
 * at once when the one before ran late, so a slow operation delays the series instead of making the next
 * ones bunch up. Not thread-safe.
 */
final class Pacer {

    private final long intervalNanos;
    private long next;
    private boolean first = true;

    Pacer(Duration interval) {
        if (interval.isNegative()) {
            throw new IllegalArgumentException("interval must not be negative, got " + interval);
        }
        this.intervalNanos = interval.toNanos();
    }

    /** Returns when the next operation is due. */
    void awaitNext() throws InterruptedException {
        long now = System.nanoTime();
        if (first) {
            first = false;
            next = now;
        }
        while (now - next < 0) {
            LockSupport.parkNanos(next - now);
            if (Thread.interrupted()) {
                throw new InterruptedException("interrupted while pacing");
            }
            now = System.nanoTime();
        }
        // A late start shifts the schedule rather than queueing catch-up starts.
        next = Math.max(next, now - intervalNanos) + intervalNanos;
    }
}
