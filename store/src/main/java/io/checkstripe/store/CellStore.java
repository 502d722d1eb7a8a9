package io.checkstripe.store;

import io.checkstripe.core.DurableFiles;
import io.checkstripe.core.FileChannels;

import io.checkstripe.codec.CellLayout;
import io.checkstripe.codec.CorruptCellException;
import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.core.AppId;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A backup server's durable store of cells and manifests, and of the consumer offsets they came from. The
 * sink appends the cells it consumes, then {@linkplain #commit commits} the offset it has reached: the commit
 * first writes and forces the cells, so the stored offset is never ahead of durable data, and on restart the
 * sink resumes from it. Appends are idempotent, so the records replayed after a crash are skipped: a
 * {@code kill -9} at any instant neither loses nor duplicates a cell.
 *
 * <h2>Layout</h2>
 * <pre>
 * dataDir/
 *   store.properties       format.version=2, server.index=I (written once, durably, at creation)
 *   commit-state.0         committed offsets and the logs open for appending, in two slots written in
 *   commit-state.1           turn (see below; format 1 had one {@code commit-state} file, replaced atomically)
 *   .lock                  held by the one writer
 *   apps/APP/CHECKPOINT/   CHECKPOINT = the checkpoint id in 20 zero-padded digits
 *     cells.log            the cells of that checkpoint on this server, appended in arrival order
 *     manifest             the checkpoint's manifest ({@link ManifestFormat})
 *     manifest.tmp         a manifest received since the last commit, renamed to {@code manifest} by it
 *   quarantine/            bytes the store could not understand, kept for inspection, never read
 *   trash/                 checkpoints being deleted
 * </pre>
 * One append-only log per checkpoint keeps the file count small with thousands of checkpoints and the I/O
 * sequential with multi-GiB ones. Every record in a log is a self-describing {@link CellRecordFormat} record
 * (application, checkpoint, segment, cell, policy, servers, lengths, the striper's data CRC32C, and a CRC32C
 * of the header), so a store can be read with no other metadata, and a record copied into the wrong log is
 * recognised.
 *
 * <p>The commit state (magic {@code CSCO}, version 2, a sequence number, CRC32C over the whole content; see
 * {@code CommitState}) holds the offsets and, for every log written to since it was last forced, its
 * <em>recovery point</em>: the length that was durable. Every commit writes it with one {@code force} into the
 * slot holding the older of the two states (see {@code CommitStateSlots}: a torn slot fails its CRC and the
 * other one is trusted), and so does every batch of buffered cells about to be written to logs that are not
 * open yet (one update for all of them), so a log that may have been written without being forced is always
 * listed.
 *
 * <h2>Commit</h2>
 * A commit makes the batch durable in at most three rounds of fsyncs; the fsyncs of one round run side by
 * side on the store's {@value #FSYNC_THREADS} {@code checkstripe-fsync-N} threads, and on a journaling file
 * system concurrent fsyncs share a journal commit, so a round costs about one fsync:
 * <ol>
 * <li>only if the batch opens logs or stores manifests: the commit state listing the new logs, and every
 *     {@code manifest.tmp} written since the last commit ({@link #putManifest} writes it without forcing);
 *     then the manifests are renamed into place and the buffered cells written;</li>
 * <li>every log written to, and every directory whose entries changed (new checkpoints, new logs, renamed
 *     manifests);</li>
 * <li>the commit state with the new offsets.</li>
 * </ol>
 * Each round starts when the previous one is durable, so the offsets are never durable before the data, a
 * manifest's name never before its bytes, and a log's data never before the state that lists it as open.
 *
 * <h2>Recovery</h2>
 * {@link #open} checks each listed log from its recovery point on: every header CRC and every data CRC. The
 * first record that fails, or that the end of the file cuts short, cuts the log there; the cut bytes were
 * never committed, so the sink's replay writes them again. A leftover {@code manifest.tmp} is deleted: its
 * record was not committed either. Each cut is logged as a warning naming the
 * position, the number of bytes dropped and the reason. Other logs are indexed lazily, on their first use,
 * by reading only the headers (data CRCs are checked whenever a cell is read). A header there that fails its
 * CRC, a record of another checkpoint, or bytes that are no record at all are rot, not a torn tail: those
 * bytes are copied to {@code quarantine/} and skipped by searching for the next valid header (or cut if none
 * follows), so one flipped bit costs one cell, which the restorer rebuilds from parity. A data CRC mismatch
 * leaves the cell in place and reads return it {@linkplain CellReadResult#intact() flagged corrupt}; appending
 * the same cell again (a replay or a repair) appends a good copy that supersedes it: that is the only way a
 * log holds two records of one cell, and the later one wins.
 *
 * <h2>Use</h2>
 * Thread-safe: one lock guards the index and every change; cell bytes are read outside it with positional
 * reads, so readers (the HTTP API) do not wait for each other. The fsync threads only run the fsyncs of the
 * commit whose thread holds the lock and waits for them. One writable store per data directory, which
 * it locks against other processes. {@link #openReadOnly} opens a directory without the lock, for restore and
 * status: it writes nothing, cuts nothing, and sees each checkpoint as it was when first read. Memory grows
 * with the number of cells of the checkpoints in use (an index entry is about 150 bytes), never with their size.
 *
 * <p>Appended cells are buffered in memory (up to {@value #FLUSH_BYTES} bytes) and written in batches. An
 * {@link IOException} from {@link #append} or {@link #commit} leaves the store consistent and the offsets where
 * they were: a batch that could not be written is cut off the log again and stays buffered for the next
 * attempt, so the sink may retry the commit or resume from {@link #committedOffset} (replays are skipped). The
 * message says when the disk is full and names the file. If forcing data fails, the kernel may have dropped
 * the unwritten pages, so the store refuses further writes until it is reopened and recovered.
 * {@link #close} makes the cells and manifests durable too, without moving the offsets.
 */
public final class CellStore implements Closeable {

    private static final Logger log = LoggerFactory.getLogger(CellStore.class);

    static final String CELL_LOG = "cells.log";
    static final String MANIFEST = "manifest";
    static final String PROPERTIES = "store.properties";
    static final String APPS = "apps";
    static final String QUARANTINE = "quarantine";
    static final String TRASH = "trash";
    static final String LOCK = ".lock";
    static final int FORMAT_VERSION = 2;
    /** Format 1 kept the commit state in one file; such stores are read, and upgraded when opened for writing. */
    static final int LEGACY_FORMAT_VERSION = 1;

    private static final Pattern CHECKPOINT_NAME = Pattern.compile("\\d{20}");
    private static final int CHUNK = 64 * 1024;

    /** Buffered cell bytes that trigger a write before the next commit. */
    static final int FLUSH_BYTES = 4 << 20;

    /** Cell logs kept open for writing between batches; the others are reopened when needed. */
    private static final int MAX_OPEN_WRITERS = 16;

    /** Threads that fsync side by side (the committing thread is one more). */
    static final int FSYNC_THREADS = 4;

    private final Path dataDir;
    private final Path appsDir;
    private final Path quarantineDir;
    private final int serverIndex;
    private final boolean writable;
    private final FileChannels channels;
    private final FileChannel lockChannel;
    /** Where the commit state is written; null when read-only. */
    private final CommitStateSlots stateSlots;
    /** Runs the fsyncs of one commit round side by side; null when read-only. */
    private final ExecutorService fsyncPool;
    private final Map<CheckpointRef, CellLog> logs = new HashMap<>();
    /** Directories whose entries changed since the last commit, to fsync before it. */
    private final Set<Path> unsyncedDirs = new LinkedHashSet<>();
    private CommitState state;
    /** Bytes of cells appended but not yet written to their logs. */
    private long pendingBytes;
    private boolean failed;
    private boolean closed;

    private CellStore(Path dataDir, int serverIndex, boolean writable, FileChannels channels, FileChannel lockChannel,
            CommitStateSlots stateSlots, CommitState state) {
        this.dataDir = dataDir;
        this.appsDir = dataDir.resolve(APPS);
        this.quarantineDir = dataDir.resolve(QUARANTINE);
        this.serverIndex = serverIndex;
        this.writable = writable;
        this.channels = channels;
        this.lockChannel = lockChannel;
        this.stateSlots = stateSlots;
        this.state = state;
        this.fsyncPool = writable ? Executors.newFixedThreadPool(FSYNC_THREADS, fsyncThreads()) : null;
    }

    private static ThreadFactory fsyncThreads() {
        AtomicInteger count = new AtomicInteger();
        return task -> {
            Thread t = new Thread(task, "checkstripe-fsync-" + count.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    /**
     * Opens the store in {@code dataDir} for backup server {@code serverIndex}, creating it if the directory
     * is missing or empty, and recovers it (see the class comment).
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
        Path dir = dataDir.toAbsolutePath().normalize();
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
            DurableFiles.fsyncDirectory(dir.getParent());
        }
        FileChannel lockChannel = FileChannel.open(dir.resolve(LOCK), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        CellStore store = null;
        try {
            lock(lockChannel, dir);
            Path properties = dir.resolve(PROPERTIES);
            int formatVersion = FORMAT_VERSION;
            if (Files.exists(properties)) {
                StoreProperties p = readProperties(dir);
                int owner = p.serverIndex();
                formatVersion = p.formatVersion();
                if (owner != serverIndex) {
                    throw new IllegalArgumentException("data directory " + dir + " belongs to server " + owner
                            + ", not to server " + serverIndex);
                }
            } else {
                createStore(dir, serverIndex, channels);
            }
            for (String sub : List.of(APPS, QUARANTINE, TRASH)) {
                if (!Files.isDirectory(dir.resolve(sub))) {
                    Files.createDirectory(dir.resolve(sub));
                    DurableFiles.fsyncDirectory(dir);
                }
            }
            emptyTrash(dir.resolve(TRASH));
            CommitStateSlots slots = CommitStateSlots.open(dir, dir.resolve(QUARANTINE), channels);
            if (formatVersion != FORMAT_VERSION) {
                writeProperties(dir, serverIndex, channels); // only once the state is in its slot
                log.info("upgraded cell store {} from format {} to {}", dir, formatVersion, FORMAT_VERSION);
            }
            store = new CellStore(dir, serverIndex, true, channels, lockChannel, slots, slots.current());
            store.recover();
            log.info("opened cell store {} for server {} with {} committed offsets", dir, serverIndex,
                    store.state.offsets().size());
            return store;
        } catch (IOException | RuntimeException e) {
            if (store != null) {
                store.abandon();
            } else {
                lockChannel.close();
            }
            throw e;
        }
    }

    /**
     * Opens an existing store without writing to it: no lock, no recovery, no cuts, no quarantine. Use it to
     * restore from or report on a data directory, even one a sink is writing.
     *
     * @throws IOException when {@code dataDir} holds no store or cannot be read
     */
    public static CellStore openReadOnly(Path dataDir) throws IOException {
        Path dir = dataDir.toAbsolutePath().normalize();
        if (!Files.exists(dir.resolve(PROPERTIES))) {
            throw new NoSuchFileException(dir.resolve(PROPERTIES).toString(), null, "not a cell store");
        }
        return new CellStore(dir, readProperties(dir).serverIndex(), false, FileChannels.DEFAULT, null, null,
                CommitStateSlots.readOnly(dir));
    }

    /** The backup server this store belongs to. */
    public int serverIndex() {
        return serverIndex;
    }

    /** The store's directory, absolute. */
    public Path dataDir() {
        return dataDir;
    }

    /** Whether the store was opened with {@link #openReadOnly}. */
    public boolean readOnly() {
        return !writable;
    }

    // ---------------------------------------------------------------- writing

    /**
     * Appends a cell unless the store already holds an intact cell with the same key, in which case it
     * returns {@code false}: replays after a crash must not duplicate. Cells are buffered (up to
     * {@value #FLUSH_BYTES} bytes) and written in batches; a cell is durable only after the next
     * {@link #commit}.
     *
     * @throws CorruptCellException         when the data does not match the header's CRC32C (it was damaged
     *                                      between the striper and here)
     * @throws IllegalArgumentException     when the cell belongs on another server
     * @throws CheckpointConflictException when the cell contradicts the checkpoint's other cells or manifest, or
     *                                      the same key is stored with other lengths or another CRC
     * @throws IOException                  when writing a batch fails; the message says whether the disk is
     *                                      full; the batch stays buffered for the next attempt
     */
    public synchronized boolean append(StoredCell cell) throws IOException {
        checkWritable();
        CellHeader h = cell.header();
        int owner = CellLayout.serverOf(h.segmentIndex(), h.cellIndex(), h.servers());
        if (owner != serverIndex) {
            throw new IllegalArgumentException("cell " + h + " belongs on server " + owner + ", this store is server "
                    + serverIndex);
        }
        CellReadResult.of(cell).verified();
        CellLog l = logFor(new CheckpointRef(h.appId(), h.checkpointId()), true);
        indexed(l);
        checkConsistent(l, h.policy(), h.servers(), "cell " + h.key());
        CellLog.Entry existing = l.index().get(h.key());
        if (existing != null) {
            if (existing.segmentOffset() != h.segmentOffset() || existing.segmentLength() != h.segmentLength()
                    || existing.cellLength() != h.cellLength() || existing.crc32c() != h.crc32c()) {
                throw new CheckpointConflictException(h.appId(), h.checkpointId(), "cell " + h + " differs from the stored "
                        + l.header(h.key(), existing));
            }
            if (dataIntact(l, existing)) {
                return false;
            }
            log.warn("{}: {} is stored corrupt at position {} of {}; appending the copy offered", l.ref, h.key(),
                    existing.position(), l.file);
        }
        l.add(cell);
        pendingBytes += CellRecordFormat.recordLength(h);
        if (pendingBytes >= FLUSH_BYTES) {
            flush();
        }
        return true;
    }

    /**
     * Stores a checkpoint's manifest, unless the same manifest is already stored, in which case it returns
     * {@code false}. Like a cell, it is durable only after the next {@link #commit}: it is written to
     * {@code manifest.tmp} now, and forced and renamed by the commit; until then this store reads it from memory.
     *
     * @throws CheckpointConflictException when a different manifest is stored, or the policy or servers differ
     *                                      from the checkpoint's cells
     */
    public synchronized boolean putManifest(StoredManifest manifest) throws IOException {
        checkWritable();
        CellLog l = logFor(new CheckpointRef(manifest.appId(), manifest.checkpointId()), true);
        indexed(l);
        checkConsistent(l, manifest.policy(), manifest.servers(), "manifest");
        StoredManifest existing = manifestOf(l);
        if (existing != null) {
            if (existing.equals(manifest)) {
                return false;
            }
            throw new CheckpointConflictException(manifest.appId(), manifest.checkpointId(), "manifest " + manifest
                    + " differs from the stored " + existing);
        }
        createDirectories(l);
        Path temp = l.manifestTemp();
        byte[] content = ManifestFormat.encode(manifest);
        try {
            DurableFiles.writeFile(channels, temp, content, false);
        } catch (IOException e) {
            throw DurableFiles.writeFailure(temp, content.length, e);
        }
        l.pendingManifest(manifest);
        return true;
    }

    /** Same as {@code commit(Map.of(sourceKey, nextOffset))}. */
    public void commit(String sourceKey, long nextOffset) throws IOException {
        commit(Map.of(sourceKey, nextOffset));
    }

    /**
     * Makes every appended cell and every stored manifest durable, then durably records the offsets (keyed by
     * source, such as a topic partition; sources not named keep their offsets). When this returns, a restart resumes from the offsets;
     * when it throws, the committed offsets have not moved.
     *
     * @throws IllegalArgumentException when a source key is empty or longer than 1024 bytes, or an offset negative
     */
    public synchronized void commit(Map<String, Long> offsets) throws IOException {
        checkWritable();
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
        makeDurable();
        Map<CheckpointRef, Long> open = new LinkedHashMap<>();
        state.openLogs().forEach((ref, point) -> {
            CellLog l = logs.get(ref);
            if (l != null && l.dirty()) {
                open.put(ref, l.end());
            }
        });
        Map<String, Long> merged = new TreeMap<>(state.offsets());
        merged.putAll(offsets);
        writeState(new CommitState(merged, open));
        for (CellLog l : logs.values()) {
            l.committed(open.containsKey(l.ref));
        }
    }

    /** The next offset to consume from {@code sourceKey}, as last committed. */
    public synchronized OptionalLong committedOffset(String sourceKey) {
        Long offset = state.offsets().get(sourceKey);
        return offset == null ? OptionalLong.empty() : OptionalLong.of(offset);
    }

    /** Every committed offset, by source key. */
    public synchronized Map<String, Long> committedOffsets() {
        return state.offsets();
    }

    /**
     * Deletes a checkpoint durably: its directory is renamed into {@code trash/} (and the rename made durable)
     * before its files are deleted, so a crash never leaves half a checkpoint under {@code apps/}.
     *
     * @return whether the checkpoint existed
     */
    public synchronized boolean delete(String app, long checkpointId) throws IOException {
        checkWritable();
        CheckpointRef ref = ref(app, checkpointId);
        CellLog l = logs.remove(ref);
        boolean buffered = l != null && l.hasPending();
        if (l != null) {
            pendingBytes -= l.pendingBytes();
            l.closeWriter();
        }
        if (state.openLogs().containsKey(ref)) {
            Map<CheckpointRef, Long> open = new LinkedHashMap<>(state.openLogs());
            open.remove(ref);
            writeState(new CommitState(state.offsets(), open));
        }
        Path dir = checkpointDir(ref);
        if (!Files.isDirectory(dir)) {
            return buffered;
        }
        Path trash = dataDir.resolve(TRASH).resolve(app + "-" + checkpointName(checkpointId) + "-" + System.nanoTime());
        Files.move(dir, trash, StandardCopyOption.ATOMIC_MOVE);
        DurableFiles.fsyncDirectory(dir.getParent());
        DurableFiles.fsyncDirectory(trash.getParent());
        unsyncedDirs.removeIf(p -> p.startsWith(dir));
        DurableFiles.deleteRecursively(trash);
        Path appDir = dir.getParent();
        try (DirectoryStream<Path> rest = Files.newDirectoryStream(appDir)) {
            if (!rest.iterator().hasNext()) {
                Files.delete(appDir);
                DurableFiles.fsyncDirectory(appsDir);
                unsyncedDirs.remove(appDir);
            }
        }
        log.info("deleted checkpoint {} from {}", ref, dataDir);
        return true;
    }

    // ---------------------------------------------------------------- listing

    /** The applications with at least one checkpoint, sorted. */
    public synchronized List<String> apps() throws IOException {
        flushIfWritable();
        List<String> apps = new ArrayList<>();
        if (Files.isDirectory(appsDir)) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(appsDir, Files::isDirectory)) {
                for (Path d : dirs) {
                    String name = d.getFileName().toString();
                    if (AppId.isValid(name)) {
                        apps.add(name);
                    } else {
                        log.warn("ignoring {}: not a valid application id", d);
                    }
                }
            }
        }
        Collections.sort(apps);
        return apps;
    }

    /** The checkpoint ids of {@code app} in this store, ascending. */
    public synchronized List<Long> checkpoints(String app) throws IOException {
        Path appDir = appDir(app);
        flushIfWritable();
        List<Long> ids = new ArrayList<>();
        if (Files.isDirectory(appDir)) {
            try (DirectoryStream<Path> dirs = Files.newDirectoryStream(appDir, Files::isDirectory)) {
                for (Path d : dirs) {
                    String name = d.getFileName().toString();
                    if (CHECKPOINT_NAME.matcher(name).matches()) {
                        ids.add(Long.parseLong(name));
                    } else {
                        log.warn("ignoring {}: not a checkpoint directory", d);
                    }
                }
            }
        }
        Collections.sort(ids);
        return ids;
    }

    /** The checkpoint's manifest, if this store has received it. */
    public synchronized Optional<StoredManifest> manifest(String app, long checkpointId) throws IOException {
        CellLog l = logFor(ref(app, checkpointId), false);
        return l == null ? Optional.empty() : Optional.ofNullable(manifestOf(l));
    }

    /** The keys of the cells this store holds for the checkpoint, sorted. */
    public synchronized List<CellKey> cells(String app, long checkpointId) throws IOException {
        CellLog l = logFor(ref(app, checkpointId), false);
        return l == null ? List.of() : List.copyOf(indexed(l).keySet());
    }

    /**
     * How many cells this server should hold for the checkpoint: one for every stripe that has a cell on it
     * (cell j of stripe s is on server (s + j) mod N), or empty without a manifest.
     */
    public synchronized OptionalInt expectedCells(String app, long checkpointId) throws IOException {
        Optional<StoredManifest> m = manifest(app, checkpointId);
        if (m.isEmpty()) {
            return OptionalInt.empty();
        }
        int cellsPerStripe = RedundancyPolicy.parse(m.get().policy()).totalCells();
        int count = 0;
        for (int s = 0; s < m.get().segmentCount(); s++) {
            if (cellOn(s, m.get().servers(), cellsPerStripe) >= 0) {
                count++;
            }
        }
        return OptionalInt.of(count);
    }

    /**
     * Whether the manifest is here and every cell this server should hold is stored. Data CRCs are not read:
     * a scrub reads the cells.
     */
    public synchronized boolean isComplete(String app, long checkpointId) throws IOException {
        Optional<StoredManifest> m = manifest(app, checkpointId);
        if (m.isEmpty()) {
            return false;
        }
        NavigableMap<CellKey, CellLog.Entry> index = indexed(logFor(ref(app, checkpointId), false));
        int cellsPerStripe = RedundancyPolicy.parse(m.get().policy()).totalCells();
        for (int s = 0; s < m.get().segmentCount(); s++) {
            int cell = cellOn(s, m.get().servers(), cellsPerStripe);
            if (cell >= 0 && !index.containsKey(new CellKey(s, cell))) {
                return false;
            }
        }
        return true;
    }

    /** The cell of stripe {@code s} this server holds, or -1 (also when N leaves this server out entirely). */
    private int cellOn(int s, int servers, int cellsPerStripe) {
        return serverIndex >= servers ? -1 : CellLayout.cellOn(s, serverIndex, servers, cellsPerStripe);
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads one cell. The record's header is read again from disk and must name the requested checkpoint and
     * cell, so bytes that changed under the index are never returned as this cell; the data CRC is computed
     * and reported, not enforced (see {@link CellReadResult}).
     *
     * @return the cell, or empty when this store does not hold it
     */
    public Optional<CellReadResult> readCell(String app, long checkpointId, int segmentIndex, int cellIndex)
            throws IOException {
        Located at = locate(app, checkpointId, new CellKey(segmentIndex, cellIndex));
        if (at == null) {
            return Optional.empty();
        }
        try (FileChannel ch = FileChannel.open(at.file, StandardOpenOption.READ)) {
            CellHeader h = checkHeader(ch, at);
            if (h == null) {
                return Optional.empty();
            }
            ByteBuffer data = ByteBuffer.allocate(h.cellLength());
            readFully(ch, data, at.entry.position() + at.entry.headerLength());
            if (data.hasRemaining()) {
                return Optional.empty();
            }
            return Optional.of(CellReadResult.of(new StoredCell(h, data.array())));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
    }

    /**
     * Streams one cell's record ({@link CellRecordFormat}: header and data, as stored) to {@code out} without
     * buffering it, for the HTTP API. The header is checked as in {@link #readCell}; the data is sent as
     * stored, for the receiver to check against the data CRC.
     *
     * @return whether the store holds the cell (nothing is written when it does not)
     */
    public boolean transferCell(String app, long checkpointId, int segmentIndex, int cellIndex,
            WritableByteChannel out) throws IOException {
        Located at = locate(app, checkpointId, new CellKey(segmentIndex, cellIndex));
        if (at == null) {
            return false;
        }
        try (FileChannel ch = FileChannel.open(at.file, StandardOpenOption.READ)) {
            if (checkHeader(ch, at) == null) {
                return false;
            }
            transfer(ch, at.entry.position(), at.entry.recordLength(), out);
            return true;
        } catch (NoSuchFileException e) {
            return false;
        }
    }

    /**
     * Streams the records of every stored cell of segments {@code fromSegment} (inclusive) to
     * {@code toSegment} (exclusive), in key order, as {@link #transferCell} streams one.
     *
     * @return the number of records written
     */
    public int transferCells(String app, long checkpointId, int fromSegment, int toSegment, WritableByteChannel out)
            throws IOException {
        if (fromSegment < 0 || toSegment < fromSegment) {
            throw new IllegalArgumentException("bad segment range [" + fromSegment + ", " + toSegment + ")");
        }
        CheckpointRef ref = ref(app, checkpointId);
        List<Located> cells = new ArrayList<>();
        synchronized (this) {
            CellLog l = logFor(ref, false);
            if (l == null) {
                return 0;
            }
            if (l.hasPending()) {
                flush();
            }
            indexed(l).subMap(new CellKey(fromSegment, 0), new CellKey(toSegment, 0))
                    .forEach((key, entry) -> cells.add(new Located(ref, key, l.file, entry)));
        }
        if (cells.isEmpty()) {
            return 0;
        }
        int sent = 0;
        try (FileChannel ch = FileChannel.open(cells.get(0).file, StandardOpenOption.READ)) {
            for (Located at : cells) {
                if (checkHeader(ch, at) != null) {
                    transfer(ch, at.entry.position(), at.entry.recordLength(), out);
                    sent++;
                }
            }
        } catch (NoSuchFileException e) {
            return sent;
        }
        return sent;
    }

    /**
     * Opens a stream over one cell's record (header and data, as stored), for callers that need an
     * {@link InputStream}; the caller closes it. The header is checked as in {@link #readCell}.
     */
    public Optional<InputStream> openCellStream(String app, long checkpointId, int segmentIndex, int cellIndex)
            throws IOException {
        Located at = locate(app, checkpointId, new CellKey(segmentIndex, cellIndex));
        if (at == null) {
            return Optional.empty();
        }
        FileChannel ch;
        try {
            ch = FileChannel.open(at.file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try {
            if (checkHeader(ch, at) == null) {
                ch.close();
                return Optional.empty();
            }
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
        return Optional.of(new RegionInputStream(ch, at.entry.position(), at.entry.recordLength()));
    }

    /** Forces what was appended, closes every file and releases the directory lock; offsets stay as committed. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        try {
            if (writable && !failed) {
                makeDurable();
                if (!state.openLogs().isEmpty()) {
                    writeState(new CommitState(state.offsets(), Map.of()));
                }
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
        IOException first = null;
        for (CellLog l : logs.values()) {
            try {
                l.closeWriter();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        logs.clear();
        if (fsyncPool != null) {
            fsyncPool.shutdown();
        }
        if (lockChannel != null) {
            lockChannel.close();
        }
        if (first != null) {
            throw first;
        }
    }

    // ---------------------------------------------------------------- internals

    /** Where an indexed record lives, captured under the lock and used outside it. */
    private record Located(CheckpointRef ref, CellKey key, Path file, CellLog.Entry entry) {
    }

    private synchronized Located locate(String app, long checkpointId, CellKey key) throws IOException {
        CheckpointRef ref = ref(app, checkpointId);
        CellLog l = logFor(ref, false);
        if (l == null) {
            return null;
        }
        CellLog.Entry entry = indexed(l).get(key);
        if (entry != null && l.hasPending()) {
            flush();
        }
        return entry == null ? null : new Located(ref, key, l.file, entry);
    }

    /**
     * Reads the header at a located record and checks that it still describes the cell the index says is
     * there; if not, the index is dropped (the next use rescans) and null is returned.
     */
    private CellHeader checkHeader(FileChannel ch, Located at) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(at.entry.headerLength());
        readFully(ch, buf, at.entry.position());
        buf.flip();
        String problem;
        try {
            CellHeader h = CellRecordFormat.readHeader(buf);
            if (h.describes(at.ref.appId(), at.ref.checkpointId(), at.key) && h.cellLength() == at.entry.cellLength()
                    && h.crc32c() == at.entry.crc32c()) {
                return h;
            }
            problem = "the header there describes " + h;
        } catch (CorruptRecordException e) {
            problem = e.getMessage();
        }
        log.warn("{}: {} is no longer at position {} of {} ({}); rescanning the log", at.ref, at.key,
                at.entry.position(), at.file, problem);
        synchronized (this) {
            CellLog l = logs.get(at.ref);
            if (l != null) {
                if (l.hasPending()) {
                    flush();
                }
                l.invalidate();
            }
        }
        return null;
    }

    private CheckpointRef ref(String app, long checkpointId) {
        AppId.validate(app);
        if (checkpointId < 0) {
            throw new IllegalArgumentException("checkpoint id " + checkpointId + " of " + app + " is negative");
        }
        return new CheckpointRef(app, checkpointId);
    }

    /** The application's directory, refusing any id that would resolve outside {@code apps/}. */
    private Path appDir(String app) {
        AppId.validate(app);
        Path dir = appsDir.resolve(app).normalize();
        if (!dir.startsWith(appsDir) || !appsDir.equals(dir.getParent())) {
            throw new IllegalArgumentException("application id " + AppId.describe(app) + " escapes " + appsDir);
        }
        return dir;
    }

    private Path checkpointDir(CheckpointRef ref) {
        return appDir(ref.appId()).resolve(checkpointName(ref.checkpointId()));
    }

    static String checkpointName(long checkpointId) {
        return String.format("%020d", checkpointId);
    }

    /** The checkpoint's state, created if {@code create}; null when it does not exist and is not created. */
    private CellLog logFor(CheckpointRef ref, boolean create) {
        CellLog l = logs.get(ref);
        if (l == null) {
            Path dir = checkpointDir(ref);
            if (!create && !Files.isDirectory(dir)) {
                return null;
            }
            l = new CellLog(ref, dir);
            logs.put(ref, l);
        }
        return l;
    }

    private NavigableMap<CellKey, CellLog.Entry> indexed(CellLog l) throws IOException {
        if (!l.loaded()) {
            if (writable) {
                l.load(Long.MAX_VALUE, quarantineDir);
            } else {
                l.loadReadOnly();
            }
        }
        return l.index();
    }

    private StoredManifest manifestOf(CellLog l) throws IOException {
        if (l.manifestKnown()) {
            return l.manifest();
        }
        Path file = l.dir.resolve(MANIFEST);
        StoredManifest m = null;
        try {
            long size = Files.size(file);
            if (size > ManifestFormat.MAX_LENGTH) {
                throw new CorruptRecordException("manifest has " + size + " bytes, at most " + ManifestFormat.MAX_LENGTH
                        + " expected");
            }
            m = ManifestFormat.decode(Files.readAllBytes(file));
            if (!m.appId().equals(l.ref.appId()) || m.checkpointId() != l.ref.checkpointId()) {
                throw new CorruptRecordException("manifest of " + m.appId() + "/" + m.checkpointId()
                        + " does not belong to this checkpoint");
            }
        } catch (NoSuchFileException e) {
            m = null;
        } catch (CorruptRecordException e) {
            m = null;
            if (writable) {
                Path target = quarantineDir.resolve(l.ref.appId() + "-" + checkpointName(l.ref.checkpointId()) + "-"
                        + MANIFEST + "-" + System.currentTimeMillis());
                Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
                DurableFiles.fsyncDirectory(quarantineDir);
                DurableFiles.fsyncDirectory(l.dir);
                log.warn("{}: manifest {} cannot be read ({}); moved to {}", l.ref, file, e.getMessage(), target);
            } else {
                log.warn("{}: manifest {} cannot be read ({})", l.ref, file, e.getMessage());
            }
        }
        l.manifest(m);
        return m;
    }

    private void checkConsistent(CellLog l, String policy, int servers, String what) throws IOException {
        if (l.policy() != null && (!l.policy().equals(policy) || l.servers() != servers)) {
            throw new CheckpointConflictException(l.ref.appId(), l.ref.checkpointId(), what + " has policy " + policy
                    + " over " + servers + " servers, the checkpoint's cells " + l.policy() + " over " + l.servers());
        }
        StoredManifest m = manifestOf(l);
        if (m != null && (!m.policy().equals(policy) || m.servers() != servers)) {
            throw new CheckpointConflictException(l.ref.appId(), l.ref.checkpointId(), what + " has policy " + policy
                    + " over " + servers + " servers, the manifest " + m.policy() + " over " + m.servers());
        }
    }

    /** Whether the stored data of an entry matches its CRC, read in bounded chunks. */
    private static boolean dataIntact(CellLog l, CellLog.Entry e) throws IOException {
        if (l.isPending(e)) {
            return true; // checked when it was appended, and still in memory
        }
        CRC32C crc = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocate(CHUNK);
        try (FileChannel ch = FileChannel.open(l.file, StandardOpenOption.READ)) {
            long at = e.position() + e.headerLength();
            long left = e.cellLength();
            while (left > 0) {
                buf.clear();
                buf.limit((int) Math.min(CHUNK, left));
                readFully(ch, buf, at);
                if (buf.hasRemaining()) {
                    return false;
                }
                crc.update(buf.array(), 0, buf.position());
                at += buf.position();
                left -= buf.position();
            }
        }
        return (int) crc.getValue() == e.crc32c();
    }

    /**
     * Writes the buffered cells. A log that is not open yet is first recorded in the commit state (all such
     * logs in one durable update), so that recovery after a crash checks it from its recovery point on.
     */
    private void flush() throws IOException {
        if (pendingBytes == 0) {
            return;
        }
        try {
            CommitState opening = openingLogs();
            if (opening != null) {
                writeState(opening);
            }
            int writers = 0;
            for (CellLog l : logs.values()) {
                if (l.hasPending()) {
                    l.writePending(channels);
                }
                if (l.hasWriter() && ++writers > MAX_OPEN_WRITERS) {
                    l.closeWriter(); // bounded descriptors when a batch spans thousands of checkpoints
                }
            }
        } finally {
            pendingBytes = logs.values().stream().mapToLong(CellLog::pendingBytes).sum();
        }
    }

    /**
     * The commit state that also lists the logs with buffered cells that are not open yet (creating their
     * directories), or null when every such log is listed already.
     */
    private CommitState openingLogs() throws IOException {
        Map<CheckpointRef, Long> open = new LinkedHashMap<>(state.openLogs());
        for (CellLog l : logs.values()) {
            if (l.hasPending() && !open.containsKey(l.ref)) {
                createDirectories(l);
                open.put(l.ref, l.written());
            }
        }
        return open.size() > state.openLogs().size() ? new CommitState(state.offsets(), open) : null;
    }

    /**
     * Writes the buffered cells to their logs without forcing them or committing: tests use it to leave
     * written but uncommitted cells behind a simulated crash.
     */
    synchronized void writeBuffered() throws IOException {
        checkWritable();
        flush();
    }

    private void flushIfWritable() throws IOException {
        if (writable && !closed && !failed) {
            flush();
        }
    }

    private void createDirectories(CellLog l) throws IOException {
        Path appDir = l.dir.getParent();
        if (!Files.isDirectory(appDir)) {
            Files.createDirectory(appDir);
            unsyncedDirs.add(appsDir);
        }
        if (!Files.isDirectory(l.dir)) {
            Files.createDirectory(l.dir);
            unsyncedDirs.add(appDir);
        }
        if (!Files.exists(l.file)) {
            unsyncedDirs.add(l.dir);
        }
    }

    /**
     * Makes every buffered and written cell and every pending manifest durable, in the first two rounds of a
     * commit (see the class comment); the caller then writes the commit state. A failure to write the commit
     * state that lists new logs leaves the store usable, as in {@link #flush}; any other failure fails it.
     */
    private void makeDurable() throws IOException {
        List<CellLog> manifests = new ArrayList<>();
        for (CellLog l : logs.values()) {
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
                    writeState(opening);
                } catch (IOException e) {
                    stateFailure[0] = e;
                }
            });
        }
        for (CellLog l : manifests) {
            Path temp = l.manifestTemp();
            first.add(() -> {
                try (FileChannel ch = channels.open(temp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            });
        }
        durably(first);
        if (stateFailure[0] != null) {
            throw stateFailure[0];
        }
        try {
            for (CellLog l : manifests) {
                Files.move(l.manifestTemp(), l.dir.resolve(MANIFEST), StandardCopyOption.ATOMIC_MOVE,
                        StandardCopyOption.REPLACE_EXISTING);
                l.manifestRenamed();
                unsyncedDirs.add(l.dir);
            }
        } catch (IOException e) {
            throw failure(e);
        }
        flush();
        List<Fsync> second = new ArrayList<>();
        for (CellLog l : logs.values()) {
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
     * Runs the steps of one round side by side, the first on this thread, and returns when all have ended. If
     * one fails the kernel may have dropped pages it could not write, so the store fails: it refuses writes
     * until it is reopened and recovered.
     */
    private void durably(List<Fsync> steps) throws IOException {
        if (steps.isEmpty()) {
            return;
        }
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
        return new IOException("cannot make the cells in " + dataDir + " durable; the store refuses writes until it"
                + " is reopened: " + cause.getMessage(), cause);
    }

    private void writeState(CommitState next) throws IOException {
        stateSlots.write(next);
        state = next;
    }

    private void checkWritable() {
        if (!writable) {
            throw new IllegalStateException("the store in " + dataDir + " is open read-only");
        }
        if (closed) {
            throw new IllegalStateException("the store in " + dataDir + " is closed");
        }
        if (failed) {
            throw new IllegalStateException("the store in " + dataDir + " failed to force data to disk; reopen it");
        }
    }

    /** Checks, from each open log's recovery point on, what a crash may have torn. */
    private void recover() throws IOException {
        if (state.openLogs().isEmpty()) {
            return;
        }
        log.info("recovering {} cell logs in {} after an unclean shutdown", state.openLogs().size(), dataDir);
        for (Map.Entry<CheckpointRef, Long> e : state.openLogs().entrySet()) {
            CellLog l = logFor(e.getKey(), false);
            if (l == null) {
                if (e.getValue() > 0) {
                    log.error("{}: checkpoint directory is missing although {} bytes of its cells were committed",
                            e.getKey(), e.getValue());
                }
                continue;
            }
            l.load(e.getValue(), quarantineDir);
        }
        writeState(new CommitState(state.offsets(), Map.of()));
    }

    private static void lock(FileChannel lockChannel, Path dir) throws IOException {
        FileLock lock;
        try {
            lock = lockChannel.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            throw new IOException("data directory " + dir + " is in use by another cell store");
        }
    }

    private static void createStore(Path dir, int serverIndex, FileChannels channels) throws IOException {
        Files.deleteIfExists(dir.resolve(PROPERTIES + ".tmp")); // a creation interrupted by a crash
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir, p -> !p.getFileName().toString().equals(LOCK))) {
            if (entries.iterator().hasNext()) {
                throw new IOException("data directory " + dir + " is not empty and holds no cell store (" + PROPERTIES
                        + " is missing)");
            }
        }
        writeProperties(dir, serverIndex, channels);
        log.info("created cell store {} for server {}", dir, serverIndex);
    }

    private static void writeProperties(Path dir, int serverIndex, FileChannels channels) throws IOException {
        String text = "# checkstripe backup-sink cell store; do not edit\nformat.version=" + FORMAT_VERSION
                + "\nserver.index=" + serverIndex + "\n";
        DurableFiles.writeAtomically(channels, dir.resolve(PROPERTIES), text.getBytes(StandardCharsets.US_ASCII));
    }

    /** What {@code store.properties} says. */
    private record StoreProperties(int formatVersion, int serverIndex) {
    }

    private static StoreProperties readProperties(Path dir) throws IOException {
        Path file = dir.resolve(PROPERTIES);
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.US_ASCII)) {
            p.load(r);
        }
        String version = p.getProperty("format.version");
        int formatVersion;
        if (String.valueOf(FORMAT_VERSION).equals(version)) {
            formatVersion = FORMAT_VERSION;
        } else if (String.valueOf(LEGACY_FORMAT_VERSION).equals(version)) {
            formatVersion = LEGACY_FORMAT_VERSION;
        } else {
            throw new IOException(file + " has format.version " + version + ", this store reads "
                    + LEGACY_FORMAT_VERSION + " and " + FORMAT_VERSION);
        }
        try {
            int index = Integer.parseInt(String.valueOf(p.getProperty("server.index")).trim());
            if (index >= 0) {
                return new StoreProperties(formatVersion, index);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IOException(file + " has no valid server.index (" + p.getProperty("server.index") + ")");
    }

    private static void emptyTrash(Path trash) throws IOException {
        try (DirectoryStream<Path> left = Files.newDirectoryStream(trash)) {
            for (Path p : left) {
                log.info("finishing the deletion of {}", p);
                DurableFiles.deleteRecursively(p);
            }
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf, pos + buf.position()) < 0) {
                return;
            }
        }
    }

    private static void transfer(FileChannel ch, long position, long length, WritableByteChannel out)
            throws IOException {
        long done = 0;
        while (done < length) {
            long n = ch.transferTo(position + done, length - done, out);
            if (n <= 0) {
                throw new IOException("cell record at position " + (position + done) + " ends early");
            }
            done += n;
        }
    }

    /** The bytes of one region of a file; closing it closes the file. */
    private static final class RegionInputStream extends InputStream {
        private final FileChannel ch;
        private long pos;
        private final long end;

        RegionInputStream(FileChannel ch, long pos, long length) {
            this.ch = ch;
            this.pos = pos;
            this.end = pos + length;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            if (pos >= end) {
                return -1;
            }
            int n = ch.read(ByteBuffer.wrap(b, off, (int) Math.min(len, end - pos)), pos);
            if (n < 0) {
                throw new IOException("cell record ends early at position " + pos);
            }
            pos += n;
            return n;
        }

        @Override
        public void close() throws IOException {
            ch.close();
        }
    }
}
