package io.checkstripe.core;

import java.util.concurrent.TimeUnit;

/**
 * Holds background work (a scrub, a repair) to a byte rate, so that it never takes the disk or the network from
 * the foreground job: the caller reports the bytes done since it began, and {@link #pace} blocks until that much
 * work is due at the rate. There is no burst allowance beyond what was not used earlier in the same run. Not
 * thread-safe: one pacer per loop.
 */
public final class Pacer {

    private final double bytesPerSecond;
    private final long begin;

    private Pacer(double bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
        this.begin = System.nanoTime();
    }

    /**
     * A pacer that starts now.
     *
     * @param bytesPerSecond the rate; {@code 0} or {@link Double#POSITIVE_INFINITY} for no limit
     * @throws IllegalArgumentException when the rate is negative or not a number
     */
    public static Pacer start(double bytesPerSecond) {
        if (!(bytesPerSecond >= 0)) {
            throw new IllegalArgumentException("rate " + bytesPerSecond + " bytes/s is negative or not a number");
        }
        return new Pacer(bytesPerSecond);
    }

    /** The rate as megabytes (10^6 bytes) per second, the unit the command lines take, 0 for none. */
    public static Pacer megabytesPerSecond(double megabytes) {
        return start(megabytes * 1e6);
    }

    /** Whether this pacer ever waits. */
    public boolean limited() {
        return bytesPerSecond > 0 && bytesPerSecond != Double.POSITIVE_INFINITY;
    }

    /**
     * Blocks until {@code bytesDone} bytes since the start are within the rate.
     *
     * @throws InterruptedException when the thread is interrupted while it waits
     */
    public void pace(long bytesDone) throws InterruptedException {
        if (!limited()) {
            return;
        }
        long wait = begin + (long) (bytesDone / bytesPerSecond * 1e9) - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }
}
