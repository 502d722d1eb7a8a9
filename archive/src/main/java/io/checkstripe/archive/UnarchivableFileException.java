package io.checkstripe.archive;

import io.checkstripe.core.CheckstripeException;
import java.nio.file.Path;

/**
 * A directory cannot be archived because of one of its files: a link whose target is absolute or leaves the
 * directory, a device, FIFO or socket, a name the archive cannot hold, or a file that changed while it was
 * read. Names the file; the archive stream stops there, so no entry with wrong content is ever emitted.
 *
 * <p>Only a change while reading is {@linkplain #retriable() retriable}: archiving a quiescent directory again
 * may succeed, while the other reasons stay until someone changes the directory.
 */
public final class UnarchivableFileException extends CheckstripeException {

    private static final long serialVersionUID = 1L;

    /** Why the file cannot be archived. */
    public enum Reason {
        /** A symbolic link whose target is absolute or, resolved against the link's directory, leaves the root. */
        LINK_ESCAPES,
        /** A device, FIFO, socket or other file that is not a directory, regular file or symbolic link. */
        SPECIAL_FILE,
        /** A path the archive format cannot hold (too long, a backslash, not representable as UTF-8). */
        UNSUPPORTED_NAME,
        /** The file's size or modification time changed between listing it and reading its last byte. */
        CHANGED_WHILE_READING
    }

    private final transient Path path;
    private final Reason reason;

    public UnarchivableFileException(Path path, Reason reason, String detail) {
        super("cannot archive " + path + ": " + detail);
        this.path = path;
        this.reason = reason;
    }

    /** The file at fault. */
    public Path path() {
        return path;
    }

    /** Why it cannot be archived. */
    public Reason reason() {
        return reason;
    }

    @Override
    public boolean retriable() {
        return reason == Reason.CHANGED_WHILE_READING;
    }
}
