package io.checkstripe.codec;

/**
 * Single parity: the parity cell is the XOR of the K data cells, and any one lost cell is the
 * XOR of the other K. This is the {@code XOR-K-1} policy, RAID-5's code: the cheapest to
 * compute, surviving exactly one loss. Its parity bytes equal those of RS-K-1.
 *
 * <p>Immutable, thread-safe, allocation-free; the loops are {@link XorLoops}.
 */
public final class XorParity extends AbstractErasureCodec {

    /** others[i]: every cell index but i, in order: the inputs that rebuild cell i. */
    private final int[][] others;

    private XorParity(int k) {
        super(k, 1);
        this.others = new int[k + 1][k];
        for (int target = 0; target <= k; target++) {
            for (int i = 0, n = 0; i <= k; i++) {
                if (i != target) {
                    others[target][n++] = i;
                }
            }
        }
    }

    /**
     * The XOR-K-1 codec.
     *
     * @throws IllegalArgumentException unless 1 &lt;= K &lt;= 254
     */
    public static XorParity create(int k) {
        if (k < 1 || k > 254) {
            throw new IllegalArgumentException("XOR parity needs 1 <= K <= 254, got K=" + k);
        }
        return new XorParity(k);
    }

    @Override
    void encodeChecked(byte[][] cells, int offset, int length) {
        XorLoops.sum(cells, others[k], k, offset, length);
    }

    @Override
    void decodeChecked(byte[][] cells, boolean[] present, boolean[] wanted, int offset, int length) {
        // at least K of K + 1 cells are present and one is missing: exactly that one
        for (int i = 0; i <= k; i++) {
            if (!present[i]) {
                XorLoops.sum(cells, others[i], i, offset, length);
                return;
            }
        }
    }
}
