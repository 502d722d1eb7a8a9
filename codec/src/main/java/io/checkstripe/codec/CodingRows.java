package io.checkstripe.codec;

/**
 * A coefficient matrix (rows = output cells, columns = input cells) prepared for the kernels:
 * the coefficients themselves, and per row the columns whose coefficient is 1 (plain XOR) and
 * the columns with any other non-zero coefficient together with their 256-byte multiplication
 * rows. Immutable; shares the read-only rows of {@link Gf256}.
 */
final class CodingRows {

    private final int[][] coefficients;
    private final int[][] onesColumns;
    private final int[][] mulColumns;
    private final byte[][][] mulTables;

    CodingRows(int[][] coefficients) {
        int rows = coefficients.length;
        this.coefficients = new int[rows][];
        this.onesColumns = new int[rows][];
        this.mulColumns = new int[rows][];
        this.mulTables = new byte[rows][][];
        for (int r = 0; r < rows; r++) {
            int[] row = coefficients[r].clone();
            this.coefficients[r] = row;
            int ones = 0;
            int others = 0;
            for (int c : row) {
                if (c == 1) {
                    ones++;
                } else if (c != 0) {
                    others++;
                }
            }
            onesColumns[r] = new int[ones];
            mulColumns[r] = new int[others];
            mulTables[r] = new byte[others][];
            ones = 0;
            others = 0;
            for (int col = 0; col < row.length; col++) {
                int c = row[col];
                if (c == 1) {
                    onesColumns[r][ones++] = col;
                } else if (c != 0) {
                    mulColumns[r][others] = col;
                    mulTables[r][others++] = Gf256.mulRow(c);
                }
            }
        }
    }

    int rows() {
        return coefficients.length;
    }

    int columns() {
        return coefficients.length == 0 ? 0 : coefficients[0].length;
    }

    int coefficient(int row, int column) {
        return coefficients[row][column];
    }

    int[] onesColumns(int row) {
        return onesColumns[row];
    }

    int[] mulColumns(int row) {
        return mulColumns[row];
    }

    byte[][] mulTables(int row) {
        return mulTables[row];
    }
}
