package io.checkstripe.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * Every kernel against a table-free byte-by-byte reference: the scalar kernel with several
 * block sizes and the vector kernel, which the codec's build always runs (its tests start the
 * JVM with {@code --add-modules jdk.incubator.vector}).
 */
class GfKernelTest {

    static GfKernel[] kernels() {
        return new GfKernel[] {ScalarGfKernel.INSTANCE, new ScalarGfKernel(1), new ScalarGfKernel(7), new ScalarGfKernel(64),
            vectorKernel()};
    }

    /** The vector kernel; fails where it cannot load, so a build never silently tests less. */
    static GfKernel vectorKernel() {
        GfKernel vector = GfKernels.vector();
        assertThat(vector).as("vector kernel (is --add-modules jdk.incubator.vector in the test JVM's options?)").isNotNull();
        return vector;
    }

    @Test
    void everyLengthAroundTheVectorWidthAndEveryRowCount() {
        int width = VectorGfKernel.vectorBytes();
        int[] lengths = {0, 1, 2, width - 1, width, width + 1, 2 * width - 1, 2 * width, 3 * width + 5, 4096 + width - 3};
        int[] offsets = {0, 1, width - 1, width + 3};
        SplittableRandom random = new SplittableRandom(17);
        int cases = 0;
        for (int outputs = 1; outputs <= 9; outputs++) {
            for (int length : lengths) {
                for (int offset : offsets) {
                    int inputs = 1 + random.nextInt(12);
                    int[][] matrix = new int[outputs][inputs];
                    for (int[] row : matrix) {
                        for (int c = 0; c < inputs; c++) {
                            row[c] = random.nextInt(256);
                        }
                    }
                    assertKernelsAgree(matrix, length, offset, random.nextLong());
                    cases++;
                }
            }
        }
        assertThat(cases).isEqualTo(9 * lengths.length * offsets.length);
    }

    @Test
    void kernelsAreNamed() {
        assertThat(ScalarGfKernel.INSTANCE.name()).isEqualTo("scalar");
        assertThat(vectorKernel().name()).isEqualTo("vector-" + 8 * VectorGfKernel.vectorBytes());
        assertThat(VectorGfKernel.vectorBytes()).isBetween(16, CodingRows.NIBBLE_TABLE_STRIDE);
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
        CodingRows rows = new CodingRows(matrix, 2, true);
        assertThat(rows.groups()).isEqualTo(2);
        assertThat(rows.groupSize(0)).isEqualTo(4);
        assertThat(rows.groupSize(1)).isEqualTo(1);
        assertThat(rows.tableBytes()).isEqualTo(2 * 2 * 1024 + 5 * 2 * 2 * CodingRows.NIBBLE_TABLE_STRIDE);
        // x = 0x80: 2 * 0x80 = 0x1D (row 0, bits 0-7 are 1 * 0x80 for column 0)
        assertThat(rows.packedTables(0)[0][0x80]).isEqualTo(
                0x80 | Gf256.mul(3, 0x80) << 8 | Gf256.mul(5, 0x80) << 16 | Gf256.mul(7, 0x80) << 24);
        assertThat(rows.packedTables(0)[1][0x80] & 0xff).isEqualTo(0x1D);
        assertThat(rows.packedTables(1)[1][2]).isEqualTo(Gf256.mul(10, 2));
    }

    @Test
    void onlyTheVectorKernelsRowsCarryNibbleTables() {
        int[][] matrix = {{1, 2, 3}, {4, 5, 6}};
        CodingRows scalar = ScalarGfKernel.INSTANCE.rows(matrix, 3);
        CodingRows vector = vectorKernel().rows(matrix, 3);
        assertThat(scalar.tableBytes()).isEqualTo(3 * 1024);
        assertThat(vector.tableBytes()).isEqualTo(3 * 1024 + 2 * 3 * 2 * CodingRows.NIBBLE_TABLE_STRIDE);
        assertThatThrownBy(() -> scalar.nibbleTables(0)).isInstanceOf(IllegalStateException.class);
        assertThat(vector.nibbleTables(0)).hasSize(3 * 2 * 2 * CodingRows.NIBBLE_TABLE_STRIDE);
    }

    @Test
    void nibbleTablesHoldLowAndHighProductsRepeated() {
        int[][] matrix = {{1, 2}, {3, 4}, {5, 6}, {7, 8}, {9, 10}};
        CodingRows rows = new CodingRows(matrix, 2, true);
        int stride = CodingRows.NIBBLE_TABLE_STRIDE;
        assertThat(rows.nibbleTables(0)).hasSize(2 * 4 * 2 * stride);
        assertThat(rows.nibbleTables(1)).hasSize(2 * 1 * 2 * stride);
        // group 0, column 1, row 2 (coefficient 6): low table then high table, each repeated
        byte[] t = rows.nibbleTables(0);
        int lo = CodingRows.nibbleTableOffset(4, 1, 2);
        assertThat(lo).isEqualTo((1 * 4 + 2) * 2 * stride);
        for (int i = 0; i < stride; i++) {
            assertThat(t[lo + i] & 0xff).isEqualTo(TestCells.slowMul(6, i % 16));
            assertThat(t[lo + stride + i] & 0xff).isEqualTo(TestCells.slowMul(6, (i % 16) << 4));
        }
        // group 1 holds row 4 alone: column 0 is coefficient 9
        byte[] last = rows.nibbleTables(1);
        assertThat(last[CodingRows.nibbleTableOffset(1, 0, 0) + 3] & 0xff).isEqualTo(TestCells.slowMul(9, 3));
        assertThat(last[CodingRows.nibbleTableOffset(1, 1, 0) + stride + 2] & 0xff).isEqualTo(TestCells.slowMul(10, 0x20));
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
        CodingRows rows = new CodingRows(matrix, in, true);
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
