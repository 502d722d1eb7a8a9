package io.checkstripe.restore;

import io.checkstripe.core.CheckpointContent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a restore did: which checkpoint it rebuilt and where, from which servers, what it had to rebuild and
 * which cells it found bad, so an operator can act on rotting disks after the application is back. Printed
 * by {@link #format()}. Immutable and thread-safe.
 *
 * @param app                the application
 * @param checkpointId       the checkpoint restored
 * @param policy             its redundancy policy
 * @param servers            N, the servers its stripes are spread over
 * @param output             the restored file
 * @param bytes              its length
 * @param sha256             its SHA-256 in hex, as verified against the manifest
 * @param serversUsed        the servers whose cells were read, ascending
 * @param serversLost        the other servers of the checkpoint and why they were not used
 * @param unreachableSources sources that could not be read at all
 * @param cellsRebuilt       data cells reconstructed from parity
 * @param badCells           cells found missing, corrupt or foreign on the servers used, among those the restore
 *                           read: the parity cells of a stripe whose data cells were intact are not read, so
 *                           rot in them shows in a scrub ({@code checkstripe status}), not here
 * @param skipped            newer checkpoints passed over, and why
 * @param warnings           anything else worth knowing (duplicate sources, unreadable manifests)
 * @param elapsed            wall-clock time of the restore
 * @param protection         whether the checkpoint was encrypted and whose signature it carried
 */
public record RestoreReport(String app, long checkpointId, String policy, int servers, Path output, long bytes,
        String sha256, List<Integer> serversUsed, List<LostServer> serversLost,
        List<UnreachableSource> unreachableSources, long cellsRebuilt, List<BadCell> badCells,
        List<SkippedCheckpoint> skipped, List<String> warnings, Duration elapsed, Protection protection) {

    /**
     * What protected the restored checkpoint.
     *
     * @param encrypted whether its segments were encrypted (and were decrypted, every tag checked)
     * @param keyId     the id of the key that encrypted it, or 0
     * @param signedBy  the id of the key whose signature was verified, or 0 when none was (a restore without a
     *                  key file checks no signature)
     */
    public record Protection(boolean encrypted, int keyId, int signedBy) {

        /** A checkpoint in the clear, no signature checked. */
        public static final Protection NONE = new Protection(false, 0, 0);

        /** One line for people, empty for {@link #NONE}. */
        public String describe() {
            String encryption = encrypted ? "decrypted (" + "AES-256-GCM, key " + keyId + ")" : "";
            String signature = signedBy > 0 ? "signature of key " + signedBy + " verified" : "";
            return encryption.isEmpty() || signature.isEmpty() ? encryption + signature
                    : encryption + ", " + signature;
        }
    }

    /** Bad cells printed by {@link #format()} before the rest are only counted. */
    static final int SHOWN_BAD_CELLS = 20;

    public RestoreReport {
        Objects.requireNonNull(app, "app");
        Objects.requireNonNull(policy, "policy");
        Objects.requireNonNull(output, "output");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(elapsed, "elapsed");
        Objects.requireNonNull(protection, "protection");
        serversUsed = List.copyOf(serversUsed);
        serversLost = List.copyOf(serversLost);
        unreachableSources = List.copyOf(unreachableSources);
        badCells = List.copyOf(badCells);
        skipped = List.copyOf(skipped);
        warnings = List.copyOf(warnings);
        if (bytes < 0 || cellsRebuilt < 0) {
            throw new IllegalArgumentException("bytes " + bytes + " and cells rebuilt " + cellsRebuilt
                    + " must not be negative");
        }
    }

    /** This report naming {@code where} as the output: where the bytes went after they were restored to a file. */
    public RestoreReport withOutput(Path where) {
        return new RestoreReport(app, checkpointId, policy, servers, where, bytes, sha256, serversUsed, serversLost,
                unreachableSources, cellsRebuilt, badCells, skipped, warnings, elapsed, protection);
    }

    /**
     * This report for the content of a chunked checkpoint, assembled at {@code where}: its length and SHA-256
     * are the content's; the rest still describes the checkpoint's own delta.
     */
    public RestoreReport withContent(Path where, CheckpointContent content, Duration took) {
        return new RestoreReport(app, checkpointId, policy, servers, where, content.bytes(), content.sha256(),
                serversUsed, serversLost, unreachableSources, cellsRebuilt, badCells, skipped, warnings, took,
                protection);
    }

    /** The cells whose bytes failed their CRC32C. */
    public List<BadCell> corruptCells() {
        return badCells.stream().filter(c -> c.kind() == BadCell.Kind.CORRUPT).toList();
    }

    /** Bytes restored per second of {@link #elapsed()}. */
    public double bytesPerSecond() {
        double seconds = Math.max(elapsed.toNanos(), 1) / 1e9;
        return bytes / seconds;
    }

    /** The summary for a terminal, several lines, ending with a newline. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append("restored checkpoint ").append(checkpointId).append(" of ").append(app).append(" to ").append(output)
                .append('\n');
        sb.append("  ").append(Progress.bytes(bytes)).append(" (").append(bytes).append(" bytes), sha256 ")
                .append(sha256).append(" verified\n");
        if (!protection.describe().isEmpty()) {
            sb.append("  ").append(protection.describe()).append('\n');
        }
        sb.append("  ").append(policy).append(" over ").append(servers).append(" servers; used ")
                .append(serversUsed.isEmpty() ? "none" : IndexRanges.of(serversUsed).describe("servers", 0))
                .append('\n');
        serversLost.forEach(l -> sb.append("  lost ").append(l).append('\n'));
        unreachableSources.forEach(u -> sb.append("  unreachable ").append(u).append('\n'));
        long corrupt = badCells.stream().filter(c -> c.kind() == BadCell.Kind.CORRUPT).count();
        long missing = badCells.stream().filter(c -> c.kind() == BadCell.Kind.MISSING).count();
        long foreign = badCells.size() - corrupt - missing;
        sb.append("  cells rebuilt: ").append(cellsRebuilt).append("; bad cells: ").append(badCells.size());
        if (!badCells.isEmpty()) {
            sb.append(" (").append(corrupt).append(" corrupt, ").append(missing).append(" missing, ").append(foreign)
                    .append(" foreign)");
        }
        sb.append('\n');
        badCells.stream().limit(SHOWN_BAD_CELLS).forEach(c -> sb.append("    ").append(c).append('\n'));
        if (badCells.size() > SHOWN_BAD_CELLS) {
            sb.append("    ... and ").append(badCells.size() - SHOWN_BAD_CELLS).append(" more\n");
        }
        skipped.forEach(s -> sb.append(s.kind() == SkippedCheckpoint.Kind.NOT_AUTHENTIC ? "  refused newer "
                : "  skipped newer ").append(s).append('\n'));
        warnings.forEach(w -> sb.append("  warning: ").append(w).append('\n'));
        sb.append(String.format(Locale.ROOT, "  %.1f s, %s/s%n", elapsed.toNanos() / 1e9,
                Progress.bytes((long) bytesPerSecond())));
        return sb.toString();
    }
}
