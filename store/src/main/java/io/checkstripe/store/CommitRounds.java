package io.checkstripe.store;

import io.checkstripe.core.DurableFiles;
import io.checkstripe.core.FileChannels;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What a writable store makes durable, and in what order, as Kafka's {@code LocalLog} flushes segments before
 * it moves the recovery point. Appended cells are buffered and written in batches ({@link #writeBuffered},
 * which does not fsync); a {@link #commit} makes the batch durable in at most three rounds of fsyncs, the
 * fsyncs of one round side by side on {@value #FSYNC_THREADS} {@code checkstripe-fsync-N} threads:
 * <ol>
 * <li>only if the batch opens logs or stores manifests: the commit state listing the new logs, and every
 *     {@code manifest.tmp} written since the last commit; then the manifests are renamed into place and the
 *     buffered cells written;</li>
 * <li>every log written to, and every directory whose entries changed (new checkpoints, new logs, renamed
 *     manifests);</li>
 * <li>the commit state with the new offsets.</li>
 * </ol>
 * Each round starts when the previous one is durable, so the offsets are never durable before the data, a
 * manifest's name never before its bytes, and a log's data never before the state that lists it as open.
 * A batch written to logs that are not open yet first records them in the commit state, with their recovery
 * points, in one durable update, so a log that may have been written without being forced is always listed.
 *
 * <p>If an fsync fails the kernel may have dropped the pages it could not write, so the store fails: it
 * refuses writes until it is reopened and recovered. A batch that could not be written stays buffered.
 *
 * <p>Not thread-safe: {@link CellStore} calls it under its lock; the fsync threads only run the steps of the
 * round the calling thread waits for.
 */
final class CommitRounds {

    /** Buffered cell bytes that trigger a write before the next commit. */
    static final int WRITE_THRESHOLD_BYTES = 4 << 20;

    /** Threads that fsync side by side (the committing thread is one more). */
    static final int FSYNC_THREADS = 4;

    /** Cell logs kept open for writing between batches; the others are reopened when needed. */
    private static final int MAX_OPEN_WRITERS = 16;

    private final StoreLayout layout;
    private final CheckpointLogs logs;
    private final CommitStateSlots slots;
    private final FileChannels channels;
    private final ExecutorService fsyncPool;
    /** Time spent in fsync rounds since the current commit began. */
    private long fsyncNanos;
    /** Directories whose entries changed since the last commit, to fsync before it. */
    private final Set<Path> unsyncedDirs = new LinkedHashSet<>();
    /** Bytes of cells appended but not yet written to their logs. */
    private long pendingBytes;
    private boolean failed;

    CommitRounds(StoreLayout layout, CheckpointLogs logs, CommitStateSlots slots, FileChannels channels) {
        this.layout = layout;
        this.logs = logs;
        this.slots = slots;
        this.channels = channels;
        AtomicInteger count = new AtomicInteger();
        this.fsyncPool = Executors.newFixedThreadPool(FSYNC_THREADS, task -> {
            Thread t = new Thread(task, "checkstripe-fsync-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The commit state last written (or read at open). */
    CommitState state() {
        return slots.current();
    }

    /** Whether forcing data failed, so that the store must be reopened before it writes again. */
    boolean failed() {
        return failed;
    }

    /**
     * Recovers the logs that the commit state lists as open (a crash may have torn them; see
     * {@link CellLogRecovery}), then records that none is open any more.
     */
    void recoverOpenLogs() throws IOException {
        CommitState state = state();
        if (!state.openLogs().isEmpty()) {
            logs.recover(state.openLogs());
            slots.write(new CommitState(state.offsets(), Map.of()));
        }
    }

    /** Counts a cell the log buffered; a full buffer is written (not forced) at once. */
    void buffered(CellHeader h) throws IOException {
        pendingBytes += CellRecordFormat.recordLength(h);
        if (pendingBytes >= WRITE_THRESHOLD_BYTES) {
            writeBuffered();
        }
    }

    /**
     * Writes the buffered cells, without forcing them. A log that is not open yet is first recorded in the
     * commit state (all such logs in one durable update), so that recovery after a crash checks it from its
     * recovery point on.
     */
    void writeBuffered() throws IOException {
        if (pendingBytes == 0) {
            return;
        }
        try {
            CommitState opening = openingLogs();
            if (opening != null) {
                slots.write(opening);
            }
            int writers = 0;
            for (CellLog l : logs.all()) {
                if (l.hasPending()) {
                    l.writePending(channels);
                }
                if (l.hasWriter() && ++writers > MAX_OPEN_WRITERS) {
                    l.closeWriter(); // bounded descriptors when a batch spans thousands of checkpoints
                }
            }
        } finally {
            pendingBytes = logs.all().stream().mapToLong(CellLog::pendingBytes).sum();
        }
    }

    /**
     * Makes every appended cell and stored manifest durable, then durably records {@code offsets} merged into
     * the committed ones, and the logs written since that stay open. When it throws, the offsets have not moved.
     *
     * @return the nanoseconds spent in fsync rounds
     * @throws IllegalArgumentException when a source key is empty or too long, or an offset negative
     */
    long commit(Map<String, Long> offsets) throws IOException {
        offsets.forEach((key, offset) -> {
            if (key == null || key.isEmpty()
                    || key.getBytes(StandardCharsets.UTF_8).length > CommitState.MAX_SOURCE_KEY_BYTES) {
                throw new IllegalArgumentException("source key \"" + key + "\" must have 1 to "
                        + CommitState.MAX_SOURCE_KEY_BYTES + " bytes");
            }
            if (offset == null || offset < 0) {
                throw new IllegalArgumentException("offset " + offset + " of source " + key + " is negative");
            }
        });
        fsyncNanos = 0;
        makeDurable();
        Map<CheckpointRef, Long> open = new LinkedHashMap<>();
        state().openLogs().forEach((ref, point) -> {
            CellLog l = logs.loaded(ref);
            if (l != null && l.dirty()) {
                open.put(ref, l.end());
            }
        });
        Map<String, Long> merged = new TreeMap<>(state().offsets());
        merged.putAll(offsets);
        slots.write(new CommitState(merged, open));
        for (CellLog l : logs.all()) {
            l.committed(open.containsKey(l.ref));
        }
        return fsyncNanos;
    }

    /** Makes everything durable and records that no log is open, without moving the offsets; for close. */
    void commitForClose() throws IOException {
        makeDurable();
        if (!state().openLogs().isEmpty()) {
            slots.write(new CommitState(state().offsets(), Map.of()));
        }
    }

    /** Forgets a deleted checkpoint: its buffered cells and its place among the open logs. */
    void forget(CellLog l) throws IOException {
        pendingBytes -= l.pendingBytes();
        l.closeWriter();
        CommitState state = state();
        if (state.openLogs().containsKey(l.ref)) {
            Map<CheckpointRef, Long> open = new LinkedHashMap<>(state.openLogs());
            open.remove(l.ref);
            slots.write(new CommitState(state.offsets(), open));
        }
    }

    /** Stops remembering directories a deletion removed: there is nothing left in them to fsync. */
    void forgetDeletedDirectories() {
        unsyncedDirs.removeIf(p -> !Files.isDirectory(p));
    }

    /** Creates one directory; a full disk (no room for its entry) is a {@code DiskFullException}. */
    private static void createDirectory(Path dir) throws IOException {
        try {
            Files.createDirectory(dir);
        } catch (IOException e) {
            throw DurableFiles.recognizeDiskFull(dir, e);
        }
    }

    /** Creates the checkpoint's directories, remembering each one whose entries change for the next commit. */
    private void createDirectories(CellLog l) throws IOException {
        Path appDir = l.dir.getParent();
        if (!Files.isDirectory(appDir)) {
            createDirectory(appDir);
            unsyncedDirs.add(layout.appsDir());
        }
        if (!Files.isDirectory(l.dir)) {
            createDirectory(l.dir);
            unsyncedDirs.add(appDir);
        }
        if (!Files.exists(l.file)) {
            unsyncedDirs.add(l.dir);
        }
    }

    /**
     * Writes a manifest to {@code manifest.tmp} without forcing it: the next commit forces it in round one and
     * renames it into place; until then the log holds it in memory.
     */
    void stageManifest(CellLog l, StoredManifest manifest) throws IOException {
        createDirectories(l);
        byte[] content = ManifestFormat.encode(manifest);
        try {
            DurableFiles.writeFile(channels, l.manifestTemp, content, false);
        } catch (IOException e) {
            throw DurableFiles.writeFailure(l.manifestTemp, content.length, e);
        }
        l.pendingManifest(manifest);
    }

    /** Stops the fsync threads. */
    void shutdown() {
        fsyncPool.shutdown();
    }

    /**
     * The commit state that also lists the logs with buffered cells that are not open yet (creating their
     * directories), or null when every such log is listed already.
     */
    private CommitState openingLogs() throws IOException {
        CommitState state = state();
        Map<CheckpointRef, Long> open = new LinkedHashMap<>(state.openLogs());
        for (CellLog l : logs.all()) {
            if (l.hasPending() && !open.containsKey(l.ref)) {
                createDirectories(l);
                open.put(l.ref, l.written());
            }
        }
        return open.size() > state.openLogs().size() ? new CommitState(state.offsets(), open) : null;
    }

    /**
     * Rounds one and two: makes every buffered and written cell and every pending manifest durable; the caller
     * then writes the commit state. A failure to write the commit state that lists new logs leaves the store
     * usable, as in {@link #writeBuffered}; any other failure fails it.
     */
    private void makeDurable() throws IOException {
        List<CellLog> manifests = new ArrayList<>();
        for (CellLog l : logs.all()) {
            if (l.manifestPending()) {
                manifests.add(l);
            }
        }
        CommitState opening = pendingBytes == 0 ? null : openingLogs();
        List<Fsync> first = new ArrayList<>();
        IOException[] stateFailure = new IOException[1];
        if (opening != null) {
            first.add(() -> {
                try {
                    slots.write(opening);
                } catch (IOException e) {
                    stateFailure[0] = e;
                }
            });
        }
        for (CellLog l : manifests) {
            first.add(() -> {
                try (FileChannel ch = channels.open(l.manifestTemp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            });
        }
        durably(first);
        if (stateFailure[0] != null) {
            throw stateFailure[0];
        }
        try {
            // A manifest's name only after its bytes are durable (round one).
            for (CellLog l : manifests) {
                Files.move(l.manifestTemp, l.manifestFile, StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                l.manifestRenamed();
                unsyncedDirs.add(l.dir);
            }
        } catch (IOException e) {
            throw failure(e);
        }
        // Logs not open yet were listed in round one, so these writes need no commit-state update.
        writeBuffered();
        List<Fsync> second = new ArrayList<>();
        for (CellLog l : logs.all()) {
            if (l.dirty()) {
                second.add(() -> l.force(channels));
            }
        }
        for (Path dir : unsyncedDirs) {
            second.add(() -> {
                if (Files.isDirectory(dir)) {
                    DurableFiles.fsyncDirectory(channels, dir);
                }
            });
        }
        durably(second);
        unsyncedDirs.clear();
    }

    /** One durability step of a commit round. */
    @FunctionalInterface
    private interface Fsync {
        void run() throws IOException;
    }

    /**
     * Runs the steps of one round side by side, the first on this thread, and returns when all have ended;
     * if one fails, the store fails.
     */
    private void durably(List<Fsync> steps) throws IOException {
        if (steps.isEmpty()) {
            return;
        }
        long start = System.nanoTime();
        try {
            durablyTimed(steps);
        } finally {
            fsyncNanos += System.nanoTime() - start;
        }
    }

    private void durablyTimed(List<Fsync> steps) throws IOException {
        List<Future<?>> others = new ArrayList<>();
        for (Fsync step : steps.subList(1, steps.size())) {
            others.add(fsyncPool.submit(() -> {
                step.run();
                return null;
            }));
        }
        Throwable failure = null;
        try {
            steps.get(0).run();
        } catch (IOException | RuntimeException e) {
            failure = e;
        }
        boolean interrupted = false;
        for (Future<?> f : others) {
            while (true) {
                try {
                    f.get();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true; // the step runs on regardless: wait for it, and keep the interrupt
                } catch (ExecutionException e) {
                    if (failure == null) {
                        failure = e.getCause();
                    } else {
                        failure.addSuppressed(e.getCause());
                    }
                    break;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure != null) {
            throw failure(failure);
        }
    }

    private IOException failure(Throwable cause) {
        failed = true;
        return new IOException("cannot make the cells in " + layout.root() + " durable; the store refuses writes"
                + " until it is reopened: " + cause.getMessage(), cause);
    }
}
