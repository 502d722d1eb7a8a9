package io.checkstripe.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Random;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class RetentionTest {

    /**
     * "c" for complete, "i" for incomplete with its manifest, "n" for incomplete without one (bases unknown),
     * checkpoint ids 1, 2, 3, ... in order; {@code bases} lists, by id, what an incremental checkpoint reads from.
     */
    private static NavigableMap<Long, Retention.Held> checkpoints(String pattern, Map<Long, List<Long>> bases) {
        NavigableMap<Long, Retention.Held> map = new TreeMap<>();
        for (int i = 0; i < pattern.length(); i++) {
            long id = i + 1L;
            char c = pattern.charAt(i);
            map.put(id, c == 'n' ? Retention.Held.unknownBases(false)
                    : Retention.Held.of(c == 'c', bases.getOrDefault(id, List.of())));
        }
        return map;
    }

    private static NavigableMap<Long, Retention.Held> checkpoints(String pattern) {
        return checkpoints(pattern, Map.of());
    }

    private static List<Long> expired(NavigableMap<Long, Retention.Held> held, int retain) {
        Retention.Decision d = Retention.decide(held, retain);
        assertThat(d.keptAsBases()).as("no bases, nothing kept as one").isEmpty();
        return d.expired();
    }

    @Test
    void nothingGoesWhileFewerThanRAreComplete() {
        assertThat(expired(checkpoints(""), 3)).isEmpty();
        assertThat(expired(checkpoints("iicic"), 3)).isEmpty();
        assertThat(expired(checkpoints("ccc"), 3)).isEmpty();
    }

    @Test
    void everythingOlderThanTheRthNewestCompleteGoesCompleteOrNot() {
        assertThat(expired(checkpoints("cccc"), 3)).containsExactly(1L);
        // complete: 2, 4, 6, 7; R = 3 keeps 4, 6 and 7 (and the incomplete 5 between them)
        assertThat(expired(checkpoints("icicicc"), 3)).containsExactly(1L, 2L, 3L);
        assertThat(expired(checkpoints("ccccc"), 1)).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void incompleteCheckpointsNewerThanTheOldestKeptStay() {
        // complete: 2, 4, 5; R = 2 keeps 4 and 5; 1, 2 and 3 go; the incomplete 6 and 7 stay.
        assertThat(expired(checkpoints("icicc" + "ii"), 2)).containsExactly(1L, 2L, 3L);
        // an incomplete checkpoint between kept complete ones stays as well
        assertThat(expired(checkpoints("cicic"), 2)).containsExactly(1L, 2L);
    }

    @Test
    void idsNeedNotBeDense() {
        NavigableMap<Long, Retention.Held> map = new TreeMap<>();
        map.put(10L, Retention.Held.of(true, List.of()));
        map.put(200L, Retention.Held.of(false, List.of()));
        map.put(3000L, Retention.Held.of(true, List.of()));
        map.put(40000L, Retention.Held.of(true, List.of()));
        assertThat(expired(map, 2)).containsExactly(10L, 200L);
    }

    @Test
    void aBaseOfAKeptCheckpointStaysWhateverItsAgeAndCountsAsNoneOfTheR() {
        // R = 2 keeps 5 and 6 by age; 6 reads from 2 and 5, so 2 stays as a base; 1, 3 and 4 go.
        Retention.Decision d = Retention.decide(checkpoints("cccccc", Map.of(6L, List.of(2L, 5L))), 2);
        assertThat(d.expired()).containsExactly(1L, 3L, 4L);
        assertThat(d.keptAsBases()).containsExactly(2L);
    }

    @Test
    void basesOfBasesAreKeptEvenWhenOnlyTheNearestIsListed() {
        // 8 lists only 7; 7 lists 4; 4 lists 1: a chain, closed over although bases should be direct.
        Retention.Decision d = Retention.decide(checkpoints("cccccccc",
                Map.of(8L, List.of(7L), 7L, List.of(4L), 4L, List.of(1L))), 1);
        assertThat(d.keptAsBases()).containsExactly(1L, 4L, 7L);
        assertThat(d.expired()).containsExactly(2L, 3L, 5L, 6L);
    }

    @Test
    void incompleteKeptCheckpointsKeepTheirBasesAndIncompleteBasesAreKept() {
        // 5 complete is the only one R = 1 keeps by age; 6 is arriving and reads from 2; 5 reads from 3, which is
        // itself incomplete here (a repair may complete it): both stay.
        Retention.Decision d = Retention.decide(checkpoints("ccicci", Map.of(6L, List.of(2L), 5L, List.of(3L))), 1);
        assertThat(d.keptAsBases()).containsExactly(2L, 3L);
        assertThat(d.expired()).containsExactly(1L, 4L);
    }

    @Test
    void aBaseNoKeptCheckpointReadsFromAnyMoreGoesAtTheNextPass() {
        Map<Long, List<Long>> bases = new HashMap<>(Map.of(3L, List.of(1L), 4L, List.of(1L, 3L)));
        NavigableMap<Long, Retention.Held> held = checkpoints("cccc", bases);
        assertThat(Retention.decide(held, 2).keptAsBases()).containsExactly(1L);
        assertThat(Retention.decide(held, 2).expired()).containsExactly(2L);
        // 5 arrives, a full checkpoint, and 6 reads only from 5: 1, 3 and 4 are no longer anyone's base.
        bases.put(6L, List.of(5L));
        held = checkpoints("cccccc", bases);
        held.remove(2L);
        Retention.Decision d = Retention.decide(held, 2);
        assertThat(d.keptAsBases()).isEmpty();
        assertThat(d.expired()).containsExactly(1L, 3L, 4L);
    }

    @Test
    void withFewerThanRCompleteNothingGoesAndNothingIsKeptAsABase() {
        Retention.Decision d = Retention.decide(checkpoints("cic", Map.of(3L, List.of(1L))), 3);
        assertThat(d.expired()).isEmpty();
        assertThat(d.keptAsBases()).isEmpty();
    }

    @Test
    void aBaseTheServerDoesNotHoldEndsTheChainButNothingElse() {
        NavigableMap<Long, Retention.Held> held = checkpoints("ccccc", Map.of(5L, List.of(0L, 2L)));
        Retention.Decision d = Retention.decide(held, 1);
        assertThat(d.keptAsBases()).containsExactly(2L);
        assertThat(d.expired()).containsExactly(1L, 3L, 4L);
    }

    @Test
    void aKeptCheckpointWithUnknownBasesKeepsEverythingOlderUntilItGoesItself() {
        // 4 has cells but no manifest although 5 is complete: its manifest rotted or never came. What it reads
        // from is unknown, so 1, 2 and 3 stay while retention keeps 4.
        Retention.Decision d = Retention.decide(checkpoints("cccnc"), 2);
        assertThat(d.expired()).isEmpty();
        assertThat(d.keptAsBases()).containsExactly(1L, 2L);
        // Once two newer checkpoints are complete, 4 goes like any other, and so does what it held.
        assertThat(Retention.decide(checkpoints("cccncc"), 2).expired()).containsExactly(1L, 2L, 3L, 4L);
        // One newer than every complete checkpoint is still arriving: its manifest is judged when it is here.
        assertThat(Retention.decide(checkpoints("cccn"), 2).expired()).containsExactly(1L);
    }

    @Test
    void randomHistoriesWithBasesNeverLoseABaseOfAKeptCheckpoint() {
        Random random = new Random(7);
        int cases = 0;
        for (int n = 1; n <= 12; n++) {
            for (int retain = 1; retain <= 3; retain++) {
                for (int trial = 0; trial < 20; trial++) {
                    NavigableMap<Long, Retention.Held> map = new TreeMap<>();
                    for (long id = 1; id <= n; id++) {
                        List<Long> bases = new java.util.ArrayList<>();
                        for (long b = 1; b < id; b++) {
                            if (random.nextInt(4) == 0) {
                                bases.add(b);
                            }
                        }
                        map.put(id, Retention.Held.of(random.nextInt(4) > 0, bases));
                    }
                    Retention.Decision d = Retention.decide(map, retain);
                    NavigableMap<Long, Retention.Held> kept = new TreeMap<>(map);
                    d.expired().forEach(kept::remove);
                    for (Retention.Held h : kept.values()) {
                        assertThat(h.bases().orElseThrow()).allSatisfy(b -> assertThat(kept).containsKey(b));
                    }
                    NavigableSet<Long> byAge = new TreeSet<>(kept.keySet());
                    byAge.removeAll(d.keptAsBases());
                    long completeByAge = byAge.stream().filter(id -> map.get(id).complete()).count();
                    assertThat(completeByAge).as("bases count as none of the R")
                            .isEqualTo(Math.min(map.values().stream().filter(Retention.Held::complete).count(),
                                    retain));
                    assertThat(d.keptAsBases()).allSatisfy(b -> assertThat(b).isLessThan(byAge.first()));
                    cases++;
                }
            }
        }
        assertThat(cases).isEqualTo(12 * 3 * 20);
    }

    @Test
    void retainMustBePositive() {
        assertThatThrownBy(() -> Retention.decide(checkpoints("c"), 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0");
    }

    @Test
    void randomHistoriesKeepExactlyTheNewestRCompleteAndAllNewer() {
        Random random = new Random(42);
        int cases = 0;
        for (int n = 0; n <= 12; n++) {
            for (int retain = 1; retain <= 4; retain++) {
                for (int trial = 0; trial < 20; trial++) {
                    NavigableMap<Long, Retention.Held> map = new TreeMap<>();
                    long id = 0;
                    for (int i = 0; i < n; i++) {
                        id += 1 + random.nextInt(3);
                        map.put(id, Retention.Held.of(random.nextBoolean(), List.of()));
                    }
                    List<Long> expired = expired(map, retain);
                    NavigableMap<Long, Retention.Held> kept = new TreeMap<>(map);
                    expired.forEach(kept::remove);
                    long completeTotal = map.values().stream().filter(Retention.Held::complete).count();
                    long completeKept = kept.values().stream().filter(Retention.Held::complete).count();
                    assertThat(completeKept).isEqualTo(Math.min(completeTotal, retain));
                    if (!expired.isEmpty()) {
                        long oldestKept = kept.firstKey();
                        assertThat(kept.get(oldestKept).complete()).as("the oldest kept checkpoint is complete")
                                .isTrue();
                        assertThat(expired).allSatisfy(e -> assertThat(e).isLessThan(oldestKept));
                    }
                    cases++;
                }
            }
        }
        assertThat(cases).isEqualTo(13 * 4 * 20);
    }
}
