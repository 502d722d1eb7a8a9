package io.checkstripe.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.codec.CellLayout;
import io.checkstripe.codec.RedundancyPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restores with servers lost: every pattern the policy tolerates, and one loss too many. */
class LostServersTest {

    static final String APP = "lost-app";
    static final int SEGMENT = 16 * 1024;

    @TempDir
    Path tmp;

    /** Every subset of {@code 0..n-1} with at most {@code max} elements, smallest first. */
    static List<Set<Integer>> subsets(int n, int max) {
        List<Set<Integer>> all = new ArrayList<>();
        for (int mask = 0; mask < 1 << n; mask++) {
            if (Integer.bitCount(mask) <= max) {
                int m = mask;
                all.add(IntStream.range(0, n).filter(i -> (m >> i & 1) == 1).boxed()
                        .collect(Collectors.toCollection(TreeSet::new)));
            }
        }
        return all;
    }

    static long binomialSum(int n, int max) {
        long sum = 0;
        for (int k = 0; k <= max; k++) {
            long c = 1;
            for (int i = 0; i < k; i++) {
                c = c * (n - i) / (i + 1);
            }
            sum += c;
        }
        return sum;
    }

    /** Restores with each pattern of lost servers (half of them as missing directories) and checks the bytes. */
    private int restoreEach(String policy, int servers, List<Set<Integer>> patterns, long size) throws IOException {
        Cluster cluster = new Cluster(tmp.resolve(policy), policy, servers);
        cluster.write(APP, 3, size, SEGMENT, 99);
        byte[] expected = Cluster.bytes(size, 99);
        int k = RedundancyPolicy.parse(policy).dataCells();
        int ran = 0;
        for (Set<Integer> lost : patterns) {
            List<String> locations = new ArrayList<>();
            for (int i = 0; i < servers; i++) {
                if (!lost.contains(i)) {
                    locations.add(cluster.dir(i).toString());
                } else if (i % 2 == 0) {
                    locations.add(tmp.resolve("no-such-dir-" + i).toString()); // given, but missing
                }
            }
            Collections.shuffle(locations, new Random(ran)); // sources in any order
            Path out = tmp.resolve("out-" + ran);
            RestoreReport report = new Restorer(RestoreOptions.defaults())
                    .restore(APP, Cluster.sources(locations), out, OptionalLong.empty());
            assertThat(Files.readAllBytes(out)).as("lost %s", lost).isEqualTo(expected);
            assertThat(report.serversLost()).extracting(LostServer::serverIndex).containsExactlyElementsOf(lost);
            assertThat(report.unreachableSources()).hasSize((int) lost.stream().filter(i -> i % 2 == 0).count());
            long rebuilt = 0;
            for (int s = 0; s < (size + SEGMENT - 1) / SEGMENT; s++) {
                for (int j = 0; j < k; j++) {
                    rebuilt += lost.contains(CellLayout.serverOf(s, j, servers)) ? 1 : 0;
                }
            }
            assertThat(report.cellsRebuilt()).as("lost %s", lost).isEqualTo(rebuilt);
            ran++;
        }
        return ran;
    }

    @Test
    void rs32SurvivesEveryLossOfUpToTwoServers() throws IOException {
        List<Set<Integer>> patterns = subsets(5, 2);
        int ran = restoreEach("RS-3-2", 5, patterns, 7L * SEGMENT + 1001);
        assertThat(ran).isEqualTo(binomialSum(5, 2)).isEqualTo(16);
    }

    @Test
    void rs63SurvivesASampleOfLossesOfUpToThreeServers() throws IOException {
        List<Set<Integer>> all = subsets(9, 3);
        assertThat(all).hasSize((int) binomialSum(9, 3)).hasSize(130);
        List<Set<Integer>> sample = new ArrayList<>(all.subList(0, 1));
        List<Set<Integer>> rest = new ArrayList<>(all.subList(1, all.size()));
        Collections.shuffle(rest, new Random(42));
        sample.addAll(rest.subList(0, 24));
        sample.addAll(all.stream().filter(p -> p.size() == 3 && p.contains(0) && p.contains(1)).toList());
        int ran = restoreEach("RS-6-3", 9, sample, 11L * SEGMENT + 5);
        assertThat(ran).isEqualTo(25 + 7);
    }

    @Test
    void xorAndMirrorSurviveEverySingleOrDoubleLossTheyTolerate() throws IOException {
        assertThat(restoreEach("XOR-4-1", 5, subsets(5, 1), 3L * SEGMENT + 17)).isEqualTo(6);
        assertThat(restoreEach("MIRROR-3", 3, subsets(3, 2), 3L * SEGMENT + 17)).isEqualTo(7);
    }

    @Test
    void oneLossTooManyNamesEveryStripeAndServer() throws IOException {
        Cluster cluster = new Cluster(tmp.resolve("c"), "RS-3-2", 5);
        cluster.write(APP, 4, 64L * SEGMENT, SEGMENT, 5);
        Path out = tmp.resolve("out");

        assertThatThrownBy(() -> new Restorer(RestoreOptions.defaults())
                .restore(APP, cluster.sourcesWithout(Set.of(0, 2, 4)), out, OptionalLong.empty()))
                .isInstanceOfSatisfying(UnrecoverableCheckpointException.class, e -> {
                    assertThat(e.checkpointId()).isEqualTo(4);
                    assertThat(e.stripes().toList()).isEqualTo(IntStream.range(0, 64).boxed().toList());
                    assertThat(e.failures().get(0).lostServers().toList()).containsExactly(0, 2, 4);
                    assertThat(e.getMessage()).contains("stripes 0-63 (64 of 64)").contains("fewer than 3 intact cells")
                            .contains("lost servers 0", "2 (", "4 (");
                });
        assertThat(out).doesNotExist();
    }

    @Test
    void withMoreServersThanCellsOnlyTheStripesTouchedTooOftenAreNamed() throws IOException {
        int servers = 7;
        Cluster cluster = new Cluster(tmp.resolve("c"), "RS-3-2", servers);
        cluster.write(APP, 4, 14L * SEGMENT, SEGMENT, 5);
        Set<Integer> lost = Set.of(0, 1, 2);
        List<Integer> expected = new ArrayList<>();
        for (int s = 0; s < 14; s++) {
            int gone = 0;
            for (int j = 0; j < 5; j++) {
                gone += lost.contains(CellLayout.serverOf(s, j, servers)) ? 1 : 0;
            }
            if (gone > 2) {
                expected.add(s);
            }
        }
        assertThat(expected).isNotEmpty().hasSizeLessThan(14);

        assertThatThrownBy(() -> new Restorer(RestoreOptions.defaults())
                .restore(APP, cluster.sourcesWithout(lost), tmp.resolve("out"), OptionalLong.of(4)))
                .isInstanceOfSatisfying(UnrecoverableCheckpointException.class, e -> {
                    assertThat(e.stripes().toList()).isEqualTo(expected);
                    assertThat(e.getMessage()).contains("(" + expected.size() + " of 14)");
                });
    }

    @Test
    void stripeWithoutParityLosesEveryStripeOfALostServer() throws IOException {
        Cluster cluster = new Cluster(tmp.resolve("c"), "STRIPE-4", 4);
        cluster.write(APP, 1, 4L * SEGMENT, SEGMENT, 5);

        assertThatThrownBy(() -> new Restorer(RestoreOptions.defaults())
                .restore(APP, cluster.sourcesWithout(Set.of(3)), tmp.resolve("out"), OptionalLong.empty()))
                .isInstanceOf(UnrecoverableCheckpointException.class)
                .hasMessageContaining("stripes 0-3 (4 of 4)").hasMessageContaining("lost servers 3");
    }
}
