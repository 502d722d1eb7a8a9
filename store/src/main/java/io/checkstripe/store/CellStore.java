package io.checkstripe.store;

import io.checkstripe.codec.CellLayout;
import io.checkstripe.codec.CorruptCellException;
import io.checkstripe.core.DurableFiles;
import io.checkstripe.core.FileChannels;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.WritableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backup server's durable store of cells and manifests, and of the consumer offsets they came from. The
 * sink appends the cells it consumes, then {@linkplain #commit commits} the offset it has reached: the commit
 * first writes and forces the cells, so the stored offset is never ahead of durable data, and on restart the
 * sink resumes from it. Appends are idempotent, so the records replayed after a crash are skipped: a
 * {@code kill -9} at any instant neither loses nor duplicates a cell.
 *
 * <p>A facade: {@link StoreLayout} names every file, {@code StoreDirectory} creates, locks and upgrades the
 * directory, {@code CellLogRecovery} loads and recovers a checkpoint's files, {@code CommitRounds} decides what
 * becomes durable and in what order, and {@code CellReads} reads cells. Appended cells are buffered (up to
 * {@value #WRITE_THRESHOLD_BYTES} bytes); a cell counts as stored only after the next commit has forced it.
 *
 * <p>Thread-safe: one lock guards the index and every change; cell bytes are read outside it, so readers (the
 * HTTP API) do not wait for each other, and listings never write. One writable store per data directory, which
 * it locks against other processes. {@link #openReadOnly} opens a directory without the lock: it writes
 * nothing, cuts nothing, and sees each checkpoint as it was when first read.
 *
 * <p>An {@link IOException} from {@link #append} or {@link #commit} leaves the store consistent and the offsets
 * where they were: a batch that could not be written stays buffered, so the sink may retry or resume from
 * {@link #committedOffset}. If forcing data fails, the store refuses writes until it is reopened and recovered.
 * {@link #close} makes the cells and manifests durable too, without moving the offsets.
 */
public final class CellStore implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(CellStore.class);

    /** Buffered cell bytes that trigger a write before the next commit. */
    static final int WRITE_THRESHOLD_BYTES = CommitRounds.WRITE_THRESHOLD_BYTES;

    private final StoreDirectory directory;
    private final StoreLayout layout;
    private final CheckpointLogs logs;
    private final CellReads reads;
    private final CommitRounds rounds; // null when read-only
    private final CommitState readOnlyState; // as read at open; null when writable
    private boolean closed;

    /** A writable store when the directory has commit-state slots, else a read-only one in {@code readOnlyState}. */
    private CellStore(StoreDirectory directory, FileChannels channels, CommitState readOnlyState) {
        this.directory = directory;
        this.layout = directory.layout();
        boolean writable = directory.slots() != null;
        this.logs = new CheckpointLogs(layout, writable);
        this.rounds = writable ? new CommitRounds(layout, logs, directory.slots(), channels) : null;
        this.reads = new CellReads(this, logs, rounds);
        this.readOnlyState = readOnlyState;
    }

    /**
     * Opens the store in {@code dataDir} for backup server {@code serverIndex}, creating it if the directory
     * is missing or empty, and recovers the logs a crash may have torn.
     *
     * @throws IllegalArgumentException when the store belongs to another server index, or the index is negative
     * @throws IOException              when the directory is locked by another writer, holds files but no store,
     *                                  or cannot be read or written
     */
    public static CellStore open(Path dataDir, int serverIndex) throws IOException {
        return open(dataDir, serverIndex, FileChannels.DEFAULT);
    }

    static CellStore open(Path dataDir, int serverIndex, FileChannels channels) throws IOException {
        if (serverIndex < 0) {
            throw new IllegalArgumentException("server index " + serverIndex + " is negative");
        }
        StoreDirectory directory = StoreDirectory.openForWriting(StoreLayout.of(dataDir), serverIndex, channels);
        CellStore store = new CellStore(directory, channels, null);
        try {
            store.rounds.recoverOpenLogs();
        } catch (IOException | RuntimeException e) {
            store.abandon();
            throw e;
        }
        log.info("opened cell store {} for server {} with {} committed offsets", store.layout, serverIndex,
                store.state().offsets().size());
        return store;
    }

    /**
     * Opens an existing store without writing to it: no lock, no recovery, no cuts, no quarantine. Use it to
     * restore from or report on a data directory, even one a sink is writing.
     *
     * @throws IOException when {@code dataDir} holds no store or cannot be read
     */
    public static CellStore openReadOnly(Path dataDir) throws IOException {
        StoreDirectory directory = StoreDirectory.openReadOnly(StoreLayout.of(dataDir));
        return new CellStore(directory, FileChannels.DEFAULT, CommitStateSlots.readOnly(directory.layout()));
    }

    /** The backup server this store belongs to. */
    public int serverIndex() {
        return directory.serverIndex();
    }

    /** The store's directory, absolute. */
    public Path dataDir() {
        return layout.root();
    }

    /** Whether the store was opened with {@link #openReadOnly}. */
    public boolean readOnly() {
        return rounds == null;
    }

    /**
     * Appends a cell unless the store already holds an intact cell with the same key, in which case it
     * returns {@code false}: replays after a crash must not duplicate. A cell is durable only after the next
     * {@link #commit}.
     *
     * @throws CorruptCellException         when the data does not match the header's CRC32C
     * @throws IllegalArgumentException     when the cell belongs on another server
     * @throws CheckpointConflictException when the cell contradicts the checkpoint's other cells or manifest, or
     *                                      the same key is stored with other lengths or another CRC
     * @throws IOException                  when writing a batch fails; the batch stays buffered
     */
    public synchronized boolean append(StoredCell cell) throws IOException {
        checkWritable();
        CellHeader h = cell.header();
        int owner = CellLayout.serverOf(h.segmentIndex(), h.cellIndex(), h.servers());
        if (owner != serverIndex()) {
            throw new IllegalArgumentException("cell " + h + " belongs on server " + owner + ", this store is server "
                    + serverIndex());
        }
        CellReadResult.of(cell).verified();
        CellLog l = logs.getOrCreate(new CheckpointRef(h.appId(), h.checkpointId()));
        if (logs.holdsIntact(l, h)) {
            return false;
        }
        l.add(cell);
        rounds.buffered(h);
        return true;
    }

    /**
     * Stores a checkpoint's manifest, unless the same manifest is already stored intact, in which case it
     * returns {@code false}; a manifest file that rotted or vanished since the store read it is written again
     * from the copy offered. It is written to {@code manifest.tmp} now, and forced and renamed by the next
     * {@link #commit}; until then this store reads it from memory.
     *
     * @throws CheckpointConflictException when a different manifest is stored, or the policy or servers differ
     *                                      from the checkpoint's cells
     */
    public synchronized boolean putManifest(StoredManifest manifest) throws IOException {
        checkWritable();
        CellLog l = logs.getOrCreate(new CheckpointRef(manifest.appId(), manifest.checkpointId()));
        if (logs.holdsManifest(l, manifest)) {
            if (l.manifestPending() || manifestFileHolds(manifest)) {
                return false;
            }
            log.warn("{}/{}: the manifest file is missing or corrupt; writing the copy offered again",
                    manifest.appId(), manifest.checkpointId());
        }
        rounds.stageManifest(l, manifest);
        return true;
    }

    private boolean manifestFileHolds(StoredManifest manifest) throws IOException {
        try {
            return rereadManifest(manifest.appId(), manifest.checkpointId()).filter(manifest::equals).isPresent();
        } catch (CorruptRecordException e) {
            return false;
        }
    }

    /** Same as {@code commit(Map.of(sourceKey, nextOffset))}. */
    public CommitTiming commit(String sourceKey, long nextOffset) throws IOException {
        return commit(Map.of(sourceKey, nextOffset));
    }

    /**
     * Makes every appended cell and every stored manifest durable, then durably records the offsets (keyed by
     * source, such as a topic partition; sources not named keep theirs). When this returns, a restart resumes
     * from the offsets; when it throws, the committed offsets have not moved.
     *
     * @return how long it took, and how much of that went to fsyncs
     * @throws IllegalArgumentException when a source key is empty or longer than 1024 bytes, or an offset negative
     */
    public synchronized CommitTiming commit(Map<String, Long> offsets) throws IOException {
        checkWritable();
        long start = System.nanoTime();
        long fsync = rounds.commit(offsets);
        return new CommitTiming(Duration.ofNanos(fsync), Duration.ofNanos(Math.max(fsync, System.nanoTime() - start)));
    }

    /** The next offset to consume from {@code sourceKey}, as last committed. */
    public synchronized OptionalLong committedOffset(String sourceKey) {
        Long offset = state().offsets().get(sourceKey);
        return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
    }

    /** Every committed offset, by source key. */
    public synchronized Map<String, Long> committedOffsets() {
        return state().offsets();
    }

    /**
     * Deletes a checkpoint durably: its directory is moved to {@code trash/} (durably) before its files are
     * deleted, so a crash never leaves half a checkpoint under {@code apps/}.
     *
     * @return whether the checkpoint existed
     */
    public synchronized boolean delete(String app, long checkpointId) throws IOException {
        checkWritable();
        CheckpointRef ref = CheckpointRef.validated(app, checkpointId);
        CellLog l = logs.remove(ref);
        boolean buffered = l != null && l.hasPending();
        if (l != null) {
            rounds.forget(l);
        }
        boolean existed = directory.deleteCheckpoint(app, checkpointId);
        rounds.forgetDeletedDirectories();
        if (!existed) {
            return buffered;
        }
        log.info("deleted checkpoint {} from {}", ref, layout);
        return true;
    }

    /** The applications with at least one checkpoint, sorted. Never writes. */
    public synchronized List<String> apps() throws IOException {
        return logs.apps();
    }

    /** The checkpoint ids of {@code app} in this store, ascending. Never writes. */
    public synchronized List<Long> checkpoints(String app) throws IOException {
        return logs.checkpoints(app);
    }

    /**
     * Bytes on disk of the application's checkpoints (every file of their directories), for a server's metrics.
     * Never writes.
     */
    public synchronized long storedBytes(String app) throws IOException {
        long bytes = 0;
        for (long cp : logs.checkpoints(app)) {
            try (DirectoryStream<Path> files = Files.newDirectoryStream(layout.checkpointDir(app, cp))) {
                for (Path f : files) {
                    bytes += Files.isRegularFile(f) ? Files.size(f) : 0;
                }
            } catch (NoSuchFileException e) {
                // deleted by retention since it was listed
            }
        }
        return bytes;
    }

    /** The checkpoint's manifest, if this store has received it. */
    public synchronized Optional<StoredManifest> manifest(String app, long checkpointId) throws IOException {
        CellLog l = logs.find(CheckpointRef.validated(app, checkpointId));
        return l == null ? Optional.empty() : Optional.ofNullable(logs.manifest(l));
    }

    /** The keys of the cells this store holds for the checkpoint, sorted. */
    public synchronized List<CellKey> cells(String app, long checkpointId) throws IOException {
        CellLog l = logs.find(CheckpointRef.validated(app, checkpointId));
        return l == null ? List.of() : List.copyOf(logs.index(l).keySet());
    }

    /**
     * How many cells this server should hold for the checkpoint: one for every stripe that has a cell on it
     * (cell j of stripe s is on server (s + j) mod N), or empty without a manifest.
     */
    public synchronized OptionalInt expectedCells(String app, long checkpointId) throws IOException {
        Optional<StoredManifest> m = manifest(app, checkpointId);
        return m.map(manifest -> OptionalInt.of(CheckpointLogs.cellsOnServer(manifest, serverIndex()).size()))
                .orElse(OptionalInt.empty());
    }

    /**
     * Whether the manifest is here and every cell this server should hold is stored. Data CRCs are not read:
     * a scrub reads the cells.
     */
    public synchronized boolean isComplete(String app, long checkpointId) throws IOException {
        CellLog l = logs.find(CheckpointRef.validated(app, checkpointId));
        StoredManifest m = l == null ? null : logs.manifest(l);
        return m != null && logs.index(l).keySet().containsAll(CheckpointLogs.cellsOnServer(m, serverIndex()));
    }

    /**
     * Reads one cell. The record's header is read again and must name the requested checkpoint and cell; the
     * data CRC is computed and reported, not enforced (see {@link CellReadResult}).
     *
     * @return the cell, or empty when this store does not hold it
     */
    public Optional<CellReadResult> readCell(String app, long checkpointId, int segmentIndex, int cellIndex)
            throws IOException {
        return reads.read(CheckpointRef.validated(app, checkpointId), new CellKey(segmentIndex, cellIndex));
    }

    /**
     * Copies the stored record of a cell that failed its CRC to {@code quarantine/}, durably, for inspection. The
     * cell stays in its log, where reads keep reporting it corrupt (an erasure to the restorer), until an intact
     * copy of it is appended and supersedes it. Returns the copy, or empty when the store does not hold the cell.
     */
    public synchronized Optional<Path> quarantineCell(String app, long checkpointId, int segmentIndex, int cellIndex)
            throws IOException {
        checkWritable();
        CheckpointRef ref = CheckpointRef.validated(app, checkpointId);
        Optional<InputStream> record = reads.open(ref, new CellKey(segmentIndex, cellIndex));
        if (record.isEmpty()) {
            return Optional.empty();
        }
        byte[] bytes;
        try (InputStream in = record.get()) {
            bytes = in.readAllBytes();
        }
        Path target = layout.quarantined(ref, StoreLayout.CELL_LOG, "@s" + segmentIndex + "c" + cellIndex + "-"
                + System.currentTimeMillis());
        Files.createDirectories(layout.quarantineDir());
        DurableFiles.writeAtomically(target, bytes);
        log.warn("{}/{}: cell {}/{} fails its CRC; its record is copied to {}, and it counts as missing until an "
                + "intact copy replaces it", app, checkpointId, segmentIndex, cellIndex, target);
        return Optional.of(target);
    }

    /**
     * Reads the checkpoint's manifest file from disk again and checks it (magic, version, CRC), rather than
     * trusting the copy read when the log was loaded: what a scrub needs to find rot that came later. Empty when
     * the store holds no manifest of it.
     *
     * @throws CorruptRecordException when the file on disk does not decode
     */
    public Optional<StoredManifest> rereadManifest(String app, long checkpointId) throws IOException {
        CheckpointRef ref = CheckpointRef.validated(app, checkpointId);
        Path file = layout.manifest(ref.appId(), ref.checkpointId());
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        return Optional.of(ManifestFormat.decode(bytes));
    }

    /**
     * Streams the records ({@link CellRecordFormat}: header and data, as stored) of every stored cell of
     * segments {@code fromSegment} (inclusive) to {@code toSegment} (exclusive), in key order, to {@code out}
     * without buffering them, for the HTTP API. Headers are checked as in {@link #readCell}; the data is sent
     * as stored, for the receiver to check against the data CRC.
     *
     * @return the number of records written
     */
    public int transferCells(String app, long checkpointId, int fromSegment, int toSegment, WritableByteChannel out)
            throws IOException {
        return reads.transfer(CheckpointRef.validated(app, checkpointId), fromSegment, toSegment, out);
    }

    /**
     * Opens a stream over one cell's record (header and data, as stored); the caller closes it. The header is
     * checked as in {@link #readCell}.
     */
    public Optional<InputStream> openCellStream(String app, long checkpointId, int segmentIndex, int cellIndex)
            throws IOException {
        return reads.open(CheckpointRef.validated(app, checkpointId), new CellKey(segmentIndex, cellIndex));
    }

    /** Forces what was appended, closes every file and releases the directory lock; offsets stay as committed. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            if (rounds != null && !rounds.failed()) {
                rounds.commitForClose();
            }
        } finally {
            abandon();
        }
    }

    /**
     * Closes the files and releases the lock without forcing or recording anything, leaving the directory as
     * a process killed at this instant would (the page cache survives a kill): how tests simulate a crash.
     */
    synchronized void abandon() throws IOException {
        closed = true;
        IOException first = logs.closeAll();
        if (rounds != null) {
            rounds.shutdown();
        }
        directory.close();
        if (first != null) {
            throw first;
        }
    }

    /** Writes the buffered cells to their logs without forcing them or committing (a crash test's setup). */
    synchronized void writeBuffered() throws IOException {
        checkWritable();
        rounds.writeBuffered();
    }

    private CommitState state() {
        return rounds != null ? rounds.state() : readOnlyState;
    }

    private void checkWritable() {
        if (rounds == null) {
            throw new IllegalStateException("the store in " + layout + " is open read-only");
        }
        if (closed) {
            throw new IllegalStateException("the store in " + layout + " is closed");
        }
        if (rounds.failed()) {
            throw new IllegalStateException("the store in " + layout + " failed to force data to disk; reopen it");
        }
    }
}
