package io.checkstripe.restore;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Collects the stripes of a checkpoint that have fewer than K intact cells, with the servers whose cells they
 * lack, and turns them into the {@link UnrecoverableCheckpointException} that names both. Not thread-safe.
 */
final class BadStripes {

    private final CheckpointPlan plan;
    private final IndexRanges.Builder stripes = new IndexRanges.Builder();
    private final TreeSet<Integer> missing = new TreeSet<>();
    private final TreeSet<Integer> corrupt = new TreeSet<>();
    private final TreeSet<Integer> lost = new TreeSet<>();
    private boolean any;

    BadStripes(CheckpointPlan plan) {
        this.plan = plan;
    }

    /** Records stripe {@code s} as unrecoverable, with the state and server of each of its cells. */
    void add(int s, StripeFetch.CellState[] states, int[] servers) {
        stripes.add(s);
        any = true;
        for (int j = 0; j < states.length; j++) {
            switch (states[j]) {
                case GOOD, UNREAD -> { }
                case CORRUPT -> corrupt.add(servers[j]);
                case MISSING -> missing.add(servers[j]);
                case LOST -> lost.add(servers[j]);
            }
        }
    }

    /** Also names the servers that sent foreign records among those to blame. */
    void addForeign(List<BadCell> badCells) {
        badCells.stream().filter(c -> c.kind() == BadCell.Kind.FOREIGN).forEach(c -> corrupt.add(c.server()));
    }

    boolean isEmpty() {
        return !any;
    }

    IndexRanges stripes() {
        return stripes.build();
    }

    /**
     * The failure naming every bad stripe, the lost servers of those stripes (with why, from {@code lostWhy})
     * and the servers that lacked or spoiled their cells.
     */
    UnrecoverableCheckpointException exception(Map<Integer, LostServer> lostWhy) {
        NavigableMap<Integer, LostServer> lostOfBad = new TreeMap<>(lostWhy);
        lostOfBad.keySet().retainAll(lost);
        IndexRanges bad = stripes.build();
        StringBuilder reason = new StringBuilder("checkpoint ").append(plan.checkpointId).append(" of ")
                .append(plan.app).append(" cannot be rebuilt: ").append(bad.describe("stripes", plan.segmentCount()))
                .append(" have fewer than ").append(plan.policy.dataCells()).append(" intact cells of ")
                .append(plan.policy.totalCells()).append(" (").append(plan.policy.name()).append(" over ")
                .append(plan.servers()).append(" servers)");
        List<String> parts = new ArrayList<>();
        if (!lostOfBad.isEmpty()) {
            List<String> each = new ArrayList<>();
            lostOfBad.values().forEach(l -> each.add(l.serverIndex()
                    + (l.location().isEmpty() ? "" : " " + l.location()) + " (" + l.reason() + ")"));
            parts.add("lost servers " + String.join(", ", each));
        }
        if (!missing.isEmpty()) {
            parts.add("cells missing on servers " + IndexRanges.of(missing));
        }
        if (!corrupt.isEmpty()) {
            parts.add("corrupt or foreign cells on servers " + IndexRanges.of(corrupt));
        }
        if (!parts.isEmpty()) {
            reason.append(": ").append(String.join("; ", parts));
        }
        return new UnrecoverableCheckpointException(plan.app, "", List.of(new UnrecoverableCheckpointException.Failure(
                plan.checkpointId, plan.segmentCount(), bad, IndexRanges.of(lostOfBad.keySet()),
                IndexRanges.of(missing), IndexRanges.of(corrupt), reason.toString())));
    }
}
