package io.checkstripe.codec;

/**
 * A coefficient matrix (rows = output cells, columns = input cells) prepared for the kernels.
 *
 * <p>Besides the coefficients it holds packed product tables for {@link ScalarGfKernel}: the
 * rows are taken in groups of up to four, and for each group and input column an
 * {@code int[256]} whose entry x packs the products {@code coefficient(row, column) * x} of the
 * group's rows, row {@code g} of the group in bits {@code 8g..8g+7}. One table lookup per input
 * byte then yields that byte's contribution to four output cells. The tables take
 * {@link #tableBytes()} bytes (1 KiB per group and column). Immutable.
 */
final class CodingRows {

    static final int ROWS_PER_GROUP = 4;

    private final int[][] coefficients;
    private final int columns;
    private final int[][][] packed;

    CodingRows(int[][] coefficients, int columns) {
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

    long tableBytes() {
        return (long) packed.length * columns * 256 * Integer.BYTES;
    }
}
