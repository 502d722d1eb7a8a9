package io.checkstripe.store;

/** A checkpoint of an application, as the store's maps key it. Immutable; validated by the caller. */
record CheckpointRef(String appId, long checkpointId) {

    @Override
    public String toString() {
        return appId + "/" + checkpointId;
    }
}
