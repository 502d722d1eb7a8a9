package io.checkstripe.codec;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Gets the vector kernel compiled by C2 without a caller's data: runs its four passes (one to
 * four rows) on small cells in rounds, each round one call of every pass, until a round allocates
 * nothing. The Vector API allocates for every vector operation until C2 has compiled a pass with
 * its intrinsics, so the first round that allocates nothing is the measured sign that all four
 * passes are compiled. Then one round's bytes are checked against the reference kernel's.
 *
 * <p><b>Shape of a round.</b> C2 compiles a pass once it has been called often enough and its
 * loops have turned often enough (HotSpot's invocation and back-edge thresholds), and until then
 * the Vector API is slow, so the CPU cost is the input vectors run before that. Small calls (a few
 * vectors over two inputs) reach both thresholds together, in the fewest input vectors. How many
 * rounds that takes on which machine is measured in docs/PERFORMANCE.md, "Warm-up".
 *
 * <p><b>The passes are called straight</b> ({@link Passes#applyEachPass}), not through
 * {@link GfKernel#apply}: that would be called four times as often as each pass, and C2 could
 * then compile it first and inline passes that were not compiled yet, past its inlining budget,
 * into code that allocates for good (measured: 1 warm-up in 12 never finished). The method
 * calling them has no loop, so C2 compiles it only after some 5,000 calls, long after the passes.
 * Once the passes are compiled on their own, later compiles of {@code apply} keep them as calls
 * (measured: 40,000 calls of small cells after the switch allocated nothing).
 *
 * <p><b>Limits.</b> It gives up, and the caller keeps the scalar kernel, after
 * {@link #CPU_BUDGET_NANOS} of its thread's CPU time (C2 never compiles the passes under
 * {@code -XX:TieredStopAtLevel} below 4 or {@code -Xint}, where the vector kernel would stay
 * slower than the scalar one), where the JVM cannot measure a thread's allocation, or if the
 * compiled passes' bytes differ from the reference kernel's. Not thread-safe: one warm-up runs
 * on one thread.
 */
final class VectorWarmUp {

    /** Thread CPU time after which the warm-up gives up: several times the 1 to 1.5 s it took on a loaded 2-core machine. */
    static final long CPU_BUDGET_NANOS = 10_000_000_000L;

    private static final int INPUTS = 2;
    private static final int PASSES = CodingRows.ROWS_PER_GROUP;
    private static final int VECTORS_PER_CALL = 8;

    /** A kernel made of one pass per row count, which the warm-up can call one by one. */
    interface Passes extends GfKernel {

        /**
         * Runs pass n (n rows, n = 1 to 4) once on the rows {@code passes[n - 1]}, one group of
         * n rows, writing the cells {@code outputs[n - 1]}, over bytes {@code [from, to)}: whole
         * vectors.
         */
        void applyEachPass(CodingRows[] passes, byte[][] cells, int[] inputs, int[][] outputs, int from, int to);
    }

    private final Passes vector;
    private final GfKernel reference;
    private final int length;
    private final CodingRows[] passes = new CodingRows[PASSES];
    private final byte[][] cells;
    private final int[] inputs = {0, 1};
    private final int[][] outputs = new int[PASSES][];

    /**
     * @param vector the kernel to warm up
     * @param reference the kernel whose bytes it must match
     * @param vectorBytes the vector kernel's bytes per vector
     */
    VectorWarmUp(Passes vector, GfKernel reference, int vectorBytes) {
        if (vectorBytes < 1) {
            throw new IllegalArgumentException("vectorBytes must be >= 1, got " + vectorBytes);
        }
        this.vector = vector;
        this.reference = reference;
        this.length = VECTORS_PER_CALL * vectorBytes;
        SplittableRandom random = new SplittableRandom(0x5EED);
        int cell = INPUTS;
        for (int n = 1; n <= PASSES; n++) {
            int[][] coefficients = new int[n][INPUTS];
            for (int[] row : coefficients) {
                for (int c = 0; c < INPUTS; c++) {
                    row[c] = random.nextInt(256);
                }
            }
            passes[n - 1] = vector.rows(coefficients, INPUTS);
            outputs[n - 1] = new int[n];
            for (int r = 0; r < n; r++) {
                outputs[n - 1][r] = cell++;
            }
        }
        cells = new byte[cell][length];
        for (byte[] c : cells) {
            random.nextBytes(c);
        }
    }

    /** What a warm-up did; {@code failure} is null when the vector kernel may be used. */
    record Outcome(int rounds, long cpuNanos, long wallNanos, String failure) {
        Outcome {
            if (rounds < 0 || cpuNanos < 0 || wallNanos < 0) {
                throw new IllegalArgumentException("rounds, cpuNanos and wallNanos must be >= 0, got " + rounds + ", "
                        + cpuNanos + ", " + wallNanos);
            }
        }

        boolean succeeded() {
            return failure == null;
        }
    }

    /** Runs rounds on the calling thread until the passes are compiled or the budget is spent. */
    Outcome run() {
        long startWall = System.nanoTime();
        if (!(ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean threads)
                || !threads.isThreadAllocatedMemorySupported() || !threads.isThreadAllocatedMemoryEnabled()
                || !threads.isCurrentThreadCpuTimeSupported()) {
            return new Outcome(0, 0, 0, "this JVM cannot measure a thread's allocation and CPU time");
        }
        long startCpu = threads.getCurrentThreadCpuTime();
        int rounds = 0;
        long cpu;
        boolean compiled;
        do {
            rounds++;
            long before = threads.getCurrentThreadAllocatedBytes();
            vector.applyEachPass(passes, cells, inputs, outputs, 0, length);
            compiled = threads.getCurrentThreadAllocatedBytes() == before;
            cpu = threads.getCurrentThreadCpuTime() - startCpu;
        } while (!compiled && cpu < CPU_BUDGET_NANOS);
        long wall = System.nanoTime() - startWall;
        if (!compiled) {
            return new Outcome(rounds, cpu, wall, "C2 had not compiled it after " + rounds + " rounds and "
                    + cpu / 1_000_000 + " ms of CPU time");
        }
        if (!sameBytesAsReference()) {
            return new Outcome(rounds, cpu, wall, "the compiled vector kernel's bytes differ from the reference's");
        }
        return new Outcome(rounds, cpu, wall, null);
    }

    /** The outputs are a function of the inputs alone, which no call changes. */
    private boolean sameBytesAsReference() {
        for (int n = 0; n < PASSES; n++) {
            reference.apply(passes[n], cells, inputs, outputs[n], 0, length);
        }
        byte[][] expected = new byte[cells.length][];
        for (int i = 0; i < cells.length; i++) {
            expected[i] = cells[i].clone();
        }
        vector.applyEachPass(passes, cells, inputs, outputs, 0, length);
        return Arrays.deepEquals(cells, expected);
    }
}
