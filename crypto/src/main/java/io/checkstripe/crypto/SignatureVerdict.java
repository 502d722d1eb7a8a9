package io.checkstripe.crypto;

import java.util.Objects;

/**
 * The outcome of checking a checkpoint's signature, with a reason a dead letter, a log line or a restore
 * report can show as is.
 *
 * @param status what was found
 * @param reason one line for people; names the key id where there is one, never key material
 */
public record SignatureVerdict(Status status, String reason) {

    /** What a check can find. */
    public enum Status {
        /** No key is registered for the application: nothing to check, as before keys existed. */
        UNKEYED,
        /** Signed by one of the application's keys. */
        AUTHENTIC,
        /** The application has keys but the checkpoint carries no valid signature from any of them. */
        REJECTED
    }

    public SignatureVerdict {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(reason, "reason");
    }

    /** Whether the checkpoint may count: authentic, or of an application without keys. */
    public boolean accepted() {
        return status != Status.REJECTED;
    }
}
