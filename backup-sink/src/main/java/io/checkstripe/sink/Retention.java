package io.checkstripe.sink;

import io.checkstripe.core.CheckpointContent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Which checkpoints of one application a backup server may delete. By age it keeps the newest R checkpoints that
 * are complete on this server and everything newer than the oldest of them (complete or not, since an incomplete
 * checkpoint newer than a complete one may still be arriving); everything older than the R-th newest complete
 * checkpoint goes, complete or not, unless a kept checkpoint reads from it. With fewer than R complete
 * checkpoints nothing is deleted, so an older checkpoint is only ever removed after R newer ones are safely here.
 *
 * <p>An incremental checkpoint ({@link CheckpointContent}) restores only with its bases, so a mark and sweep runs
 * over what the manifests list: every checkpoint reachable through bases (and bases of bases) from one kept by age
 * is kept as a base, whatever its age, and counts as none of the R. The marks are computed afresh from the
 * manifests on disk at every pass and nothing is stored, so a crash at any instant can neither delete a base that
 * something kept reads from nor strand one for ever: once nothing kept reads from it, the next pass deletes it.
 * A checkpoint kept by age whose bases are unknown although a newer one is complete (its manifest rotted and was
 * quarantined, or its metadata is malformed) keeps everything older than itself until it goes itself; one newer
 * than every complete checkpoint is still arriving, and what its manifest will list is judged when it is here.
 * Stateless.
 */
final class Retention {

    private Retention() {
    }

    /**
     * What retention knows of one checkpoint on this server.
     *
     * @param complete whether its manifest and every cell this server should hold are here
     * @param bases    the bases its manifest lists (empty for an ordinary checkpoint), or empty when no readable
     *                 manifest says
     */
    record Held(boolean complete, Optional<List<Long>> bases) {
        Held {
            Objects.requireNonNull(bases, "bases");
            bases = bases.map(List::copyOf);
        }

        /** A checkpoint whose manifest lists {@code bases} (none for an ordinary one). */
        static Held of(boolean complete, List<Long> bases) {
            return new Held(complete, Optional.of(bases));
        }

        /** A checkpoint without a manifest, or whose manifest says nothing trustworthy about its bases. */
        static Held unknownBases(boolean complete) {
            return new Held(complete, Optional.empty());
        }
    }

    /**
     * What a pass decided.
     *
     * @param expired     the checkpoints to delete, ascending
     * @param keptAsBases checkpoints older than the R-th newest complete one, kept only because a kept checkpoint
     *                    may read from them
     */
    record Decision(List<Long> expired, NavigableSet<Long> keptAsBases) {
        Decision {
            expired = List.copyOf(expired);
            keptAsBases = Collections.unmodifiableNavigableSet(new TreeSet<>(keptAsBases));
        }
    }

    /**
     * Decides one application's deletions.
     *
     * @param held   every checkpoint of the application on this server, by id
     * @param retain R, at least 1
     * @throws IllegalArgumentException when {@code retain} is less than 1
     */
    static Decision decide(NavigableMap<Long, Held> held, int retain) {
        if (retain < 1) {
            throw new IllegalArgumentException("retain must be at least 1, got " + retain);
        }
        int completeSeen = 0;
        Long oldestKept = null;
        Long newestComplete = null;
        for (var e : held.descendingMap().entrySet()) {
            if (e.getValue().complete()) {
                newestComplete = newestComplete == null ? e.getKey() : newestComplete;
                if (++completeSeen == retain) {
                    oldestKept = e.getKey();
                    break;
                }
            }
        }
        if (oldestKept == null) {
            return new Decision(List.of(), new TreeSet<>());
        }
        NavigableMap<Long, Held> kept = held.tailMap(oldestKept, true);
        NavigableMap<Long, Held> old = held.headMap(oldestKept, false);
        NavigableSet<Long> marked = CheckpointContent.closeOverBases(kept.keySet(),
                id -> held.containsKey(id) ? held.get(id).bases().orElse(List.of()) : List.of());
        Long unknown = null;
        for (var e : kept.headMap(newestComplete, true).entrySet()) {
            if (e.getValue().bases().isEmpty()) {
                unknown = e.getKey();
            }
        }
        if (unknown != null) {
            marked.addAll(held.headMap(unknown, false).keySet());
        }
        List<Long> expired = new ArrayList<>();
        NavigableSet<Long> keptAsBases = new TreeSet<>();
        for (long cp : old.keySet()) {
            (marked.contains(cp) ? keptAsBases : expired).add(cp);
        }
        return new Decision(expired, keptAsBases);
    }
}
