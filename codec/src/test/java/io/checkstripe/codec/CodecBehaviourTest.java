package io.checkstripe.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Mirror and stripe semantics, shape validation, allocation and the decode cache. */
class CodecBehaviourTest {

    @Test
    void mirrorCopiesAndRebuildsFromAnySurvivor() {
        Mirror mirror = Mirror.create(3);
        byte[][] cells = TestCells.random(3, 50, 0, 1);
        mirror.encode(cells, 0, 50);
        assertThat(cells[1]).isEqualTo(cells[0]);
        assertThat(cells[2]).isEqualTo(cells[0]);
        byte[] original = cells[0].clone();
        Arrays.fill(cells[0], (byte) 0);
        Arrays.fill(cells[1], (byte) 0);
        mirror.decode(cells, new boolean[] {false, false, true}, 0, 50);
        assertThat(cells[0]).isEqualTo(original);
        assertThat(cells[1]).isEqualTo(original);
        assertThatThrownBy(() -> mirror.decode(cells, new boolean[3], 0, 50))
                .isInstanceOfSatisfying(TooFewCellsException.class, e -> assertThat(e.missingCells()).containsExactly(0, 1, 2));
    }

    @Test
    void plainStripeEncodesNothingAndLosesNothingQuietly() {
        PlainStripe stripe = PlainStripe.create(4);
        byte[][] cells = TestCells.random(4, 10, 0, 2);
        byte[][] before = TestCells.copy(cells);
        stripe.encode(cells, 0, 10);
        assertThat(cells).isDeepEqualTo(before);
        stripe.decode(cells, new boolean[] {true, true, true, true}, 0, 10);
        assertThat(cells).isDeepEqualTo(before);
        assertThatThrownBy(() -> stripe.decode(cells, new boolean[] {true, false, true, true}, 0, 10))
                .isInstanceOfSatisfying(TooFewCellsException.class, e -> {
                    assertThat(e.missingCells()).containsExactly(1);
                    assertThat(e.requiredCells()).isEqualTo(4);
                })
                .hasMessage("cannot decode: need 4 of 4 cells but only 3 are present; missing cells [1]");
    }

    @Test
    void shapesAreValidatedNamingTheBadValue() {
        ErasureCodec rs = ReedSolomon.create(3, 2);
        byte[][] ok = new byte[5][8];
        assertThatThrownBy(() -> rs.encode(null, 0, 8)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("null");
        assertThatThrownBy(() -> rs.encode(new byte[4][8], 0, 8)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected 5 cells (K=3, M=2), got 4");
        assertThatThrownBy(() -> rs.encode(ok, -1, 8)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("offset=-1");
        assertThatThrownBy(() -> rs.encode(ok, 0, -8)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("length=-8");
        assertThatThrownBy(() -> rs.encode(ok, 1, 8)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cell 0 has 8 bytes, needs offset 1 + length 8");
        byte[][] oneNull = new byte[5][8];
        oneNull[3] = null;
        assertThatThrownBy(() -> rs.encode(oneNull, 0, 8)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cell 3 is null");
        byte[][] oneShort = new byte[5][8];
        oneShort[4] = new byte[7];
        assertThatThrownBy(() -> rs.encode(oneShort, 0, 8)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("cell 4 has 7 bytes");
        assertThatThrownBy(() -> rs.decode(ok, new boolean[4], 0, 8)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected 5 present flags, got 4");
        assertThatThrownBy(() -> rs.decode(ok, null, 0, 8)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("present");
        assertThatThrownBy(() -> rs.decode(ok, new boolean[5], new boolean[6], 0, 8)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected 5 wanted flags, got 6");
    }

    @Test
    void decodeAllocatesNothingAfterTheFirstCallForAPattern() {
        assertThat(roundsUntilNoAllocation(ScalarGfKernel.INSTANCE, 1)).isEqualTo(1);
    }

    /**
     * The vector kernel allocates while the Vector API runs interpreted, and nothing once C2 has
     * compiled it: some round within the bound must allocate nothing.
     */
    @Test
    void vectorKernelAllocatesNothingOnceCompiled() {
        assertThat(ReedSolomon.defaultKernel()).isEqualTo(GfKernelTest.vectorKernel().name());
        assertThat(roundsUntilNoAllocation(GfKernelTest.vectorKernel(), 3000)).isBetween(1, 3000);
    }

    /**
     * Rounds of 50 encodes and decodes of RS-10-4 on {@code kernel}, and of
     * {@code StripeWorkspace} encodes of RS-6-3 on a codec of the same kernel, until one round
     * allocates nothing; the number of that round, or -1 after {@code maxRounds}.
     */
    static int roundsUntilNoAllocation(GfKernel kernel, int maxRounds) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(threads.isThreadAllocatedMemorySupported()).isTrue();
        ReedSolomon rs = ReedSolomon.create(10, 4, kernel);
        StripeWorkspace ws = new StripeWorkspace(RedundancyPolicy.parse("RS-6-3"), 6000, ReedSolomon.create(6, 3, kernel));
        byte[] segment = new byte[6000];
        byte[][] cells = TestCells.random(14, 4096, 0, 3);
        boolean[] present = new boolean[14];
        Arrays.fill(present, true);
        present[1] = false;
        present[5] = false;
        present[11] = false;
        boolean[] wanted = new boolean[14];
        wanted[5] = true;
        // first calls build the plans and load the classes
        rs.encode(cells, 0, 4096);
        rs.decode(cells, present, 0, 4096);
        rs.decode(cells, present, wanted, 0, 4096);
        ws.encode(segment, 0, segment.length);
        threads.getCurrentThreadAllocatedBytes();
        for (int round = 1; round <= maxRounds; round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 50; i++) {
                rs.encode(cells, 0, 4096);
                rs.decode(cells, present, 0, 4096);
                rs.decode(cells, present, wanted, 0, 4096);
                ws.encode(segment, 0, segment.length);
            }
            if (threads.getCurrentThreadAllocatedBytes() - before == 0) {
                assertThat(rs.cachedPlans()).isEqualTo(2);
                return round;
            }
        }
        return -1;
    }

    @Test
    void aSingleLossRebuiltThroughTheXorParityIsAPlainXor() {
        for (GfKernel kernel : GfKernelTest.kernels()) {
            ReedSolomon rs = ReedSolomon.create(6, 3, kernel);
            byte[][] original = TestCells.random(9, 3000, 0, 21);
            rs.encode(original, 0, 3000);
            // cell 2 lost: the first six present cells are data 0, 1, 3, 4, 5 and parity 6, the XOR
            boolean[] present = {true, true, false, true, true, true, true, true, true};
            byte[][] cells = TestCells.copy(original);
            Arrays.fill(cells[2], (byte) 0);
            rs.decode(cells, present, 0, 3000);
            assertThat(cells).isDeepEqualTo(original);
            assertThat(rs.cachedPlan(present, null).rows.isPlainXor()).isTrue();
            // with the XOR parity lost as well, cell 2 needs the GF(2^8) kernel
            boolean[] noXor = {true, true, false, true, true, true, false, true, true};
            boolean[] onlyCell2 = {false, false, true, false, false, false, false, false, false};
            Arrays.fill(cells[2], (byte) 0);
            rs.decode(cells, noXor, onlyCell2, 0, 3000);
            assertThat(cells[2]).isEqualTo(original[2]);
            assertThat(rs.cachedPlan(noXor, onlyCell2).rows.isPlainXor()).isFalse();
        }
        assertThat(new CodingRows(new int[][] {{1, 1, 1}}, 3, false).isPlainXor()).isTrue();
        assertThat(new CodingRows(new int[][] {{1, 2, 1}}, 3, false).isPlainXor()).isFalse();
        assertThat(new CodingRows(new int[][] {{1, 1}, {1, 1}}, 2, false).isPlainXor()).isFalse();
    }

    @Test
    void everyPatternOfRs104IsCachedOnce() {
        ReedSolomon rs = ReedSolomon.create(10, 4, ScalarGfKernel.INSTANCE);
        byte[][] cells = TestCells.random(14, 4, 0, 4);
        rs.encode(cells, 0, 4);
        int patterns = 0;
        for (int round = 0; round < 2; round++) {
            for (int lost = 1; lost <= 4; lost++) {
                for (int[] pattern : TestCells.combinations(14, lost)) {
                    boolean[] present = new boolean[14];
                    Arrays.fill(present, true);
                    for (int i : pattern) {
                        present[i] = false;
                    }
                    rs.decode(cells, present, 0, 4);
                    patterns++;
                }
            }
            assertThat(rs.cachedPlans()).isEqualTo(1470);
        }
        assertThat(patterns).isEqualTo(2 * 1470);
    }

    @Test
    void cacheStopsAtItsTableBudgetAndStillDecodes() {
        // RS-20-6 plans for up to 4 losses hold one group of 20 tables: 20 KiB each
        ReedSolomon rs = ReedSolomon.create(20, 6, ScalarGfKernel.INSTANCE);
        int decoded = decodeEveryPattern(rs, 3, 4);
        assertThat(decoded).isEqualTo(2600 + 14950);
        long perPlan = 20 * 1024;
        assertThat(rs.cachedPlans()).isEqualTo((int) (DecodePlanCache.MAX_TABLE_BYTES / perPlan));
        assertThat(rs.cachedTableBytes()).isLessThanOrEqualTo(DecodePlanCache.MAX_TABLE_BYTES);
    }

    @Test
    void cacheStopsAtItsPlanCountAndStillDecodes() {
        // RS-1-12: 8,190 patterns of 1 to 12 losses, tables of at most 3 KiB
        ReedSolomon rs = ReedSolomon.create(1, 12, ScalarGfKernel.INSTANCE);
        int decoded = decodeEveryPattern(rs, 1, 12);
        assertThat(decoded).isEqualTo((1 << 13) - 2);
        assertThat(rs.cachedPlans()).isEqualTo(DecodePlanCache.MAX_PLANS);
    }

    /** Decodes every pattern of {@code minLost..maxLost} losses byte-exact; returns how many. */
    private static int decodeEveryPattern(ReedSolomon rs, int minLost, int maxLost) {
        int n = rs.totalCells();
        byte[][] original = TestCells.random(n, 3, 0, n);
        rs.encode(original, 0, 3);
        int decoded = 0;
        for (int lost = minLost; lost <= maxLost; lost++) {
            for (int[] pattern : TestCells.combinations(n, lost)) {
                byte[][] cells = TestCells.copy(original);
                boolean[] present = new boolean[n];
                Arrays.fill(present, true);
                for (int i : pattern) {
                    present[i] = false;
                    Arrays.fill(cells[i], (byte) 0);
                }
                rs.decode(cells, present, 0, 3);
                assertThat(cells).isDeepEqualTo(original);
                decoded++;
            }
        }
        return decoded;
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void concurrentDecodesOfManyPatternsAreCorrect() throws Exception {
        ReedSolomon rs = ReedSolomon.create(6, 3, ScalarGfKernel.INSTANCE);
        byte[][] original = TestCells.random(9, 1000, 0, 6);
        rs.encode(original, 0, 1000);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                long seed = t;
                results.add(pool.submit(() -> {
                    SplittableRandom random = new SplittableRandom(seed);
                    int runs = 0;
                    for (int i = 0; i < 500; i++) {
                        byte[][] cells = TestCells.copy(original);
                        boolean[] present = new boolean[9];
                        Arrays.fill(present, true);
                        for (int lost = 0; lost < 3; lost++) {
                            int cell = random.nextInt(9);
                            present[cell] = false;
                            Arrays.fill(cells[cell], (byte) 0);
                        }
                        rs.decode(cells, present, 0, 1000);
                        assertThat(cells).isDeepEqualTo(original);
                        runs++;
                    }
                    return runs;
                }));
            }
            for (Future<Integer> result : results) {
                assertThat(result.get()).isEqualTo(500);
            }
        } finally {
            pool.shutdownNow();
        }
        // 1..3 losses of 9 cells: 9 + 36 + 84 patterns at most
        assertThat(rs.cachedPlans()).isBetween(1, 129);
    }
}
