package io.checkstripe.codec;

import java.util.Arrays;

/**
 * Reference kernel in plain Java: each product is a lookup in the coefficient's 256-byte
 * multiplication row. The byte range is cut into blocks small enough that one block of every
 * input stays in the L1/L2 cache while each output row in turn reads it; coefficient-1 terms
 * are plain XOR loops (which C2 vectorizes) and the others are looked up four inputs at a time,
 * so each output byte is written once per four inputs.
 */
final class ScalarGfKernel implements GfKernel {

    /** Bytes per block: 10 inputs of 2 KiB plus an output fit in a 32 KiB L1 data cache. */
    static final int DEFAULT_BLOCK = 2048;

    static final ScalarGfKernel INSTANCE = new ScalarGfKernel(DEFAULT_BLOCK);

    private final int block;

    ScalarGfKernel(int block) {
        if (block < 1) {
            throw new IllegalArgumentException("block must be >= 1, got " + block);
        }
        this.block = block;
    }

    @Override
    public void apply(CodingRows rows, byte[][] cells, int[] inputs, int[] outputs, int offset, int length) {
        int end = offset + length;
        for (int from = offset; from < end; ) {
            int to = from + Math.min(block, end - from);
            for (int r = 0; r < outputs.length; r++) {
                row(rows, r, cells, inputs, cells[outputs[r]], from, to);
            }
            from = to;
        }
    }

    private static void row(CodingRows rows, int r, byte[][] cells, int[] inputs, byte[] out, int from, int to) {
        boolean set = true;
        int[] ones = rows.onesColumns(r);
        int i = 0;
        for (; i + 1 < ones.length; i += 2) {
            ByteLoops.xor2(out, cells[inputs[ones[i]]], cells[inputs[ones[i + 1]]], from, to, set);
            set = false;
        }
        if (i < ones.length) {
            ByteLoops.xor1(out, cells[inputs[ones[i]]], from, to, set);
            set = false;
        }
        int[] cols = rows.mulColumns(r);
        byte[][] tables = rows.mulTables(r);
        int j = 0;
        for (; j + 3 < cols.length; j += 4) {
            mul4(out, cells[inputs[cols[j]]], tables[j], cells[inputs[cols[j + 1]]], tables[j + 1],
                    cells[inputs[cols[j + 2]]], tables[j + 2], cells[inputs[cols[j + 3]]], tables[j + 3],
                    from, to, set);
            set = false;
        }
        switch (cols.length - j) {
            case 3 -> {
                mul3(out, cells[inputs[cols[j]]], tables[j], cells[inputs[cols[j + 1]]], tables[j + 1],
                        cells[inputs[cols[j + 2]]], tables[j + 2], from, to, set);
                set = false;
            }
            case 2 -> {
                mul2(out, cells[inputs[cols[j]]], tables[j], cells[inputs[cols[j + 1]]], tables[j + 1],
                        from, to, set);
                set = false;
            }
            case 1 -> {
                mul1(out, cells[inputs[cols[j]]], tables[j], from, to, set);
                set = false;
            }
            default -> {
                // every remaining term was handled above
            }
        }
        if (set) {
            Arrays.fill(out, from, to, (byte) 0);
        }
    }

    private static void mul4(byte[] out, byte[] a, byte[] ta, byte[] b, byte[] tb, byte[] c, byte[] tc,
                             byte[] d, byte[] td, int from, int to, boolean set) {
        if (set) {
            for (int i = from; i < to; i++) {
                out[i] = (byte) (ta[a[i] & 0xff] ^ tb[b[i] & 0xff] ^ tc[c[i] & 0xff] ^ td[d[i] & 0xff]);
            }
        } else {
            for (int i = from; i < to; i++) {
                out[i] ^= (byte) (ta[a[i] & 0xff] ^ tb[b[i] & 0xff] ^ tc[c[i] & 0xff] ^ td[d[i] & 0xff]);
            }
        }
    }

    private static void mul3(byte[] out, byte[] a, byte[] ta, byte[] b, byte[] tb, byte[] c, byte[] tc,
                             int from, int to, boolean set) {
        if (set) {
            for (int i = from; i < to; i++) {
                out[i] = (byte) (ta[a[i] & 0xff] ^ tb[b[i] & 0xff] ^ tc[c[i] & 0xff]);
            }
        } else {
            for (int i = from; i < to; i++) {
                out[i] ^= (byte) (ta[a[i] & 0xff] ^ tb[b[i] & 0xff] ^ tc[c[i] & 0xff]);
            }
        }
    }

    private static void mul2(byte[] out, byte[] a, byte[] ta, byte[] b, byte[] tb, int from, int to, boolean set) {
        if (set) {
            for (int i = from; i < to; i++) {
                out[i] = (byte) (ta[a[i] & 0xff] ^ tb[b[i] & 0xff]);
            }
        } else {
            for (int i = from; i < to; i++) {
                out[i] ^= (byte) (ta[a[i] & 0xff] ^ tb[b[i] & 0xff]);
            }
        }
    }

    private static void mul1(byte[] out, byte[] a, byte[] ta, int from, int to, boolean set) {
        if (set) {
            for (int i = from; i < to; i++) {
                out[i] = ta[a[i] & 0xff];
            }
        } else {
            for (int i = from; i < to; i++) {
                out[i] ^= ta[a[i] & 0xff];
            }
        }
    }
}
