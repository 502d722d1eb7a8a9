package io.checkstripe.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every erasure pattern of up to M cells, computed from K and M, decodes byte-exact; every
 * pattern of M + 1 fails with the missing cells named.
 */
class ErasurePatternTest {

    private static final List<String> POLICIES = List.of("XOR-4-1", "RS-3-2", "RS-4-2", "RS-6-3", "RS-10-4");
    /** Bytes before and after the coded range, which must never be touched. */
    private static final int PAD = 3;

    static Stream<Arguments> policiesAndSizes() {
        return POLICIES.stream().flatMap(p -> Stream.of(1, 7, 4096).map(size -> Arguments.of(p, size)));
    }

    @ParameterizedTest(name = "{0}, {1}-byte cells")
    @MethodSource("policiesAndSizes")
    void everyPatternOfUpToMErasuresDecodesByteExact(String name, int size) {
        ErasureCodec codec = RedundancyPolicy.parse(name).codec();
        int k = codec.dataCells();
        int m = codec.parityCells();
        int n = k + m;
        byte[][] original = encoded(codec, size, name.hashCode() * 31L + size);
        SplittableRandom garbage = new SplittableRandom(size);
        Set<String> seen = new HashSet<>();
        int ran = 0;
        for (int lostCount = 0; lostCount <= m; lostCount++) {
            for (int[] lost : TestCells.combinations(n, lostCount)) {
                byte[][] cells = TestCells.copy(original);
                boolean[] present = new boolean[n];
                Arrays.fill(present, true);
                for (int i : lost) {
                    present[i] = false;
                    for (int b = PAD; b < PAD + size; b++) {
                        cells[i][b] = (byte) garbage.nextInt(256);
                    }
                }
                codec.decode(cells, present, PAD, size);
                for (int i = 0; i < n; i++) {
                    assertThat(cells[i]).as("%s lost %s cell %d", name, Arrays.toString(lost), i).isEqualTo(original[i]);
                }
                assertThat(seen.add(Arrays.toString(lost))).isTrue();
                ran++;
            }
        }
        long expected = 0;
        for (int e = 0; e <= m; e++) {
            expected += TestCells.binomial(n, e);
        }
        assertThat(ran).isEqualTo(expected);
        assertThat(ran).isEqualTo(switch (name) {
            case "XOR-4-1" -> 1 + 5;
            case "RS-3-2" -> 1 + 5 + 10;
            case "RS-4-2" -> 1 + 6 + 15;
            case "RS-6-3" -> 1 + 9 + 36 + 84;
            case "RS-10-4" -> 1 + 14 + 91 + 364 + 1001;
            default -> throw new AssertionError(name);
        });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"XOR-4-1", "RS-3-2", "RS-4-2", "RS-6-3", "RS-10-4"})
    void oneMebibyteCellsDecodeOverASeededSampleOfPatterns(String name) {
        int size = 1 << 20;
        ErasureCodec codec = RedundancyPolicy.parse(name).codec();
        int n = codec.totalCells();
        int m = codec.parityCells();
        byte[][] original = encoded(codec, size, name.hashCode());
        byte[][] cells = TestCells.copy(original);
        SplittableRandom random = new SplittableRandom(name.hashCode() + 1L);
        int samples = 6;
        for (int s = 0; s < samples; s++) {
            int lostCount = s < 2 ? m : 1 + random.nextInt(m);
            List<int[]> all = TestCells.combinations(n, lostCount);
            int[] lost = all.get(random.nextInt(all.size()));
            boolean[] present = new boolean[n];
            Arrays.fill(present, true);
            for (int i : lost) {
                present[i] = false;
                Arrays.fill(cells[i], PAD, PAD + size, (byte) 0x5A);
            }
            codec.decode(cells, present, PAD, size);
            for (int i = 0; i < n; i++) {
                assertThat(Arrays.equals(cells[i], original[i])).as("%s lost %s cell %d", name, Arrays.toString(lost), i)
                        .isTrue();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"XOR-4-1", "RS-3-2", "RS-4-2", "RS-6-3", "RS-10-4", "MIRROR-3", "STRIPE-4"})
    void everyPatternOfMPlusOneErasuresNamesTheMissingCells(String name) {
        ErasureCodec codec = RedundancyPolicy.parse(name).codec();
        int k = codec.dataCells();
        int m = codec.parityCells();
        int n = k + m;
        byte[][] cells = encoded(codec, 16, 1);
        int ran = 0;
        for (int[] lost : TestCells.combinations(n, m + 1)) {
            boolean[] present = new boolean[n];
            Arrays.fill(present, true);
            for (int i : lost) {
                present[i] = false;
            }
            assertThatThrownBy(() -> codec.decode(cells, present, PAD, 16))
                    .isInstanceOfSatisfying(TooFewCellsException.class, e -> {
                        assertThat(e.missingCells()).containsExactly(lost);
                        assertThat(e.requiredCells()).isEqualTo(k);
                        assertThat(e.totalCells()).isEqualTo(n);
                    })
                    .hasMessageContaining("missing cells " + Arrays.toString(lost))
                    .hasMessageContaining("need " + k + " of " + n);
            ran++;
        }
        assertThat(ran).isEqualTo(TestCells.binomial(n, m + 1));
    }

    /** Random data cells of {@code size} bytes between pads, parity encoded. */
    static byte[][] encoded(ErasureCodec codec, int size, long seed) {
        byte[][] cells = TestCells.random(codec.totalCells(), size, PAD, seed);
        codec.encode(cells, PAD, size);
        return cells;
    }
}
