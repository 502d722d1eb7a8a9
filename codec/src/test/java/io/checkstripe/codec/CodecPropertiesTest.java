package io.checkstripe.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

/** Random K, M, sizes, offsets and erasure sets. */
class CodecPropertiesTest {

    record Case(int k, int m, int size, int offset, Set<Integer> lost, long seed) {
    }

    @Provide
    Arbitrary<Case> upToMLost() {
        return shapes(24, 8).flatMap(km -> cases(km[0], km[1], 0, km[1], 3000));
    }

    @Provide
    Arbitrary<Case> wideCodes() {
        return Arbitraries.integers().between(1, 250).flatMap(k -> Arbitraries.integers().between(1, 255 - k)
                .flatMap(m -> cases(k, m, 0, Math.min(m, 6), 40)));
    }

    @Provide
    Arbitrary<Case> tooManyLost() {
        return shapes(16, 6).flatMap(km -> cases(km[0], km[1], km[1] + 1, km[0] + km[1], 64));
    }

    private static Arbitrary<int[]> shapes(int maxK, int maxM) {
        return Arbitraries.integers().between(1, maxK)
                .flatMap(k -> Arbitraries.integers().between(1, maxM).map(m -> new int[] {k, m}));
    }

    private static Arbitrary<Case> cases(int k, int m, int minLost, int maxLost, int maxSize) {
        return Combinators.combine(
                Arbitraries.integers().between(0, maxSize),
                Arbitraries.integers().between(0, 5),
                Arbitraries.integers().between(0, k + m - 1).set().ofMinSize(minLost).ofMaxSize(maxLost),
                Arbitraries.longs())
            .as((size, offset, lost, seed) -> new Case(k, m, size, offset, lost, seed));
    }

    @Property(tries = 300)
    void reedSolomonRebuildsAnyMLostCells(@ForAll("upToMLost") Case c) {
        assertRoundTrip(ReedSolomon.create(c.k(), c.m()), c);
    }

    @Property(tries = 60)
    void wideReedSolomonCodesRebuildLostCells(@ForAll("wideCodes") Case c) {
        assertRoundTrip(ReedSolomon.create(c.k(), c.m()), c);
    }

    @Property(tries = 100)
    void xorAndMirrorRebuildTheirLosses(@ForAll("upToMLost") Case c) {
        Set<Integer> oneLost = c.lost().isEmpty() ? c.lost() : Set.of(c.lost().iterator().next() % (c.k() + 1));
        assertRoundTrip(XorParity.create(c.k()), new Case(c.k(), 1, c.size(), c.offset(), oneLost, c.seed()));
        Set<Integer> mirrorLost = Set.copyOf(c.lost().stream().filter(i -> i <= c.m()).toList());
        if (mirrorLost.size() <= c.m()) {
            assertRoundTrip(Mirror.create(c.m() + 1), new Case(1, c.m(), c.size(), c.offset(), mirrorLost, c.seed()));
        }
    }

    @Property(tries = 200)
    void moreThanMLostCellsAreRefusedNamingThem(@ForAll("tooManyLost") Case c) {
        ReedSolomon rs = ReedSolomon.create(c.k(), c.m());
        byte[][] cells = TestCells.random(c.k() + c.m(), c.size(), c.offset(), c.seed());
        boolean[] present = present(c);
        int[] lost = c.lost().stream().mapToInt(Integer::intValue).sorted().toArray();
        assertThatThrownBy(() -> rs.decode(cells, present, c.offset(), c.size()))
                .isInstanceOfSatisfying(TooFewCellsException.class, e -> assertThat(e.missingCells()).containsExactly(lost));
    }

    @Property(tries = 100)
    void rsWithOneParityWritesTheSameBytesAsXor(@ForAll @IntRange(min = 1, max = 254) int k,
                                                @ForAll @IntRange(min = 0, max = 300) int size, @ForAll long seed) {
        byte[][] a = TestCells.random(k + 1, size, 0, seed);
        byte[][] b = TestCells.copy(a);
        ReedSolomon.create(k, 1).encode(a, 0, size);
        XorParity.create(k).encode(b, 0, size);
        assertThat(a[k]).isEqualTo(b[k]);
    }

    @Property(tries = 100)
    void onlyWantedCellsAreRebuilt(@ForAll("upToMLost") Case c) {
        ReedSolomon rs = ReedSolomon.create(c.k(), c.m());
        int n = c.k() + c.m();
        byte[][] original = TestCells.random(n, c.size(), c.offset(), c.seed());
        rs.encode(original, c.offset(), c.size());
        byte[][] cells = TestCells.copy(original);
        boolean[] present = present(c);
        for (int i : c.lost()) {
            Arrays.fill(cells[i], c.offset(), c.offset() + c.size(), (byte) 0x77);
        }
        boolean[] wanted = new boolean[n];
        Arrays.fill(wanted, 0, c.k(), true);
        rs.decode(cells, present, wanted, c.offset(), c.size());
        for (int i = 0; i < n; i++) {
            if (i < c.k() || present[i]) {
                assertThat(cells[i]).isEqualTo(original[i]);
            } else {
                byte[] untouched = new byte[c.size()];
                Arrays.fill(untouched, (byte) 0x77);
                assertThat(Arrays.copyOfRange(cells[i], c.offset(), c.offset() + c.size())).isEqualTo(untouched);
            }
        }
    }

    private static void assertRoundTrip(ErasureCodec codec, Case c) {
        int n = codec.totalCells();
        byte[][] original = TestCells.random(n, c.size(), c.offset(), c.seed());
        codec.encode(original, c.offset(), c.size());
        byte[][] cells = TestCells.copy(original);
        for (int i : c.lost()) {
            Arrays.fill(cells[i], c.offset(), c.offset() + c.size(), (byte) 0x77);
        }
        codec.decode(cells, present(c), c.offset(), c.size());
        for (int i = 0; i < n; i++) {
            assertThat(cells[i]).as("%s lost %s cell %d", codec, c.lost(), i).isEqualTo(original[i]);
        }
    }

    private static boolean[] present(Case c) {
        boolean[] present = new boolean[c.k() + c.m()];
        Arrays.fill(present, true);
        for (int i : c.lost()) {
            present[i] = false;
        }
        return present;
    }
}
