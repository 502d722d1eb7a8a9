package io.checkstripe.codec;

/**
 * Reference kernel in plain Java, using the packed tables of {@link CodingRows}: for each
 * group of up to four output rows, one {@code int} lookup per input byte gives that byte's
 * products for all four rows, XORed into a per-thread accumulator; the accumulator's four bytes
 * are then written out to the four output cells. So a stripe of K inputs costs K lookups per
 * byte position per four parity cells, rather than one lookup per coefficient.
 *
 * <p>The byte range is cut into blocks so that one block of every input, the accumulator and
 * the tables stay in the L1/L2 cache while every row group reads them. Inputs are taken four at
 * a time so the accumulator is read and written once per four lookups.
 *
 * <p>Thread-safe: the accumulator is a per-thread {@code int[block]} (4 KiB by default)
 * allocated on a thread's first call; nothing else is allocated.
 */
final class ScalarGfKernel implements GfKernel {

    /** Bytes per block: 10 inputs of 1 KiB, their 10 KiB of tables and a 4 KiB accumulator fit a 32 KiB L1. */
    static final int DEFAULT_BLOCK = 1024;

    static final ScalarGfKernel INSTANCE = new ScalarGfKernel(DEFAULT_BLOCK);

    private final int block;
    private final ThreadLocal<int[]> accumulators;

    ScalarGfKernel(int block) {
        if (block < 1) {
            throw new IllegalArgumentException("block must be >= 1, got " + block);
        }
        this.block = block;
        this.accumulators = ThreadLocal.withInitial(() -> new int[block]);
    }

    @Override
    public String name() {
        return GfKernels.SCALAR;
    }

    @Override
    public CodingRows rows(int[][] coefficients, int columns) {
        return new CodingRows(coefficients, columns, false);
    }

    @Override
    public void apply(CodingRows rows, byte[][] cells, int[] inputs, int[] outputs, int offset, int length) {
        int[] acc = accumulators.get();
        int end = offset + length;
        for (int from = offset; from < end; ) {
            int len = Math.min(block, end - from);
            for (int group = 0; group < rows.groups(); group++) {
                accumulate(rows.packedTables(group), cells, inputs, acc, from, len);
                int first = group * CodingRows.ROWS_PER_GROUP;
                for (int r = 0; r < rows.groupSize(group); r++) {
                    scatter(acc, 8 * r, cells[outputs[first + r]], from, len);
                }
            }
            from += len;
        }
    }

    /** acc[0, len) = XOR over inputs c of tables[c][cells[inputs[c]][from + i]]. */
    private static void accumulate(int[][] tables, byte[][] cells, int[] inputs, int[] acc, int from, int len) {
        int k = inputs.length;
        boolean set = true;
        int c = 0;
        for (; c + 3 < k; c += 4) {
            lookup4(acc, cells[inputs[c]], tables[c], cells[inputs[c + 1]], tables[c + 1], cells[inputs[c + 2]],
                    tables[c + 2], cells[inputs[c + 3]], tables[c + 3], from, len, set);
            set = false;
        }
        for (; c < k; c++) {
            lookup1(acc, cells[inputs[c]], tables[c], from, len, set);
            set = false;
        }
    }

    private static void lookup4(int[] acc, byte[] a, int[] ta, byte[] b, int[] tb, byte[] c, int[] tc, byte[] d,
                                int[] td, int from, int len, boolean set) {
        if (set) {
            for (int i = 0; i < len; i++) {
                int p = from + i;
                acc[i] = ta[a[p] & 0xff] ^ tb[b[p] & 0xff] ^ tc[c[p] & 0xff] ^ td[d[p] & 0xff];
            }
        } else {
            for (int i = 0; i < len; i++) {
                int p = from + i;
                acc[i] ^= ta[a[p] & 0xff] ^ tb[b[p] & 0xff] ^ tc[c[p] & 0xff] ^ td[d[p] & 0xff];
            }
        }
    }

    private static void lookup1(int[] acc, byte[] a, int[] ta, int from, int len, boolean set) {
        if (set) {
            for (int i = 0; i < len; i++) {
                acc[i] = ta[a[from + i] & 0xff];
            }
        } else {
            for (int i = 0; i < len; i++) {
                acc[i] ^= ta[a[from + i] & 0xff];
            }
        }
    }

    private static void scatter(int[] acc, int shift, byte[] out, int from, int len) {
        for (int i = 0; i < len; i++) {
            out[from + i] = (byte) (acc[i] >>> shift);
        }
    }
}
