package io.checkstripe.store;

import io.checkstripe.codec.CorruptCellException;
import io.checkstripe.codec.Crc32c;
import java.util.Objects;

/**
 * A cell as read back, with the CRC32C of the bytes actually read. Reading never throws for a data CRC
 * mismatch: a restorer treats a corrupt cell as an erasure and a scrub reports it, so both need the facts
 * rather than an exception; {@link #verified()} turns a mismatch into the codec's
 * {@link CorruptCellException} for callers that want one. Immutable and thread-safe (see {@link StoredCell}
 * about the data array).
 *
 * @param cell           the header and the bytes as read
 * @param computedCrc32c CRC32C of {@code cell.data()}
 */
public record CellReadResult(StoredCell cell, int computedCrc32c) {

    public CellReadResult {
        Objects.requireNonNull(cell, "cell");
    }

    /** Builds the result of reading {@code cell}, computing the CRC of its bytes. */
    public static CellReadResult of(StoredCell cell) {
        return new CellReadResult(cell, Crc32c.of(cell.data(), 0, cell.data().length));
    }

    /** Whether the bytes match the CRC32C the striper recorded. */
    public boolean intact() {
        return computedCrc32c == cell.header().crc32c();
    }

    /**
     * The cell, if intact.
     *
     * @throws CorruptCellException with the stored and computed CRC32C when it is not
     */
    public StoredCell verified() {
        if (!intact()) {
            throw new CorruptCellException("corrupt cell " + cell.header(), cell.header().crc32c(), computedCrc32c);
        }
        return cell;
    }
}
