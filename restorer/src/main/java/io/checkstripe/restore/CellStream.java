package io.checkstripe.restore;

import io.checkstripe.sink.store.CellReadResult;
import java.io.Closeable;
import java.io.IOException;
import java.util.Optional;

/**
 * The cells of a range of segments from one source, one at a time, so that only the cell in hand is in
 * memory. Not thread-safe; close it when done, even when it is not read to the end.
 */
public interface CellStream extends Closeable {

    /**
     * The next cell with the CRC32C of its bytes as read, or empty at the end of the range.
     *
     * @throws IOException when the source fails or sends bytes that are no cell record; the rest of the
     *                     range is then unavailable from this stream
     */
    Optional<CellReadResult> next() throws IOException;
}
