package io.checkstripe.store;

import java.io.IOException;

/**
 * Bytes that should hold a cell record do not: wrong magic, an unknown version, a header whose CRC32C does
 * not match, a header whose fields make no sense, or a stream that ends inside a record. It is an
 * {@link IOException} because it is found while reading; a record whose header is sound but whose data does
 * not match the data CRC is not this, but a {@link CellReadResult} that is not intact.
 */
public final class CorruptRecordException extends IOException {

    private static final long serialVersionUID = 1L;

    public CorruptRecordException(String message) {
        super(message);
    }

    public CorruptRecordException(String message, Throwable cause) {
        super(message, cause);
    }
}
