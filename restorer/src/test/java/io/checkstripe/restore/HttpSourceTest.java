package io.checkstripe.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Restores through the sinks' real HTTP API, with sinks that refuse, stay silent or stall mid-stream. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpSourceTest {

    static final String APP = "web";
    static final int SEGMENT = 32 * 1024;
    static final long SIZE = 40L * SEGMENT + 3;

    /** Short timeouts so that a silent sink is given up on quickly. */
    static final RestoreOptions FAST = RestoreOptions.defaults().withTimeouts(Duration.ofSeconds(1),
            Duration.ofSeconds(1)).withReadAheadBytes(256 * 1024);

    @TempDir
    Path tmp;
    Cluster cluster;
    MisbehavingSink bad;

    @BeforeEach
    void setUp() throws IOException {
        cluster = new Cluster(tmp.resolve("servers"), "RS-3-2", 5);
        cluster.write(APP, 1, SIZE, SEGMENT, 11);
        bad = new MisbehavingSink();
    }

    @AfterEach
    void tearDown() throws Exception {
        bad.close();
        cluster.close();
    }

    private RestoreReport restore(List<String> locations) throws IOException {
        Path out = tmp.resolve("out");
        RestoreReport report = new Restorer(FAST).restore(APP, Cluster.sources(locations, FAST), out,
                OptionalLong.empty());
        assertThat(Files.readAllBytes(out)).isEqualTo(Cluster.bytes(SIZE, 11));
        return report;
    }

    @Test
    void restoresFromSinksOverHttpAndDirectoriesMixed() throws IOException {
        List<String> locations = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            locations.add(i % 2 == 0 ? cluster.serve(i) : cluster.dir(i).toString());
        }

        RestoreReport report = restore(locations);

        assertThat(report.serversUsed()).containsExactly(0, 1, 2, 3, 4);
        assertThat(report.badCells()).isEmpty();
    }

    @Test
    void sinkThatAcceptsAndNeverAnswersTimesOutAndIsLost() throws IOException {
        List<String> locations = new ArrayList<>();
        locations.add(bad.silent());
        for (int i = 1; i < 5; i++) {
            locations.add(cluster.serve(i));
        }
        long start = System.nanoTime();

        RestoreReport report = restore(locations);

        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
        assertThat(report.unreachableSources()).singleElement().satisfies(u -> {
            assertThat(u.location()).isEqualTo(locations.get(0));
            assertThat(u.reason()).containsIgnoringCase("timed out");
        });
        assertThat(report.serversLost()).extracting(LostServer::serverIndex).containsExactly(0);
        assertThat(report.serversUsed()).containsExactly(1, 2, 3, 4);
        assertThat(report.cellsRebuilt()).isPositive();
    }

    @Test
    void refusedAndUnavailableSinksAreLost() throws IOException {
        List<String> locations = new ArrayList<>(List.of(MisbehavingSink.refusing(), bad.unavailable()));
        for (int i = 2; i < 5; i++) {
            locations.add(cluster.serve(i));
        }

        RestoreReport report = restore(locations);

        assertThat(report.unreachableSources()).extracting(UnreachableSource::location)
                .containsExactlyInAnyOrder(locations.get(0), locations.get(1));
        assertThat(report.unreachableSources()).anySatisfy(u -> assertThat(u.reason()).contains("HTTP 503"));
        assertThat(report.serversUsed()).containsExactly(2, 3, 4);
    }

    @Test
    void sinkThatStallsInTheMiddleOfAStreamIsLostAndTheRestoreCompletes() throws IOException {
        List<String> locations = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            locations.add(i == 3 ? bad.stallingProxy(cluster.serve(3), 20_000) : cluster.serve(i));
        }
        // The proxy answers everything but cells: warm it up so that its first answer is not mistaken for a stall.
        assertThat(CellSource.open(locations.get(3), FAST).serverIndex()).isEqualTo(3);

        RestoreReport report = restore(locations);

        assertThat(report.serversLost()).singleElement().satisfies(l -> {
            assertThat(l.serverIndex()).isEqualTo(3);
            assertThat(l.location()).isEqualTo(locations.get(3));
            assertThat(l.reason()).contains("failed during the transfer").contains("sent nothing for 1000 ms");
        });
        assertThat(report.serversUsed()).containsExactly(0, 1, 2, 4);
        assertThat(report.cellsRebuilt()).isPositive();
    }
}
