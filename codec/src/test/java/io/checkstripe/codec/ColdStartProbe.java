package io.checkstripe.codec;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Measures the codec in a fresh JVM, as a one-shot process meets it: the wall time of the first
 * 1, 10 and 100 encodes ({@code encode}) or restores with the M first data cells lost
 * ({@code decode}) of 1 MiB segments through {@link StripeWorkspace}, cells of segment / K (and
 * of the first N, given N &gt; 100 as a third argument). The parity a restore reads, and the
 * parity an encode must write, are computed byte by byte beforehand, so no kernel runs before
 * the timed calls; the last call's bytes are checked against them. Where the default kernel warms
 * the vector kernel up, it then waits up to a minute for the switch and checks one more call.
 * Prints one line: {@code <policy> <mode> <kernel> first1=<ms> first10=<ms> first100=<ms>}, and
 * where there is a warm-up, the number of calls made before the switch and the warm-up's outcome.
 * Exits with an exception if any bytes differ. {@code ColdStartTest} runs it in child JVMs.
 *
 * <pre>
 * java --add-modules jdk.incubator.vector -cp codec/target/classes:codec/target/test-classes:$SLF4J_API_JAR \
 *      io.checkstripe.codec.ColdStartProbe RS-3-2 encode
 * </pre>
 */
public final class ColdStartProbe {

    private static final int SEGMENT = 1 << 20;

    private ColdStartProbe() {
    }

    public static void main(String[] args) throws Exception {
        RedundancyPolicy policy = RedundancyPolicy.parse(args[0]);
        boolean encode = args[1].equals("encode");
        int calls = args.length > 2 ? Integer.parseInt(args[2]) : 100;
        byte[] segment = new byte[SEGMENT];
        new SplittableRandom(42).nextBytes(segment);
        byte[][] reference = slowStripe(policy, segment);
        byte[] restored = new byte[SEGMENT];

        long start = System.nanoTime();
        StripeWorkspace ws = new StripeWorkspace(policy, SEGMENT);
        WarmingGfKernel warming = GfKernels.selected() instanceof WarmingGfKernel w ? w : null;
        long[] elapsed = new long[calls + 1];
        int scalarCalls = 0;
        for (int call = 1; call <= calls; call++) {
            if (warming != null && !warming.switched()) {
                scalarCalls = call;
            }
            code(ws, encode, segment, reference, restored);
            elapsed[call] = System.nanoTime() - start;
        }
        check(ws, encode, segment, reference, restored);

        StringBuilder line = new StringBuilder(String.format("%s %s %s first1=%.1f first10=%.1f first100=%.1f",
                policy.name(), args[1], ReedSolomon.defaultKernel(), elapsed[1] / 1e6, elapsed[10] / 1e6,
                elapsed[100] / 1e6));
        if (calls > 100) {
            line.append(String.format(" first%d=%.1f", calls, elapsed[calls] / 1e6));
        }
        if (warming != null) {
            VectorWarmUp.Outcome outcome = warming.warmUpOutcome().get(1, TimeUnit.MINUTES);
            code(ws, encode, segment, reference, restored);
            check(ws, encode, segment, reference, restored);
            line.append(String.format(" scalarCalls=%d switched=%b warmUpRounds=%d warmUpMs=%d warmUpCpuMs=%d failure=%s",
                    scalarCalls, warming.switched(), outcome.rounds(), outcome.wallNanos() / 1_000_000,
                    outcome.cpuNanos() / 1_000_000, outcome.failure()));
        }
        System.out.println(line);
    }

    /** One encode of the segment, or one restore from the cells M..K+M-1 of the reference. */
    private static void code(StripeWorkspace ws, boolean encode, byte[] segment, byte[][] reference, byte[] restored) {
        if (encode) {
            ws.encode(segment, 0, segment.length);
        } else {
            RedundancyPolicy policy = ws.policy();
            ws.startRestore(segment.length);
            for (int i = policy.parityCells(); i < policy.totalCells(); i++) {
                ws.loadCell(i, reference[i], 0, reference[i].length);
            }
            ws.decodeDataCells();
            ws.copySegmentTo(restored, 0);
        }
    }

    private static void check(StripeWorkspace ws, boolean encode, byte[] segment, byte[][] reference, byte[] restored) {
        for (int i = 0; encode && i < reference.length; i++) {
            if (!Arrays.equals(ws.cell(i), 0, ws.cellLength(), reference[i], 0, reference[i].length)) {
                throw new IllegalStateException("cell " + i + " differs from the reference");
            }
        }
        if (!encode && !Arrays.equals(restored, segment)) {
            throw new IllegalStateException("the restored segment differs");
        }
    }

    /** The K + M cells of a segment, parity computed byte by byte, so no kernel runs before the measurement. */
    private static byte[][] slowStripe(RedundancyPolicy policy, byte[] segment) {
        int k = policy.dataCells();
        int cellLength = policy.cellLength(segment.length);
        byte[][] data = new byte[k][cellLength];
        for (int j = 0; j < k; j++) {
            int from = Math.min(segment.length, j * cellLength);
            System.arraycopy(segment, from, data[j], 0, Math.min(cellLength, segment.length - from));
        }
        ReedSolomon matrix = ReedSolomon.create(k, policy.parityCells(), GfKernels.SCALAR);
        int[][] parityRows = new int[policy.parityCells()][k];
        for (int r = 0; r < parityRows.length; r++) {
            for (int c = 0; c < k; c++) {
                parityRows[r][c] = matrix.coefficient(k + r, c);
            }
        }
        byte[][] parity = TestCells.slowMultiply(parityRows, data, 0, cellLength);
        byte[][] cells = Arrays.copyOf(data, policy.totalCells());
        System.arraycopy(parity, 0, cells, k, parity.length);
        return cells;
    }
}
