package io.checkstripe.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads cells out of the store, as Kafka's {@code FileRecords} does for a segment: one cell as bytes, a stream
 * over one record, or a range of records transferred to a channel without buffering. Where each record lies
 * is looked up under the store's lock; the bytes are read outside it with positional reads, so readers do not
 * wait for each other or for the writer. Reading a log that holds cells not written yet first writes the
 * store's buffered cells ({@link CommitRounds#writeBuffered}, no fsync of the cells), so that every indexed
 * record is in its file.
 *
 * <p>Every record's header is read again from disk and must still describe the indexed cell, so bytes that
 * changed under the index are never returned as that cell; the index is then dropped for the next use to
 * rescan. Data CRCs are computed and reported, not enforced (see {@link CellReadResult}).
 *
 * <p>Thread-safe: it takes {@code lock} (the store's) for every look-up in {@code logs}.
 */
final class CellReads {

    private static final Logger log = LoggerFactory.getLogger(CellReads.class);

    private static final int CHUNK = 64 * 1024;

    private final Object lock;
    private final CheckpointLogs logs;
    /** Writes the buffered cells; null for a read-only store, which buffers none. */
    private final CommitRounds rounds;

    CellReads(Object lock, CheckpointLogs logs, CommitRounds rounds) {
        this.lock = lock;
        this.logs = logs;
        this.rounds = rounds;
    }

    /** Where an indexed record lives, captured under the lock and used outside it. */
    private record Located(CheckpointRef ref, CellKey key, Path file, CellLog.Entry entry) {
    }

    /** One cell, or empty when the store does not hold it. */
    Optional<CellReadResult> read(CheckpointRef ref, CellKey key) throws IOException {
        Located at = locate(ref, key);
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

    /** Writes the records of the stored cells of segments [from, to) to {@code out}; returns how many. */
    int transfer(CheckpointRef ref, int fromSegment, int toSegment, WritableByteChannel out) throws IOException {
        if (fromSegment < 0 || toSegment < fromSegment) {
            throw new IllegalArgumentException("bad segment range [" + fromSegment + ", " + toSegment + ")");
        }
        List<Located> cells = new ArrayList<>();
        synchronized (lock) {
            CellLog l = logs.find(ref);
            if (l == null) {
                return 0;
            }
            writeBufferedCells(l);
            logs.index(l).subMap(new CellKey(fromSegment, 0), new CellKey(toSegment, 0))
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

    /** A stream over one cell's record, or empty when the store does not hold it; the caller closes it. */
    Optional<InputStream> open(CheckpointRef ref, CellKey key) throws IOException {
        Located at = locate(ref, key);
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

    /** Whether the stored data of an entry matches its CRC, read in bounded chunks. */
    static boolean dataIntact(CellLog l, CellLog.Entry e) throws IOException {
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

    /** Reads into {@code buf} from {@code pos} on until it is full or the file ends. */
    static void readFully(FileChannel ch, ByteBuffer buf, long pos) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf, pos + buf.position()) < 0) {
                return;
            }
        }
    }

    private Located locate(CheckpointRef ref, CellKey key) throws IOException {
        synchronized (lock) {
            CellLog l = logs.find(ref);
            if (l == null) {
                return null;
            }
            CellLog.Entry entry = logs.index(l).get(key);
            if (entry != null) {
                writeBufferedCells(l);
            }
            return entry == null ? null : new Located(ref, key, l.file, entry);
        }
    }

    /** Writes the buffered cells when {@code l} holds some, so that its indexed records are all in the file. */
    private void writeBufferedCells(CellLog l) throws IOException {
        if (l.hasPending()) {
            rounds.writeBuffered();
        }
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
        synchronized (lock) {
            CellLog l = logs.loaded(at.ref);
            if (l != null) {
                writeBufferedCells(l);
                l.invalidate();
            }
        }
        return null;
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
