package io.checkstripe.restore;

import io.checkstripe.store.CellHeader;
import io.checkstripe.store.CellKey;
import io.checkstripe.store.CellReadResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
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
 * <p>A restore reads only what it needs: the data cells of every stripe, and all the cells of a stripe one of
 * whose data cells is on a server that is not read. The parity cells of the other stripes are listed, not
 * read ({@linkplain CellState#UNREAD unread}); when a data cell turns out missing, corrupt or foreign, or its
 * server fails, {@link #readUnread} fetches them one by one before the stripe is decoded. A scrub or a repair
 * reads every cell.
 *
 * <p>A server whose stream fails (an I/O error, a timeout, bytes that are no record) is lost from that point
 * on; the cells it gave before stay usable. A record that is not the cell it should be is reported as a
 * {@linkplain BadCell.Kind#FOREIGN foreign} cell and dropped; a cell whose data fails its CRC is kept, so the
 * stripe can report it as {@linkplain CellState#CORRUPT corrupt}.
 *
 * <p>{@link #next()} and {@link #readUnread} are called by one consumer thread; the fetch threads come from the
 * caller's pool.
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
        LOST,
        /** Its server holds it, but it was not read (yet): a parity cell the stripe did not need so far. */
        UNREAD
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

        /** Whether every one of the first {@code k} (data) cells is good. */
        boolean dataIntact(int k) {
            for (int j = 0; j < k; j++) {
                if (states[j] != CellState.GOOD) {
                    return false;
                }
            }
            return true;
        }
    }

    private final CheckpointPlan plan;
    private final int window;
    private final int range;
    private final int cellCount;
    private final CellReadResult[][] slots;
    /** Cells listed by their server but not read, per slot. */
    private final boolean[][] unread;
    /** Read every cell, not only the ones the stripe needs. */
    private final boolean readAll;
    private final NavigableMap<Integer, Fetcher> fetchers = new TreeMap<>();
    private final List<BadCell> badCells = Collections.synchronizedList(new ArrayList<>());
    private final ExecutorService pool;
    private int base;
    private int handed = -1;
    private boolean closed;

    /**
     * @param readAll read every cell (a scrub checks them all, a repair checks every parity cell), or only the
     *                cells the stripe needs (a restore)
     */
    StripeFetch(CheckpointPlan plan, long readAheadBytes, ExecutorService pool, boolean readAll) {
        this.plan = plan;
        this.pool = pool;
        this.readAll = readAll;
        this.cellCount = plan.policy.totalCells();
        int largestCell = plan.policy.cellLength(Math.min(plan.manifest.segmentSize(), plan.policy.maxSegmentLength()));
        long stripeBytes = Math.max(1, (long) largestCell * cellCount);
        this.window = (int) Math.max(2, Math.min(Math.max(1, plan.segmentCount()), readAheadBytes / stripeBytes));
        this.range = Math.max(1, window / 2);
        this.slots = new CellReadResult[window][cellCount];
        this.unread = new boolean[window][cellCount];
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
            Arrays.fill(unread[handed % window], false);
            base = handed + 1;
            notifyAll();
        }
        int s = ++handed;
        while (!allPast(s)) {
            wait();
        }
        Stripe stripe = new Stripe(s, plan.segmentLength(s), cellCount);
        CellReadResult[] slot = slots[s % window];
        boolean[] listed = unread[s % window];
        for (int j = 0; j < cellCount; j++) {
            int server = plan.serverOf(s, j);
            stripe.servers[j] = server;
            Fetcher f = fetchers.get(server);
            if (slot[j] != null) {
                place(stripe, j, slot[j]);
            } else if (f == null || f.failure != null) {
                stripe.states[j] = CellState.LOST;
            } else if (listed[j]) {
                stripe.states[j] = CellState.UNREAD;
            } else {
                missing(stripe, j);
            }
        }
        return stripe;
    }

    /** Puts a cell its server sent into the stripe: good, or corrupt (and reported) when its CRC fails. */
    private void place(Stripe stripe, int j, CellReadResult cell) {
        stripe.cells[j] = cell;
        if (cell.intact()) {
            stripe.states[j] = CellState.GOOD;
        } else {
            stripe.states[j] = CellState.CORRUPT;
            badCells.add(BadCell.corrupt(stripe.servers[j], stripe.index, j, cell.cell().header().crc32c(),
                    cell.computedCrc32c()));
        }
    }

    /** Marks a cell its server, being read, did not send, and reports it. */
    private void missing(Stripe stripe, int j) {
        stripe.states[j] = CellState.MISSING;
        badCells.add(BadCell.missing(stripe.servers[j], stripe.index, j));
    }

    /** Reports a record a server sent for {@code segment} that is not the cell it should be. */
    private void reportForeign(int server, CellSource source, int segment, CellHeader h, String reason) {
        log.warn("server {} ({}) sent a foreign record {}: {}", server, source.location(), h, reason);
        badCells.add(BadCell.foreign(server, segment, h.cellIndex(), reason));
    }

    /**
     * Reads the {@linkplain CellState#UNREAD unread} cells of {@code stripe} one by one and records what became
     * of each, as the stream would have: good, corrupt, missing (and foreign), or lost when its server fails
     * now, which loses that server for the rest of the fetch. Called by the consumer when the stripe's data
     * cells are not all intact.
     */
    void readUnread(Stripe stripe) {
        int s = stripe.index;
        for (int j = 0; j < cellCount; j++) {
            if (stripe.states[j] != CellState.UNREAD) {
                continue;
            }
            int server = stripe.servers[j];
            Fetcher f;
            synchronized (this) {
                f = fetchers.get(server);
                if (f.failure != null) {
                    stripe.states[j] = CellState.LOST;
                    continue;
                }
            }
            Optional<CellReadResult> read;
            try {
                read = f.source.cell(plan.app, plan.checkpointId, s, j);
            } catch (IOException | RuntimeException e) {
                f.fail(Survey.reason(e), e);
                f.future.cancel(true);
                stripe.states[j] = CellState.LOST;
                continue;
            }
            String foreign = read.map(r -> plan.foreignReason(r.cell().header(), server, s, s + 1)).orElse(null);
            if (foreign != null) {
                reportForeign(server, f.source, s, read.get().cell().header(), foreign);
            }
            if (read.isEmpty() || foreign != null) {
                missing(stripe, j);
            } else {
                place(stripe, j, read.get());
            }
        }
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
                        for (var key = stream.next(); key.isPresent(); key = stream.next()) {
                            if (needless(key.get(), from, to)) {
                                list(key.get());
                            } else {
                                Optional<CellReadResult> r = stream.read();
                                if (r.isPresent()) {
                                    accept(r.get(), from, to);
                                }
                            }
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

        /**
         * Whether the cell need not be read now: a parity cell in its place, of a stripe whose data cells are
         * all on servers being read. Anything else is read, so that a misplaced record is found foreign.
         */
        private boolean needless(CellKey key, int from, int to) {
            int s = key.segmentIndex();
            int j = key.cellIndex();
            return !readAll && j >= plan.policy.dataCells() && j < cellCount && s >= from && s < to
                    && s < plan.segmentCount() && plan.serverOf(s, j) == server && plan.dataOnActiveServers(s);
        }

        /** Notes a cell this server holds without reading it. */
        private void list(CellKey key) {
            synchronized (StripeFetch.this) {
                int s = key.segmentIndex();
                if (failure != null || s < done) {
                    return;
                }
                if (slots[s % window][key.cellIndex()] == null) {
                    unread[s % window][key.cellIndex()] = true;
                }
                if (s > done) {
                    done = s;
                    StripeFetch.this.notifyAll();
                }
            }
        }

        private void accept(CellReadResult r, int from, int to) {
            CellHeader h = r.cell().header();
            String foreign = plan.foreignReason(h, server, from, to);
            synchronized (StripeFetch.this) {
                if (failure != null) {
                    return; // lost while this cell was read: the server's cells are not used from then on
                }
                int s = h.segmentIndex();
                if (foreign == null && s < done) {
                    foreign = "segment " + s + " arrived after segment " + done + " (out of order)";
                }
                if (foreign != null) {
                    reportForeign(server, source, s, h, foreign);
                    return;
                }
                CellReadResult[] slot = slots[s % window];
                CellReadResult existing = slot[h.cellIndex()];
                if (existing == null || (!existing.intact() && r.intact())) {
                    slot[h.cellIndex()] = r;
                    unread[s % window][h.cellIndex()] = false;
                }
                if (s > done) {
                    done = s;
                    StripeFetch.this.notifyAll();
                }
            }
        }

        private void fail(String reason, Exception e) {
            synchronized (StripeFetch.this) {
                if (closed || failure != null) {
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
