package io.checkstripe.schemas;

import io.checkstripe.core.AppId;

/**
 * The record key {@code appId/checkpointId} of the stripes, manifests and acks topics.
 *
 * <p>One key per checkpoint keeps a checkpoint's records together and lets the compacted
 * manifests topic keep exactly one manifest per checkpoint. The application id cannot contain
 * {@code /} ({@link AppId}), so the key splits unambiguously at its only slash.
 * Immutable and thread-safe.
 *
 * @param appId        a valid application id
 * @param checkpointId the checkpoint id, not negative
 */
public record CheckpointKey(String appId, long checkpointId) {

    /** Separates the application id from the checkpoint id. */
    public static final char SEPARATOR = '/';

    /**
     * Validates both parts.
     *
     * @throws IllegalArgumentException naming the bad application id or checkpoint id
     */
    public CheckpointKey {
        AppId.validate(appId);
        if (checkpointId < 0) {
            throw new IllegalArgumentException("invalid checkpoint id " + checkpointId + " of application " + appId
                    + ": must not be negative");
        }
    }

    /**
     * Parses a key made by {@link #toString()}.
     *
     * @throws IllegalArgumentException naming the key when it is not {@code appId/checkpointId}
     */
    public static CheckpointKey parse(String key) {
        if (key == null) {
            throw new IllegalArgumentException("invalid checkpoint key null: expected appId/checkpointId");
        }
        int slash = key.indexOf(SEPARATOR);
        if (slash < 0 || key.indexOf(SEPARATOR, slash + 1) >= 0) {
            throw new IllegalArgumentException("invalid checkpoint key \"" + key
                    + "\": expected appId/checkpointId with exactly one '/'");
        }
        String idText = key.substring(slash + 1);
        long checkpointId;
        try {
            checkpointId = Long.parseLong(idText);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("invalid checkpoint key \"" + key + "\": checkpoint id \"" + idText
                    + "\" is not a decimal number", e);
        }
        if (!idText.equals(Long.toString(checkpointId))) {
            // "+7" or "007" would parse but not print back to the same key.
            throw new IllegalArgumentException("invalid checkpoint key \"" + key + "\": checkpoint id \"" + idText
                    + "\" is not in canonical decimal form");
        }
        try {
            return new CheckpointKey(key.substring(0, slash), checkpointId);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid checkpoint key \"" + key + "\": " + e.getMessage(), e);
        }
    }

    /** The key, {@code appId/checkpointId}. */
    @Override
    public String toString() {
        return appId + SEPARATOR + checkpointId;
    }
}
