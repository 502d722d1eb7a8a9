package io.checkstripe.sink;

import io.checkstripe.schemas.DeadLetterReason;

/**
 * A record of the stripes partition that the sink sets aside in the dead-letter topic. Carries the reason code
 * for the header; the message (or the cause's) says what exactly was wrong.
 */
final class RejectedRecordException extends Exception {

    private static final long serialVersionUID = 1L;

    private final DeadLetterReason reason;

    RejectedRecordException(DeadLetterReason reason, String message) {
        super(message);
        this.reason = reason;
    }

    RejectedRecordException(DeadLetterReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    DeadLetterReason reason() {
        return reason;
    }

    /**
     * What the dead-letter exception header says: the class and message of the underlying exception if there is
     * one (then this one's message in brackets), else of this one.
     */
    String describe() {
        Throwable cause = getCause();
        return cause == null ? toString() : cause + " (" + getMessage() + ")";
    }
}
