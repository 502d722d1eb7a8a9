package io.checkstripe.striper;

import io.checkstripe.schemas.DeadLetterReason;

/**
 * A checkpoints-topic record the striper will not turn into stripes, with the
 * {@link DeadLetterReason} and a message naming the offending values. A data problem, not a
 * programming error: the Streams job sends the record to the dead-letter topic and goes on.
 */
public final class RejectedRecordException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final DeadLetterReason reason;

    /**
     * @param reason  why the record is refused
     * @param message the facts: which application, checkpoint, segment and values
     */
    public RejectedRecordException(DeadLetterReason reason, String message) {
        super(message);
        if (reason == null) {
            throw new IllegalArgumentException("reason must not be null");
        }
        this.reason = reason;
    }

    /** Why the record is refused. */
    public DeadLetterReason reason() {
        return reason;
    }
}
