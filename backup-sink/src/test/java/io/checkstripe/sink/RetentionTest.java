package io.checkstripe.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class RetentionTest {

    /** "c" for complete, "i" for incomplete, checkpoint ids 1, 2, 3, ... in order. */
    private static NavigableMap<Long, Boolean> checkpoints(String pattern) {
        NavigableMap<Long, Boolean> map = new TreeMap<>();
        for (int i = 0; i < pattern.length(); i++) {
            map.put(i + 1L, pattern.charAt(i) == 'c');
        }
        return map;
    }

    @Test
    void nothingGoesWhileFewerThanRAreComplete() {
        assertThat(Retention.expired(checkpoints(""), 3)).isEmpty();
        assertThat(Retention.expired(checkpoints("iicic"), 3)).isEmpty();
        assertThat(Retention.expired(checkpoints("ccc"), 3)).isEmpty();
    }

    @Test
    void everythingOlderThanTheRthNewestCompleteGoesCompleteOrNot() {
        assertThat(Retention.expired(checkpoints("cccc"), 3)).containsExactly(1L);
        // complete: 2, 4, 6, 7; R = 3 keeps 4, 6 and 7 (and the incomplete 5 between them)
        assertThat(Retention.expired(checkpoints("icicicc"), 3)).containsExactly(1L, 2L, 3L);
        assertThat(Retention.expired(checkpoints("ccccc"), 1)).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void incompleteCheckpointsNewerThanTheOldestKeptStay() {
        // complete: 2, 4, 5; R = 2 keeps 4 and 5; 1, 2 and 3 go; the incomplete 6 and 7 stay.
        assertThat(Retention.expired(checkpoints("icicc" + "ii"), 2)).containsExactly(1L, 2L, 3L);
        // an incomplete checkpoint between kept complete ones stays as well
        assertThat(Retention.expired(checkpoints("cicic"), 2)).containsExactly(1L, 2L);
    }

    @Test
    void idsNeedNotBeDense() {
        NavigableMap<Long, Boolean> map = new TreeMap<>();
        map.put(10L, true);
        map.put(200L, false);
        map.put(3000L, true);
        map.put(40000L, true);
        assertThat(Retention.expired(map, 2)).containsExactly(10L, 200L);
    }

    @Test
    void retainMustBePositive() {
        assertThatThrownBy(() -> Retention.expired(checkpoints("c"), 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0");
    }

    @Test
    void randomHistoriesKeepExactlyTheNewestRCompleteAndAllNewer() {
        Random random = new Random(42);
        int cases = 0;
        for (int n = 0; n <= 12; n++) {
            for (int retain = 1; retain <= 4; retain++) {
                for (int trial = 0; trial < 20; trial++) {
                    NavigableMap<Long, Boolean> map = new TreeMap<>();
                    long id = 0;
                    for (int i = 0; i < n; i++) {
                        id += 1 + random.nextInt(3);
                        map.put(id, random.nextBoolean());
                    }
                    List<Long> expired = Retention.expired(map, retain);
                    NavigableMap<Long, Boolean> kept = new TreeMap<>(map);
                    expired.forEach(kept::remove);
                    long completeTotal = map.values().stream().filter(c -> c).count();
                    long completeKept = kept.values().stream().filter(c -> c).count();
                    assertThat(completeKept).isEqualTo(Math.min(completeTotal, retain));
                    if (!expired.isEmpty()) {
                        long oldestKept = kept.firstKey();
                        assertThat(kept.get(oldestKept)).as("the oldest kept checkpoint is complete").isTrue();
                        assertThat(expired).allSatisfy(e -> assertThat(e).isLessThan(oldestKept));
                    }
                    cases++;
                }
            }
        }
        assertThat(cases).isEqualTo(13 * 4 * 20);
    }
}
