package io.checkstripe.codec;

import java.util.Arrays;

/**
 * A coefficient matrix (rows = output cells, columns = input cells) prepared for the kernels.
 *
 * <p>Besides the coefficients it holds packed product tables for {@link ScalarGfKernel}: the
 * rows are taken in groups of up to four, and for each group and input column an
 * {@code int[256]} whose entry x packs the products {@code coefficient(row, column) * x} of the
 * group's rows, row {@code g} of the group in bits {@code 8g..8g+7}. One table lookup per input
 * byte then yields that byte's contribution to four output cells.
 *
 * <p>For the vector kernel it also holds split-nibble tables: for each coefficient c, the 16
 * products {@code c * x} and the 16 products {@code c * (x << 4)} for x in [0, 15], so that
 * {@code c * b = lo[b & 15] ^ hi[b >>> 4]} (multiplication distributes over XOR). Each 16-byte
 * table is repeated to {@link #NIBBLE_TABLE_STRIDE} bytes, so one vector load of up to 512 bits
 * gets the table whole in every 128-bit lane. The tables take {@link #tableBytes()} bytes: 1 KiB
 * per group of rows and column, plus 128 bytes per row and column for the nibble tables.
 * Immutable.
 */
final class CodingRows {

    static final int ROWS_PER_GROUP = 4;

    /** Bytes from one nibble table to the next: 16 entries repeated to the widest vector used (512 bits). */
    static final int NIBBLE_TABLE_STRIDE = 64;

    private final int[][] coefficients;
    private final int columns;
    private final int[][][] packed;
    private final byte[][] nibbles;
    private final boolean plainXor;

    /**
     * @param nibbleTables whether to build the nibble tables too (only {@link VectorGfKernel}
     *     reads them)
     */
    CodingRows(int[][] coefficients, int columns, boolean nibbleTables) {
        int rows = coefficients.length;
        this.columns = columns;
        this.coefficients = new int[rows][];
        for (int r = 0; r < rows; r++) {
            if (coefficients[r].length != columns) {
                throw new IllegalArgumentException("row " + r + " has " + coefficients[r].length + " columns, expected "
                        + columns);
            }
            this.coefficients[r] = coefficients[r].clone();
        }
        this.plainXor = rows == 1 && Arrays.stream(coefficients[0]).allMatch(c -> c == 1);
        int groups = (rows + ROWS_PER_GROUP - 1) / ROWS_PER_GROUP;
        this.packed = new int[groups][columns][256];
        for (int r = 0; r < rows; r++) {
            int group = r / ROWS_PER_GROUP;
            int shift = 8 * (r % ROWS_PER_GROUP);
            for (int c = 0; c < columns; c++) {
                byte[] products = Gf256.mulRow(this.coefficients[r][c]);
                int[] table = packed[group][c];
                for (int x = 0; x < 256; x++) {
                    table[x] |= (products[x] & 0xff) << shift;
                }
            }
        }
        this.nibbles = nibbleTables ? new byte[groups][] : null;
        for (int group = 0; nibbleTables && group < groups; group++) {
            int size = groupSize(group);
            byte[] tables = new byte[columns * size * 2 * NIBBLE_TABLE_STRIDE];
            for (int c = 0; c < columns; c++) {
                for (int g = 0; g < size; g++) {
                    byte[] products = Gf256.mulRow(this.coefficients[group * ROWS_PER_GROUP + g][c]);
                    int lo = nibbleTableOffset(size, c, g);
                    for (int i = 0; i < NIBBLE_TABLE_STRIDE; i++) {
                        tables[lo + i] = products[i & 15];
                        tables[lo + NIBBLE_TABLE_STRIDE + i] = products[(i & 15) << 4];
                    }
                }
            }
            nibbles[group] = tables;
        }
    }

    int rows() {
        return coefficients.length;
    }

    int columns() {
        return columns;
    }

    int coefficient(int row, int column) {
        return coefficients[row][column];
    }

    /** Whether this is one row of coefficients all 1: its output is the plain XOR of the inputs. */
    boolean isPlainXor() {
        return plainXor;
    }

    int groups() {
        return packed.length;
    }

    /** Rows in group {@code group}: four, or fewer in the last group. */
    int groupSize(int group) {
        return Math.min(ROWS_PER_GROUP, coefficients.length - group * ROWS_PER_GROUP);
    }

    /** The packed tables of a group, one per column; read only. */
    int[][] packedTables(int group) {
        return packed[group];
    }

    /**
     * The nibble tables of a group, read only: for column c and row g of the group, the low-nibble
     * table at {@link #nibbleTableOffset(int, int, int)} and the high-nibble table right after it.
     */
    byte[] nibbleTables(int group) {
        if (nibbles == null) {
            throw new IllegalStateException("these rows were made without nibble tables");
        }
        return nibbles[group];
    }

    /** Offset of the low-nibble table of column {@code column} and row {@code row} in a group of {@code size} rows. */
    static int nibbleTableOffset(int size, int column, int row) {
        return (column * size + row) * 2 * NIBBLE_TABLE_STRIDE;
    }

    long tableBytes() {
        long nibbleBytes = nibbles == null ? 0 : (long) coefficients.length * columns * 2 * NIBBLE_TABLE_STRIDE;
        return (long) packed.length * columns * 256 * Integer.BYTES + nibbleBytes;
    }
}
