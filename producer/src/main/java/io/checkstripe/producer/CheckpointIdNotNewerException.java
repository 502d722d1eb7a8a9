package io.checkstripe.producer;

/**
 * A checkpoint id was asked for that is not newer than the application's newest committed
 * checkpoint. Checkpoint ids only increase per application: the striper refuses a stale one
 * and the restorer takes the highest id as the newest, so publishing it would at best be
 * wasted and at worst shadow the checkpoint already there. A caller's mistake, hence an
 * {@link IllegalArgumentException} (exit code 1 in the CLI), carrying both ids.
 */
public final class CheckpointIdNotNewerException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final String appId;
    private final long requested;
    private final long newestCommitted;

    /**
     * @param appId           the application
     * @param requested       the id asked for
     * @param newestCommitted the application's newest committed checkpoint id
     */
    public CheckpointIdNotNewerException(String appId, long requested, long newestCommitted) {
        super("checkpoint id " + requested + " of application " + appId + " is not newer than its newest committed "
                + "checkpoint " + newestCommitted + "; use an id above " + newestCommitted
                + (newestCommitted < Long.MAX_VALUE ? ", or none to get " + (newestCommitted + 1) : ""));
        this.appId = appId;
        this.requested = requested;
        this.newestCommitted = newestCommitted;
    }

    public String appId() {
        return appId;
    }

    /** The id that was refused. */
    public long requested() {
        return requested;
    }

    /** The newest committed id it had to exceed. */
    public long newestCommitted() {
        return newestCommitted;
    }
}
