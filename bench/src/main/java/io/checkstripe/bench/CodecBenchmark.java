package io.checkstripe.bench;

import io.checkstripe.codec.ErasureCodec;
import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.codec.ReedSolomon;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Throughput of the codec on one stripe of K data cells, in one run beside the baselines on
 * the same K cells: Apache Hadoop's pure-Java raw coders (RS, or XOR for XOR policies), a plain
 * XOR loop folding the K cells into one, and {@code System.arraycopy} of the K cells.
 *
 * <p>One operation handles one stripe. Every benchmark adds the stripe's data bytes (K x cell
 * size) to the {@code dataBytes} auxiliary counter, which JMH reports as a rate: its "ops/s" are
 * data bytes per second, for encode, decode and the baselines alike. Decoding rebuilds data
 * cells 0 (one lost) or 0..M-1 (M lost) in place, so the stripe stays valid across invocations.
 * One lost data cell is rebuilt through our first parity cell, the XOR of the data, by XOR
 * alone; the {@code WithoutXorParity} variant loses that parity too, so it measures the same
 * rebuild on the GF(2^8) kernel. Decode plans are built in setup, as in a long-running
 * restore. Hadoop decodes the same erasures from its own parity into separate arrays.
 *
 * <p>Our benchmarks take a {@code kernel} parameter: Reed-Solomon runs on
 * {@code ReedSolomon.create(k, m, kernel)}. XOR policies use {@code XorParity}, which has no
 * GF(2^8) kernel, so their two kernel values measure the same code twice. The forks load
 * {@code jdk.incubator.vector} so the vector kernel can run.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class CodecBenchmark {

    /** Data bytes handled, reported by JMH as bytes per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public long dataBytes;
    }

    /** One encoded stripe: K random data cells and M parity cells, with the erasure patterns. */
    @State(Scope.Thread)
    public static class Stripe {
        @Param({"XOR-4-1", "RS-4-2", "RS-6-3", "RS-10-4"})
        public String policy;

        @Param({"1048576"})
        public int cellSize;

        RedundancyPolicy parsed;
        byte[][] cells;
        /** Data cell 0 lost. */
        boolean[] oneLost;
        /** Data cells 0..M-1 lost. */
        boolean[] mLost;
        /** Data cell 0 and the first parity cell (for RS, the XOR of the data) lost; M >= 2 only. */
        boolean[] oneLostNoXor;
        /** Rebuild data cell 0 only. */
        boolean[] cell0;
        long dataBytes;

        @Setup(Level.Trial)
        public void setUp() {
            parsed = RedundancyPolicy.parse(policy);
            int k = parsed.dataCells();
            int n = parsed.totalCells();
            cells = new byte[n][cellSize];
            SplittableRandom random = new SplittableRandom(42);
            for (int j = 0; j < k; j++) {
                random.nextBytes(cells[j]);
            }
            // the scalar kernel: the vector one runs very slowly until the JIT has compiled it
            (parsed.scheme() == RedundancyPolicy.Scheme.RS ? ReedSolomon.create(k, parsed.parityCells(), "scalar")
                    : parsed.codec()).encode(cells, 0, cellSize);
            oneLost = new boolean[n];
            Arrays.fill(oneLost, true);
            oneLost[0] = false;
            mLost = new boolean[n];
            Arrays.fill(mLost, true);
            Arrays.fill(mLost, 0, parsed.parityCells(), false);
            oneLostNoXor = oneLost.clone();
            oneLostNoXor[k] = parsed.parityCells() < 2;
            cell0 = new boolean[n];
            cell0[0] = true;
            dataBytes = (long) k * cellSize;
        }

        int dataCells() {
            return parsed.dataCells();
        }

        int parityCells() {
            return parsed.parityCells();
        }
    }

    /** This project's codec for the stripe's policy, on one kernel. */
    @State(Scope.Thread)
    public static class Codec {
        @Param({"scalar", "vector"})
        public String kernel;

        ErasureCodec codec;

        @Setup(Level.Trial)
        public void setUp(Stripe stripe) {
            RedundancyPolicy p = stripe.parsed;
            codec = p.scheme() == RedundancyPolicy.Scheme.RS ? ReedSolomon.create(p.dataCells(), p.parityCells(), kernel)
                    : p.codec();
            // warm the decode plans and check the codec rebuilds the stripe exactly
            byte[][] expected = new byte[stripe.cells.length][];
            for (int i = 0; i < expected.length; i++) {
                expected[i] = stripe.cells[i].clone();
            }
            for (boolean[] present : new boolean[][] {stripe.oneLost, stripe.mLost, stripe.oneLostNoXor}) {
                for (int i = 0; i < present.length; i++) {
                    if (!present[i]) {
                        Arrays.fill(stripe.cells[i], (byte) 0);
                    }
                }
                codec.decode(stripe.cells, present, 0, stripe.cellSize);
                if (!Arrays.deepEquals(stripe.cells, expected)) {
                    throw new IllegalStateException(codec + " on " + kernel + " did not rebuild the stripe");
                }
            }
        }
    }

    /** Hadoop's coders on the same data cells, with Hadoop's own parity, checked once. */
    @State(Scope.Thread)
    public static class Hadoop {
        HadoopCoder coder;
        byte[][] data;
        byte[][] parity;
        byte[][] oneLostInputs;
        byte[][] mLostInputs;
        /** Data cell 0 and the first parity cell unavailable (M >= 2), cell 0 rebuilt. */
        byte[][] oneLostNoFirstParityInputs;
        int[] oneErased;
        int[] mErased;
        byte[][] oneOutput;
        byte[][] mOutputs;

        @Setup(Level.Trial)
        public void setUp(Stripe stripe) {
            int k = stripe.dataCells();
            int m = stripe.parityCells();
            coder = new HadoopCoder(stripe.parsed);
            data = Arrays.copyOf(stripe.cells, k);
            parity = coder.encodeAndCheck(data, m);
            oneLostInputs = coder.inputs(data, parity, 1);
            mLostInputs = coder.inputs(data, parity, m);
            oneLostNoFirstParityInputs = oneLostInputs.clone();
            if (m >= 2) {
                oneLostNoFirstParityInputs[k] = null;
            }
            oneErased = new int[] {0};
            mErased = new int[m];
            for (int i = 0; i < m; i++) {
                mErased[i] = i;
            }
            oneOutput = new byte[1][stripe.cellSize];
            mOutputs = new byte[m][stripe.cellSize];
        }
    }

    @Benchmark
    public byte[][] encode(Stripe stripe, Codec codec, Bytes bytes) {
        codec.codec.encode(stripe.cells, 0, stripe.cellSize);
        bytes.dataBytes += stripe.dataBytes;
        return stripe.cells;
    }

    @Benchmark
    public byte[][] decodeOneLostDataCell(Stripe stripe, Codec codec, Bytes bytes) {
        codec.codec.decode(stripe.cells, stripe.oneLost, 0, stripe.cellSize);
        bytes.dataBytes += stripe.dataBytes;
        return stripe.cells;
    }

    @Benchmark
    public byte[][] decodeMLostDataCells(Stripe stripe, Codec codec, Bytes bytes) {
        codec.codec.decode(stripe.cells, stripe.mLost, 0, stripe.cellSize);
        bytes.dataBytes += stripe.dataBytes;
        return stripe.cells;
    }

    /**
     * One lost data cell rebuilt without the XOR parity (also lost, not rebuilt), so through
     * the GF(2^8) kernel; for XOR policies (M = 1) the same as {@link #decodeOneLostDataCell}.
     */
    @Benchmark
    public byte[][] decodeOneLostDataCellWithoutXorParity(Stripe stripe, Codec codec, Bytes bytes) {
        codec.codec.decode(stripe.cells, stripe.oneLostNoXor, stripe.cell0, 0, stripe.cellSize);
        bytes.dataBytes += stripe.dataBytes;
        return stripe.cells;
    }

    @Benchmark
    public byte[][] hadoopEncode(Hadoop hadoop, Stripe stripe, Bytes bytes) {
        hadoop.coder.encode(hadoop.data, hadoop.parity);
        bytes.dataBytes += stripe.dataBytes;
        return hadoop.parity;
    }

    @Benchmark
    public byte[][] hadoopDecodeOneLostDataCell(Hadoop hadoop, Stripe stripe, Bytes bytes) {
        hadoop.coder.decode(hadoop.oneLostInputs, hadoop.oneErased, hadoop.oneOutput);
        bytes.dataBytes += stripe.dataBytes;
        return hadoop.oneOutput;
    }

    @Benchmark
    public byte[][] hadoopDecodeMLostDataCells(Hadoop hadoop, Stripe stripe, Bytes bytes) {
        hadoop.coder.decode(hadoop.mLostInputs, hadoop.mErased, hadoop.mOutputs);
        bytes.dataBytes += stripe.dataBytes;
        return hadoop.mOutputs;
    }

    /** Hadoop's counterpart of {@link #decodeOneLostDataCellWithoutXorParity}: its first parity cell is not read. */
    @Benchmark
    public byte[][] hadoopDecodeOneLostDataCellWithoutFirstParity(Hadoop hadoop, Stripe stripe, Bytes bytes) {
        hadoop.coder.decode(hadoop.oneLostNoFirstParityInputs, hadoop.oneErased, hadoop.oneOutput);
        bytes.dataBytes += stripe.dataBytes;
        return hadoop.oneOutput;
    }

    /** Baseline: the K data cells XORed into one, in the plainest loop. */
    @Benchmark
    public byte[] baselineXorLoop(Stripe stripe, Bytes bytes) {
        byte[] out = stripe.cells[stripe.dataCells()];
        int size = stripe.cellSize;
        System.arraycopy(stripe.cells[0], 0, out, 0, size);
        for (int j = 1; j < stripe.dataCells(); j++) {
            byte[] in = stripe.cells[j];
            for (int i = 0; i < size; i++) {
                out[i] ^= in[i];
            }
        }
        bytes.dataBytes += stripe.dataBytes;
        return out;
    }

    /** Baseline: the K data cells copied, the least any striping must do. */
    @Benchmark
    public byte[][] baselineArraycopy(Stripe stripe, Copies copies, Bytes bytes) {
        for (int j = 0; j < stripe.dataCells(); j++) {
            System.arraycopy(stripe.cells[j], 0, copies.cells[j], 0, stripe.cellSize);
        }
        bytes.dataBytes += stripe.dataBytes;
        return copies.cells;
    }

    /** Destination of the arraycopy baseline. */
    @State(Scope.Thread)
    public static class Copies {
        byte[][] cells;

        @Setup(Level.Trial)
        public void setUp(Stripe stripe) {
            cells = new byte[stripe.dataCells()][stripe.cellSize];
        }
    }
}
