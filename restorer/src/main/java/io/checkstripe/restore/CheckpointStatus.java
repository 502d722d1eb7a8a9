package io.checkstripe.restore;

import java.util.List;
import java.util.Objects;

/**
 * The health of one checkpoint across its servers, in a {@link StatusReport}. Immutable and thread-safe.
 *
 * @param checkpointId         the checkpoint
 * @param health               complete, degraded or unrecoverable
 * @param policy               its redundancy policy, or empty when no usable manifest exists
 * @param segmentCount         its stripes (0 without a usable manifest)
 * @param servers              one entry per server 0..N-1 (empty without a usable manifest)
 * @param unrecoverableStripes stripes with fewer than K intact cells
 * @param badCells             missing, corrupt and foreign cells on the servers read
 * @param reason               why it is unrecoverable, or empty
 * @param protection           what its manifest says protects it (encrypted, signed, by which key), or empty
 *                             when it is in the clear and unsigned; a claim, not checked: that takes the key
 */
public record CheckpointStatus(long checkpointId, Health health, String policy, int segmentCount,
        List<ServerStatus> servers, IndexRanges unrecoverableStripes, List<BadCell> badCells, String reason,
        String protection) {

    public CheckpointStatus {
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(unrecoverableStripes, "unrecoverableStripes");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(protection, "protection");
        servers = List.copyOf(servers);
        badCells = List.copyOf(badCells);
    }
}
