package io.checkstripe.codec;

import java.util.Arrays;

/**
 * Fewer cells of a stripe survive than the code needs: the stripe cannot be rebuilt.
 *
 * <p>Carries the facts a restore tool reports: which cell indexes were missing, how many cells
 * the code needs and how many a stripe has. Mapping cells to servers is the caller's job
 * ({@link CellLayout#serverOf(long, int, int)}).
 */
public final class TooFewCellsException extends CodecException {

    private static final long serialVersionUID = 1L;

    private final int totalCells;
    private final int requiredCells;
    private final int[] missingCells;

    /**
     * @param totalCells cells per stripe (K + M)
     * @param requiredCells cells needed to decode (K)
     * @param missingCells indexes of the cells that were not present, ascending
     */
    public TooFewCellsException(int totalCells, int requiredCells, int[] missingCells) {
        super("cannot decode: need " + requiredCells + " of " + totalCells + " cells but only "
                + (totalCells - missingCells.length) + " are present; missing cells "
                + Arrays.toString(missingCells));
        this.totalCells = totalCells;
        this.requiredCells = requiredCells;
        this.missingCells = missingCells.clone();
    }

    /** Indexes of the missing cells, ascending (a copy). */
    public int[] missingCells() {
        return missingCells.clone();
    }

    /** Cells needed to decode a stripe (K). */
    public int requiredCells() {
        return requiredCells;
    }

    /** Cells per stripe (K + M). */
    public int totalCells() {
        return totalCells;
    }
}
