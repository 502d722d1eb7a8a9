package io.checkstripe.core;

/**
 * Root of the exceptions that report a problem with the data or the deployment rather than with a
 * call: too few good cells, a corrupt cell, a checkpoint that fails verification, one not protected in
 * time, a record set aside as a dead letter. Each subclass carries the facts a user needs (which cell,
 * which servers, which CRCs), so one {@code catch} can report any of them and the CLI can map each to its
 * exit code.
 *
 * <p>As Kafka splits {@code RetriableException} from the rest, {@link #retriable()} says whether the same
 * operation may succeed when tried again unchanged (a broker back, more time to wait). A caller's mistake
 * is an {@link IllegalArgumentException} instead, never one of these.
 */
public abstract class CheckstripeException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    protected CheckstripeException(String message) {
        super(message);
    }

    protected CheckstripeException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Whether trying the same operation again, unchanged, may succeed. False by default: the data is
     * what it is.
     */
    public boolean retriable() {
        return false;
    }
}
