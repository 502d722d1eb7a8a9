package io.checkstripe.core;

import java.time.Duration;
import java.util.Locale;

/**
 * Sizes, rates and durations as people read them ({@code 64.0 MiB}, {@code 12.5 MiB/s}, {@code 840 ms}), so
 * that every command and the benchmark print them one way. Stateless.
 */
public final class HumanFormat {

    private HumanFormat() {
    }

    /** {@code bytes} in the largest binary unit that keeps the figure at 1 or more, to one decimal. */
    public static String size(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    /** {@code bytes} moved in {@code elapsed}, per second. */
    public static String rate(long bytes, Duration elapsed) {
        double seconds = Math.max(elapsed.toNanos(), 1) / 1e9;
        return size((long) (bytes / seconds)) + "/s";
    }

    /** Milliseconds below ten seconds, seconds to one decimal from there. */
    public static String duration(Duration d) {
        long ms = d.toMillis();
        return ms < 10_000 ? ms + " ms" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }
}
