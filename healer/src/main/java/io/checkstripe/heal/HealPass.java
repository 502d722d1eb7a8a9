package io.checkstripe.heal;

import io.checkstripe.restore.RepairReport;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What one pass of the healer found and did, server by server. Immutable.
 *
 * @param started  when the pass began
 * @param elapsed  how long it took
 * @param servers  one entry per server URL, in the order given
 */
public record HealPass(Instant started, Duration elapsed, List<Server> servers) {

    /**
     * One server in a pass.
     *
     * @param location    its URL
     * @param serverIndex its index, -1 when it did not answer
     * @param skipped     why it was not healed (unreachable, behind, stalled), or null
     * @param repairs     what the pass rebuilt onto it, one report per application it needed cells of
     * @param manifestsRewritten manifests whose file on it had rotted or vanished, written again
     * @param errors      what failed while healing it; the next pass tries again
     */
    public record Server(String location, int serverIndex, String skipped, List<RepairReport> repairs,
            long manifestsRewritten, List<String> errors) {
        public Server {
            Objects.requireNonNull(location, "location");
            if (manifestsRewritten < 0) {
                throw new IllegalArgumentException("negative manifests rewritten: " + manifestsRewritten);
            }
            repairs = List.copyOf(repairs);
            errors = List.copyOf(errors);
        }

        /** Cells the pass added to this server. */
        public long cellsWritten() {
            return repairs.stream().flatMap(r -> r.repaired().stream()).mapToLong(RepairReport.Repaired::cellsWritten)
                    .sum();
        }

        /** Bytes of those cells. */
        public long bytesWritten() {
            return repairs.stream().flatMap(r -> r.repaired().stream()).mapToLong(RepairReport.Repaired::bytes).sum();
        }

        /** Checkpoints this server lacks cells of that the others could not rebuild. */
        public long unrecoverable() {
            return repairs.stream().mapToLong(r -> r.unrecoverable().size()).sum();
        }
    }

    public HealPass {
        Objects.requireNonNull(started, "started");
        Objects.requireNonNull(elapsed, "elapsed");
        servers = List.copyOf(servers);
    }

    public long cellsWritten() {
        return servers.stream().mapToLong(Server::cellsWritten).sum();
    }

    public long bytesWritten() {
        return servers.stream().mapToLong(Server::bytesWritten).sum();
    }

    public long unrecoverable() {
        return servers.stream().mapToLong(Server::unrecoverable).sum();
    }

    public long manifestsRewritten() {
        return servers.stream().mapToLong(Server::manifestsRewritten).sum();
    }

    /** Servers not healed in this pass: unreachable, not ready, or failed midway. */
    public long serversSkipped() {
        return servers.stream().filter(s -> s.skipped() != null || !s.errors().isEmpty()).count();
    }

    /** The summary for a terminal, ending with a newline. */
    public String format() {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "heal pass: %d cells (%d bytes) rebuilt in "
                + "%.1f s%n", cellsWritten(), bytesWritten(), elapsed.toNanos() / 1e9));
        for (Server s : servers) {
            sb.append("  server ").append(s.serverIndex() < 0 ? "?" : Integer.toString(s.serverIndex())).append(" (")
                    .append(s.location()).append("): ");
            if (s.skipped() != null) {
                sb.append("skipped, ").append(s.skipped()).append('\n');
                continue;
            }
            sb.append(s.cellsWritten()).append(" cells written");
            if (s.manifestsRewritten() > 0) {
                sb.append(", ").append(s.manifestsRewritten()).append(" manifests rewritten");
            }
            if (s.unrecoverable() > 0) {
                sb.append(", ").append(s.unrecoverable()).append(" checkpoints not rebuildable");
            }
            sb.append('\n');
            s.repairs().forEach(r -> r.repaired().stream().filter(c -> c.cellsWritten() > 0).forEach(c ->
                    sb.append("    ").append(r.app()).append('/').append(c.checkpointId()).append(": ")
                            .append(c.cellsWritten()).append(" cells\n")));
            s.repairs().forEach(r -> r.unrecoverable().forEach(u -> sb.append("    ").append(r.app())
                    .append(" not repaired ").append(u).append('\n')));
            s.errors().forEach(e -> sb.append("    error: ").append(e).append('\n'));
        }
        return sb.toString();
    }
}
