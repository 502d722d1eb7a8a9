package io.checkstripe.crypto;

import io.checkstripe.core.CheckstripeException;
import java.nio.file.Path;

/**
 * A key file or public-key file that cannot be used: missing, unreadable, malformed, of an unknown format, or
 * lacking the key a checkpoint names. The message names the file and what is wrong with it, never a key's bytes.
 */
public final class KeyFileException extends CheckstripeException {

    private static final long serialVersionUID = 1L;

    private final transient Path file;

    public KeyFileException(Path file, String problem) {
        super("key file " + file + ": " + problem);
        this.file = file;
    }

    public KeyFileException(Path file, String problem, Throwable cause) {
        super("key file " + file + ": " + problem, cause);
        this.file = file;
    }

    /** The file at fault. */
    public Path file() {
        return file;
    }
}
