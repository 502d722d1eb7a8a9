package io.checkstripe.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/**
 * Reed-Solomon on every kernel writes exactly the reference codec's bytes (the scalar kernel),
 * for encoding and for decoding every erasure pattern of up to M cells, on seeded random data,
 * lengths (around and between multiples of the vector width, 0 and 1 byte) and offsets; and the
 * kernel choice by name and system-property value.
 */
class KernelAgreementTest {

    @ParameterizedTest(name = "RS-{0}-{1}")
    @CsvSource({"1,1", "1,3", "3,2", "4,2", "6,3", "5,5", "10,4", "12,4"})
    void everyKernelEncodesAndDecodesLikeTheReference(int k, int m) {
        int n = k + m;
        ReedSolomon reference = ReedSolomon.create(k, m, ScalarGfKernel.INSTANCE);
        int width = VectorGfKernel.vectorBytes();
        int[] lengths = {0, 1, width - 1, width + 1, 3 * width, 5 * width + 17, 1000 + new SplittableRandom(k * 31L + m).nextInt(3000)};
        SplittableRandom random = new SplittableRandom(k * 1000L + m);
        int encodes = 0;
        int decodes = 0;
        for (GfKernel kernel : GfKernelTest.kernels()) {
            ReedSolomon codec = ReedSolomon.create(k, m, kernel);
            for (int length : lengths) {
                int offset = random.nextInt(2 * width);
                byte[][] expected = TestCells.random(n, length, offset, random.nextLong());
                byte[][] cells = TestCells.copy(expected);
                reference.encode(expected, offset, length);
                codec.encode(cells, offset, length);
                assertThat(cells).as("%s encode, %d bytes at %d", kernel.name(), length, offset).isDeepEqualTo(expected);
                encodes++;
                for (int lostCount = 1; lostCount <= m; lostCount++) {
                    for (int[] lost : TestCells.combinations(n, lostCount)) {
                        boolean[] present = new boolean[n];
                        Arrays.fill(present, true);
                        byte[][] damaged = TestCells.copy(expected);
                        for (int i : lost) {
                            present[i] = false;
                            Arrays.fill(damaged[i], offset, offset + length, (byte) 0x5A);
                        }
                        codec.decode(damaged, present, offset, length);
                        assertThat(damaged).as("%s decode, lost %s, %d bytes at %d", kernel.name(), Arrays.toString(lost),
                                length, offset).isDeepEqualTo(expected);
                        decodes++;
                    }
                }
            }
        }
        long patterns = 0;
        for (int e = 1; e <= m; e++) {
            patterns += TestCells.binomial(n, e);
        }
        int runs = GfKernelTest.kernels().length * lengths.length;
        assertThat(encodes).isEqualTo(runs);
        assertThat(decodes).isEqualTo(runs * patterns);
    }

    @Test
    void kernelsAreChosenByNameAndProperty() {
        GfKernel vector = GfKernelTest.vectorKernel();
        // auto: the one switching kernel of this JVM, named after the vector kernel it switches to
        assertThat(GfKernels.select("auto")).isInstanceOf(WarmingGfKernel.class).isSameAs(GfKernels.select(" AUTO"))
                .isSameAs(GfKernels.selected());
        assertThat(GfKernels.select("auto").name()).isEqualTo(vector.name());
        assertThat(GfKernels.select(" Vector ")).isSameAs(vector);
        assertThat(GfKernels.select("SCALAR")).isSameAs(ScalarGfKernel.INSTANCE);
        assertThatThrownBy(() -> GfKernels.select("simd")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown Reed-Solomon kernel 'simd': expected scalar or vector");
        assertThat(ReedSolomon.defaultKernel()).isEqualTo(vector.name()).startsWith("vector-");
        assertThat(ReedSolomon.create(6, 3).kernel()).isEqualTo(vector.name());
        assertThat(ReedSolomon.create(6, 3, "scalar").kernel()).isEqualTo("scalar");
        assertThat(ReedSolomon.create(6, 3, "scalar")).isNotSameAs(ReedSolomon.create(6, 3, "scalar"));
        assertThatThrownBy(() -> ReedSolomon.create(6, 3, "gpu")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'gpu'");
        assertThatThrownBy(() -> ReedSolomon.create(0, 3, "scalar")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("K=0");
    }
}
