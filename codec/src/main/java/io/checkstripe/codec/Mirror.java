package io.checkstripe.codec;

/**
 * R whole copies: the {@code MIRROR-R} policy, modelled as K = 1 data cell and M = R - 1
 * "parity" cells that are copies of it. Survives R - 1 losses at R times the storage; useful
 * for small checkpoints where the encode cost or the spread of cells matters more than space.
 *
 * <p>Immutable, thread-safe, allocation-free.
 */
public final class Mirror extends AbstractErasureCodec {

    private Mirror(int copies) {
        super(1, copies - 1);
    }

    /**
     * The MIRROR-R codec.
     *
     * @throws IllegalArgumentException unless 1 &lt;= R &lt;= 255
     */
    public static Mirror create(int copies) {
        if (copies < 1 || copies > 255) {
            throw new IllegalArgumentException("a mirror needs 1 <= R <= 255 copies, got R=" + copies);
        }
        return new Mirror(copies);
    }

    /** R, the number of copies. */
    public int copies() {
        return m + 1;
    }

    @Override
    void encodeChecked(byte[][] cells, int offset, int length) {
        for (int i = 1; i < cells.length; i++) {
            System.arraycopy(cells[0], offset, cells[i], offset, length);
        }
    }

    @Override
    void decodeChecked(byte[][] cells, boolean[] present, boolean[] wanted, int offset, int length) {
        int source = 0;
        while (!present[source]) {
            source++;
        }
        for (int i = 0; i < cells.length; i++) {
            if (isWanted(present, wanted, i)) {
                System.arraycopy(cells[source], offset, cells[i], offset, length);
            }
        }
    }
}
