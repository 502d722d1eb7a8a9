package io.checkstripe.store;

import io.checkstripe.core.FileChannels;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

/**
 * File channels whose every {@code force} (of a file or a directory) takes at least a fixed time, as on a disk
 * busy with other writes, and is recorded with its start and end, so that a test can count how many of them ran
 * one after the other. Forces of chosen paths can be made to fail, as fsync does on an I/O error.
 */
final class SlowDisk implements FileChannels {

    /** One force: the file, the thread that issued it, and when it started and ended (System.nanoTime). */
    record Force(Path path, String thread, long start, long end) {
    }

    private final long latencyNanos;
    private final List<Force> forces = new ArrayList<>();
    private volatile Predicate<Path> failing = p -> false;
    private volatile String failure = "Input/output error (simulated)";

    SlowDisk(long latencyNanos) {
        this.latencyNanos = latencyNanos;
    }

    /** Makes every later force of a path that matches fail with an I/O error. */
    void failForcesOf(Predicate<Path> paths) {
        failForcesOf(paths, "Input/output error (simulated)");
    }

    /** Makes every later force of a path that matches fail with {@code error}, the system's text for it. */
    void failForcesOf(Predicate<Path> paths, String error) {
        failure = error;
        failing = paths;
    }

    synchronized List<Force> forces() {
        return List.copyOf(forces);
    }

    synchronized void clear() {
        forces.clear();
    }

    /**
     * The number of forces in the longest chain of forces each started after the previous one ended: the
     * sequential fsync rounds. Forces issued side by side overlap, since each lasts the latency.
     */
    synchronized int rounds() {
        List<Force> sorted = new ArrayList<>(forces);
        sorted.sort(Comparator.comparingLong(Force::start));
        int[] depth = new int[sorted.size()];
        int max = 0;
        for (int i = 0; i < sorted.size(); i++) {
            depth[i] = 1;
            for (int j = 0; j < i; j++) {
                if (sorted.get(j).end() <= sorted.get(i).start()) {
                    depth[i] = Math.max(depth[i], depth[j] + 1);
                }
            }
            max = Math.max(max, depth[i]);
        }
        return max;
    }

    @Override
    public FileChannel open(Path path, OpenOption... options) throws IOException {
        return new Slow(path, FileChannel.open(path, options));
    }

    private synchronized void record(Force f) {
        forces.add(f);
    }

    private final class Slow extends ForwardingFileChannel {
        private final Path path;

        Slow(Path path, FileChannel d) {
            super(d);
            this.path = path;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            long start = System.nanoTime();
            if (failing.test(path)) {
                throw new IOException(failure + " forcing " + path);
            }
            d.force(metaData);
            // The simulated latency of a busy disk; not a wait for anything.
            for (long left = latencyNanos; left > 0; left = start + latencyNanos - System.nanoTime()) {
                LockSupport.parkNanos(left);
            }
            record(new Force(path, Thread.currentThread().getName(), start, System.nanoTime()));
        }
    }
}
