package io.checkstripe.chunking;

import java.nio.file.Path;

import io.checkstripe.core.CheckstripeException;

/**
 * A chunk index file is not one this reader can trust: bad magic, unknown version, CRC mismatch, truncated,
 * or values that contradict each other. The caller drops it and publishes the next checkpoint in full, which
 * writes a fresh index.
 */
public final class CorruptChunkIndexException extends CheckstripeException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public CorruptChunkIndexException(Path file, String problem) {
        this(file, problem, null);
    }

    public CorruptChunkIndexException(Path file, String problem, Throwable cause) {
        super("corrupt chunk index " + file + ": " + problem, cause);
        this.file = file;
    }

    /** The index file. */
    public Path file() {
        return file;
    }
}
