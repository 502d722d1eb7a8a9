package io.checkstripe.faults;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.checkstripe.broker.BrokerProcess;
import io.checkstripe.store.CellKey;
import io.checkstripe.store.CellStore;
import io.checkstripe.store.StoreLayout;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The healer on real processes: {@code RS-3-2} over five sink processes (scrubbing every two seconds, taking
 * repairs) fed by a striper process on a broker process. Rot in cells on two servers and in a manifest is
 * found by their scrubs and rebuilt; a server whose store is wiped, and whose partition no longer holds its records, is refilled by a
 * running healer while publishes go on; a healer SIGKILLed midway and run again finishes with every cell on the
 * server exactly once. Every test ends with byte-exact restores that need the healed cells.
 */
@Tag("integration")
@Timeout(value = 8, unit = TimeUnit.MINUTES)
@ExtendWith(SeedExtension.class)
class HealerFaultTest {

    private static final Logger log = LoggerFactory.getLogger(HealerFaultTest.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String APP = "heal-app";
    private static final int SERVERS = 5;
    private static final int SEGMENT = 1 << 20;
    /** Six stripes, the last one short. */
    private static final long SIZE = 5L * SEGMENT + 54_321;
    private static final int SEGMENTS = 6;

    @TempDir
    static Path tmp;

    private static BrokerProcess broker;
    private static Pipeline pipeline;
    /** Published checkpoints, by id. */
    private static final Map<Long, Path> published = new TreeMap<>();

    @BeforeAll
    static void protectTwoCheckpoints() {
        broker = BrokerProcess.start(tmp.resolve("broker"));
        pipeline = new Pipeline(broker, tmp.resolve("pipeline"), "heal.", "RS-3-2", SERVERS)
                .sinkOptions("--accept-repairs", "--scrub-interval", "2", "--scrub-rate", "100", "--retain", "50");
        pipeline.startStriper("striper");
        pipeline.startSinks();
        publish(1);
        publish(2);
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void rotOnTwoServersIsFoundByTheirScrubsAndRebuilt(Seed seed) throws IOException {
        SplittableRandom random = seed.random();
        int a = random.nextInt(SERVERS);
        int b = (a + 1 + random.nextInt(SERVERS - 1)) % SERVERS;
        Map<Integer, CellKey> rotten = new TreeMap<>();
        rotten.put(a, flipABit(a, 2, random));
        rotten.put(b, flipABit(b, 1, random));
        Path manifest = StoreLayout.of(pipeline.sinkDir(b)).manifest(APP, 2);
        flipABit(manifest, Files.size(manifest) / 2, random);
        rotten.forEach((server, key) -> Awaitility.await("the scrub of server " + server + " finds " + key)
                .atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(250))
                .until(() -> scrubFound(server, "corrupt-cell", key.segmentIndex(), key.cellIndex())));
        Awaitility.await("the scrub of server " + b + " finds the manifest of checkpoint 2 corrupt")
                .atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(250))
                .until(() -> scrubFound(b, "corrupt-manifest", -1, -1));

        JsonNode pass = healOnce();
        assertThat(pass.get("cellsWritten").asLong()).as("one cell rebuilt on each of servers %s; %s", rotten.keySet(),
                pass).isEqualTo(2);
        assertThat(pass.get("manifestsRewritten").asLong()).as("%s", pass).isOne();
        for (long cp : published.keySet()) {
            for (int i = 0; i < SERVERS; i++) {
                assertIntactOnce(i, cp);
            }
        }
        try (CellStore store = CellStore.openReadOnly(pipeline.sinkDir(b))) {
            assertThat(store.rereadManifest(APP, 2)).as("the manifest file of server %d", b).isPresent();
        }
        JsonNode again = healOnce();
        assertThat(again.get("cellsWritten").asLong()).as("a second pass finds nothing to do").isZero();
        assertThat(again.get("manifestsRewritten").asLong()).isZero();
        assertThat(pipeline.status(APP).exitCode()).isZero();
        int third = (b + 1) % SERVERS == a ? (b + 2) % SERVERS : (b + 1) % SERVERS;
        pipeline.assertRestores(APP, 2, published.get(2L), a, b, third);
        pipeline.assertRestores(APP, 1, published.get(1L), a, b, third);
        log.info("healer: rot in cells {} and a manifest of server {}, found by the scrubs and rebuilt; {}", rotten, b,
                seed);
    }

    @Test
    void aWipedServerIsRefilledByARunningHealerWhilePublishesGoOn(Seed seed) {
        int w = seed.random().nextInt(SERVERS);
        wipe(w);
        long next = published.keySet().stream().mapToLong(Long::longValue).max().orElseThrow() + 1;
        try (CheckstripeProcess healer = startHealer("4", "2")) {
            publish(next);
            publish(next + 1);
            for (long cp : published.keySet()) {
                Awaitility.await("server " + w + " holds " + APP + "/" + cp + " again").atMost(Duration.ofMinutes(3))
                        .pollInterval(Duration.ofMillis(500)).ignoreExceptions()
                        .until(() -> SinkApi.complete(pipeline.sink(w).http(), APP, cp));
            }
            healer.assertAlive();
            assertThat(healer.stop()).as("SIGTERM ends the healer as the JVM ends on it, 128 + 15").isEqualTo(143);
        }
        for (long cp : published.keySet()) {
            Stores.assertExactlyOnce(pipeline.sinkDir(w), w, SERVERS, pipeline.policy(), APP, cp, SEGMENTS);
        }
        int[] withTwoLost = {w, (w + 1) % SERVERS, (w + 2) % SERVERS};
        pipeline.assertRestores(APP, 1, published.get(1L), withTwoLost);
        log.info("healer: wiped server {} refilled with checkpoints {} while {} and {} were published; {}", w,
                published.keySet(), next, next + 1, seed);
    }

    @Test
    void aHealerKilledMidwayAndRunAgainWritesEveryCellOnce(Seed seed) {
        int v = seed.random().nextInt(SERVERS);
        wipe(v);
        int checkpoints = published.size();
        try (CheckstripeProcess healer = startHealer("2", "600")) {
            Awaitility.await("the healer rebuilt a first checkpoint onto server " + v).atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                    .until(() -> completeOn(v) >= 1);
            healer.kill();
        }
        long done = completeOn(v);
        assertThat(done).as("the kill came midway: checkpoints complete on server %d of %d", v, checkpoints)
                .isLessThan(checkpoints);

        JsonNode pass = healOnce();
        assertThat(pass.get("cellsWritten").asLong()).isPositive();
        assertThat(completeOn(v)).isEqualTo(checkpoints);
        for (long cp : published.keySet()) {
            Stores.assertExactlyOnce(pipeline.sinkDir(v), v, SERVERS, pipeline.policy(), APP, cp, SEGMENTS);
        }
        assertThat(healOnce().get("cellsWritten").asLong()).isZero();
        assertThat(Stores.files(tmp.resolve("spool"))).as("spool files left by the killed healer are gone").isEmpty();
        pipeline.assertRestores(APP, 2, published.get(2L), v, (v + 2) % SERVERS, (v + 4) % SERVERS);
        log.info("healer: killed after {} of {} checkpoints rebuilt onto server {}, finished by a second run; {}", done,
                checkpoints, v, seed);
    }

    // ---------------------------------------------------------------- helpers

    private static void publish(long cp) {
        Path file = TestFiles.random(tmp.resolve("checkpoint-" + cp + ".bin"), SIZE, 80 + cp);
        pipeline.publishProtected(APP, file, cp);
        published.put(cp, file);
    }

    /** Kills server {@code server}'s sink, deletes its store and its partition's records, and starts it empty. */
    private static void wipe(int server) {
        pipeline.sink(server).kill();
        deleteTree(pipeline.sinkDir(server));
        TopicPartition partition = new TopicPartition(pipeline.topics().stripes(), server);
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            long end = admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition).get()
                    .offset();
            admin.deleteRecords(Map.of(partition, RecordsToDelete.beforeOffset(end))).all().get();
        } catch (Exception e) {
            throw new IllegalStateException("cannot delete the records of " + partition, e);
        }
        pipeline.sink(server).start();
        assertThat(completeOn(server)).as("server %d starts empty and cannot replay its partition", server).isZero();
    }

    private static String serverUrls() {
        return IntStream.range(0, SERVERS).mapToObj(i -> pipeline.sink(i).http().toString())
                .collect(Collectors.joining(","));
    }

    private static CheckstripeProcess startHealer(String rate, String interval) {
        return CheckstripeProcess.start("healer-" + pipeline.nextRun(), pipeline.dir().resolve("logs"),
                CheckstripeProcess.Options.service("256m"), List.of("healer", "--servers", serverUrls(), "--rate", rate,
                        "--interval", interval, "--spool-dir", tmp.resolve("spool").toString()));
    }

    /** One pass of {@code checkstripe healer --once --output json}, which must exit 0. */
    private static JsonNode healOnce() {
        CheckstripeProcess.Result r = Cli.run(List.of("healer", "--servers", serverUrls(), "--once", "--rate", "0",
                "--output", "json", "--spool-dir", tmp.resolve("spool").toString()));
        assertThat(r.exitCode()).as("healer --once: %s", r).isZero();
        try {
            return JSON.readTree(r.stdout());
        } catch (IOException e) {
            throw new AssertionError("healer --once printed no JSON document: " + r, e);
        }
    }

    private static long completeOn(int server) {
        return SinkApi.checkpoints(pipeline.sink(server).http(), APP).map(list -> {
            long n = 0;
            for (JsonNode c : list) {
                n += c.path("complete").asBoolean() && c.path("hasManifest").asBoolean() ? 1 : 0;
            }
            return n;
        }).orElse(0L);
    }

    /** Flips one bit in the data of a random cell of the checkpoint on the server, under its running sink. */
    private static CellKey flipABit(int server, long cp, SplittableRandom random) throws IOException {
        List<Stores.LogRecord> records = Stores.records(pipeline.sinkDir(server), APP, cp);
        Stores.LogRecord victim = records.get(random.nextInt(records.size()));
        long at = victim.position() + victim.headerLength() + random.nextInt(victim.header().cellLength());
        flipABit(Stores.cellLog(pipeline.sinkDir(server), APP, cp), at, random);
        log.info("flipped a bit of cell {} of {}/{} on server {} at byte {}", victim.key(), APP, cp, server, at);
        return victim.key();
    }

    private static void flipABit(Path path, long at, SplittableRandom random) throws IOException {
        try (RandomAccessFile file = new RandomAccessFile(path.toFile(), "rws")) {
            file.seek(at);
            int b = file.read();
            file.seek(at);
            file.write(b ^ (1 << random.nextInt(8)));
        }
    }

    private static boolean scrubFound(int server, String kind, int segment, int cell) {
        JsonNode report = SinkApi.scrub(pipeline.sink(server).http()).orElseThrow();
        for (JsonNode f : report.path("lastPass").path("findings")) {
            if (f.path("kind").asText().equals(kind) && f.path("segment").asInt() == segment
                    && f.path("cell").asInt() == cell) {
                return true;
            }
        }
        return false;
    }

    /**
     * Asserts that the server's log holds every cell it should intact exactly once: a corrupt record may stay
     * before the intact copy that superseded it, never after it and never alone.
     */
    private static void assertIntactOnce(int server, long cp) {
        Map<CellKey, List<Boolean>> byKey = new TreeMap<>();
        for (Stores.LogRecord r : Stores.records(pipeline.sinkDir(server), APP, cp)) {
            byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.intact());
        }
        assertThat(byKey.keySet()).as("cells of %s/%d on server %d", APP, cp, server)
                .containsExactlyElementsOf(Stores.expectedCells(server, SERVERS, pipeline.policy(), SEGMENTS));
        byKey.forEach((key, copies) -> {
            assertThat(copies.stream().filter(intact -> intact).count()).as("intact copies of %s on server %d, %s/%d",
                    key, server, APP, cp).isOne();
            assertThat(copies.get(copies.size() - 1)).as("the last copy of %s on server %d is intact", key, server)
                    .isTrue();
        });
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + root, e);
        }
    }
}
