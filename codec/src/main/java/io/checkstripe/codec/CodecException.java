package io.checkstripe.codec;

import io.checkstripe.core.CheckstripeException;

/**
 * Base of the codec's data exceptions: something is wrong with the cells, not with the call.
 * Callers' mistakes (bad shapes, bad policy names) are {@link IllegalArgumentException}s instead.
 */
public class CodecException extends CheckstripeException {

    private static final long serialVersionUID = 1L;

    public CodecException(String message) {
        super(message);
    }
}
