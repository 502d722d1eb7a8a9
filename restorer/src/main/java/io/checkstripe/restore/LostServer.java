package io.checkstripe.restore;

import java.util.Objects;

/**
 * A backup server whose cells a restore, scrub or repair could not use, and why: its source was unreachable
 * or not given, it failed during the transfer, or its manifest disagreed with the others. Its cells were
 * rebuilt from the other servers where that was possible. Immutable and thread-safe.
 *
 * @param serverIndex the server
 * @param location    the source that was tried for it, or empty when no reachable source is this server
 * @param reason      why it was not used
 */
public record LostServer(int serverIndex, String location, String reason) {

    /** @throws IllegalArgumentException when the index is negative */
    public LostServer {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(reason, "reason");
        if (serverIndex < 0) {
            throw new IllegalArgumentException("server index " + serverIndex + " is negative");
        }
    }

    @Override
    public String toString() {
        return "server " + serverIndex + (location.isEmpty() ? "" : " (" + location + ")") + ": " + reason;
    }
}
