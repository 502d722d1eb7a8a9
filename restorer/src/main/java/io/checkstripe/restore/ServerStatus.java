package io.checkstripe.restore;

import java.util.Locale;
import java.util.Objects;

/**
 * One server's part of one checkpoint in a {@link StatusReport}. Immutable and thread-safe.
 *
 * @param serverIndex    the server
 * @param location       the source read for it, or empty when none was reachable
 * @param state          whether its cells were read, and if not why
 * @param hasManifest    whether it holds the checkpoint's manifest
 * @param manifestAgrees whether that manifest agrees with the other servers' (false without one)
 * @param cellsPresent   cells it holds that it should hold (intact or not)
 * @param cellsExpected  cells it should hold under the layout
 * @param cellsCorrupt   cells whose data failed the CRC (0 when data was not checked)
 * @param cellsForeign   records it holds that are not cells it should hold
 * @param problem        why it was not read, or empty
 */
public record ServerStatus(int serverIndex, String location, State state, boolean hasManifest,
        boolean manifestAgrees, int cellsPresent, int cellsExpected, int cellsCorrupt, int cellsForeign,
        String problem) {

    /** Whether a server's cells of a checkpoint were read. */
    public enum State {
        /** Reachable, holds the checkpoint, and its manifest (if any) agrees: its cells were read. */
        READ,
        /** Reachable but holds nothing of this checkpoint. */
        ABSENT,
        /** Its manifest disagrees with the other servers': its cells are suspect and were not counted. */
        DISAGREES,
        /** Unreachable, not given, or failed while being read. */
        LOST
    }

    /** @throws IllegalArgumentException naming a negative index or count */
    public ServerStatus {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(problem, "problem");
        if (serverIndex < 0 || cellsPresent < 0 || cellsExpected < 0 || cellsCorrupt < 0 || cellsForeign < 0) {
            throw new IllegalArgumentException("server " + serverIndex + ": index and counts must not be negative ("
                    + cellsPresent + "/" + cellsExpected + ", " + cellsCorrupt + " corrupt, " + cellsForeign
                    + " foreign)");
        }
    }

    /** Whether the server holds its manifest and every cell it should, none corrupt or foreign. */
    public boolean complete() {
        return state == State.READ && hasManifest && manifestAgrees && cellsPresent == cellsExpected
                && cellsCorrupt == 0 && cellsForeign == 0;
    }

    /** The table cell: {@code 12/12}, {@code 11/12 1 corrupt}, {@code lost}. */
    String cellText() {
        if (state != State.READ) {
            return state.name().toLowerCase(Locale.ROOT);
        }
        StringBuilder sb = new StringBuilder().append(cellsPresent).append('/').append(cellsExpected);
        if (cellsCorrupt > 0) {
            sb.append(' ').append(cellsCorrupt).append(" corrupt");
        }
        if (cellsForeign > 0) {
            sb.append(' ').append(cellsForeign).append(" foreign");
        }
        if (!hasManifest) {
            sb.append(" no manifest");
        }
        return sb.toString();
    }
}
