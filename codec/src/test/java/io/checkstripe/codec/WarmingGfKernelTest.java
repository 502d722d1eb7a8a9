package io.checkstripe.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The switching kernel: exact bytes from concurrent callers before, during and after the switch;
 * one warm-up however many codecs start it; scalar for good when the warm-up gives up; and the
 * real warm-up reaching a compiled, allocation-free vector kernel. The warm-ups here are given
 * in, so the test decides when the switch happens; {@code ColdStartTest} runs the real one in
 * fresh JVMs.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WarmingGfKernelTest {

    private static final int THREADS = 4;
    private static final int CALLS_PER_PHASE = 40;

    @Test
    void concurrentCallersGetTheReferenceBytesBeforeDuringAndAfterTheSwitch() throws Exception {
        CompletableFuture<Void> release = new CompletableFuture<>();
        AtomicInteger warmUps = new AtomicInteger();
        WarmingGfKernel kernel = new WarmingGfKernel(ScalarGfKernel.INSTANCE, GfKernelTest::vectorKernel, vector -> {
            warmUps.incrementAndGet();
            release.join();
            return new VectorWarmUp.Outcome(1, 0, 0, null);
        });
        ReedSolomon codec = ReedSolomon.create(6, 3, kernel);
        ReedSolomon reference = ReedSolomon.create(6, 3, ScalarGfKernel.INSTANCE);
        assertThat(kernel.name()).isEqualTo(GfKernelTest.vectorKernel().name());

        CountDownLatch beforeSwitch = new CountDownLatch(THREADS);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<int[]>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                long seed = t;
                results.add(pool.submit(() -> callUntilSwitchedAndPast(codec, reference, kernel, beforeSwitch, seed)));
            }
            assertThat(beforeSwitch.await(60, TimeUnit.SECONDS)).isTrue();
            assertThat(kernel.switched()).isFalse();
            // the callers keep calling while the switch happens
            release.complete(null);
            assertThat(kernel.warmUpOutcome().get(60, TimeUnit.SECONDS).succeeded()).isTrue();
            for (Future<int[]> result : results) {
                int[] calls = result.get(60, TimeUnit.SECONDS);
                assertThat(calls[0]).as("calls on the scalar kernel").isGreaterThanOrEqualTo(CALLS_PER_PHASE);
                assertThat(calls[1]).as("calls on the vector kernel").isEqualTo(CALLS_PER_PHASE);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(kernel.switched()).isTrue();
        assertThat(kernel.name()).isEqualTo(GfKernelTest.vectorKernel().name());
        assertThat(warmUps).hasValue(1);
    }

    /**
     * Encodes and decodes (3, 2 or 1 lost cells, the last through the XOR parity or not) on random
     * cells, each checked against the reference: {@value #CALLS_PER_PHASE} calls or more before the
     * switch (counting down {@code beforeSwitch} after that many), then on until
     * {@value #CALLS_PER_PHASE} calls seen switched. Returns the calls made before and after.
     */
    private static int[] callUntilSwitchedAndPast(ReedSolomon codec, ReedSolomon reference, WarmingGfKernel kernel,
                                                  CountDownLatch beforeSwitch, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int before = 0;
        int after = 0;
        while (after < CALLS_PER_PHASE) {
            boolean switched = kernel.switched();
            int length = 1 + random.nextInt(5000);
            byte[][] expected = TestCells.random(9, length, 0, random.nextLong());
            reference.encode(expected, 0, length);
            byte[][] cells = TestCells.copy(expected);
            for (int parity = 6; parity < 9; parity++) {
                Arrays.fill(cells[parity], (byte) 0);
            }
            codec.encode(cells, 0, length);
            assertThat(cells).isDeepEqualTo(expected);
            boolean[] present = new boolean[9];
            Arrays.fill(present, true);
            for (int lost = 0, count = 1 + random.nextInt(3); lost < count; lost++) {
                int cell = random.nextInt(9);
                present[cell] = false;
                Arrays.fill(cells[cell], (byte) 0x5A);
            }
            codec.decode(cells, present, 0, length);
            assertThat(cells).isDeepEqualTo(expected);
            if (switched) {
                after++;
            } else if (++before == CALLS_PER_PHASE) {
                beforeSwitch.countDown();
            }
        }
        return new int[] {before, after};
    }

    @Test
    void theWarmUpStartsWithTheFirstCodecAndOnlyOnce() throws Exception {
        AtomicInteger warmUps = new AtomicInteger();
        WarmingGfKernel kernel = new WarmingGfKernel(ScalarGfKernel.INSTANCE, GfKernelTest::vectorKernel, vector -> {
            warmUps.incrementAndGet();
            return new VectorWarmUp.Outcome(7, 1, 2, null);
        });
        assertThat(kernel.rows(new int[][] {{1, 2}}, 2).nibbleTables(0)).isNotEmpty();
        assertThat(kernel.warmUpOutcome()).isNotDone();
        assertThat(warmUps).hasValue(0);
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<ReedSolomon>> codecs = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                int m = 1 + i % 5;
                codecs.add(pool.submit(() -> ReedSolomon.create(4, m, kernel)));
            }
            for (Future<ReedSolomon> codec : codecs) {
                assertThat(codec.get(60, TimeUnit.SECONDS).kernel()).isEqualTo(GfKernelTest.vectorKernel().name());
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(kernel.warmUpOutcome().get(60, TimeUnit.SECONDS)).isEqualTo(new VectorWarmUp.Outcome(7, 1, 2, null));
        assertThat(kernel.switched()).isTrue();
        assertThat(warmUps).hasValue(1);
    }

    @Test
    void aWarmUpThatGivesUpLeavesTheScalarKernel() throws Exception {
        assertStaysScalar(new WarmingGfKernel(ScalarGfKernel.INSTANCE, GfKernelTest::vectorKernel,
                vector -> new VectorWarmUp.Outcome(3, 4, 5, "not compiled")), "not compiled");
        assertStaysScalar(new WarmingGfKernel(ScalarGfKernel.INSTANCE, () -> null, vector -> {
            throw new AssertionError("no vector kernel to warm up");
        }), "the vector kernel cannot run in this JVM (-Dcheckstripe.codec.kernel=vector says why)");
    }

    @Test
    void aWarmUpThatThrowsLeavesTheScalarKernel() throws Exception {
        Function<GfKernel, VectorWarmUp.Outcome> failing = vector -> {
            throw new IllegalStateException("boom");
        };
        WarmingGfKernel kernel = new WarmingGfKernel(ScalarGfKernel.INSTANCE, GfKernelTest::vectorKernel, failing);
        ReedSolomon codec = ReedSolomon.create(3, 2, kernel);
        assertThatThrownBy(() -> kernel.warmUpOutcome().get(60, TimeUnit.SECONDS)).hasRootCauseMessage("boom");
        assertThat(kernel.switched()).isFalse();
        assertThat(kernel.name()).isEqualTo("scalar");
        assertCodesLikeTheReference(codec);
    }

    private static void assertStaysScalar(WarmingGfKernel kernel, String failure) throws Exception {
        ReedSolomon codec = ReedSolomon.create(3, 2, kernel);
        VectorWarmUp.Outcome outcome = kernel.warmUpOutcome().get(60, TimeUnit.SECONDS);
        assertThat(outcome.succeeded()).isFalse();
        assertThat(outcome.failure()).isEqualTo(failure);
        assertThat(kernel.switched()).isFalse();
        assertThat(kernel.name()).isEqualTo("scalar");
        assertThat(codec.kernel()).isEqualTo("scalar");
        assertCodesLikeTheReference(codec);
    }

    private static void assertCodesLikeTheReference(ReedSolomon codec) {
        byte[][] expected = TestCells.random(5, 777, 0, 9);
        ReedSolomon.create(3, 2, ScalarGfKernel.INSTANCE).encode(expected, 0, 777);
        byte[][] cells = TestCells.copy(expected);
        codec.encode(cells, 0, 777);
        assertThat(cells).isDeepEqualTo(expected);
    }

    /**
     * The real warm-up in this JVM (where other tests may have compiled the kernel already):
     * it ends with a round that allocated nothing, within its CPU budget, and after it the vector
     * kernel allocates nothing on the codec's own shapes (other input and row counts) either,
     * from the first round.
     */
    @Test
    void theRealWarmUpEndsWithTheVectorKernelCompiled() {
        GfKernel vector = GfKernelTest.vectorKernel();
        VectorWarmUp.Outcome outcome = new VectorWarmUp((VectorWarmUp.Passes) vector, ScalarGfKernel.INSTANCE,
                VectorGfKernel.vectorBytes()).run();
        assertThat(outcome.failure()).isNull();
        assertThat(outcome.rounds()).isPositive();
        assertThat(outcome.cpuNanos()).isLessThan(VectorWarmUp.CPU_BUDGET_NANOS);
        assertThat(CodecBehaviourTest.roundsUntilNoAllocation(vector, 1)).isEqualTo(1);
    }

    @Test
    void outcomesNameTheBadValue() {
        assertThatThrownBy(() -> new VectorWarmUp.Outcome(-1, 0, 0, null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rounds, cpuNanos and wallNanos must be >= 0, got -1, 0, 0");
        VectorWarmUp.Passes vector = (VectorWarmUp.Passes) GfKernelTest.vectorKernel();
        assertThatThrownBy(() -> new VectorWarmUp(vector, ScalarGfKernel.INSTANCE, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("vectorBytes must be >= 1, got 0");
        int width = VectorGfKernel.vectorBytes();
        assertThatThrownBy(() -> vector.applyEachPass(new CodingRows[4], new byte[1][], new int[1], new int[4][], 0, width + 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the range must be whole vectors of " + width + " bytes, got 0.." + (width + 1));
        assertThat(new VectorWarmUp.Outcome(1, 2, 3, "x").succeeded()).isFalse();
    }
}
