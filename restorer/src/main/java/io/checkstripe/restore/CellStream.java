package io.checkstripe.restore;

import io.checkstripe.store.CellKey;
import io.checkstripe.store.CellReadResult;
import java.io.Closeable;
import java.io.IOException;
import java.util.Optional;

/**
 * The cells of a range of segments from one source, one at a time, so that only the cell in hand is in
 * memory. {@link #next()} says which cell comes next; the caller then reads its data with {@link #read()} or
 * moves on, which skips it: a restore reads the parity cells of an intact stripe only when it needs them,
 * and still learns that the server holds them. Not thread-safe; close it when done, even when it is not read
 * to the end.
 */
public interface CellStream extends Closeable {

    /**
     * The key of the next cell, as the source names it (a directory by its index, a sink by the record's
     * header), or empty at the end of the range. The data of the previous cell, if not read, is skipped.
     *
     * @throws IOException when the source fails or sends bytes that are no cell record; the rest of the
     *                     range is then unavailable from this stream
     */
    Optional<CellKey> next() throws IOException;

    /**
     * The cell {@link #next()} named, with the CRC32C of its bytes as read, or empty when the source no
     * longer holds it as that cell. At most once per cell.
     *
     * @throws IllegalStateException when there is no current cell or it was read already
     * @throws IOException           as for {@link #next()}
     */
    Optional<CellReadResult> read() throws IOException;
}
