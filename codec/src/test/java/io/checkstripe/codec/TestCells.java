package io.checkstripe.codec;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Test helpers: seeded cells, combinations and a GF(2^8) independent of {@link Gf256}'s tables. */
final class TestCells {

    private TestCells() {
    }

    /** n cells of {@code pad + size + pad} bytes, all seeded random. */
    static byte[][] random(int n, int size, int pad, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        byte[][] cells = new byte[n][pad + size + pad];
        for (byte[] cell : cells) {
            random.nextBytes(cell);
        }
        return cells;
    }

    static byte[][] copy(byte[][] cells) {
        byte[][] copy = new byte[cells.length][];
        for (int i = 0; i < cells.length; i++) {
            copy[i] = cells[i].clone();
        }
        return copy;
    }

    /** Every r-subset of {0..n-1}, lexicographic. */
    static List<int[]> combinations(int n, int r) {
        List<int[]> out = new ArrayList<>();
        int[] c = new int[r];
        for (int i = 0; i < r; i++) {
            c[i] = i;
        }
        while (true) {
            out.add(c.clone());
            int i = r - 1;
            while (i >= 0 && c[i] == n - r + i) {
                i--;
            }
            if (i < 0) {
                return out;
            }
            c[i]++;
            for (int j = i + 1; j < r; j++) {
                c[j] = c[j - 1] + 1;
            }
        }
    }

    /** Advances {@code c} to the next r-subset of {0..n-1}; false after the last. */
    static boolean nextCombination(int[] c, int n) {
        int r = c.length;
        int i = r - 1;
        while (i >= 0 && c[i] == n - r + i) {
            i--;
        }
        if (i < 0) {
            return false;
        }
        c[i]++;
        for (int j = i + 1; j < r; j++) {
            c[j] = c[j - 1] + 1;
        }
        return true;
    }

    static long binomial(int n, int r) {
        long b = 1;
        for (int i = 1; i <= r; i++) {
            b = b * (n - r + i) / i;
        }
        return b;
    }

    /** GF(2^8) product by shift-and-add with polynomial 0x11D, without any table. */
    static int slowMul(int a, int b) {
        int p = 0;
        while (b != 0) {
            if ((b & 1) != 0) {
                p ^= a;
            }
            a <<= 1;
            if ((a & 0x100) != 0) {
                a ^= 0x11D;
            }
            b >>= 1;
        }
        return p;
    }

    /** Inverse by search, without any table. */
    static int slowInv(int a) {
        for (int x = 1; x < 256; x++) {
            if (slowMul(a, x) == 1) {
                return x;
            }
        }
        throw new ArithmeticException("no inverse of " + a);
    }

    /** out = matrix * inputs, byte by byte with {@link #slowMul}. */
    static byte[][] slowMultiply(int[][] matrix, byte[][] inputs, int offset, int length) {
        byte[][] out = new byte[matrix.length][length];
        for (int r = 0; r < matrix.length; r++) {
            for (int c = 0; c < inputs.length; c++) {
                for (int i = 0; i < length; i++) {
                    out[r][i] ^= (byte) slowMul(matrix[r][c], inputs[c][offset + i] & 0xff);
                }
            }
        }
        return out;
    }

    static String hex(byte[] bytes, int off, int len) {
        StringBuilder sb = new StringBuilder();
        for (int i = off; i < off + len; i++) {
            sb.append(String.format("%02x", bytes[i] & 0xff));
        }
        return sb.toString();
    }
}
