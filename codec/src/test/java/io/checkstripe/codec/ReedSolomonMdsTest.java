package io.checkstripe.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Proves the MDS property of the encoding matrix: every K x K submatrix (any K of the K + M
 * rows) is invertible, so any K cells rebuild the stripe.
 */
class ReedSolomonMdsTest {

    private static final int EXHAUSTIVE_MAX_CELLS = 20;

    @Test
    void everyKSubsetIsInvertibleForAllCodesUpTo20Cells() {
        long subsets = 0;
        long expected = 0;
        int codes = 0;
        for (int n = 2; n <= EXHAUSTIVE_MAX_CELLS; n++) {
            for (int k = 1; k < n; k++) {
                int[][] matrix = matrix(ReedSolomon.create(k, n - k));
                int[][] sub = new int[k][];
                int[][] scratch = new int[k][k];
                int[] rows = new int[k];
                for (int i = 0; i < k; i++) {
                    rows[i] = i;
                }
                long count = 0;
                do {
                    for (int i = 0; i < k; i++) {
                        sub[i] = matrix[rows[i]];
                    }
                    if (!Gf256.isInvertible(sub, k, scratch)) {
                        throw new AssertionError("RS-" + k + "-" + (n - k) + ": rows " + java.util.Arrays.toString(rows)
                                + " are singular");
                    }
                    count++;
                } while (TestCells.nextCombination(rows, n));
                assertThat(count).isEqualTo(TestCells.binomial(n, k));
                subsets += count;
                expected += TestCells.binomial(n, k);
                codes++;
            }
        }
        // sum over n = 2..20 of (2^n - 2): every code with K, M >= 1 and K + M <= 20
        assertThat(codes).isEqualTo(190);
        assertThat(subsets).isEqualTo(expected).isEqualTo((1L << 21) - 4 - 2 * 19);
    }

    @Test
    void sampledKSubsetsAreInvertibleForWideCodes() {
        int[][] shapes = {{20, 4}, {17, 15}, {32, 8}, {50, 14}, {64, 64}, {100, 28}, {128, 127}, {200, 55},
            {254, 1}, {1, 254}};
        SplittableRandom random = new SplittableRandom(20240601);
        int checked = 0;
        for (int[] shape : shapes) {
            int k = shape[0];
            int n = k + shape[1];
            int[][] matrix = matrix(ReedSolomon.create(k, shape[1]));
            int samples = k > 100 ? 40 : 200;
            for (int s = 0; s < samples; s++) {
                int[] rows = randomSubset(random, n, k);
                int[][] sub = new int[k][];
                for (int i = 0; i < k; i++) {
                    sub[i] = matrix[rows[i]];
                }
                assertThat(Gf256.isInvertible(sub, k, new int[k][k]))
                        .as("RS-%d-%d rows %s", k, shape[1], java.util.Arrays.toString(rows)).isTrue();
                checked++;
            }
        }
        assertThat(checked).isEqualTo(7 * 200 + 3 * 40);
    }

    @Test
    void identityOverVandermondeIsNotMdsSoTheCheckCanFail() {
        // The naive construction the design warns about: identity stacked on V[i][j] = j^i (0^0 = 1).
        int k = 6;
        int m = 3;
        int[][] matrix = new int[k + m][k];
        for (int r = 0; r < k; r++) {
            matrix[r][r] = 1;
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < k; j++) {
                int p = 1;
                for (int e = 0; e < i; e++) {
                    p = Gf256.mul(p, j);
                }
                matrix[k + i][j] = p;
            }
        }
        int singular = 0;
        int[] rows = {0, 1, 2, 3, 4, 5};
        do {
            int[][] sub = new int[k][];
            for (int i = 0; i < k; i++) {
                sub[i] = matrix[rows[i]];
            }
            if (!Gf256.isInvertible(sub, k, new int[k][k])) {
                singular++;
            }
        } while (TestCells.nextCombination(rows, k + m));
        assertThat(singular).isPositive();
    }

    @Test
    void matrixIsSystematicAndFirstParityRowIsXor() {
        for (int[] shape : new int[][] {{1, 1}, {3, 2}, {4, 2}, {6, 3}, {10, 4}, {200, 55}}) {
            int[][] matrix = matrix(ReedSolomon.create(shape[0], shape[1]));
            int k = shape[0];
            for (int r = 0; r < k; r++) {
                for (int c = 0; c < k; c++) {
                    assertThat(matrix[r][c]).isEqualTo(r == c ? 1 : 0);
                }
            }
            for (int c = 0; c < k; c++) {
                assertThat(matrix[k][c]).isEqualTo(1);
            }
            for (int r = k; r < k + shape[1]; r++) {
                assertThat(matrix[r][0]).isEqualTo(1);
            }
        }
    }

    @Test
    void matrixFollowsTheDocumentedScaledCauchyFormula() {
        for (int[] shape : new int[][] {{3, 2}, {4, 2}, {6, 3}, {10, 4}, {12, 7}}) {
            int k = shape[0];
            int m = shape[1];
            ReedSolomon rs = ReedSolomon.create(k, m);
            int[][] c = new int[m][k];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < k; j++) {
                    c[i][j] = TestCells.slowInv((k + i) ^ j);
                }
            }
            for (int j = 0; j < k; j++) {
                int f = TestCells.slowInv(c[0][j]);
                for (int i = 0; i < m; i++) {
                    c[i][j] = TestCells.slowMul(c[i][j], f);
                }
            }
            for (int i = 0; i < m; i++) {
                int f = TestCells.slowInv(c[i][0]);
                for (int j = 0; j < k; j++) {
                    assertThat(rs.coefficient(k + i, j)).isEqualTo(TestCells.slowMul(c[i][j], f));
                }
            }
        }
    }

    static int[][] matrix(ReedSolomon rs) {
        int n = rs.totalCells();
        int k = rs.dataCells();
        int[][] matrix = new int[n][k];
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < k; c++) {
                matrix[r][c] = rs.coefficient(r, c);
            }
        }
        return matrix;
    }

    private static int[] randomSubset(SplittableRandom random, int n, int k) {
        int[] all = new int[n];
        for (int i = 0; i < n; i++) {
            all[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + random.nextInt(n - i);
            int t = all[i];
            all[i] = all[j];
            all[j] = t;
        }
        int[] subset = java.util.Arrays.copyOf(all, k);
        java.util.Arrays.sort(subset);
        return subset;
    }
}
