package io.checkstripe.restore;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The health of every checkpoint of an application across the backup servers, newest first, as
 * {@code checkstripe status} prints it ({@link #format()}): one row per checkpoint, one column per server.
 * Immutable and thread-safe.
 *
 * @param app                the application
 * @param dataChecked        whether every cell was read and CRC-checked (a scrub), or only listed
 * @param checkpoints        one entry per checkpoint any reachable server holds, newest first
 * @param unreachableSources sources that could not be read at all
 * @param warnings           anything else worth knowing
 */
public record StatusReport(String app, boolean dataChecked, List<CheckpointStatus> checkpoints,
        List<UnreachableSource> unreachableSources, List<String> warnings) {

    /** Bad cells printed per checkpoint before the rest are only counted. */
    static final int SHOWN_BAD_CELLS = 10;

    public StatusReport {
        Objects.requireNonNull(app, "app");
        checkpoints = List.copyOf(checkpoints);
        unreachableSources = List.copyOf(unreachableSources);
        warnings = List.copyOf(warnings);
    }

    /** The newest checkpoint any reachable server holds, whose health {@code checkstripe status} exits with. */
    public Optional<CheckpointStatus> newest() {
        return checkpoints.stream().findFirst();
    }

    /** The status of one checkpoint, if any server holds it. */
    public Optional<CheckpointStatus> checkpoint(long checkpointId) {
        return checkpoints.stream().filter(c -> c.checkpointId() == checkpointId).findFirst();
    }

    /** The table and, below it, what is wrong with each checkpoint; ends with a newline. */
    public String format() {
        int servers = checkpoints.stream().mapToInt(c -> c.servers().size()).max().orElse(0);
        List<String[]> rows = new ArrayList<>();
        String[] header = new String[3 + servers];
        header[0] = "checkpoint";
        header[1] = "health";
        header[2] = "policy";
        for (int i = 0; i < servers; i++) {
            header[3 + i] = "server " + i;
        }
        rows.add(header);
        for (CheckpointStatus c : checkpoints) {
            String[] row = new String[3 + servers];
            row[0] = Long.toString(c.checkpointId());
            row[1] = c.health().name();
            row[2] = c.policy().isEmpty() ? "-" : c.policy();
            for (int i = 0; i < servers; i++) {
                row[3 + i] = i < c.servers().size() ? c.servers().get(i).cellText() : "";
            }
            rows.add(row);
        }
        int[] widths = new int[header.length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                widths[i] = Math.max(widths[i], row[i].length());
            }
        }
        StringBuilder sb = new StringBuilder();
        sb.append(app).append(": ").append(checkpoints.size()).append(checkpoints.size() == 1 ? " checkpoint" : " checkpoints")
                .append(dataChecked ? ", every cell read and CRC-checked" : ", cells listed, data not checked")
                .append('\n');
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]).append(" ".repeat(widths[i] - row[i].length() + 2));
            }
            sb.append(line.toString().stripTrailing()).append('\n');
        }
        for (CheckpointStatus c : checkpoints) {
            if (!c.protection().isEmpty()) {
                sb.append("checkpoint ").append(c.checkpointId()).append(": ").append(c.protection()).append('\n');
            }
            if (!c.reason().isEmpty()) {
                sb.append("checkpoint ").append(c.checkpointId()).append(": ").append(c.reason()).append('\n');
            }
            for (ServerStatus s : c.servers()) {
                if (s.state() != ServerStatus.State.READ && s.state() != ServerStatus.State.ABSENT
                        && c.reason().isEmpty()) {
                    sb.append("checkpoint ").append(c.checkpointId()).append(": server ").append(s.serverIndex())
                            .append(s.location().isEmpty() ? "" : " (" + s.location() + ")").append(": ")
                            .append(s.problem()).append('\n');
                }
            }
            c.badCells().stream().limit(SHOWN_BAD_CELLS).forEach(b -> sb.append("checkpoint ")
                    .append(c.checkpointId()).append(": ").append(b).append('\n'));
            if (c.badCells().size() > SHOWN_BAD_CELLS) {
                sb.append("checkpoint ").append(c.checkpointId()).append(": ... and ")
                        .append(c.badCells().size() - SHOWN_BAD_CELLS).append(" more bad cells\n");
            }
        }
        unreachableSources.forEach(u -> sb.append("unreachable ").append(u).append('\n'));
        warnings.forEach(w -> sb.append("warning: ").append(w).append('\n'));
        return sb.toString();
    }
}
