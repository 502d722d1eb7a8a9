package io.checkstripe.codec;

/**
 * Arithmetic in GF(2^8) with the polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D) and generator 2,
 * the field used by ISA-L, Jerasure (w = 8) and most storage Reed-Solomon codes.
 *
 * <p>Elements are ints in [0, 255]. Addition is XOR. Matrices are {@code int[rows][cols]}.
 * The multiplication table rows returned by {@link #mulRow(int)} are shared and must never be
 * written. Thread-safe: all state is built once in the class initializer.
 */
final class Gf256 {

    static final int POLYNOMIAL = 0x11D;

    /** EXP[i] = 2^i, stored twice over so that EXP[LOG[a] + LOG[b]] needs no modulo. */
    private static final int[] EXP = new int[510];
    private static final int[] LOG = new int[256];
    /** MUL[c][x] = c * x: one 256-byte row per coefficient, from which the kernels build their tables. */
    private static final byte[][] MUL = new byte[256][256];

    static {
        int x = 1;
        for (int i = 0; i < 255; i++) {
            EXP[i] = x;
            EXP[i + 255] = x;
            LOG[x] = i;
            x <<= 1;
            if (x >= 256) {
                x ^= POLYNOMIAL;
            }
        }
        for (int c = 0; c < 256; c++) {
            for (int v = 0; v < 256; v++) {
                MUL[c][v] = (byte) mul(c, v);
            }
        }
    }

    private Gf256() {
    }

    static int mul(int a, int b) {
        if (a == 0 || b == 0) {
            return 0;
        }
        return EXP[LOG[a] + LOG[b]];
    }

    static int inv(int a) {
        if (a == 0) {
            throw new ArithmeticException("0 has no inverse in GF(2^8)");
        }
        return EXP[255 - LOG[a]];
    }

    static int div(int a, int b) {
        return mul(a, inv(b));
    }

    /** The shared row {@code c * x} for x in [0, 255]; read only. */
    static byte[] mulRow(int c) {
        return MUL[c];
    }

    static int[][] multiply(int[][] a, int[][] b) {
        int rows = a.length;
        int inner = b.length;
        int cols = b[0].length;
        int[][] out = new int[rows][cols];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < inner; i++) {
                int f = a[r][i];
                if (f == 0) {
                    continue;
                }
                for (int c = 0; c < cols; c++) {
                    out[r][c] ^= mul(f, b[i][c]);
                }
            }
        }
        return out;
    }

    /**
     * Inverse of a square matrix by Gauss-Jordan elimination.
     *
     * @throws ArithmeticException if the matrix is singular
     */
    static int[][] invert(int[][] matrix) {
        int n = matrix.length;
        int[][] a = new int[n][];
        int[][] inv = new int[n][n];
        for (int r = 0; r < n; r++) {
            a[r] = matrix[r].clone();
            inv[r][r] = 1;
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            while (pivot < n && a[pivot][col] == 0) {
                pivot++;
            }
            if (pivot == n) {
                throw new ArithmeticException("singular matrix (column " + col + ")");
            }
            swap(a, col, pivot);
            swap(inv, col, pivot);
            int scale = inv(a[col][col]);
            scaleRow(a[col], scale);
            scaleRow(inv[col], scale);
            for (int r = 0; r < n; r++) {
                int f = a[r][col];
                if (r != col && f != 0) {
                    addScaledRow(a[r], a[col], f);
                    addScaledRow(inv[r], inv[col], f);
                }
            }
        }
        return inv;
    }

    /**
     * Whether a square matrix is invertible, by forward elimination in {@code scratch}
     * (overwritten; at least n x n). Allocates nothing, for exhaustive MDS checks.
     */
    static boolean isInvertible(int[][] matrix, int n, int[][] scratch) {
        for (int r = 0; r < n; r++) {
            System.arraycopy(matrix[r], 0, scratch[r], 0, n);
        }
        for (int col = 0; col < n; col++) {
            int pivot = col;
            while (pivot < n && scratch[pivot][col] == 0) {
                pivot++;
            }
            if (pivot == n) {
                return false;
            }
            swap(scratch, col, pivot);
            int scale = inv(scratch[col][col]);
            for (int r = col + 1; r < n; r++) {
                int f = scratch[r][col];
                if (f != 0) {
                    int factor = mul(f, scale);
                    int[] row = scratch[r];
                    int[] pivotRow = scratch[col];
                    for (int c = col; c < n; c++) {
                        row[c] ^= mul(factor, pivotRow[c]);
                    }
                }
            }
        }
        return true;
    }

    private static void swap(int[][] m, int i, int j) {
        if (i != j) {
            int[] t = m[i];
            m[i] = m[j];
            m[j] = t;
        }
    }

    private static void scaleRow(int[] row, int f) {
        for (int c = 0; c < row.length; c++) {
            row[c] = mul(row[c], f);
        }
    }

    private static void addScaledRow(int[] target, int[] source, int f) {
        for (int c = 0; c < target.length; c++) {
            target[c] ^= mul(f, source[c]);
        }
    }
}
