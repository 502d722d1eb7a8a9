package io.checkstripe.chunking;

import io.checkstripe.core.CheckstripeException;

/**
 * A recipe, or the trailer that locates it at a delta's end, is not a valid one: bad magic, unknown version,
 * CRC mismatch, a length or count out of bounds, entries that disagree with the content length. The message
 * names what is wrong. A delta is verified by its own SHA-256 before it is read, so this means a bug or a
 * delta that was never one, not rot.
 */
public final class RecipeFormatException extends CheckstripeException {

    private static final long serialVersionUID = 1L;

    public RecipeFormatException(String message) {
        super(message);
    }

    public RecipeFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
