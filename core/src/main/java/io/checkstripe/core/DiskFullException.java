package io.checkstripe.core;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A write failed because the file system holding {@link #path()} has no room left (or the user's quota
 * is spent). Typed, so that the sink can report "disk full" and stall instead of crashing, and no caller
 * has to match the operating system's message text. {@link DurableFiles#writeFailure} decides, once, when
 * a failed write is this.
 */
public final class DiskFullException extends IOException {

    private static final long serialVersionUID = 1L;

    private final transient Path path;
    private final long bytes;
    private final long usableBytes;

    /**
     * @param path        the file that could not be written
     * @param bytes       how many bytes the write needed
     * @param usableBytes bytes usable on the file system when the write failed, or -1 when unknown
     * @param cause       the file system's own error
     */
    public DiskFullException(Path path, long bytes, long usableBytes, IOException cause) {
        super("disk full: cannot write " + (bytes > 0 ? bytes + " bytes to " : "") + path
                + (usableBytes >= 0 ? " (" + usableBytes + " bytes usable on its file system)" : "") + ": "
                + cause.getMessage(), cause);
        this.path = path;
        this.bytes = bytes;
        this.usableBytes = usableBytes;
    }

    /** The file that could not be written. */
    public Path path() {
        return path;
    }

    /** How many bytes the write needed. */
    public long bytes() {
        return bytes;
    }

    /** Bytes usable on the file system when the write failed, or -1 when unknown. */
    public long usableBytes() {
        return usableBytes;
    }

    /** Whether {@code failure} or one of its causes is a full disk. */
    public static boolean isCauseOf(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof DiskFullException) {
                return true;
            }
        }
        return false;
    }
}
