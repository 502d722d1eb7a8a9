package io.checkstripe.store;

import io.checkstripe.core.DurableFiles;
import io.checkstripe.core.FileChannels;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;

/**
 * One checkpoint's cell log as the store holds it in memory: the index (cell key to file position) that
 * {@link CellLogRecovery} builds by scanning the file, the cells appended but not yet written, the writer,
 * and the checkpoint's manifest. Memory grows with the number of cells, never with their bytes.
 *
 * <p>Not thread-safe: {@link CellStore} guards every instance with its lock.
 */
final class CellLog {

    /** Where one record lives in the log; the header fields not kept here are the checkpoint's own. */
    record Entry(long position, int headerLength, long segmentOffset, int segmentLength, int cellLength, int crc32c) {
        long recordLength() {
            return headerLength + (long) cellLength;
        }
    }

    final CheckpointRef ref;
    final Path dir;
    final Path file;
    final Path manifestFile;
    final Path manifestTemp;
    private NavigableMap<CellKey, Entry> index;
    private long end;
    private String policy;
    private int servers;
    private FileChannel writer;
    private boolean dirty;
    private final List<StoredCell> pending = new ArrayList<>();
    private long pendingBytes;
    private StoredManifest manifest;
    private boolean manifestKnown;
    private boolean manifestPending;

    CellLog(CheckpointRef ref, StoreLayout layout) {
        this.ref = ref;
        this.dir = layout.checkpointDir(ref.appId(), ref.checkpointId());
        this.file = layout.cellLog(ref.appId(), ref.checkpointId());
        this.manifestFile = layout.manifest(ref.appId(), ref.checkpointId());
        this.manifestTemp = layout.manifestTemp(ref.appId(), ref.checkpointId());
    }

    /** Whether {@link #manifest()} reflects the manifest file (read or written by this store). */
    boolean manifestKnown() {
        return manifestKnown;
    }

    /** The checkpoint's manifest, or null when it has none. */
    StoredManifest manifest() {
        return manifest;
    }

    void manifest(StoredManifest m) {
        manifest = m;
        manifestKnown = true;
    }

    /** Records a manifest written to {@code manifest.tmp} and not yet renamed by a commit. */
    void pendingManifest(StoredManifest m) {
        manifest(m);
        manifestPending = true;
    }

    /** Whether {@code manifest.tmp} holds a manifest the next commit must force and rename. */
    boolean manifestPending() {
        return manifestPending;
    }

    void manifestRenamed() {
        manifestPending = false;
    }

    boolean loaded() {
        return index != null;
    }

    NavigableMap<CellKey, Entry> index() {
        return index;
    }

    long end() {
        return end;
    }

    /** The policy and server count of the checkpoint's cells, or null when it has none yet. */
    String policy() {
        return policy;
    }

    int servers() {
        return servers;
    }

    boolean dirty() {
        return dirty;
    }

    /** The header of an indexed record, rebuilt from the entry and the checkpoint's own fields. */
    CellHeader header(CellKey key, Entry e) {
        return new CellHeader(ref.appId(), ref.checkpointId(), key.segmentIndex(), e.segmentOffset(),
                e.segmentLength(), key.cellIndex(), policy, servers, e.cellLength(), e.crc32c());
    }

    /**
     * Installs the index a {@link CellLogRecovery} scan built: the entries, the length of the valid records,
     * and the checkpoint's policy and server count (null when it holds no record).
     */
    void loaded(NavigableMap<CellKey, Entry> index, long end, String policy, int servers) {
        this.index = index;
        this.end = end;
        this.policy = policy;
        this.servers = servers;
    }

    /** Forgets the index, so that the next use scans the log again; pending cells must be written first. */
    void invalidate() {
        if (hasPending()) {
            throw new IllegalStateException(ref + ": cannot rescan a log with pending cells");
        }
        index = null;
    }

    // ---- writing, driven by CellStore under its lock ----

    /**
     * Indexes a cell at the end of the log and keeps it in memory until {@link #writePending}; the store
     * writes pending cells in batches so that a batch needs one commit-state update, not one per new log.
     */
    void add(StoredCell cell) {
        CellHeader h = cell.header();
        if (policy == null) {
            policy = h.policy();
            servers = h.servers();
        }
        int headerLength = CellRecordFormat.headerLength(h);
        index.put(h.key(), new Entry(end, headerLength, h.segmentOffset(), h.segmentLength(), h.cellLength(),
                h.crc32c()));
        pending.add(cell);
        long length = headerLength + (long) h.cellLength();
        end += length;
        pendingBytes += length;
    }

    boolean hasPending() {
        return !pending.isEmpty();
    }

    long pendingBytes() {
        return pendingBytes;
    }

    /** Bytes of the log written to the file (the rest of {@link #end()} is pending). */
    long written() {
        return end - pendingBytes;
    }

    boolean isPending(Entry e) {
        return e.position() >= written();
    }

    /**
     * Writes the pending records after the written ones. On failure whatever part of them reached the file
     * is cut off again and they stay pending, so a later call can retry.
     */
    void writePending(FileChannels channels) throws IOException {
        if (pending.isEmpty()) {
            return;
        }
        long start = written();
        dirty = true;
        try {
            if (writer == null) {
                writer = channels.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            }
            writer.position(start);
            for (StoredCell c : pending) {
                ByteBuffer[] record = {CellRecordFormat.encodeHeader(c.header()), ByteBuffer.wrap(c.data())};
                long length = record[0].remaining() + (long) record[1].remaining();
                for (long done = 0; done < length; ) {
                    done += writer.write(record);
                }
            }
        } catch (IOException e) {
            IOException failure = DurableFiles.writeFailure(file, pendingBytes, e);
            if (writer != null) {
                try {
                    writer.truncate(start);
                } catch (IOException t) {
                    failure.addSuppressed(t);
                }
            }
            throw failure;
        }
        pending.clear();
        pendingBytes = 0;
    }

    /**
     * Forces the written records (and the file's length) to disk. A writer closed since the records were
     * written is reopened for it: fsync makes the whole file durable, whichever descriptor wrote it.
     */
    void force(FileChannels channels) throws IOException {
        try {
            if (writer != null) {
                writer.force(true);
            } else if (dirty && Files.exists(file)) {
                try (FileChannel ch = channels.open(file, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            }
        } catch (IOException e) {
            // A file system that allocates at writeback reports a full disk here, not at the write.
            throw DurableFiles.recognizeDiskFull(file, e);
        }
    }

    boolean hasWriter() {
        return writer != null;
    }

    /** Marks the log clean after a commit; closes the writer when it was not used since the last one. */
    void committed(boolean keepWriter) throws IOException {
        dirty = false;
        if (!keepWriter) {
            closeWriter();
        }
    }

    void closeWriter() throws IOException {
        if (writer != null) {
            FileChannel w = writer;
            writer = null;
            w.close();
        }
    }
}
