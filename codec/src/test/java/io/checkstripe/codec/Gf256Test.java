package io.checkstripe.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class Gf256Test {

    @Test
    void knownProductsOfPolynomial0x11D() {
        // (x + 1)(x^2 + x + 1) = x^3 + 1
        assertThat(Gf256.mul(3, 7)).isEqualTo(9);
        // x * x^7 = x^8 = x^4 + x^3 + x^2 + 1
        assertThat(Gf256.mul(2, 0x80)).isEqualTo(0x1D);
        assertThat(Gf256.mul(0x80, 0x80)).isEqualTo(0x13);
        assertThat(Gf256.inv(2)).isEqualTo(0x8E);
        assertThat(Gf256.mul(0, 0xFF)).isZero();
    }

    @Test
    void tablesAgreeWithShiftAndAddForAllPairs() {
        int checked = 0;
        for (int a = 0; a < 256; a++) {
            byte[] row = Gf256.mulRow(a);
            for (int b = 0; b < 256; b++) {
                int expected = TestCells.slowMul(a, b);
                assertThat(Gf256.mul(a, b)).isEqualTo(expected);
                assertThat(row[b] & 0xff).isEqualTo(expected);
                checked++;
            }
            if (a != 0) {
                assertThat(Gf256.mul(a, Gf256.inv(a))).isEqualTo(1);
                assertThat(Gf256.div(a, a)).isEqualTo(1);
            }
        }
        assertThat(checked).isEqualTo(65536);
        assertThatThrownBy(() -> Gf256.inv(0)).isInstanceOf(ArithmeticException.class);
    }

    @Test
    void invertTimesMatrixIsIdentity() {
        SplittableRandom random = new SplittableRandom(7);
        int inverted = 0;
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + random.nextInt(12);
            int[][] m = new int[n][n];
            for (int[] row : m) {
                for (int c = 0; c < n; c++) {
                    row[c] = random.nextInt(256);
                }
            }
            boolean invertible = Gf256.isInvertible(m, n, new int[n][n]);
            if (!invertible) {
                assertThatThrownBy(() -> Gf256.invert(m)).isInstanceOf(ArithmeticException.class);
                continue;
            }
            int[][] product = Gf256.multiply(Gf256.invert(m), m);
            for (int r = 0; r < n; r++) {
                for (int c = 0; c < n; c++) {
                    assertThat(product[r][c]).isEqualTo(r == c ? 1 : 0);
                }
            }
            inverted++;
        }
        // random matrices over GF(256) are singular with probability about 1/255
        assertThat(inverted).isGreaterThan(190);
    }

    @Test
    void singularMatrixIsDetected() {
        int[][] m = {{1, 2}, {2, 4}};
        assertThat(Gf256.isInvertible(m, 2, new int[2][2])).isFalse();
        assertThatThrownBy(() -> Gf256.invert(m)).isInstanceOf(ArithmeticException.class)
                .hasMessageContaining("singular");
    }
}
