package io.checkstripe.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * The scalar kernel against a table-free byte-by-byte reference. A future vectorized kernel
 * joins {@link #kernels()} and must pass the same checks.
 */
class ScalarGfKernelTest {

    static GfKernel[] kernels() {
        return new GfKernel[] {ScalarGfKernel.INSTANCE, new ScalarGfKernel(1), new ScalarGfKernel(7), new ScalarGfKernel(64)};
    }

    @Property(tries = 200)
    void agreesWithTheReference(@ForAll @IntRange(min = 1, max = 14) int inputs,
                                @ForAll @IntRange(min = 1, max = 11) int outputs,
                                @ForAll @IntRange(min = 0, max = 5000) int length,
                                @ForAll @IntRange(min = 0, max = 9) int offset,
                                @ForAll long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[][] matrix = new int[outputs][inputs];
        for (int[] row : matrix) {
            for (int c = 0; c < inputs; c++) {
                // plenty of 0 and 1 so that the XOR and zero-fill paths run too
                int pick = random.nextInt(4);
                row[c] = pick == 0 ? 0 : pick == 1 ? 1 : random.nextInt(256);
            }
        }
        assertKernelsAgree(matrix, length, offset, seed);
    }

    @Test
    void allZeroRowClearsTheOutputAndAllOnesRowIsXor() {
        assertKernelsAgree(new int[][] {{0, 0, 0}, {1, 1, 1}, {1, 0, 2}}, 300, 1, 5);
    }

    @Test
    void packedTablesHoldFourRowsPerGroup() {
        int[][] matrix = {{1, 2}, {3, 4}, {5, 6}, {7, 8}, {9, 10}};
        CodingRows rows = new CodingRows(matrix, 2);
        assertThat(rows.groups()).isEqualTo(2);
        assertThat(rows.groupSize(0)).isEqualTo(4);
        assertThat(rows.groupSize(1)).isEqualTo(1);
        assertThat(rows.tableBytes()).isEqualTo(2 * 2 * 1024);
        // x = 0x80: 2 * 0x80 = 0x1D (row 0, bits 0-7 are 1 * 0x80 for column 0)
        assertThat(rows.packedTables(0)[0][0x80]).isEqualTo(
                0x80 | Gf256.mul(3, 0x80) << 8 | Gf256.mul(5, 0x80) << 16 | Gf256.mul(7, 0x80) << 24);
        assertThat(rows.packedTables(0)[1][0x80] & 0xff).isEqualTo(0x1D);
        assertThat(rows.packedTables(1)[1][2]).isEqualTo(Gf256.mul(10, 2));
    }

    @Test
    void everyCoefficientAgreesWithTheReference() {
        int[][] matrix = new int[1][256];
        for (int c = 0; c < 256; c++) {
            matrix[0][c] = c;
        }
        assertKernelsAgree(matrix, 4096 + 3, 0, 11);
    }

    private static void assertKernelsAgree(int[][] matrix, int length, int offset, long seed) {
        int in = matrix[0].length;
        int out = matrix.length;
        byte[][] cells = TestCells.random(in + out, length, offset, seed);
        int[] inputs = new int[in];
        int[] outputs = new int[out];
        for (int i = 0; i < in; i++) {
            inputs[i] = i;
        }
        for (int i = 0; i < out; i++) {
            outputs[i] = in + i;
        }
        byte[][] expected = TestCells.slowMultiply(matrix, Arrays.copyOf(cells, in), offset, length);
        CodingRows rows = new CodingRows(matrix, in);
        for (GfKernel kernel : kernels()) {
            byte[][] work = TestCells.copy(cells);
            kernel.apply(rows, work, inputs, outputs, offset, length);
            for (int r = 0; r < out; r++) {
                byte[] got = work[in + r];
                assertThat(Arrays.copyOfRange(got, offset, offset + length)).isEqualTo(expected[r]);
                // bytes outside the range are untouched
                assertThat(Arrays.copyOf(got, offset)).isEqualTo(Arrays.copyOf(cells[in + r], offset));
                assertThat(Arrays.copyOfRange(got, offset + length, got.length))
                        .isEqualTo(Arrays.copyOfRange(cells[in + r], offset + length, got.length));
            }
            for (int i = 0; i < in; i++) {
                assertThat(work[i]).isEqualTo(cells[i]);
            }
        }
    }
}
