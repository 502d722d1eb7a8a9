package io.checkstripe.bench;

import io.checkstripe.codec.RedundancyPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.apache.hadoop.io.erasurecode.ErasureCoderOptions;
import org.apache.hadoop.io.erasurecode.rawcoder.RSRawErasureCoderFactory;
import org.apache.hadoop.io.erasurecode.rawcoder.RawErasureCoderFactory;
import org.apache.hadoop.io.erasurecode.rawcoder.RawErasureDecoder;
import org.apache.hadoop.io.erasurecode.rawcoder.RawErasureEncoder;
import org.apache.hadoop.io.erasurecode.rawcoder.XORRawErasureCoderFactory;

/**
 * The baseline: Apache Hadoop's pure-Java raw erasure coders ({@code RSRawEncoder}/{@code RSRawDecoder},
 * or the XOR ones for XOR policies) for the same K + M shape, on {@code byte[]} cells. Hadoop
 * uses another coding matrix, so its parity differs from ours; it writes its parity into arrays
 * of its own and decodes from them. Not thread-safe (Hadoop's decoder is synchronized and keeps
 * per-pattern state).
 */
final class HadoopCoder {

    private final int k;
    private final int m;
    private final RawErasureEncoder encoder;
    private final RawErasureDecoder decoder;

    HadoopCoder(RedundancyPolicy policy) {
        this.k = policy.dataCells();
        this.m = policy.parityCells();
        RawErasureCoderFactory factory = switch (policy.scheme()) {
            case RS -> new RSRawErasureCoderFactory();
            case XOR -> new XORRawErasureCoderFactory();
            default -> throw new IllegalArgumentException("Hadoop has no raw coder for " + policy);
        };
        ErasureCoderOptions options = new ErasureCoderOptions(k, m);
        this.encoder = factory.createEncoder(options);
        this.decoder = factory.createDecoder(options);
    }

    /** Computes {@code parity} (M cells) from {@code data} (K cells), whole arrays. */
    void encode(byte[][] data, byte[][] parity) {
        try {
            encoder.encode(data, parity);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Rebuilds the cells named in {@code erased} into {@code outputs}, reading {@code inputs}
     * (K + M cells: data then Hadoop's parity, null where erased).
     */
    void decode(byte[][] inputs, int[] erased, byte[][] outputs) {
        try {
            decoder.decode(inputs, erased, outputs);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Encodes, erases data cells {@code 0..lost-1}, decodes them and checks the rebuilt bytes,
     * so a benchmark knows the baseline does the real work.
     *
     * @return Hadoop's parity cells for {@code data}
     * @throws IllegalStateException if Hadoop does not rebuild its own stripe
     */
    byte[][] encodeAndCheck(byte[][] data, int lost) {
        int size = data[0].length;
        byte[][] parity = new byte[m][size];
        encode(data, parity);
        byte[][] inputs = inputs(data, parity, lost);
        int[] erased = new int[lost];
        byte[][] outputs = new byte[lost][size];
        for (int i = 0; i < lost; i++) {
            erased[i] = i;
        }
        decode(inputs, erased, outputs);
        for (int i = 0; i < lost; i++) {
            if (!Arrays.equals(outputs[i], data[i])) {
                throw new IllegalStateException("Hadoop did not rebuild data cell " + i + " of its own " + k + "+" + m
                        + " stripe");
            }
        }
        return parity;
    }

    /** Decoder inputs: data cells then parity cells, data cells {@code 0..lost-1} null. */
    byte[][] inputs(byte[][] data, byte[][] parity, int lost) {
        byte[][] inputs = new byte[k + m][];
        for (int i = lost; i < k; i++) {
            inputs[i] = data[i];
        }
        System.arraycopy(parity, 0, inputs, k, m);
        return inputs;
    }
}
