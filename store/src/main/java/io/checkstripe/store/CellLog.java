package io.checkstripe.store;

import io.checkstripe.core.DurableFiles;
import io.checkstripe.core.FileChannels;

import io.checkstripe.codec.Crc32c;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One checkpoint's cell log and its in-memory index (cell key to file position), built by scanning the
 * headers and seeking over the data, so memory grows with the number of cells, never with their bytes.
 *
 * <p>The scan applies the store's recovery rules (see {@link CellStore}): past the recovery point of a log
 * that may hold a torn tail, every record's data CRC is checked too and the first bad record cuts the log;
 * before it, a record that cannot be understood is copied to the quarantine directory and skipped by
 * searching for the next valid header. A read-only store changes nothing and only indexes what it can read.
 *
 * <p>Not thread-safe: {@link CellStore} guards every instance with its lock.
 */
final class CellLog {

    private static final Logger log = LoggerFactory.getLogger(CellLog.class);

    private static final int CHUNK = 64 * 1024;

    /** Where one record lives in the log; the header fields not kept here are the checkpoint's own. */
    record Entry(long position, int headerLength, long segmentOffset, int segmentLength, int cellLength, int crc32c) {
        long recordLength() {
            return headerLength + (long) cellLength;
        }
    }

    final CheckpointRef ref;
    final Path dir;
    final Path file;
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

    CellLog(CheckpointRef ref, Path dir) {
        this.ref = ref;
        this.dir = dir;
        this.file = dir.resolve(CellStore.CELL_LOG);
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

    /** Where a manifest waits for the commit that forces it and renames it into place. */
    Path manifestTemp() {
        return dir.resolve(CellStore.MANIFEST + ".tmp");
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
     * Builds the index. {@code verifyFrom} is the recovery point of a log that may have a torn tail (from
     * there on data CRCs are checked and the first bad record cuts the log), or {@link Long#MAX_VALUE}; rot
     * before it is copied to {@code quarantineDir}. A {@code manifest.tmp} no commit is waiting for is deleted.
     */
    void load(long verifyFrom, Path quarantineDir) throws IOException {
        if (!manifestPending) {
            // Left by a crash before the commit that would have renamed it: its record is consumed again.
            Files.deleteIfExists(manifestTemp());
        }
        index = new TreeMap<>();
        end = 0;
        if (!Files.exists(file)) {
            if (verifyFrom > 0 && verifyFrom != Long.MAX_VALUE) {
                log.error("{}: cell log {} is missing although {} bytes of it were committed", ref, file, verifyFrom);
            }
            return;
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            scan(ch, verifyFrom, quarantineDir, true);
        } catch (NoSuchFileException e) {
            index = new TreeMap<>();
        }
    }

    /** Same as {@link #load} for a read-only store, which must not open the file for writing. */
    void loadReadOnly() throws IOException {
        index = new TreeMap<>();
        end = 0;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            scan(ch, Long.MAX_VALUE, null, false);
        } catch (NoSuchFileException e) {
            index = new TreeMap<>();
        }
    }

    /** Forgets the index, so that the next use scans the log again; pending cells must be written first. */
    void invalidate() {
        if (hasPending()) {
            throw new IllegalStateException(ref + ": cannot rescan a log with pending cells");
        }
        index = null;
    }

    private void scan(FileChannel ch, long verifyFrom, Path quarantineDir, boolean writable) throws IOException {
        long size = ch.size();
        if (verifyFrom != Long.MAX_VALUE && size < verifyFrom) {
            log.error("{}: cell log {} has {} bytes but {} were committed; the cells past its end are lost",
                    ref, file, size, verifyFrom);
        }
        ByteBuffer buf = ByteBuffer.allocate(CellRecordFormat.MAX_HEADER_LENGTH);
        long pos = 0;
        while (pos < size) {
            Parsed p = parse(ch, pos, size, buf);
            if (p.header != null && pos >= verifyFrom) {
                p = verifyData(ch, pos, p);
            }
            if (p.header != null) {
                if (policy == null) {
                    policy = p.header.policy();
                    servers = p.header.servers();
                }
                index.put(p.header.key(), new Entry(pos, p.headerLength, p.header.segmentOffset(),
                        p.header.segmentLength(), p.header.cellLength(), p.header.crc32c()));
                pos += p.recordLength();
                continue;
            }
            if (pos >= verifyFrom) {
                // Past the recovery point nothing was committed: the consumer replays it, so cut.
                log.warn("{}: recovery cut {} bytes at position {} of {} ({} bytes committed): {}", ref, size - pos,
                        pos, file, verifyFrom, p.reason);
                if (writable) {
                    ch.truncate(pos);
                    ch.force(true);
                }
                size = pos;
                break;
            }
            long next = p.skippable > 0 ? pos + p.skippable : resync(ch, pos + 1, size, buf);
            Path copy = quarantineDir == null ? null
                    : quarantineDir.resolve(ref.appId() + "-" + CellStore.checkpointName(ref.checkpointId())
                            + "-" + CellStore.CELL_LOG + "@" + pos);
            if (writable) {
                DurableFiles.copyRegion(ch, pos, next - pos, copy);
            }
            if (next == size) {
                log.warn("{}: {} bytes at position {} of {} cannot be read ({}){}", ref, size - pos, pos, file,
                        p.reason, writable ? "; copied to " + copy + " and cut" : "");
                if (writable) {
                    ch.truncate(pos);
                    ch.force(true);
                }
                size = pos;
                break;
            }
            log.warn("{}: skipping {} bytes at position {} of {} ({}){}", ref, next - pos, pos, file, p.reason,
                    writable ? "; copied to " + copy : "");
            pos = next;
        }
        end = Math.min(pos, size);
    }

    /** The outcome of parsing at one position: a header, or why not and how far a known record extends. */
    private record Parsed(CellHeader header, int headerLength, String reason, long skippable) {
        long recordLength() {
            return headerLength + (long) header.cellLength();
        }

        static Parsed bad(String reason) {
            return new Parsed(null, 0, reason, 0);
        }
    }

    private Parsed parse(FileChannel ch, long pos, long size, ByteBuffer buf) throws IOException {
        buf.clear();
        buf.limit((int) Math.min(buf.capacity(), size - pos));
        readFully(ch, buf, pos);
        buf.flip();
        CellHeader h;
        int headerLength;
        try {
            if (buf.remaining() < CellRecordFormat.PREFIX_LENGTH) {
                throw new CorruptRecordException("record header cut short by the end of the file");
            }
            headerLength = CellRecordFormat.headerLength(buf);
            h = CellRecordFormat.readHeader(buf);
        } catch (CorruptRecordException e) {
            return Parsed.bad(e.getMessage());
        }
        long length = headerLength + (long) h.cellLength();
        if (pos + length > size) {
            return Parsed.bad("record of " + length + " bytes cut short by the end of the file");
        }
        if (!h.appId().equals(ref.appId()) || h.checkpointId() != ref.checkpointId()) {
            return new Parsed(null, 0, "record of " + h.appId() + "/" + h.checkpointId() + " " + h.key()
                    + " does not belong to this checkpoint", length);
        }
        if (policy != null && (!policy.equals(h.policy()) || servers != h.servers())) {
            return new Parsed(null, 0, "record " + h.key() + " has policy " + h.policy() + " over " + h.servers()
                    + " servers, the checkpoint " + policy + " over " + servers, length);
        }
        return new Parsed(h, headerLength, null, 0);
    }

    private static Parsed verifyData(FileChannel ch, long pos, Parsed p) throws IOException {
        CRC32C crc = new CRC32C();
        ByteBuffer buf = ByteBuffer.allocate(Math.min(CHUNK, Math.max(1, p.header.cellLength())));
        long at = pos + p.headerLength;
        long left = p.header.cellLength();
        while (left > 0) {
            buf.clear();
            buf.limit((int) Math.min(buf.capacity(), left));
            readFully(ch, buf, at);
            if (buf.hasRemaining()) {
                return Parsed.bad("data of " + p.header.key() + " cut short by the end of the file");
            }
            crc.update(buf.array(), 0, buf.position());
            at += buf.position();
            left -= buf.position();
        }
        int computed = (int) crc.getValue();
        if (computed != p.header.crc32c()) {
            return Parsed.bad("data CRC32C mismatch in " + p.header.key() + ": stored "
                    + Crc32c.hex(p.header.crc32c()) + ", computed " + Crc32c.hex(computed));
        }
        return p;
    }

    /** The position of the next valid record of this checkpoint at or after {@code from}, or {@code size}. */
    private long resync(FileChannel ch, long from, long size, ByteBuffer headerBuf) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
        long base = from;
        while (base + 4 <= size) {
            chunk.clear();
            chunk.limit((int) Math.min(CHUNK, size - base));
            readFully(ch, chunk, base);
            int n = chunk.position();
            for (int i = 0; i + 4 <= n; i++) {
                if (chunk.getInt(i) == CellRecordFormat.MAGIC) {
                    Parsed p = parse(ch, base + i, size, headerBuf);
                    if (p.header != null) {
                        return base + i;
                    }
                }
            }
            // The last three bytes may start a magic that continues in the next chunk.
            base += Math.max(1, n - 3);
        }
        return size;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            int n = ch.read(buf, pos + buf.position());
            if (n < 0) {
                return;
            }
        }
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
        if (writer != null) {
            writer.force(true);
        } else if (dirty && Files.exists(file)) {
            try (FileChannel ch = channels.open(file, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
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
