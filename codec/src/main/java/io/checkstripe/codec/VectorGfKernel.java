package io.checkstripe.codec;

import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.XOR;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * Split-nibble kernel on the Vector API (the method of ISA-L and of most SIMD erasure codes):
 * a product {@code c * b} in GF(2^8) is {@code lo[b & 15] ^ hi[b >>> 4]} with two 16-entry
 * tables per coefficient, and a byte shuffle ({@code vpshufb}/{@code vpermb}) looks up one table
 * for a whole vector of bytes at once. So a 512-bit vector does 64 multiply-adds with two
 * shuffles, two XORs and a share of the nibble split, where a table loop does one per lookup.
 *
 * <p>Output rows are taken in the groups of up to four of {@link CodingRows}: for every vector
 * position the inputs are read once, split into nibbles once, and each nibble vector is looked
 * up in every row's table, the products summing in one register per row; the registers are
 * stored once at the end. Inputs and outputs thus cross memory once per group of four rows. The
 * bytes past the last whole vector go to {@link ScalarGfKernel}.
 *
 * <p>This class needs the incubator module {@code jdk.incubator.vector} (the JVM option
 * {@code --add-modules jdk.incubator.vector}); {@link GfKernels} loads it by name only when that
 * module is there. The vector width is the platform's preferred one, at most 512 bits (the
 * width of the tables). Until C2 compiles it the Vector API runs slowly and allocates; after
 * that it allocates nothing. So the default codecs call it only once {@link VectorWarmUp} has
 * had it compiled ({@link WarmingGfKernel}). Stateless and thread-safe.
 */
final class VectorGfKernel implements VectorWarmUp.Passes {

    private static final VectorSpecies<Byte> SPECIES = ByteVector.SPECIES_PREFERRED.vectorByteSize()
            > CodingRows.NIBBLE_TABLE_STRIDE ? ByteVector.SPECIES_512 : ByteVector.SPECIES_PREFERRED;
    private static final int WIDTH = SPECIES.length();
    private static final int STRIDE = CodingRows.NIBBLE_TABLE_STRIDE;
    private static final byte LOW = 0x0F;

    static final VectorGfKernel INSTANCE = new VectorGfKernel();

    private VectorGfKernel() {
    }

    /** Bytes per vector on this platform. */
    static int vectorBytes() {
        return WIDTH;
    }

    @Override
    public String name() {
        return GfKernels.VECTOR + "-" + WIDTH * 8;
    }

    @Override
    public CodingRows rows(int[][] coefficients, int columns) {
        return new CodingRows(coefficients, columns, true);
    }

    @Override
    public void apply(CodingRows rows, byte[][] cells, int[] inputs, int[] outputs, int offset, int length) {
        int end = offset + length;
        int vectorEnd = offset + length / WIDTH * WIDTH;
        if (vectorEnd > offset) {
            for (int group = 0; group < rows.groups(); group++) {
                byte[] t = rows.nibbleTables(group);
                int first = group * CodingRows.ROWS_PER_GROUP;
                switch (rows.groupSize(group)) {
                    case 1 -> rows1(t, cells, inputs, cells[outputs[first]], offset, vectorEnd);
                    case 2 -> rows2(t, cells, inputs, cells[outputs[first]], cells[outputs[first + 1]], offset, vectorEnd);
                    case 3 -> rows3(t, cells, inputs, cells[outputs[first]], cells[outputs[first + 1]],
                            cells[outputs[first + 2]], offset, vectorEnd);
                    default -> rows4(t, cells, inputs, cells[outputs[first]], cells[outputs[first + 1]],
                            cells[outputs[first + 2]], cells[outputs[first + 3]], offset, vectorEnd);
                }
            }
        }
        if (vectorEnd < end) {
            ScalarGfKernel.INSTANCE.apply(rows, cells, inputs, outputs, vectorEnd, end - vectorEnd);
        }
    }

    /** Calls the passes straight, not through {@link #apply}: see {@link VectorWarmUp} for why. */
    @Override
    public void applyEachPass(CodingRows[] passes, byte[][] cells, int[] inputs, int[][] outputs, int from, int to) {
        if ((to - from) % WIDTH != 0) {
            throw new IllegalArgumentException("the range must be whole vectors of " + WIDTH + " bytes, got " + from
                    + ".." + to);
        }
        int[] o = outputs[0];
        rows1(passes[0].nibbleTables(0), cells, inputs, cells[o[0]], from, to);
        o = outputs[1];
        rows2(passes[1].nibbleTables(0), cells, inputs, cells[o[0]], cells[o[1]], from, to);
        o = outputs[2];
        rows3(passes[2].nibbleTables(0), cells, inputs, cells[o[0]], cells[o[1]], cells[o[2]], from, to);
        o = outputs[3];
        rows4(passes[3].nibbleTables(0), cells, inputs, cells[o[0]], cells[o[1]], cells[o[2]], cells[o[3]], from, to);
    }

    /*
     * The four passes below spell every Vector API call out instead of sharing helpers. The API's
     * own methods are force-inlined by C2; ours are not, and past C2's inlining budget (which
     * these calls use up fast) a helper stays a real call whose vector arguments and result are
     * boxed on the heap: slower, and allocating per vector. So no vector value crosses a method
     * of this class. High nibbles come from shifting 32-bit lanes right by 4 (x86 has no byte
     * shift) and masking, which drops the bits shifted in from the neighbouring byte. Tables:
     * group of n rows, column c, row r: low table at (c * n + r) * 2 * STRIDE, high table STRIDE
     * later.
     */

    private static void rows1(byte[] t, byte[][] cells, int[] inputs, byte[] o0, int from, int to) {
        int k = inputs.length;
        for (int i = from; i < to; i += WIDTH) {
            ByteVector a0 = ByteVector.zero(SPECIES);
            for (int c = 0, p = 0; c < k; c++, p += 2 * STRIDE) {
                ByteVector x = ByteVector.fromArray(SPECIES, cells[inputs[c]], i);
                VectorShuffle<Byte> lo = x.and(LOW).toShuffle();
                VectorShuffle<Byte> hi = x.reinterpretAsInts().lanewise(LSHR, 4).reinterpretAsBytes().and(LOW).toShuffle();
                a0 = a0.lanewise(XOR, ByteVector.fromArray(SPECIES, t, p).rearrange(lo))
                        .lanewise(XOR, ByteVector.fromArray(SPECIES, t, p + STRIDE).rearrange(hi));
            }
            a0.intoArray(o0, i);
        }
    }

    private static void rows2(byte[] t, byte[][] cells, int[] inputs, byte[] o0, byte[] o1, int from, int to) {
        int k = inputs.length;
        for (int i = from; i < to; i += WIDTH) {
            ByteVector a0 = ByteVector.zero(SPECIES);
            ByteVector a1 = a0;
            for (int c = 0, p = 0; c < k; c++, p += 4 * STRIDE) {
                ByteVector x = ByteVector.fromArray(SPECIES, cells[inputs[c]], i);
                VectorShuffle<Byte> lo = x.and(LOW).toShuffle();
                VectorShuffle<Byte> hi = x.reinterpretAsInts().lanewise(LSHR, 4).reinterpretAsBytes().and(LOW).toShuffle();
                a0 = a0.lanewise(XOR, ByteVector.fromArray(SPECIES, t, p).rearrange(lo))
                        .lanewise(XOR, ByteVector.fromArray(SPECIES, t, p + STRIDE).rearrange(hi));
                a1 = a1.lanewise(XOR, ByteVector.fromArray(SPECIES, t, p + 2 * STRIDE).rearrange(lo))
                        .lanewise(XOR, ByteVector.fromArray(SPECIES, t, p + 3 * STRIDE).rearrange(hi));
            }
            a0.intoArray(o0, i);
            a1.intoArray(o1, i);
        }
    }

    private static void rows3(byte[] t, byte[][] cells, int[] inputs, byte[] o0, byte[] o1, byte[] o2, int from,
                              int to) {
        int k = inputs.length;
        for (int i = from; i < to; i += WIDTH) {
            ByteVector a0 = ByteVector.zero(SPECIES);
            ByteVector a1 = a0;
            ByteVector a2 = a0;
            for (int c = 0, p = 0; c < k; c++, p += 6 * STRIDE) {
                ByteVector x = ByteVector.fromArray(SPECIES, cells[inputs[c]], i);
                VectorShuffle<Byte> lo = x.and(LOW).toShuffle();
                VectorShuffle<Byte> hi = x.reinterpretAsInts().lanewise(LSHR, 4).reinterpretAsBytes().and(LOW).toShuffle();
                a0 = a0.lanewise(XOR, ByteVector.fromArray(SPECIES, t, p).rearrange(lo))
                        .lanewise(XOR, ByteVector.fromArray(SPECIES, t, p + STRIDE).rearrange(hi));
                a1 = a1.lanewise(XOR, ByteVector.fromArray(SPECIES, t, p + 2 * STRIDE).rearrange(lo))
                        .lanewise(XOR, ByteVector.fromArray(SPECIES, t, p + 3 * STRIDE).rearrange(hi));
                a2 = a2.lanewise(XOR, ByteVector.fromArray(SPECIES, t, p + 4 * STRIDE).rearrange(lo))
                        .lanewise(XOR, ByteVector.fromArray(SPECIES, t, p + 5 * STRIDE).rearrange(hi));
            }
            a0.intoArray(o0, i);
            a1.intoArray(o1, i);
            a2.intoArray(o2, i);
        }
    }

    private static void rows4(byte[] t, byte[][] cells, int[] inputs, byte[] o0, byte[] o1, byte[] o2, byte[] o3,
                              int from, int to) {
        int k = inputs.length;
        for (int i = from; i < to; i += WIDTH) {
            ByteVector a0 = ByteVector.zero(SPECIES);
            ByteVector a1 = a0;
            ByteVector a2 = a0;
            ByteVector a3 = a0;
            for (int c = 0, p = 0; c < k; c++, p += 8 * STRIDE) {
                ByteVector x = ByteVector.fromArray(SPECIES, cells[inputs[c]], i);
                VectorShuffle<Byte> lo = x.and(LOW).toShuffle();
                VectorShuffle<Byte> hi = x.reinterpretAsInts().lanewise(LSHR, 4).reinterpretAsBytes().and(LOW).toShuffle();
                a0 = a0.lanewise(XOR, ByteVector.fromArray(SPECIES, t, p).rearrange(lo))
                        .lanewise(XOR, ByteVector.fromArray(SPECIES, t, p + STRIDE).rearrange(hi));
                a1 = a1.lanewise(XOR, ByteVector.fromArray(SPECIES, t, p + 2 * STRIDE).rearrange(lo))
                        .lanewise(XOR, ByteVector.fromArray(SPECIES, t, p + 3 * STRIDE).rearrange(hi));
                a2 = a2.lanewise(XOR, ByteVector.fromArray(SPECIES, t, p + 4 * STRIDE).rearrange(lo))
                        .lanewise(XOR, ByteVector.fromArray(SPECIES, t, p + 5 * STRIDE).rearrange(hi));
                a3 = a3.lanewise(XOR, ByteVector.fromArray(SPECIES, t, p + 6 * STRIDE).rearrange(lo))
                        .lanewise(XOR, ByteVector.fromArray(SPECIES, t, p + 7 * STRIDE).rearrange(hi));
            }
            a0.intoArray(o0, i);
            a1.intoArray(o1, i);
            a2.intoArray(o2, i);
            a3.intoArray(o3, i);
        }
    }
}
