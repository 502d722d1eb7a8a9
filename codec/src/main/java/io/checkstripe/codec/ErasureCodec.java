package io.checkstripe.codec;

/**
 * A systematic erasure code over one stripe of K data cells and M parity cells.
 *
 * <p>Cells are caller-owned byte arrays, one per cell, indexed 0..K-1 for data and K..K+M-1
 * for parity; every call works on the same byte range {@code [offset, offset + length)} of
 * each cell. Arrays may be longer than that range (so buffers can be reused), but the K + M
 * arrays must be distinct objects. Shapes are validated and a bad one is an
 * {@link IllegalArgumentException} naming the value.
 *
 * <p>Implementations are immutable and thread-safe, and {@code encode}/{@code decode}
 * allocate nothing on the heap (a Reed-Solomon decoder computes and caches its matrix on the
 * first call for each erasure pattern). Obtain them from {@link RedundancyPolicy#codec()} or
 * the factories {@link ReedSolomon#create(int, int)}, {@link XorParity#create(int)},
 * {@link Mirror#create(int)} and {@link PlainStripe#create(int)}.
 */
public interface ErasureCodec {

    /** K: data cells per stripe, also the number of cells needed to decode. */
    int dataCells();

    /** M: parity cells per stripe, also the number of lost cells the code survives. */
    int parityCells();

    /** K + M. */
    default int totalCells() {
        return dataCells() + parityCells();
    }

    /**
     * Computes the parity cells {@code cells[K..K+M)} from the data cells {@code cells[0..K)}.
     *
     * @param cells exactly K + M arrays, each at least {@code offset + length} long
     */
    void encode(byte[][] cells, int offset, int length);

    /**
     * Rebuilds in place every cell {@code i} with {@code present[i] == false}, data and parity
     * alike, from any K present cells. Present cells are read and never written.
     *
     * @throws TooFewCellsException if a cell is missing and fewer than K are present
     */
    default void decode(byte[][] cells, boolean[] present, int offset, int length) {
        decode(cells, present, null, offset, length);
    }

    /**
     * Rebuilds in place only the missing cells {@code i} with {@code wanted[i] == true}; other
     * missing cells are left untouched. A restore needs only the data cells, a repair only the
     * cells of the replaced server, and rebuilding fewer cells is cheaper.
     *
     * @param wanted K + M flags, or {@code null} for every missing cell
     * @throws TooFewCellsException if a wanted cell is missing and fewer than K are present
     */
    void decode(byte[][] cells, boolean[] present, boolean[] wanted, int offset, int length);
}
