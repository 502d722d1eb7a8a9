package io.checkstripe.heal;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkstripe.metrics.ProcessMetrics;
import io.checkstripe.restore.CellSource;
import io.checkstripe.restore.CheckpointStatus;
import io.checkstripe.restore.Cluster;
import io.checkstripe.restore.Health;
import io.checkstripe.restore.HttpSource;
import io.checkstripe.restore.RestoreOptions;
import io.checkstripe.restore.Restorer;
import io.checkstripe.restore.StatusReport;
import io.checkstripe.restore.StatusScanner;
import io.checkstripe.store.CellStore;
import io.checkstripe.store.TestCells;
import io.micrometer.core.instrument.Tags;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The healer against five real stores served by the sink's real HTTP API (taking repairs), filled as the
 * striper and the sinks fill them: a wiped server is refilled from the others, cell for cell, exactly once.
 */
class HealerTest {

    private static final String APP = "ledger";
    private static final int SERVERS = 5;

    @TempDir
    Path root;

    private Cluster cluster;

    @AfterEach
    void close() throws IOException {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    void aWipedServerIsRefilledFromTheOthersAndASecondPassWritesNothing() throws Exception {
        cluster = new Cluster(root.resolve("servers"), "RS-3-2", SERVERS);
        List<Cluster.Written> written = new ArrayList<>();
        for (long cp = 1; cp <= 3; cp++) {
            written.add(cluster.write(APP, cp, 1_000_000 + cp * 12_345, 64 * 1024, cp));
        }
        cluster.deleteServer(2);
        Files.createDirectories(cluster.dir(2));
        try (CellStore empty = CellStore.open(cluster.dir(2), 2)) {
            assertThat(empty.checkpoints(APP)).isEmpty();
        }
        List<URI> servers = serveAll();
        PrometheusMeterRegistry registry = ProcessMetrics.registry(Tags.empty());
        try (Healer healer = new Healer(options(servers), registry)) {
            assertThat(healer.health().healthy()).isFalse();
            HealPass first = healer.pass();

            HealPass.Server wiped = first.servers().get(2);
            assertThat(wiped.serverIndex()).isEqualTo(2);
            assertThat(wiped.errors()).isEmpty();
            assertThat(wiped.repairs()).singleElement().satisfies(r ->
                    assertThat(r.repaired()).extracting(c -> c.checkpointId()).containsExactlyInAnyOrder(1L, 2L, 3L));
            assertThat(first.cellsWritten()).isEqualTo(wiped.cellsWritten()).isPositive();
            assertThat(first.servers()).filteredOn(s -> s.serverIndex() != 2)
                    .allSatisfy(s -> assertThat(s.cellsWritten()).isZero());
            assertThat(healer.health().healthy()).isTrue();
            assertThat(registry.scrape()).contains("checkstripe_healer_cells_repaired_total{server=\"2\"} "
                    + (double) wiped.cellsWritten());

            HealPass second = healer.pass();
            assertThat(second.cellsWritten()).isZero();
            assertThat(second.servers()).allSatisfy(s -> assertThat(s.repairs()).isEmpty());
        }
        cluster.close();
        cluster = null;
        // Server 2 now holds every cell of its own exactly once, and with servers 0 and 1 alone (two lost) every
        // checkpoint restores byte for byte.
        Cluster check = new Cluster(root.resolve("servers"), "RS-3-2", SERVERS);
        cluster = check;
        for (Cluster.Written w : written) {
            long cp = w.manifest().checkpointId();
            assertThat(TestCells.recordCounts(check.log(2, APP, cp)).values()).containsOnly(1);
            try (CellStore store = CellStore.openReadOnly(check.dir(2))) {
                assertThat(store.isComplete(APP, cp)).isTrue();
                assertThat(store.manifest(APP, cp)).contains(w.manifest());
            }
            Path out = root.resolve("restored-" + cp);
            new Restorer(RestoreOptions.defaults()).restore(APP,
                    List.of(new HttpSource(URI.create(check.serve(2)), Duration.ofSeconds(3), Duration.ofSeconds(10)),
                            new HttpSource(URI.create(check.serve(0)), Duration.ofSeconds(3), Duration.ofSeconds(10)),
                            new HttpSource(URI.create(check.serve(1)), Duration.ofSeconds(3), Duration.ofSeconds(10))),
                    out, OptionalLong.of(cp));
            assertThat(Files.readAllBytes(out)).isEqualTo(Cluster.bytes(w.manifest().totalBytes(), cp));
        }
    }

    @Test
    void aServerThatTakesNoRepairsIsReportedAndTheOthersStillHealed() throws Exception {
        cluster = new Cluster(root.resolve("servers"), "RS-3-2", SERVERS);
        cluster.write(APP, 1, 300_000, 32 * 1024, 1);
        cluster.deleteServer(1);
        cluster.deleteServer(3);
        Files.createDirectories(cluster.dir(1));
        Files.createDirectories(cluster.dir(3));
        try (CellStore s1 = CellStore.open(cluster.dir(1), 1); CellStore s3 = CellStore.open(cluster.dir(3), 3)) {
            assertThat(s1.checkpoints(APP)).isEmpty();
            assertThat(s3.checkpoints(APP)).isEmpty();
        }
        List<URI> servers = new ArrayList<>();
        for (int i = 0; i < SERVERS; i++) {
            servers.add(URI.create(i == 1 ? cluster.serve(i) : cluster.serveWritable(i)));
        }
        try (Healer healer = new Healer(options(servers), ProcessMetrics.registry(Tags.empty()))) {
            HealPass pass = healer.pass();
            assertThat(pass.servers().get(1).skipped()).contains("--accept-repairs");
            assertThat(pass.servers().get(1).errors()).isEmpty();
            assertThat(pass.servers().get(3).cellsWritten()).isPositive();
            assertThat(pass.serversSkipped()).isEqualTo(1);
            assertThat(pass.format()).contains("server 1").contains("--accept-repairs");
        }
    }

    @Test
    void anUnreachableServerIsSkipped() throws Exception {
        cluster = new Cluster(root.resolve("servers"), "XOR-2-1", 3);
        cluster.write(APP, 1, 100_000, 16 * 1024, 1);
        List<URI> servers = new ArrayList<>(List.of(URI.create(cluster.serveWritable(0)),
                URI.create(cluster.serveWritable(1))));
        servers.add(URI.create("http://127.0.0.1:1"));
        try (Healer healer = new Healer(options(servers), ProcessMetrics.registry(Tags.empty()))) {
            HealPass pass = healer.pass();
            assertThat(pass.servers().get(2).serverIndex()).isEqualTo(-1);
            assertThat(pass.servers().get(2).skipped()).startsWith("unreachable");
            assertThat(pass.cellsWritten()).isZero();
            assertThat(healer.health().healthy()).as("a lost server is not the healer's failure").isTrue();
        }
    }

    @Test
    void aServerLostAfterItAnsweredOnceDoesNotStopTheOthersFromBeingHealed() throws Exception {
        cluster = new Cluster(root.resolve("servers"), "RS-3-2", SERVERS);
        cluster.write(APP, 1, 400_000, 32 * 1024, 1);
        List<URI> servers = serveAll();
        try (Healer healer = new Healer(options(servers), ProcessMetrics.registry(Tags.empty()))) {
            assertThat(healer.pass().cellsWritten()).isZero();
            CellStore two = cluster.servedStore(2);
            two.delete(APP, 1);
            two.commit(Map.of());
            cluster.stopServing(4);

            HealPass pass = healer.pass();
            assertThat(pass.servers().get(4).skipped()).startsWith("unreachable");
            assertThat(pass.servers().get(2).errors()).isEmpty();
            assertThat(pass.servers().get(2).cellsWritten()).as("server 2 rebuilt from servers 0, 1 and 3").isPositive();
            assertThat(two.isComplete(APP, 1)).isTrue();
            assertThat(pass.servers()).filteredOn(s -> s.serverIndex() != 4)
                    .allSatisfy(s -> assertThat(s.errors()).isEmpty());
        }
    }

    @Test
    void aCheckpointKeptOnlyAsABaseIsRepairedLikeAnyOther() throws Exception {
        cluster = new Cluster(root.resolve("servers"), "RS-3-2", SERVERS);
        Cluster.Written base = cluster.write(APP, 1, 300_000, 32 * 1024, 1);
        cluster.write(APP, 2, 300_000, 32 * 1024, 2);
        cluster.writeIncremental(APP, 3, 100_000, 32 * 1024, 3, List.of(1L));
        List<URI> servers = serveAll();
        CellStore two = cluster.servedStore(2);
        two.delete(APP, 1);
        two.commit(Map.of());
        List<CellSource> sources = servers.stream().<CellSource>map(u -> new HttpSource(u, Duration.ofSeconds(3),
                Duration.ofSeconds(10))).toList();
        StatusScanner status = new StatusScanner(RestoreOptions.defaults());
        assertThat(status.scan(APP, sources, false).checkpoint(3).orElseThrow().health())
                .as("checkpoint 3 reads from 1, which server 2 lacks").isEqualTo(Health.DEGRADED);

        try (Healer healer = new Healer(options(servers), ProcessMetrics.registry(Tags.empty()))) {
            HealPass pass = healer.pass();
            assertThat(pass.servers().get(2).repairs()).singleElement().satisfies(r ->
                    assertThat(r.repaired()).extracting(c -> c.checkpointId()).containsExactly(1L));
        }
        assertThat(two.isComplete(APP, 1)).isTrue();
        assertThat(two.manifest(APP, 1)).contains(base.manifest());
        StatusReport after = status.scan(APP, sources, true);
        assertThat(after.checkpoints()).extracting(CheckpointStatus::health).containsOnly(Health.COMPLETE);
        assertThat(after.checkpoint(1).orElseThrow().baseOf()).containsExactly(3L);
    }

    private List<URI> serveAll() throws IOException {
        List<URI> servers = new ArrayList<>();
        for (int i = 0; i < SERVERS; i++) {
            servers.add(URI.create(cluster.serveWritable(i)));
        }
        return servers;
    }

    private HealerOptions options(List<URI> servers) {
        return HealerOptions.of(servers, root.resolve("spool")).withRate(0);
    }

}
