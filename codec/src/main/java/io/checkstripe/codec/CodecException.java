package io.checkstripe.codec;

/**
 * Base of the codec's data exceptions: something is wrong with the cells, not with the call.
 * Callers' mistakes (bad shapes, bad policy names) are {@link IllegalArgumentException}s instead.
 */
public class CodecException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public CodecException(String message) {
        super(message);
    }
}
