package io.checkstripe.store;

import io.checkstripe.core.AppId;

/** A checkpoint of an application, as the store's maps key it. Immutable. */
record CheckpointRef(String appId, long checkpointId) {

    /** The checkpoint, refusing an invalid application id or a negative checkpoint id. */
    static CheckpointRef validated(String appId, long checkpointId) {
        AppId.validate(appId);
        if (checkpointId < 0) {
            throw new IllegalArgumentException("checkpoint id " + checkpointId + " of " + appId + " is negative");
        }
        return new CheckpointRef(appId, checkpointId);
    }

    @Override
    public String toString() {
        return appId + "/" + checkpointId;
    }
}
