package io.checkstripe.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class IndexRangesTest {

    @Test
    void compressesRunsAndCountsThem() {
        IndexRanges r = IndexRanges.of(41, 0, 1, 2, 50, 3, 2);

        assertThat(r.toString()).isEqualTo("0-3, 41, 50");
        assertThat(r.size()).isEqualTo(6);
        assertThat(r.first()).isZero();
        assertThat(r.describe("stripes", 64)).isEqualTo("stripes 0-3, 41, 50 (6 of 64)");
        assertThat(r.contains(3)).isTrue();
        assertThat(r.contains(4)).isFalse();
        assertThat(r).isEqualTo(IndexRanges.of(List.of(0, 1, 2, 3, 41, 50)));
        assertThat(IndexRanges.empty().isEmpty()).isTrue();
        assertThat(IndexRanges.empty().first()).isEqualTo(-1);
    }

    @Test
    void matchesASetOnRandomInput() {
        Random random = new Random(1);
        int cases = 0;
        for (; cases < 200; cases++) {
            TreeSet<Integer> set = new TreeSet<>();
            int n = random.nextInt(60);
            for (int i = 0; i < n; i++) {
                set.add(random.nextInt(100));
            }
            IndexRanges r = IndexRanges.of(new ArrayList<>(set));
            assertThat(r.toList()).containsExactlyElementsOf(set);
            assertThat(r.size()).isEqualTo(set.size());
            for (int i = 0; i < 100; i++) {
                assertThat(r.contains(i)).isEqualTo(set.contains(i));
            }
        }
        assertThat(cases).isEqualTo(200);
    }

    @Test
    void longListsAreCutInPrint() {
        IndexRanges.Builder b = new IndexRanges.Builder();
        for (int i = 0; i < 100; i += 2) {
            b.add(i);
        }
        IndexRanges r = b.build();
        assertThat(r.size()).isEqualTo(50);
        assertThat(r.toString()).startsWith("0, 2, 4").endsWith("38, ...");
        assertThat(r.ranges()).as("every range, where the print stops at 20").hasSize(50)
                .endsWith(new IndexRanges.Range(98, 98));
    }

    @Test
    void rangesAreTheRunsInOrder() {
        assertThat(IndexRanges.of(41, 0, 1, 2, 50, 3, 2).ranges()).containsExactly(new IndexRanges.Range(0, 3),
                new IndexRanges.Range(41, 41), new IndexRanges.Range(50, 50));
        assertThat(IndexRanges.empty().ranges()).isEmpty();
        assertThatThrownBy(() -> new IndexRanges.Range(5, 4)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("range 5-4");
    }

    @Test
    void builderRefusesDescendingOrNegativeIndexes() {
        assertThatThrownBy(() -> new IndexRanges.Builder().add(3).add(2)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index 2 added after 3");
        assertThatThrownBy(() -> new IndexRanges.Builder().add(-1)).isInstanceOf(IllegalArgumentException.class);
    }
}
