package io.checkstripe.store;

import java.time.Duration;
import java.util.Objects;

/**
 * How long one {@link CellStore#commit} took, and how much of it was spent waiting for fsyncs: what a sink reports
 * as its commit and fsync latencies, since a slow disk shows in the one and a slow store in the other. Immutable.
 *
 * @param fsync the wall-clock time of the commit's fsync rounds
 * @param total the whole commit, fsyncs included
 */
public record CommitTiming(Duration fsync, Duration total) {

    /** @throws IllegalArgumentException when a duration is negative or the fsyncs took longer than the whole */
    public CommitTiming {
        Objects.requireNonNull(fsync, "fsync");
        Objects.requireNonNull(total, "total");
        if (fsync.isNegative() || fsync.compareTo(total) > 0) {
            throw new IllegalArgumentException("fsync " + fsync + " of a commit of " + total);
        }
    }
}
