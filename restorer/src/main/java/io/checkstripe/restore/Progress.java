package io.checkstripe.restore;

import io.checkstripe.core.HumanFormat;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * One progress line, rewritten in place with a carriage return: bytes done of the total, rate and ETA.
 * Printed at most every {@value #INTERVAL_MILLIS} ms, and only to a terminal unless forced, so logs and pipes
 * stay clean. Not thread-safe: the thread that writes the checkpoint drives it.
 */
final class Progress {

    private static final long INTERVAL_MILLIS = 250;

    private final PrintStream out;
    private final String label;
    private final long total;
    private final LongSupplier nanoTime;
    private final long start;
    private long done;
    private long lastPrint;

    /** Progress printed to {@code out} (none when null), timed by {@code nanoTime}. */
    Progress(PrintStream out, String label, long total, LongSupplier nanoTime) {
        this.out = out;
        this.label = label;
        this.total = total;
        this.nanoTime = nanoTime;
        this.start = nanoTime.getAsLong();
        this.lastPrint = start - TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS);
    }

    /** Progress for {@code total} bytes, silent unless the options ask for it and a terminal (or force) is there. */
    static Progress start(RestoreOptions options, String label, long total) {
        boolean show = options.progressOut() != null && (options.forceProgress() || System.console() != null);
        return new Progress(show ? options.progressOut() : null, label, total, System::nanoTime);
    }

    void advance(long bytes) {
        done += bytes;
        if (out == null) {
            return;
        }
        long now = nanoTime.getAsLong();
        if (now - lastPrint >= TimeUnit.MILLISECONDS.toNanos(INTERVAL_MILLIS)) {
            lastPrint = now;
            print(now);
        }
    }

    /** Prints the final state and ends the line. */
    void finish() {
        if (out == null) {
            return;
        }
        print(nanoTime.getAsLong());
        out.println();
        out.flush();
    }

    private void print(long now) {
        double seconds = Math.max(1e-9, (now - start) / 1e9);
        double rate = done / seconds;
        StringBuilder line = new StringBuilder("\r").append(label).append(": ").append(bytes(done)).append(" of ")
                .append(bytes(total));
        if (total > 0) {
            line.append(String.format(Locale.ROOT, " (%d%%)", done * 100 / total));
        }
        line.append(", ").append(bytes((long) rate)).append("/s");
        if (done < total && rate > 0) {
            line.append(", ETA ").append(duration((long) ((total - done) / rate)));
        }
        out.print(line.append("   "));
        out.flush();
    }

    /** A byte count for people: {@code 512 B}, {@code 3.4 KiB}, {@code 12.0 MiB}, {@code 1.5 GiB}. */
    static String bytes(long n) {
        return HumanFormat.size(n);
    }

    /** Seconds as {@code 0:07}, {@code 12:34} or {@code 1:02:03}. */
    static String duration(long seconds) {
        long h = seconds / 3600;
        long m = seconds / 60 % 60;
        long s = seconds % 60;
        return h > 0 ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s) : String.format(Locale.ROOT, "%d:%02d", m, s);
    }
}
