package io.checkstripe.archive;

import io.checkstripe.core.CheckstripeException;

/**
 * An archive stream that cannot be extracted: truncated, malformed, out of order, or holding an entry that
 * would land outside the target directory or write through a link. Carries the byte offset where reading
 * stopped and the entry at fault (null when the problem is in the header or the end record), so a report
 * names both. Nothing outside the staging directory has been written when this is thrown.
 */
public final class ArchiveFormatException extends CheckstripeException {

    private static final long serialVersionUID = 1L;

    private final long offset;
    private final String entry;

    /**
     * @param offset  bytes of the stream read when the problem was found
     * @param entry   the path of the entry at fault, or null
     * @param problem what is wrong
     */
    public ArchiveFormatException(long offset, String entry, String problem) {
        super("archive refused at byte " + offset + (entry == null ? "" : ", entry '" + printable(entry) + "'")
                + ": " + problem);
        this.offset = offset;
        this.entry = entry;
    }

    /** Bytes of the stream read when the problem was found. */
    public long offset() {
        return offset;
    }

    /** The path of the entry at fault, or null when the problem is in the header or the end record. */
    public String entry() {
        return entry;
    }

    /** {@code s} with control characters escaped, so a hostile name cannot forge a log line. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(s.length());
        s.codePoints().forEach(c -> {
            if (Character.isISOControl(c)) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
