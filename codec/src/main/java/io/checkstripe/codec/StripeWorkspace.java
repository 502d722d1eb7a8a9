package io.checkstripe.codec;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.Objects;

/**
 * The one owner of the cell format: cuts a segment into K zero-padded data cells and computes
 * the parity cells, and for a restore or repair takes back whatever cells survive, rebuilds the
 * missing ones and hands the segment back. The striper, the producer's local striping and the
 * restorer all go through this class, so they cannot disagree on the format.
 *
 * <p><b>Format.</b> For a segment of L bytes and policy K + M, every cell has
 * {@link RedundancyPolicy#cellLength(int) cellLength(L)} bytes: ceil(L / K), or the policy's
 * fixed cell size. Data cell j holds segment bytes {@code [j * cellLength, (j + 1) * cellLength)};
 * bytes past L are zero. Parity cells are the codec's output over the whole cell. L itself is
 * not in the cells: it travels with every cell (StripeUnit.segmentLength). A zero-length
 * segment has cells of 0 bytes (of the fixed cell size when the policy fixes one, all zero),
 * whose CRC32C is 0.
 *
 * <p><b>Buffers</b> are K + M arrays owned by the workspace; they grow only when a segment
 * needs longer cells than any before (to exactly that length), so a stream of equal-sized
 * segments allocates nothing after the first. {@link #cell(int)} returns the backing array,
 * valid up to {@link #cellLength()} and overwritten by the next call.
 *
 * <p><b>Not thread-safe</b>: use one workspace per thread (a Kafka Streams task, a restore
 * worker); it is meant to be reused for every stripe that thread handles.
 */
public final class StripeWorkspace {

    private final RedundancyPolicy policy;
    private final ErasureCodec codec;
    private final int dataCells;
    private final byte[][] cells;
    private final boolean[] present;
    private final boolean[] dataOnly;
    private int cellLength;
    private int segmentLength;

    /** A workspace whose buffers grow with the first segments it sees. */
    public StripeWorkspace(RedundancyPolicy policy) {
        this(policy, 0);
    }

    /**
     * A workspace with buffers preallocated for segments of up to {@code maxSegmentLength}
     * bytes (longer ones still work: the buffers grow). Fixed-cell policies always preallocate
     * their cell size.
     */
    public StripeWorkspace(RedundancyPolicy policy, int maxSegmentLength) {
        this(policy, maxSegmentLength, Objects.requireNonNull(policy, "policy").codec());
    }

    /** A workspace on a given codec of the policy's shape (tests pin a kernel this way). */
    StripeWorkspace(RedundancyPolicy policy, int maxSegmentLength, ErasureCodec codec) {
        if (codec.dataCells() != policy.dataCells() || codec.parityCells() != policy.parityCells()) {
            throw new IllegalArgumentException(codec + " does not have the shape of " + policy);
        }
        this.policy = policy;
        this.codec = codec;
        this.dataCells = policy.dataCells();
        int n = policy.totalCells();
        int capacity = policy.cellLength(Math.min(maxSegmentLength, policy.maxSegmentLength()));
        this.cells = new byte[n][capacity];
        this.present = new boolean[n];
        this.dataOnly = new boolean[n];
        Arrays.fill(dataOnly, 0, dataCells, true);
    }

    public RedundancyPolicy policy() {
        return policy;
    }

    /** Bytes per cell of the current stripe. */
    public int cellLength() {
        return cellLength;
    }

    /** Length of the current stripe's segment. */
    public int segmentLength() {
        return segmentLength;
    }

    /** K + M. */
    public int cellCount() {
        return cells.length;
    }

    /**
     * Stripes a segment: fills the K data cells and computes the M parity cells. Afterwards
     * every cell is present.
     *
     * @throws IllegalArgumentException if the range is out of bounds or longer than the
     *     policy's maximum segment
     */
    public void encode(byte[] segment, int off, int len) {
        Objects.checkFromIndexSize(off, len, segment.length);
        prepare(len);
        for (int j = 0; j < dataCells; j++) {
            int start = Math.min(len, j * cellLength);
            int copied = Math.min(cellLength, len - start);
            System.arraycopy(segment, off + start, cells[j], 0, copied);
            Arrays.fill(cells[j], copied, cellLength, (byte) 0);
        }
        codec.encode(cells, 0, cellLength);
        Arrays.fill(present, true);
    }

    /**
     * The backing array of cell {@code i}; bytes {@code [0, cellLength())} are the cell. A
     * restore may also read a cell straight into it and then call {@link #markPresent(int)}.
     */
    public byte[] cell(int i) {
        return cells[checkIndex(i)];
    }

    /** CRC32C of cell {@code i} as it is now. */
    public int crc(int i) {
        return Crc32c.of(cells[checkIndex(i)], 0, cellLength);
    }

    /**
     * Starts rebuilding a stripe of a segment of {@code segmentLength} bytes: sizes the cells
     * and marks them all missing. Then load the surviving cells and call {@link #decode()} or
     * {@link #decodeDataCells()}.
     */
    public void startRestore(int segmentLength) {
        prepare(segmentLength);
        Arrays.fill(present, false);
    }

    /**
     * Copies a surviving cell in and marks it present.
     *
     * @throws IllegalArgumentException if {@code len} is not {@link #cellLength()}
     */
    public void loadCell(int i, byte[] src, int off, int len) {
        checkIndex(i);
        Objects.checkFromIndexSize(off, len, src.length);
        if (len != cellLength) {
            throw new IllegalArgumentException("cell " + i + " has " + len + " bytes, expected " + cellLength
                    + " for a segment of " + segmentLength + " bytes under " + policy);
        }
        System.arraycopy(src, off, cells[i], 0, len);
        present[i] = true;
    }

    /**
     * Checks a surviving cell against its stored CRC32C, then loads it. On a mismatch the
     * cell stays missing (so decoding treats it as an erasure) and the exception carries both
     * checksums.
     *
     * @throws CorruptCellException if the bytes do not match {@code storedCrc}
     */
    public void loadCell(int i, byte[] src, int off, int len, int storedCrc) {
        checkIndex(i);
        Objects.checkFromIndexSize(off, len, src.length);
        int computed = Crc32c.of(src, off, len);
        if (computed != storedCrc) {
            present[i] = false;
            throw new CorruptCellException("cell " + i + " of " + policy + " is corrupt", storedCrc, computed);
        }
        loadCell(i, src, off, len);
    }

    /** Marks cell {@code i} as holding valid bytes (after writing into {@link #cell(int)}). */
    public void markPresent(int i) {
        present[checkIndex(i)] = true;
    }

    /** Marks cell {@code i} as lost, so decoding rebuilds it. */
    public void markMissing(int i) {
        present[checkIndex(i)] = false;
    }

    public boolean isPresent(int i) {
        return present[checkIndex(i)];
    }

    /**
     * Rebuilds every missing cell, data and parity (what a repair of a server needs).
     *
     * @throws TooFewCellsException if fewer than K cells are present
     */
    public void decode() {
        codec.decode(cells, present, null, 0, cellLength);
        Arrays.fill(present, true);
    }

    /**
     * Rebuilds only the missing data cells (what a restore needs; cheaper than
     * {@link #decode()}). Parity cells stay as they are.
     *
     * @throws TooFewCellsException if a data cell is missing and fewer than K cells are present
     */
    public void decodeDataCells() {
        codec.decode(cells, present, dataOnly, 0, cellLength);
        Arrays.fill(present, 0, dataCells, true);
    }

    /**
     * Copies the segment (the first {@link #segmentLength()} bytes of the data cells) to
     * {@code dst} at {@code off}.
     *
     * @return the number of bytes copied
     * @throws IllegalStateException if a data cell is missing (decode first)
     */
    public int copySegmentTo(byte[] dst, int off) {
        Objects.checkFromIndexSize(off, segmentLength, dst.length);
        checkDataPresent();
        for (int j = 0, pos = 0; pos < segmentLength; j++, pos += cellLength) {
            System.arraycopy(cells[j], 0, dst, off + pos, Math.min(cellLength, segmentLength - pos));
        }
        return segmentLength;
    }

    /**
     * Writes the segment to {@code out}.
     *
     * @throws IllegalStateException if a data cell is missing (decode first)
     */
    public void writeSegmentTo(OutputStream out) throws IOException {
        checkDataPresent();
        for (int j = 0, pos = 0; pos < segmentLength; j++, pos += cellLength) {
            out.write(cells[j], 0, Math.min(cellLength, segmentLength - pos));
        }
    }

    private void prepare(int len) {
        int needed = policy.cellLength(len);
        if (needed > cells[0].length) {
            for (int i = 0; i < cells.length; i++) {
                cells[i] = new byte[needed];
            }
        }
        cellLength = needed;
        segmentLength = len;
    }

    private void checkDataPresent() {
        for (int j = 0; j < dataCells; j++) {
            if (!present[j]) {
                throw new IllegalStateException("data cell " + j + " is missing; decode before reading the segment");
            }
        }
    }

    private int checkIndex(int i) {
        if (i < 0 || i >= cells.length) {
            throw new IllegalArgumentException("cell index must be in [0, " + cells.length + "), got " + i);
        }
        return i;
    }
}
