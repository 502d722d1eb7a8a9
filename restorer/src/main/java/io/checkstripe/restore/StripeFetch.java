package io.checkstripe.restore;

import io.checkstripe.sink.store.CellHeader;
import io.checkstripe.sink.store.CellReadResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fetches a checkpoint's cells from all its servers in parallel and hands them out stripe by stripe, in
 * order. One thread per server streams its cells range by range ({@link CellSource#cells}); a bounded window
 * of stripes holds what has arrived, and a server may not start a range that would run past the window, so
 * memory is about {@code readAheadBytes} whatever the checkpoint's size, and a fast server waits for a slow
 * one instead of filling the heap.
 *
 * <p>A server whose stream fails (an I/O error, a timeout, bytes that are no record) is lost from that point
 * on; the cells it gave before stay usable. A record that is not the cell it should be is reported as a
 * {@linkplain BadCell.Kind#FOREIGN foreign} cell and dropped; a cell whose data fails its CRC is kept, so the
 * stripe can report it as {@linkplain CellState#CORRUPT corrupt}.
 *
 * <p>{@link #next()} is called by one consumer thread; the fetch threads come from the caller's pool.
 */
final class StripeFetch implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(StripeFetch.class);

    /** What became of one cell of a stripe. */
    enum CellState {
        /** Received, CRC intact. */
        GOOD,
        /** Received, CRC mismatch: an erasure, reported. */
        CORRUPT,
        /** Its server is being read but did not send it: an erasure, reported. */
        MISSING,
        /** Its server is lost, not given, failed or left out: an erasure. */
        LOST
    }

    /** One stripe as fetched: a cell (or null) and a state per cell index. */
    static final class Stripe {
        final int index;
        final int segmentLength;
        final CellReadResult[] cells;
        final CellState[] states;
        final int[] servers;

        Stripe(int index, int segmentLength, int cellCount) {
            this.index = index;
            this.segmentLength = segmentLength;
            this.cells = new CellReadResult[cellCount];
            this.states = new CellState[cellCount];
            this.servers = new int[cellCount];
        }

        int good() {
            int n = 0;
            for (CellState s : states) {
                n += s == CellState.GOOD ? 1 : 0;
            }
            return n;
        }
    }

    private final CheckpointPlan plan;
    private final int window;
    private final int range;
    private final int cellCount;
    private final CellReadResult[][] slots;
    private final NavigableMap<Integer, Fetcher> fetchers = new TreeMap<>();
    private final List<BadCell> badCells = Collections.synchronizedList(new ArrayList<>());
    private final ExecutorService pool;
    private int base;
    private int handed = -1;
    private boolean closed;

    StripeFetch(CheckpointPlan plan, long readAheadBytes, ExecutorService pool) {
        this.plan = plan;
        this.pool = pool;
        this.cellCount = plan.policy.totalCells();
        int largestCell = plan.policy.cellLength(Math.min(plan.manifest.segmentSize(), plan.policy.maxSegmentLength()));
        long stripeBytes = Math.max(1, (long) largestCell * cellCount);
        this.window = (int) Math.max(2, Math.min(Math.max(1, plan.segmentCount()), readAheadBytes / stripeBytes));
        this.range = Math.max(1, window / 2);
        this.slots = new CellReadResult[window][cellCount];
        plan.active.forEach((server, source) -> fetchers.put(server, new Fetcher(server, source)));
    }

    /** Starts one fetch thread per active server. */
    void start() {
        synchronized (this) {
            for (Fetcher f : fetchers.values()) {
                f.future = pool.submit(f::run);
            }
        }
        log.debug("fetching {} with a window of {} stripes, ranges of {}", plan, window, range);
    }

    /**
     * The next stripe, once every server being read has sent it or is lost. The cells of the previous stripe
     * are released.
     *
     * @throws IllegalStateException when every stripe was handed out already
     */
    synchronized Stripe next() throws InterruptedException {
        if (handed + 1 >= plan.segmentCount()) {
            throw new IllegalStateException("all " + plan.segmentCount() + " stripes were handed out");
        }
        if (handed >= 0) {
            Arrays.fill(slots[handed % window], null);
            base = handed + 1;
            notifyAll();
        }
        int s = ++handed;
        while (!allPast(s)) {
            wait();
        }
        Stripe stripe = new Stripe(s, plan.segmentLength(s), cellCount);
        CellReadResult[] slot = slots[s % window];
        for (int j = 0; j < cellCount; j++) {
            int server = plan.serverOf(s, j);
            stripe.servers[j] = server;
            Fetcher f = fetchers.get(server);
            CellReadResult cell = slot[j];
            if (cell != null) {
                stripe.cells[j] = cell;
                if (cell.intact()) {
                    stripe.states[j] = CellState.GOOD;
                } else {
                    stripe.states[j] = CellState.CORRUPT;
                    badCells.add(BadCell.corrupt(server, s, j, cell.cell().header().crc32c(), cell.computedCrc32c()));
                }
            } else if (f == null || f.failure != null) {
                stripe.states[j] = CellState.LOST;
            } else {
                stripe.states[j] = CellState.MISSING;
                badCells.add(BadCell.missing(server, s, j));
            }
        }
        return stripe;
    }

    /** Servers that failed during the fetch, with why. */
    synchronized Map<Integer, LostServer> failures() {
        Map<Integer, LostServer> failed = new TreeMap<>();
        fetchers.forEach((server, f) -> {
            if (f.failure != null) {
                failed.put(server, new LostServer(server, f.source.location(), f.failure));
            }
        });
        return failed;
    }

    /** The bad cells found so far, in the order found. */
    List<BadCell> badCells() {
        synchronized (badCells) {
            return List.copyOf(badCells);
        }
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        for (Fetcher f : fetchers.values()) {
            if (f.future != null) {
                f.future.cancel(true);
            }
        }
    }

    private boolean allPast(int s) {
        for (Fetcher f : fetchers.values()) {
            if (f.failure == null && f.done <= s) {
                return false;
            }
        }
        return true;
    }

    /** Streams one server's cells; its state is guarded by the enclosing instance's lock. */
    private final class Fetcher {
        final int server;
        final CellSource source;
        /** Every segment below this one has been received from this server. */
        int done;
        String failure;
        Future<?> future;

        Fetcher(int server, CellSource source) {
            this.server = server;
            this.source = source;
        }

        void run() {
            int count = plan.segmentCount();
            try {
                for (int from = 0; from < count; ) {
                    int to = (int) Math.min((long) from + range, count);
                    if (!awaitRoom(to)) {
                        return;
                    }
                    try (CellStream stream = source.cells(plan.app, plan.checkpointId, from, to)) {
                        for (var r = stream.next(); r.isPresent(); r = stream.next()) {
                            accept(r.get(), from, to);
                        }
                    }
                    synchronized (StripeFetch.this) {
                        done = to;
                        StripeFetch.this.notifyAll();
                    }
                    from = to;
                }
            } catch (InterruptedException e) {
                fail("interrupted", null);
            } catch (IOException | RuntimeException e) {
                fail(Survey.reason(e), e);
            }
        }

        private boolean awaitRoom(int to) throws InterruptedException {
            synchronized (StripeFetch.this) {
                while (!closed && to > base + window) {
                    StripeFetch.this.wait();
                }
                return !closed;
            }
        }

        private void accept(CellReadResult r, int from, int to) {
            CellHeader h = r.cell().header();
            String foreign = plan.foreignReason(h, server, from, to);
            synchronized (StripeFetch.this) {
                int s = h.segmentIndex();
                if (foreign == null && s < done) {
                    foreign = "segment " + s + " arrived after segment " + done + " (out of order)";
                }
                if (foreign != null) {
                    log.warn("server {} ({}) sent a foreign record {}: {}", server, source.location(), h, foreign);
                    badCells.add(BadCell.foreign(server, s, h.cellIndex(), foreign));
                    return;
                }
                CellReadResult[] slot = slots[s % window];
                CellReadResult existing = slot[h.cellIndex()];
                if (existing == null || (!existing.intact() && r.intact())) {
                    slot[h.cellIndex()] = r;
                }
                if (s > done) {
                    done = s;
                    StripeFetch.this.notifyAll();
                }
            }
        }

        private void fail(String reason, Exception e) {
            synchronized (StripeFetch.this) {
                if (closed) {
                    return;
                }
                failure = "failed during the transfer: " + reason;
                StripeFetch.this.notifyAll();
            }
            log.warn("server {} ({}) is lost for checkpoint {}: {}", server, source.location(), plan.checkpointId,
                    reason);
            log.debug("server {} failure", server, e);
        }
    }
}
