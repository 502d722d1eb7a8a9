package io.checkstripe.restore;

import io.checkstripe.store.FileDamage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.store.ManifestFormat;
import io.checkstripe.store.StoredManifest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Choosing the checkpoint, falling back, verifying, and refusing bad calls. */
class RestorerBehaviourTest {

    static final String APP = "app-x";
    static final int SEGMENT = 8 * 1024;
    static final long SIZE = 9L * SEGMENT - 100;

    @TempDir
    Path tmp;
    Cluster cluster;
    Path out;

    @BeforeEach
    void setUp() {
        cluster = new Cluster(tmp.resolve("servers"), "RS-3-2", 5);
        out = tmp.resolve("restored");
    }

    private Restorer restorer() {
        return new Restorer(RestoreOptions.defaults());
    }

    private Path checkpointDir(int server, long cp) {
        return cluster.layout(server).checkpointDir(APP, cp);
    }

    private void deleteCheckpoint(int server, long cp) throws IOException {
        try (Stream<Path> files = Files.list(checkpointDir(server, cp))) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(checkpointDir(server, cp));
    }

    private void writeManifest(int server, StoredManifest m) throws IOException {
        Files.write(cluster.layout(server).manifest(APP, m.checkpointId()), ManifestFormat.encode(m));
    }

    private static StoredManifest withSha(StoredManifest m, byte[] sha) {
        return new StoredManifest(m.appId(), m.checkpointId(), m.policy(), m.servers(), m.segmentCount(),
                m.segmentSize(), m.totalBytes(), sha, m.createdAt(), m.metadata());
    }

    private void assertNoOutputLeft() throws IOException {
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("servers");
        }
    }

    @Test
    void newestUnrecoverableFallsBackToThePreviousAndSaysWhy() throws IOException {
        cluster.write(APP, 1, SIZE, SEGMENT, 1);
        cluster.write(APP, 2, SIZE, SEGMENT, 2);
        for (int server : new int[] {0, 1, 2}) {
            deleteCheckpoint(server, 2);
        }

        RestoreReport report = restorer().restore(APP, cluster.sources(), out, OptionalLong.empty());

        assertThat(Files.readAllBytes(out)).isEqualTo(Cluster.bytes(SIZE, 1));
        assertThat(report.checkpointId()).isEqualTo(1);
        assertThat(report.skipped()).hasSize(1);
        assertThat(report.skipped().get(0).checkpointId()).isEqualTo(2);
        assertThat(report.skipped().get(0).reason()).contains("stripes 0-8 (9 of 9)")
                .contains("lost servers 0 ", "holds no cell of checkpoint 2");
        assertThat(report.format()).contains("skipped newer checkpoint 2: checkpoint 2 of app-x cannot be rebuilt");
    }

    @Test
    void newestWithoutAManifestFallsBack() throws IOException {
        cluster.write(APP, 1, SIZE, SEGMENT, 1);
        cluster.write(APP, 2, SIZE, SEGMENT, 2);
        for (int server = 0; server < 5; server++) {
            Files.delete(cluster.layout(server).manifest(APP, 2));
        }

        RestoreReport report = restorer().restore(APP, cluster.sources(), out, OptionalLong.empty());

        assertThat(report.checkpointId()).isEqualTo(1);
        assertThat(report.skipped()).singleElement().satisfies(s -> assertThat(s.reason())
                .contains("checkpoint 2 of app-x has no manifest on any reachable server"));
    }

    @Test
    void explicitCheckpointNeverFallsBack() throws IOException {
        cluster.write(APP, 1, SIZE, SEGMENT, 1);
        cluster.write(APP, 2, SIZE, SEGMENT, 2);
        for (int server : new int[] {0, 1, 2}) {
            deleteCheckpoint(server, 2);
        }

        assertThatThrownBy(() -> restorer().restore(APP, cluster.sources(), out, OptionalLong.of(2)))
                .isInstanceOfSatisfying(UnrecoverableCheckpointException.class, e -> {
                    assertThat(e.failures()).hasSize(1);
                    assertThat(e.checkpointId()).isEqualTo(2);
                    assertThat(e.stripes().size()).isEqualTo(9);
                });
        assertNoOutputLeft();

        RestoreReport older = restorer().restore(APP, cluster.sources(), out, OptionalLong.of(1));
        assertThat(older.checkpointId()).isEqualTo(1);
        assertThat(older.skipped()).isEmpty();
        assertThat(Files.readAllBytes(out)).isEqualTo(Cluster.bytes(SIZE, 1));
    }

    @Test
    void explicitCheckpointThatNoServerHolds() throws IOException {
        cluster.write(APP, 1, SIZE, SEGMENT, 1);

        assertThatThrownBy(() -> restorer().restore(APP, cluster.sources(), out, OptionalLong.of(5)))
                .isInstanceOf(UnrecoverableCheckpointException.class)
                .hasMessageContaining("checkpoint 5 of app-x is on no reachable server");
    }

    @Test
    void everyCheckpointUnrecoverableNamesThemAll() throws IOException {
        cluster.write(APP, 1, SIZE, SEGMENT, 1);
        cluster.write(APP, 2, SIZE, SEGMENT, 2);

        assertThatThrownBy(() -> restorer().restore(APP, cluster.sourcesWithout(Set.of(1, 3, 4)), out,
                OptionalLong.empty()))
                .isInstanceOfSatisfying(UnrecoverableCheckpointException.class, e -> {
                    assertThat(e.failures()).extracting(UnrecoverableCheckpointException.Failure::checkpointId)
                            .containsExactly(2L, 1L);
                    assertThat(e.getMessage()).startsWith("no checkpoint of app-x can be rebuilt from the reachable "
                            + "servers: checkpoint 2 of app-x cannot be rebuilt: stripes 0-8 (9 of 9)");
                });
        assertNoOutputLeft();
    }

    @Test
    void noReachableSourceIsUnrecoverable() throws IOException {
        Files.createDirectories(tmp.resolve("b")); // a directory without a store in it
        List<CellSource> sources = Cluster.sources(List.of(tmp.resolve("a").toString(), tmp.resolve("b").toString()));

        assertThatThrownBy(() -> restorer().restore(APP, sources, out, OptionalLong.empty()))
                .isInstanceOfSatisfying(UnrecoverableCheckpointException.class, e -> {
                    assertThat(e.checkpointId()).isEqualTo(-1);
                    assertThat(e.getMessage()).contains("no reachable server holds a checkpoint of app-x")
                            .contains("unreachable: [" + tmp.resolve("a") + ": NoSuchFileException")
                            .contains(tmp.resolve("b") + ": NoSuchFileException")
                            .contains("not a cell store");
                });
    }

    @Test
    void wrongSha256InTheManifestFailsVerificationAndWritesNothing() throws IOException {
        byte[] wrong = new byte[32];
        new Random(3).nextBytes(wrong);
        Cluster.Written w = cluster.write(APP, 1, SIZE, SEGMENT, 1, null, wrong);
        Files.writeString(out, "the previous restore");

        assertThatThrownBy(() -> restorer().restore(APP, cluster.sources(), out, OptionalLong.empty()))
                .isInstanceOfSatisfying(VerificationFailedException.class, e -> {
                    assertThat(e.checkpointId()).isEqualTo(1);
                    assertThat(e.expectedSha256()).contains(HexFormat.of().formatHex(wrong));
                    assertThat(e.actualSha256()).contains(HexFormat.of().formatHex(w.sha256()));
                    assertThat(e.getMessage()).contains("SHA-256 of the rebuilt bytes is "
                            + HexFormat.of().formatHex(w.sha256()));
                });
        assertThat(Files.readString(out)).isEqualTo("the previous restore");
        try (Stream<Path> files = Files.list(tmp)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("servers", "restored");
        }
    }

    @Test
    void dataCellThatPassesItsCrcButContradictsTheParityFailsVerificationAfterARebuild() throws IOException {
        // The server of cell 0 of stripe 3 stores a changed cell with a matching CRC; the server of cell 1 of that
        // stripe is lost, so the stripe is reconstructed, and encoding it again exposes the contradiction.
        cluster.write(APP, 1, SIZE, SEGMENT, 1, (server, segment, cell, data) -> {
            if (segment == 3 && cell == 0) {
                byte[] garbage = data.clone();
                garbage[5] ^= 0x40;
                return garbage;
            }
            return data;
        }, null);
        int lost = io.checkstripe.codec.CellLayout.serverOf(3, 1, 5);

        assertThatThrownBy(() -> restorer().restore(APP, cluster.sourcesWithout(Set.of(lost)), out,
                OptionalLong.empty()))
                .isInstanceOfSatisfying(VerificationFailedException.class, e -> {
                    assertThat(e.getMessage()).contains("stripe 3 was reconstructed")
                            .contains("does not reproduce its parity cell");
                    assertThat(e.expectedSha256()).isEmpty();
                });
        assertNoOutputLeft();

        // With every server there is nothing to reconstruct: the SHA-256 catches it instead.
        assertThatThrownBy(() -> restorer().restore(APP, cluster.sources(), out, OptionalLong.empty()))
                .isInstanceOf(VerificationFailedException.class).hasMessageContaining("SHA-256");
        assertNoOutputLeft();
    }

    @Test
    void disagreeingManifestLeavesItsServerOutAndTheRestRebuildIt() throws IOException {
        Cluster.Written w = cluster.write(APP, 1, SIZE, SEGMENT, 1);
        byte[] other = new byte[32];
        writeManifest(4, withSha(w.manifest(), other));

        RestoreReport report = restorer().restore(APP, cluster.sources(), out, OptionalLong.empty());

        assertThat(Files.readAllBytes(out)).isEqualTo(Cluster.bytes(SIZE, 1));
        assertThat(report.serversUsed()).containsExactly(0, 1, 2, 3);
        assertThat(report.serversLost()).singleElement().satisfies(l -> {
            assertThat(l.serverIndex()).isEqualTo(4);
            assertThat(l.reason()).contains("its manifest disagrees").contains("sha256 ");
        });
        assertThat(report.cellsRebuilt()).isPositive();
    }

    @Test
    void manifestsSplitWithoutAMajorityAreUnrecoverable() throws IOException {
        Cluster.Written w = cluster.write(APP, 1, SIZE, SEGMENT, 1);
        byte[] other = new byte[32];
        writeManifest(2, withSha(w.manifest(), other));
        writeManifest(3, withSha(w.manifest(), other));

        assertThatThrownBy(() -> restorer().restore(APP, cluster.sourcesWithout(Set.of(4)), out, OptionalLong.empty()))
                .isInstanceOf(UnrecoverableCheckpointException.class)
                .hasMessageContaining("disagree and no version is held by most servers")
                .hasMessageContaining("servers 0-1 say").hasMessageContaining("servers 2-3 say");
    }

    @Test
    void restoreReplacesAnExistingOutputFile() throws IOException {
        cluster.write(APP, 1, SIZE, SEGMENT, 1);
        Files.writeString(out, "old");

        restorer().restore(APP, cluster.sources(), out, OptionalLong.empty());

        assertThat(Files.readAllBytes(out)).isEqualTo(Cluster.bytes(SIZE, 1));
    }

    @Test
    void duplicateSourcesReadTheFirstAndWarn() throws IOException {
        cluster.write(APP, 1, SIZE, SEGMENT, 1);
        List<String> locations = new java.util.ArrayList<>(cluster.locations());
        locations.add(cluster.dir(2).toString());

        RestoreReport report = restorer().restore(APP, Cluster.sources(locations), out, OptionalLong.empty());

        assertThat(report.warnings()).singleElement().asString().contains("is server 2 again");
    }

    @Test
    void usageMistakesAreIllegalArguments() throws IOException {
        cluster.write(APP, 1, SIZE, SEGMENT, 1);
        Restorer r = restorer();
        List<CellSource> sources = cluster.sources();

        assertThatThrownBy(() -> r.restore("bad/app", sources, out, OptionalLong.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid application id \"bad/app\"");
        assertThatThrownBy(() -> r.restore("..", sources, out, OptionalLong.empty()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> r.restore(APP, List.of(), out, OptionalLong.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no sources given");
        assertThatThrownBy(() -> r.restore(APP, sources, tmp.resolve("missing").resolve("f"), OptionalLong.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("does not exist");
        assertThatThrownBy(() -> r.restore(APP, sources, tmp, OptionalLong.empty()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("is a directory");
        assertThatThrownBy(() -> r.restore(APP, sources, out, OptionalLong.of(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("negative");
        assertThatThrownBy(() -> CellSource.open("ftp://host/x", RestoreOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unsupported scheme");
        assertThatThrownBy(() -> CellSource.open(" ", RestoreOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("empty");
        assertThatThrownBy(() -> CellSource.open("http://host:80/x?y=1", RestoreOptions.defaults()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThat(out).doesNotExist();
    }

    @Test
    void reportPrintsEverythingAnOperatorNeeds() throws IOException {
        cluster.write(APP, 1, SIZE, SEGMENT, 1);
        Path log = cluster.log(3, APP, 1);
        FileDamage.Record r = FileDamage.records(log).values().iterator().next();
        FileDamage.flipBit(log, r.dataPosition(), 1);

        RestoreReport report = restorer().restore(APP, cluster.sourcesWithout(Set.of(0)), out, OptionalLong.empty());
        String text = report.format();

        assertThat(text).contains("restored checkpoint 1 of app-x to " + out)
                .contains("(" + SIZE + " bytes), sha256 " + report.sha256() + " verified")
                .contains("RS-3-2 over 5 servers; used servers 1-4")
                .contains("lost server 0: not among the sources given")
                .contains("cells rebuilt: " + report.cellsRebuilt() + "; bad cells: 1 (1 corrupt, 0 missing, 0 foreign)")
                .contains("server 3 segment 0 cell 3: corrupt")
                .containsPattern("\\d+\\.\\d s, [0-9.]+ [KMG]?i?B/s");
        assertThat(text.getBytes(StandardCharsets.UTF_8)).isNotEmpty();
    }
}
