package io.checkstripe.restore;

import java.util.Objects;

/**
 * A source that could not be read at all (refused, timed out, a missing directory, no store in it), so its
 * server index is unknown. Immutable and thread-safe.
 *
 * @param location the directory or URL as given
 * @param reason   what failed
 */
public record UnreachableSource(String location, String reason) {

    public UnreachableSource {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(reason, "reason");
    }

    @Override
    public String toString() {
        return location + ": " + reason;
    }
}
