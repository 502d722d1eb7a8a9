package io.checkstripe.schemas;

import io.checkstripe.core.CheckstripeException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A record that a Kafka job of checkstripe (the striper on the checkpoints topic, a sink on its stripes
 * partition) will not process, with the {@link DeadLetterReason} its dead-letter headers carry and a
 * message naming the offending values. A data problem, not a programming error: the job sends the record
 * to the dead-letter topic and goes on.
 */
public final class RejectedRecordException extends CheckstripeException {

    private static final long serialVersionUID = 1L;

    private final DeadLetterReason reason;

    private final Map<String, String> headers;

    /**
     * @param reason  why the record is refused
     * @param message the facts: which application, checkpoint, segment and values
     */
    public RejectedRecordException(DeadLetterReason reason, String message) {
        this(reason, message, null);
    }

    /**
     * @param reason  why the record is refused
     * @param message the facts: which application, checkpoint, segment and values
     * @param cause   the failure that made the record unusable, or null
     */
    public RejectedRecordException(DeadLetterReason reason, String message, Throwable cause) {
        this(reason, message, cause, Map.of());
    }

    /**
     * @param reason  why the record is refused
     * @param message the facts: which application, checkpoint, segment and values
     * @param cause   the failure that made the record unusable, or null
     * @param headers further dead-letter headers stating the facts a tool may act on (names from {@link Topics}),
     *                in order
     */
    public RejectedRecordException(DeadLetterReason reason, String message, Throwable cause,
            Map<String, String> headers) {
        super(message, cause);
        if (reason == null || headers == null) {
            throw new IllegalArgumentException("reason and headers must not be null");
        }
        this.reason = reason;
        this.headers = Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    /** Why the record is refused. */
    public DeadLetterReason reason() {
        return reason;
    }

    /** The dead-letter headers beyond the reason, source and exception, in order; usually none. */
    public Map<String, String> headers() {
        return headers;
    }

    /**
     * What the dead-letter exception header says: the class and message of the underlying exception if
     * there is one (then this one's message in brackets), else of this one.
     */
    public String describe() {
        Throwable cause = getCause();
        return cause == null ? toString() : cause + " (" + getMessage() + ")";
    }
}
