package io.checkstripe.sink;

import java.util.ArrayList;
import java.util.List;
import java.util.NavigableMap;

/**
 * Which checkpoints of one application a backup server may delete: it keeps the newest R checkpoints that are
 * complete on this server and everything newer than the oldest of them (complete or not, since an incomplete
 * checkpoint newer than a complete one may still be arriving); everything older than the R-th newest complete
 * checkpoint goes, complete or not. With fewer than R complete checkpoints nothing is deleted, so an older
 * checkpoint is only ever removed after R newer ones are safely here. Stateless.
 */
final class Retention {

    private Retention() {
    }

    /**
     * The checkpoint ids to delete, ascending.
     *
     * @param completeById every checkpoint of the application on this server, by id, with whether it is complete
     * @param retain       R, at least 1
     * @throws IllegalArgumentException when {@code retain} is less than 1
     */
    static List<Long> expired(NavigableMap<Long, Boolean> completeById, int retain) {
        if (retain < 1) {
            throw new IllegalArgumentException("retain must be at least 1, got " + retain);
        }
        int completeSeen = 0;
        Long oldestKept = null;
        for (var e : completeById.descendingMap().entrySet()) {
            if (e.getValue() && ++completeSeen == retain) {
                oldestKept = e.getKey();
                break;
            }
        }
        return oldestKept == null ? List.of() : new ArrayList<>(completeById.headMap(oldestKept, false).keySet());
    }
}
