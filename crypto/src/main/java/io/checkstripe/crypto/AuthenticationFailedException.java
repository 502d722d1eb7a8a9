package io.checkstripe.crypto;

import io.checkstripe.core.CheckstripeException;

/**
 * Bytes or a commit that the application's key does not vouch for: a segment whose AES-GCM tag fails (altered,
 * swapped between checkpoints or segments, or encrypted under another key) or a commit whose signature is
 * missing or wrong. Never retriable: the stored bytes are what they are; a restore falls back to an older,
 * authentic checkpoint.
 */
public final class AuthenticationFailedException extends CheckstripeException {

    private static final long serialVersionUID = 1L;

    public AuthenticationFailedException(String message) {
        super(message);
    }

    public AuthenticationFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
