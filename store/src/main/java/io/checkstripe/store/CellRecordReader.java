package io.checkstripe.store;

import io.checkstripe.codec.Crc32c;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads a stream of cell records ({@link CellRecordFormat}) one at a time, in bounded memory: {@link #next()}
 * returns a header, then the caller reads the data into its own buffer with {@link #readData} or skips it;
 * a record whose data was neither read nor skipped is skipped by the next {@link #next()}. The restorer uses
 * it on a sink's HTTP responses and on raw cell logs.
 *
 * <p>A header that fails its checks, or a stream that ends inside a record, throws
 * {@link CorruptRecordException} and leaves the reader unusable: after a bad header nothing says where the
 * next record starts. A data CRC mismatch does not throw: {@link #readData} returns the computed CRC for the
 * caller to compare. Not thread-safe.
 */
public final class CellRecordReader implements Closeable {

    private final InputStream in;
    private final byte[] headerBytes = new byte[CellRecordFormat.MAX_HEADER_LENGTH];
    private CellHeader current;
    private long unreadData;
    private long position;
    private boolean broken;

    public CellRecordReader(InputStream in) {
        this.in = Objects.requireNonNull(in, "in");
    }

    /**
     * The next record's header, or empty at the end of the stream (which must fall between records).
     *
     * @throws CorruptRecordException when the header is bad or the stream ends inside a record
     */
    public Optional<CellHeader> next() throws IOException {
        checkUsable();
        skipData();
        current = null;
        long start = position;
        int got = readUpTo(headerBytes, 0, CellRecordFormat.PREFIX_LENGTH);
        if (got == 0) {
            return Optional.empty();
        }
        try {
            if (got < CellRecordFormat.PREFIX_LENGTH) {
                throw new CorruptRecordException("stream ends inside a record header at byte " + start);
            }
            int length = CellRecordFormat.headerLength(ByteBuffer.wrap(headerBytes, 0, got));
            int rest = length - CellRecordFormat.PREFIX_LENGTH;
            if (readUpTo(headerBytes, CellRecordFormat.PREFIX_LENGTH, rest) < rest) {
                throw new CorruptRecordException("stream ends inside a record header at byte " + start);
            }
            current = CellRecordFormat.readHeader(ByteBuffer.wrap(headerBytes, 0, length));
        } catch (CorruptRecordException e) {
            broken = true;
            throw new CorruptRecordException(e.getMessage() + " (record at byte " + start + " of the stream)", e);
        }
        unreadData = current.cellLength();
        return Optional.of(current);
    }

    /**
     * Reads the current record's data into {@code dst[off, off + cellLength)} and returns its CRC32C, for the
     * caller to compare with the header's.
     *
     * @throws IllegalStateException    when there is no current record or its data was already consumed
     * @throws CorruptRecordException   when the stream ends inside the data
     */
    public int readData(byte[] dst, int off) throws IOException {
        checkUsable();
        if (current == null || unreadData != current.cellLength()) {
            throw new IllegalStateException("no record whose data is unread: call next() first");
        }
        int length = current.cellLength();
        Objects.checkFromIndexSize(off, length, dst.length);
        if (readUpTo(dst, off, length) < length) {
            broken = true;
            throw new CorruptRecordException("stream ends inside the data of " + current);
        }
        unreadData = 0;
        return Crc32c.of(dst, off, length);
    }

    /** Reads the next whole record into a new array, or returns empty at the end of the stream. */
    public Optional<CellReadResult> nextCell() throws IOException {
        return next().isEmpty() ? Optional.empty() : Optional.of(readCell());
    }

    /**
     * Reads the current record's data into a new array: the record {@link #next()} returned, as a cell with the
     * CRC32C of its data as read.
     *
     * @throws IllegalStateException  when there is no current record or its data was already consumed
     * @throws CorruptRecordException when the stream ends inside the data
     */
    public CellReadResult readCell() throws IOException {
        if (current == null) {
            throw new IllegalStateException("no record whose data is unread: call next() first");
        }
        CellHeader header = current;
        byte[] data = new byte[header.cellLength()];
        int crc = readData(data, 0);
        return new CellReadResult(new StoredCell(header, data), crc);
    }

    /** Skips whatever is left of the current record's data. */
    public void skipData() throws IOException {
        checkUsable();
        while (unreadData > 0) {
            long skipped = in.skip(unreadData);
            if (skipped <= 0) {
                if (in.read() < 0) {
                    broken = true;
                    throw new CorruptRecordException("stream ends inside the data of " + current);
                }
                skipped = 1;
            }
            unreadData -= skipped;
            position += skipped;
        }
    }

    /** Bytes consumed from the stream so far. */
    public long position() {
        return position;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    private int readUpTo(byte[] b, int off, int len) throws IOException {
        int total = 0;
        while (total < len) {
            int n = in.read(b, off + total, len - total);
            if (n < 0) {
                break;
            }
            total += n;
        }
        position += total;
        return total;
    }

    private void checkUsable() throws CorruptRecordException {
        if (broken) {
            throw new CorruptRecordException("the stream is unusable after an earlier corrupt record");
        }
    }
}
