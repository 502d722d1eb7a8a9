package io.checkstripe.restore;

import io.checkstripe.core.CheckpointContent;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

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
 * @param reason               why it is unrecoverable, or degraded by a checkpoint it reads from; otherwise empty
 * @param protection           what its manifest says protects it (encrypted, signed, by which key), or empty
 *                             when it is in the clear and unsigned; a claim, not checked: that takes the key
 * @param content              what its manifest says of the application's content, for a chunked checkpoint;
 *                             empty for an ordinary one or without a usable manifest
 * @param baseOf               the checkpoints of the report that read from this one (directly or through other
 *                             bases), ascending: what it is kept for when it is older than retention keeps by age
 */
public record CheckpointStatus(long checkpointId, Health health, String policy, int segmentCount,
        List<ServerStatus> servers, IndexRanges unrecoverableStripes, List<BadCell> badCells, String reason,
        String protection, Optional<CheckpointContent> content, List<Long> baseOf) {

    public CheckpointStatus {
        Objects.requireNonNull(health, "health");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(unrecoverableStripes, "unrecoverableStripes");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(protection, "protection");
        Objects.requireNonNull(content, "content");
        servers = List.copyOf(servers);
        badCells = List.copyOf(badCells);
        baseOf = List.copyOf(baseOf);
    }

    /** An ordinary checkpoint, which reads from no other and is read from by none. */
    public CheckpointStatus(long checkpointId, Health health, String policy, int segmentCount,
            List<ServerStatus> servers, IndexRanges unrecoverableStripes, List<BadCell> badCells, String reason,
            String protection) {
        this(checkpointId, health, policy, segmentCount, servers, unrecoverableStripes, badCells, reason, protection,
                Optional.empty(), List.of());
    }

    /** A checkpoint that cannot be rebuilt at all (no usable manifest, say), for {@code reason}. */
    static CheckpointStatus unrecoverable(long checkpointId, String reason) {
        return new CheckpointStatus(checkpointId, Health.UNRECOVERABLE, "", 0, List.of(), IndexRanges.empty(),
                List.of(), reason, "");
    }

    /** This status with its health, and the reason for it, as the checkpoints it reads from make it. */
    CheckpointStatus withHealth(Health worse, String why) {
        return new CheckpointStatus(checkpointId, worse, policy, segmentCount, servers, unrecoverableStripes,
                badCells, why, protection, content, baseOf);
    }

    /** This status, read from by {@code readers}. */
    CheckpointStatus withBaseOf(List<Long> readers) {
        return new CheckpointStatus(checkpointId, health, policy, segmentCount, servers, unrecoverableStripes,
                badCells, reason, protection, content, readers);
    }
}
