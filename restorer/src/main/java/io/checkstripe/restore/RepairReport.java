package io.checkstripe.restore;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a repair rebuilt onto a server, and what it could not. Printed by {@link #format()}.
 * Immutable and thread-safe.
 *
 * @param app                the application
 * @param serverIndex        the server repaired
 * @param target             where its cells went: a data directory or the server's URL
 * @param repaired           checkpoints rebuilt, verified and committed, newest first
 * @param unrecoverable      checkpoints that could not be rebuilt from the other servers, and why
 * @param unreachableSources sources that could not be read at all
 * @param warnings           anything else worth knowing
 * @param elapsed            wall-clock time of the repair
 */
public record RepairReport(String app, int serverIndex, String target, List<Repaired> repaired,
        List<SkippedCheckpoint> unrecoverable, List<UnreachableSource> unreachableSources, List<String> warnings,
        Duration elapsed) {

    /**
     * One checkpoint rebuilt onto the server.
     *
     * @param checkpointId the checkpoint
     * @param cellsWritten cells written to the server (0 when it already held them all)
     * @param bytes        bytes of those cells
     * @param badCells     bad cells found on the other servers while rebuilding
     */
    public record Repaired(long checkpointId, long cellsWritten, long bytes, List<BadCell> badCells) {
        public Repaired {
            badCells = List.copyOf(badCells);
        }
    }

    public RepairReport {
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(elapsed, "elapsed");
        repaired = List.copyOf(repaired);
        unrecoverable = List.copyOf(unrecoverable);
        unreachableSources = List.copyOf(unreachableSources);
        warnings = List.copyOf(warnings);
    }

    /** The summary for a terminal, ending with a newline. */
    public String format() {
        StringBuilder sb = new StringBuilder("repaired server ").append(serverIndex).append(" of ").append(app)
                .append(" onto ").append(target).append('\n');
        for (Repaired r : repaired) {
            sb.append("  checkpoint ").append(r.checkpointId()).append(": ").append(r.cellsWritten())
                    .append(" cells written (").append(Progress.bytes(r.bytes())).append(")");
            if (!r.badCells().isEmpty()) {
                sb.append(", ").append(r.badCells().size()).append(" bad cells on the other servers");
            }
            sb.append('\n');
        }
        unrecoverable.forEach(s -> sb.append("  not repaired ").append(s).append('\n'));
        unreachableSources.forEach(u -> sb.append("  unreachable ").append(u).append('\n'));
        warnings.forEach(w -> sb.append("  warning: ").append(w).append('\n'));
        sb.append(String.format(Locale.ROOT, "  %.1f s%n", elapsed.toNanos() / 1e9));
        return sb.toString();
    }
}
