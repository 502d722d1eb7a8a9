package io.checkstripe.codec;

/**
 * K data cells and no parity: the {@code STRIPE-K} policy. It spreads a checkpoint over K
 * servers at no storage cost and survives no loss; a missing cell is always a
 * {@link TooFewCellsException}. Encoding only validates the shapes.
 *
 * <p>Immutable, thread-safe, allocation-free.
 */
public final class PlainStripe extends AbstractErasureCodec {

    private PlainStripe(int k) {
        super(k, 0);
    }

    /**
     * The STRIPE-K codec.
     *
     * @throws IllegalArgumentException unless 1 &lt;= K &lt;= 255
     */
    public static PlainStripe create(int k) {
        if (k < 1 || k > 255) {
            throw new IllegalArgumentException("a plain stripe needs 1 <= K <= 255, got K=" + k);
        }
        return new PlainStripe(k);
    }

    @Override
    void encodeChecked(byte[][] cells, int offset, int length) {
        throw new IllegalStateException("STRIPE has no parity to encode");
    }

    @Override
    void decodeChecked(byte[][] cells, boolean[] present, boolean[] wanted, int offset, int length) {
        throw new IllegalStateException("STRIPE cannot rebuild a cell");
    }
}
