package io.checkstripe.chunking;

import io.checkstripe.core.CheckstripeException;

/**
 * Assembled content is not what its recipe promised: a chunk that does not decompress to its raw length, or
 * content whose SHA-256 differs from the recipe's. Every delta was verified by its own SHA-256 before, so this
 * means a recipe that points at the wrong bytes (a bug, or a base that is not the delta the recipe was written
 * against), never rot; the assembled output must be discarded.
 */
public final class ContentMismatchException extends CheckstripeException {

    private static final long serialVersionUID = 1L;

    private final String what;
    private final String expected;
    private final String actual;

    public ContentMismatchException(String what, String expected, String actual) {
        this(what, expected, actual, null);
    }

    public ContentMismatchException(String what, String expected, String actual, Throwable cause) {
        super(what + ": expected " + expected + ", actual " + actual, cause);
        this.what = what;
        this.expected = expected;
        this.actual = actual;
    }

    /** What was checked, e.g. {@code "content SHA-256"}. */
    public String what() {
        return what;
    }

    /** The value the recipe gave. */
    public String expected() {
        return expected;
    }

    /** The value the assembly found. */
    public String actual() {
        return actual;
    }
}
