package io.checkstripe.producer;

import java.util.OptionalLong;

/**
 * The rules for checkpoint ids: they increase per application, the first is {@value #FIRST},
 * the default is one more than the newest committed id, and an explicit id must exceed it.
 * Also the format of the id recorded in the bookkeeping offset commit's metadata.
 */
final class CheckpointIds {

    /** The id of an application's first checkpoint when none is given. */
    static final long FIRST = 1;

    /** Metadata of the bookkeeping offset commit: this prefix, then the decimal id. */
    static final String METADATA_PREFIX = "checkpointId=";

    private CheckpointIds() {
    }

    /**
     * The id to publish under.
     *
     * @param appId     the application, for messages
     * @param requested the id asked for, if any
     * @param newest    the application's newest committed id, if any
     * @throws CheckpointIdNotNewerException when {@code requested} is not above {@code newest}
     * @throws IllegalArgumentException when {@code newest} is the largest possible id
     */
    static long choose(String appId, OptionalLong requested, OptionalLong newest) {
        if (requested.isPresent()) {
            long id = requested.getAsLong();
            if (newest.isPresent() && id <= newest.getAsLong()) {
                throw new CheckpointIdNotNewerException(appId, id, newest.getAsLong());
            }
            return id;
        }
        if (newest.isEmpty()) {
            return FIRST;
        }
        if (newest.getAsLong() == Long.MAX_VALUE) {
            throw new IllegalArgumentException("application " + appId + " has used the largest checkpoint id "
                    + Long.MAX_VALUE + "; no newer id exists");
        }
        return newest.getAsLong() + 1;
    }

    /** The larger of two optional ids. */
    static OptionalLong max(OptionalLong a, OptionalLong b) {
        if (a.isEmpty()) {
            return b;
        }
        return b.isEmpty() || a.getAsLong() >= b.getAsLong() ? a : b;
    }

    /** The metadata recording {@code id}. */
    static String metadata(long id) {
        return METADATA_PREFIX + id;
    }

    /** The id in metadata written by {@link #metadata(long)}, or empty for anything else. */
    static OptionalLong parseMetadata(String metadata) {
        if (metadata == null || !metadata.startsWith(METADATA_PREFIX)) {
            return OptionalLong.empty();
        }
        try {
            long id = Long.parseLong(metadata.substring(METADATA_PREFIX.length()));
            return id < 0 ? OptionalLong.empty() : OptionalLong.of(id);
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }
}
