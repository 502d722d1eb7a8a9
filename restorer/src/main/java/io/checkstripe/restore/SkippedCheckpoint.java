package io.checkstripe.restore;

import java.util.Objects;

/**
 * A newer checkpoint a restore passed over, and why: it could not be rebuilt, or it was not authentic; the
 * restore fell back to an older one. Immutable and thread-safe.
 *
 * @param checkpointId the checkpoint passed over
 * @param reason       why (which stripes, which servers; or which signature or segment failed)
 * @param kind         whether it could not be rebuilt or was refused as not authentic
 */
public record SkippedCheckpoint(long checkpointId, String reason, Kind kind) {

    /** Why a checkpoint was passed over. */
    public enum Kind {
        /** Some stripe had fewer than K intact cells, or no manifest could be trusted. */
        UNRECOVERABLE,
        /**
         * Refused: with the application's key, its signature was missing or wrong (forged under the application's
         * id), or a segment failed its AES-GCM tag (altered or replayed on the servers).
         */
        NOT_AUTHENTIC
    }

    public SkippedCheckpoint {
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(kind, "kind");
    }

    /** A checkpoint that could not be rebuilt. */
    public SkippedCheckpoint(long checkpointId, String reason) {
        this(checkpointId, reason, Kind.UNRECOVERABLE);
    }

    @Override
    public String toString() {
        return "checkpoint " + checkpointId + ": " + reason;
    }
}
