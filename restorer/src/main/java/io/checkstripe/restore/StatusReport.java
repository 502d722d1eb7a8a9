package io.checkstripe.restore;

import io.checkstripe.core.HumanFormat;
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

    /**
     * The table and, below it, what is wrong with each checkpoint; ends with a newline. When some checkpoint is
     * chunked, columns give each one's content bytes, the bytes new in its own delta and those it shares (read
     * from its bases or repeated), and how many checkpoints read from it ({@code base of N}).
     */
    public String format() {
        int servers = checkpoints.stream().mapToInt(c -> c.servers().size()).max().orElse(0);
        boolean chunked = checkpoints.stream().anyMatch(c -> c.content().isPresent() || !c.baseOf().isEmpty());
        List<String> columns = new ArrayList<>(List.of("checkpoint", "health", "policy"));
        if (chunked) {
            columns.addAll(List.of("content", "new", "shared", "base of"));
        }
        for (int i = 0; i < servers; i++) {
            columns.add("server " + i);
        }
        List<String[]> rows = new ArrayList<>();
        String[] header = columns.toArray(String[]::new);
        rows.add(header);
        for (CheckpointStatus c : checkpoints) {
            List<String> row = new ArrayList<>(List.of(Long.toString(c.checkpointId()), c.health().name(),
                    c.policy().isEmpty() ? "-" : c.policy()));
            if (chunked) {
                row.add(c.content().map(x -> HumanFormat.size(x.bytes())).orElse("-"));
                row.add(c.content().map(x -> HumanFormat.size(x.newBytes())).orElse("-"));
                row.add(c.content().map(x -> HumanFormat.size(x.sharedBytes())).orElse("-"));
                row.add(c.baseOf().isEmpty() ? "-" : Integer.toString(c.baseOf().size()));
            }
            for (int i = 0; i < servers; i++) {
                row.add(i < c.servers().size() ? c.servers().get(i).cellText() : "");
            }
            rows.add(row.toArray(String[]::new));
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
            if (!c.baseOf().isEmpty()) {
                sb.append("checkpoint ").append(c.checkpointId()).append(": base of checkpoints ").append(c.baseOf())
                        .append('\n');
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
