package io.checkstripe.bench;

import io.checkstripe.codec.ErasureCodec;
import io.checkstripe.codec.RedundancyPolicy;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Throughput of the codecs on one stripe of K cells, beside two baselines over the same K
 * cells: XOR-ing them into one cell, and copying them with {@code System.arraycopy}.
 *
 * <p>One operation handles one stripe. Every benchmark also counts the stripe's data bytes
 * (K x cell size) in the {@code dataBytes} auxiliary counter, which JMH reports as a rate: its
 * "ops/s" are data bytes per second, so MB/s (10^6 bytes) is that figure divided by 10^6, for
 * encode, decode and the baselines alike. Decoding rebuilds lost data cells in place, so the
 * stripe stays valid across invocations; the decode plan is built in setup, as in a long-running
 * restore.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class CodecBenchmark {

    @Param({"XOR-4-1", "RS-4-2", "RS-6-3", "RS-10-4"})
    public String policy;

    @Param({"1048576"})
    public int cellSize;

    private ErasureCodec codec;
    private byte[][] cells;
    private boolean[] oneLost;
    private boolean[] mLost;
    private byte[] xorTarget;
    private byte[][] copies;
    private long dataBytes;

    /** Data bytes handled, reported by JMH as bytes per second. */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        public long dataBytes;
    }

    @Setup(Level.Trial)
    public void setUp() {
        codec = RedundancyPolicy.parse(policy).codec();
        int k = codec.dataCells();
        int n = codec.totalCells();
        cells = new byte[n][cellSize];
        SplittableRandom random = new SplittableRandom(42);
        for (int j = 0; j < k; j++) {
            random.nextBytes(cells[j]);
        }
        codec.encode(cells, 0, cellSize);
        oneLost = new boolean[n];
        Arrays.fill(oneLost, true);
        oneLost[0] = false;
        mLost = new boolean[n];
        Arrays.fill(mLost, true);
        Arrays.fill(mLost, 0, codec.parityCells(), false);
        codec.decode(cells, oneLost, 0, cellSize);
        codec.decode(cells, mLost, 0, cellSize);
        xorTarget = new byte[cellSize];
        copies = new byte[k][cellSize];
        dataBytes = (long) k * cellSize;
    }

    @Benchmark
    public byte[][] encode(Bytes bytes) {
        codec.encode(cells, 0, cellSize);
        bytes.dataBytes += dataBytes;
        return cells;
    }

    @Benchmark
    public byte[][] decodeOneLostDataCell(Bytes bytes) {
        codec.decode(cells, oneLost, 0, cellSize);
        bytes.dataBytes += dataBytes;
        return cells;
    }

    @Benchmark
    public byte[][] decodeMLostDataCells(Bytes bytes) {
        codec.decode(cells, mLost, 0, cellSize);
        bytes.dataBytes += dataBytes;
        return cells;
    }

    /** Baseline: the K data cells XORed into one, in the plainest loop. */
    @Benchmark
    public byte[] baselineXorLoop(Bytes bytes) {
        byte[] out = xorTarget;
        System.arraycopy(cells[0], 0, out, 0, cellSize);
        int k = codec.dataCells();
        for (int j = 1; j < k; j++) {
            byte[] in = cells[j];
            for (int i = 0; i < cellSize; i++) {
                out[i] ^= in[i];
            }
        }
        bytes.dataBytes += dataBytes;
        return out;
    }

    /** Baseline: the K data cells copied, the least any striping must do. */
    @Benchmark
    public byte[][] baselineArraycopy(Bytes bytes) {
        int k = codec.dataCells();
        for (int j = 0; j < k; j++) {
            System.arraycopy(cells[j], 0, copies[j], 0, cellSize);
        }
        bytes.dataBytes += dataBytes;
        return copies;
    }
}
