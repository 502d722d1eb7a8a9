package io.checkstripe.restore;

import java.util.Objects;

/**
 * A newer checkpoint a restore passed over, and why it could not be rebuilt; the restore fell back to an
 * older one. Immutable and thread-safe.
 *
 * @param checkpointId the checkpoint passed over
 * @param reason       why it could not be rebuilt (which stripes, which servers)
 */
public record SkippedCheckpoint(long checkpointId, String reason) {

    public SkippedCheckpoint {
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
        return "checkpoint " + checkpointId + ": " + reason;
    }
}
