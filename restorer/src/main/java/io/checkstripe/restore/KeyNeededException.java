package io.checkstripe.restore;

import io.checkstripe.core.CheckstripeException;

/**
 * The checkpoint to restore was published encrypted and the restore was given no key file. Its bytes are of
 * no use without the key, and falling back to an older checkpoint that happens to be in the clear would
 * silently restore stale state, so the restore stops and writes nothing. Retrying with the application's key
 * file helps. The CLI exits with code 8.
 */
public final class KeyNeededException extends CheckstripeException {

    private static final long serialVersionUID = 1L;

    private final String app;
    private final long checkpointId;

    KeyNeededException(String app, long checkpointId) {
        super("checkpoint " + app + "/" + checkpointId + " is encrypted: restore needs its key (--key-file)");
        this.app = app;
        this.checkpointId = checkpointId;
    }

    /** The application. */
    public String app() {
        return app;
    }

    /** The encrypted checkpoint. */
    public long checkpointId() {
        return checkpointId;
    }
}
