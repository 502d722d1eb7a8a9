package io.checkstripe.store;

import io.checkstripe.codec.Crc32c;
import io.checkstripe.core.DurableFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads one checkpoint's files into its {@link CellLog}, applying the store's recovery rules, as Kafka's
 * {@code LogLoader} does for a partition. The cell log is scanned header by header, seeking over the data:
 * <ul>
 * <li>from the <em>recovery point</em> of a log that may hold a torn tail on, every record's data CRC is
 *     checked too, and the first record that fails or that the end of the file cuts short cuts the log there
 *     (the cut bytes were never committed: the sink's replay writes them again);</li>
 * <li>before it, a record that cannot be understood (a header failing its CRC, a record of another
 *     checkpoint, bytes that are no record) is rot: its bytes are copied to {@code quarantine/} and skipped
 *     by searching for the next valid header, or cut if none follows.</li>
 * </ul>
 * Each cut or skip is logged as a warning naming the position, the number of bytes dropped and why. A
 * {@code manifest.tmp} no commit is waiting for is deleted, and a manifest that cannot be read is moved to
 * {@code quarantine/}. Loading for a read-only store changes nothing and only indexes what it can read.
 *
 * <p>One instance per load; not thread-safe ({@link CellStore} loads under its lock).
 */
final class CellLogRecovery {

    private static final Logger log = LoggerFactory.getLogger(CellLogRecovery.class);

    private static final int CHUNK = 64 * 1024;

    private final CellLog l;
    /** Where rot is quarantined; null when loading for a read-only store. */
    private final StoreLayout layout;
    private final NavigableMap<CellKey, CellLog.Entry> index = new TreeMap<>();
    private String policy;
    private int servers;

    private CellLogRecovery(CellLog l, StoreLayout layout) {
        this.l = l;
        this.layout = layout;
        this.policy = l.policy();
        this.servers = l.servers();
    }

    /**
     * Builds the index of a writable store's log. {@code verifyFrom} is the recovery point of a log that may
     * have a torn tail, or {@link Long#MAX_VALUE}.
     */
    static void load(CellLog l, long verifyFrom, StoreLayout layout) throws IOException {
        if (!l.manifestPending()) {
            // Left by a crash before the commit that would have renamed it: its record is consumed again.
            Files.deleteIfExists(l.manifestTemp);
        }
        CellLogRecovery recovery = new CellLogRecovery(l, layout);
        l.loaded(recovery.index, 0, l.policy(), l.servers());
        if (!Files.exists(l.file)) {
            if (verifyFrom > 0 && verifyFrom != Long.MAX_VALUE) {
                log.error("{}: cell log {} is missing although {} bytes of it were committed", l.ref, l.file,
                        verifyFrom);
            }
            return;
        }
        try (FileChannel ch = FileChannel.open(l.file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            recovery.scan(ch, verifyFrom);
        } catch (NoSuchFileException e) {
            l.loaded(new TreeMap<>(), 0, l.policy(), l.servers());
        }
    }

    /** Same as {@link #load} for a read-only store, which must not open the file for writing. */
    static void loadReadOnly(CellLog l) throws IOException {
        CellLogRecovery recovery = new CellLogRecovery(l, null);
        l.loaded(recovery.index, 0, l.policy(), l.servers());
        try (FileChannel ch = FileChannel.open(l.file, StandardOpenOption.READ)) {
            recovery.scan(ch, Long.MAX_VALUE);
        } catch (NoSuchFileException e) {
            l.loaded(new TreeMap<>(), 0, l.policy(), l.servers());
        }
    }

    /**
     * Reads the checkpoint's manifest file, or returns null when there is none. One that cannot be read is
     * moved to {@code quarantine/} when {@code layout} is given (a writable store), and only reported otherwise.
     */
    static StoredManifest readManifest(CellLog l, StoreLayout layout) throws IOException {
        Path file = l.manifestFile;
        try {
            long size = Files.size(file);
            if (size > ManifestFormat.MAX_LENGTH) {
                throw new CorruptRecordException("manifest has " + size + " bytes, at most " + ManifestFormat.MAX_LENGTH
                        + " expected");
            }
            StoredManifest m = ManifestFormat.decode(Files.readAllBytes(file));
            if (!m.appId().equals(l.ref.appId()) || m.checkpointId() != l.ref.checkpointId()) {
                throw new CorruptRecordException("manifest of " + m.appId() + "/" + m.checkpointId()
                        + " does not belong to this checkpoint");
            }
            return m;
        } catch (NoSuchFileException e) {
            return null;
        } catch (CorruptRecordException e) {
            if (layout != null) {
                Path target = layout.quarantined(l.ref, StoreLayout.MANIFEST, "-" + System.currentTimeMillis());
                Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
                DurableFiles.fsyncDirectory(layout.quarantineDir());
                DurableFiles.fsyncDirectory(l.dir);
                log.warn("{}: manifest {} cannot be read ({}); moved to {}", l.ref, file, e.getMessage(), target);
            } else {
                log.warn("{}: manifest {} cannot be read ({})", l.ref, file, e.getMessage());
            }
            return null;
        }
    }

    private void scan(FileChannel ch, long verifyFrom) throws IOException {
        boolean writable = layout != null;
        CheckpointRef ref = l.ref;
        Path file = l.file;
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
                index.put(p.header.key(), new CellLog.Entry(pos, p.headerLength, p.header.segmentOffset(),
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
            Path copy = writable ? layout.quarantined(ref, StoreLayout.CELL_LOG, "@" + pos) : null;
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
        l.loaded(index, Math.min(pos, size), policy, servers);
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
        CellReads.readFully(ch, buf, pos);
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
        if (!h.appId().equals(l.ref.appId()) || h.checkpointId() != l.ref.checkpointId()) {
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
            CellReads.readFully(ch, buf, at);
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
            CellReads.readFully(ch, chunk, base);
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
}
