package io.checkstripe.store;

import io.checkstripe.core.CheckstripeException;

/**
 * What was offered to the store contradicts what it already holds for the checkpoint: a cell or manifest
 * with another policy or server count than the checkpoint's, a cell whose key is stored with other lengths
 * or another CRC, or a second, different manifest. Replays of the same records never cause it, so it points
 * at two publications under one checkpoint id or a misconfigured striper; the sink should set the record
 * aside (dead-letter it) rather than stop.
 */
public final class CheckpointConflictException extends CheckstripeException {

    private static final long serialVersionUID = 1L;

    private final String appId;
    private final long checkpointId;

    public CheckpointConflictException(String appId, long checkpointId, String message) {
        super(appId + "/" + checkpointId + ": " + message);
        this.appId = appId;
        this.checkpointId = checkpointId;
    }

    public String appId() {
        return appId;
    }

    public long checkpointId() {
        return checkpointId;
    }
}
