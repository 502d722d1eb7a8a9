package io.checkstripe.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.Network;

/**
 * Faults only containers can make, on real containers of the checkstripe image: three broker containers and one
 * deployment ({@link ContainerPipeline}: two striper instances sharing the work, five sinks for {@code RS-3-2},
 * each on a volume of its own) shared by the class, every scenario publishing under an application of its own.
 * Publishes and restores run on this host through the ports the containers publish, as a user's would. Every
 * scenario ends as the fault suite's do: each server's store, copied out of its container, holds each of its
 * cells exactly once and intact, and restores are byte-exact. Before each scenario every broker and sink runs
 * and is connected again, whatever the one before left behind.
 *
 * <p>The class shares its containers because creating one copies the image's whole file system on the
 * {@code vfs} storage driver these machines have: seconds per container.
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@ExtendWith(SeedExtension.class)
class ContainerFaultTest {

    private static final Logger log = LoggerFactory.getLogger(ContainerFaultTest.class);

    private static final int SEGMENT = 1 << 20;
    private static final Duration WAIT = Duration.ofMinutes(5);
    /** Checkpoints a sink keeps per application by default ({@code sink --retain}). */
    private static final int RETAIN = 3;

    @TempDir
    static Path shared;

    private static String image;
    private static Network network;
    private static KafkaContainers kafka;
    private static ContainerPipeline pipeline;

    @TempDir
    Path tmp;

    @BeforeAll
    static void startContainers() {
        image = Containers.checkstripeImage();
        network = Network.newNetwork();
        kafka = KafkaContainers.start(image, network, 3, shared.resolve("brokers"));
        pipeline = new ContainerPipeline(kafka, network, image, shared.resolve("pipeline"), unique("shared"), "RS-3-2",
                5);
        pipeline.startStriper("a");
        pipeline.startStriper("b");
        pipeline.startSinks();
    }

    @BeforeEach
    void everyBrokerAndSinkRuns() {
        kafka.restartStopped();
        pipeline.restartStopped();
    }

    @AfterAll
    static void stopContainers() {
        if (pipeline != null) {
            pipeline.close();
        }
        if (kafka != null) {
            kafka.close();
        }
        if (network != null) {
            network.close();
        }
    }

    @Test
    void twoStripersAndFiveSinksOnContainersProtectCheckpointsAndAnyThreeServersRestoreThem(Seed seed) {
        SplittableRandom random = seed.random();
        long small = 1 + random.nextInt(SEGMENT);
        long large = 20L * SEGMENT + random.nextInt(SEGMENT);
        Path first = TestFiles.random(tmp.resolve("first.bin"), small, random.nextLong());
        Path second = TestFiles.random(tmp.resolve("second.bin"), large, random.nextLong());
        String app = unique("cluster");
        pipeline.publishProtected(app, first, 1);
        pipeline.publishProtected(app, second, 2);
        int cells = pipeline.assertExactlyOnce(app, 1, small, SEGMENT)
                + pipeline.assertExactlyOnce(app, 2, large, SEGMENT);
        int[] three = threeOf(random, 5);
        pipeline.assertRestores(app, 1, first, three);
        pipeline.assertRestores(app, 2, second, three);
        log.info("containers: 2 checkpoints ({} and {} bytes) on 5 sink containers, {} cells exactly once, "
                + "restored byte-exact from servers {} ({})", small, large, cells, Arrays.toString(three),
                seed);
    }

    @Test
    void aSinkContainerKilledMidCheckpointStartsAgainOnItsVolumeAndLosesOrDuplicatesNothing(Seed seed) {
        SplittableRandom random = seed.random();
        int victim = random.nextInt(5);
        int segments = 40;
        int killAfter = 2 + random.nextInt(segments - 10);
        long size = (long) segments * SEGMENT - random.nextInt(SEGMENT);
        Path file = TestFiles.random(tmp.resolve("checkpoint.bin"), size, random.nextLong());
        String app = unique("killed");
        ContainerPipeline.Sink sink = pipeline.sink(victim);
        long storedBefore = SinkApi.server(sink.http()).path("cellsStored").asLong();
        try (CheckstripeProcess publish = pipeline.startPublish(app, file, "--checkpoint-id", "1",
                "--wait-protected", "--protect-timeout", "300")) {
            await(sink + " stores " + killAfter + " cells").atMost(WAIT).pollInterval(Duration.ofMillis(20))
                    .until(() -> SinkApi.server(sink.http()).path("cellsStored").asLong() - storedBefore >= killAfter);
            sink.kill();
            log.info("container faults: killed {} after {} of its {} cells ({})", sink, killAfter, segments, seed);
            sink.restart();
            assertThat(publish.waitFor(WAIT)).as("publish\n%s", publish.diagnostics()).isZero();
            assertThat(publish.stdout()).contains("protected on every backup server");
        }
        int cells = pipeline.assertExactlyOnce(app, 1, size, SEGMENT);
        pipeline.assertRestores(app, 1, file, withTwoOthers(random, victim, 5));
        log.info("container faults: {} started again on its volume; {} cells exactly once, restore byte-exact",
                sink, cells);
    }

    @Test
    void aSinkCutOffTheNetworkForMinutesOfRecordsCatchesUpWhenReconnected(Seed seed) {
        SplittableRandom random = seed.random();
        int victim = random.nextInt(5);
        Duration cutOff = Duration.ofSeconds(60 + random.nextInt(40));
        String app = unique("cut");
        ContainerPipeline.Sink sink = pipeline.sink(victim);
        Map<Long, Path> published = new LinkedHashMap<>();
        published.put(1L, TestFiles.random(tmp.resolve("1.bin"), 6L * SEGMENT + 1, random.nextLong()));
        pipeline.publishProtected(app, published.get(1L), 1);

        int outputBefore = sink.output().length();
        sink.disconnect();
        long cutAt = System.nanoTime();
        int[] others = IntStream.range(0, 5).filter(i -> i != victim).toArray();
        for (long id = 2; id < 4 || System.nanoTime() - cutAt < cutOff.toNanos(); id++) {
            Path file = TestFiles.random(tmp.resolve(id + ".bin"), 2L * SEGMENT + random.nextInt(6 * SEGMENT),
                    random.nextLong());
            published.put(id, file);
            pipeline.publish(app, file, id);
            long checkpoint = id;
            for (int i : others) {
                await("server " + i + " holds " + checkpoint).atMost(WAIT).pollInterval(Duration.ofMillis(250))
                        .ignoreExceptions()
                        .until(() -> SinkApi.complete(pipeline.sink(i).http(), app, checkpoint));
            }
        }
        long newest = published.size();
        pipeline.assertRestores(app, newest, published.get(newest), others);
        Duration away = Duration.ofNanos(System.nanoTime() - cutAt);
        sink.reconnect();
        log.info("container faults: {} cut off for {} s while checkpoints 2..{} were published ({})", sink,
                away.toSeconds(), newest, seed);

        // It replays everything it missed and, like the others, ends holding the newest RETAIN checkpoints.
        List<Long> retained = published.keySet().stream().skip(published.size() - RETAIN).toList();
        await(sink + " catches up").atMost(WAIT).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> completeCheckpoints(sink, app).equals(retained));
        for (int i : others) {
            assertThat(completeCheckpoints(pipeline.sink(i), app)).as("checkpoints on server %d", i)
                    .isEqualTo(retained);
        }
        assertThat(sink.output().substring(outputBefore)).as("one sink process throughout")
                .doesNotContain(" running: ");
        int cells = 0;
        for (long id : retained) {
            cells += pipeline.assertExactlyOnce(app, id, size(published.get(id)), SEGMENT);
            pipeline.assertRestores(app, id, published.get(id), withTwoOthers(random, victim, 5));
        }
        log.info("container faults: {} caught up on {} checkpoints and holds the newest {}; {} cells exactly once, "
                + "restores byte-exact", sink, published.size() - 1, RETAIN, cells);
    }

    @Test
    void aServerLostWithItsVolumeIsRebuiltByRepairIntoAFreshContainerThatARestoreThenNeeds(Seed seed) {
        SplittableRandom random = seed.random();
        int victim = random.nextInt(5);
        Path first = TestFiles.random(tmp.resolve("1.bin"), 12L * SEGMENT + random.nextInt(SEGMENT),
                random.nextLong());
        Path second = TestFiles.random(tmp.resolve("2.bin"), 3L * SEGMENT + random.nextInt(SEGMENT),
                random.nextLong());
        Path third = TestFiles.random(tmp.resolve("3.bin"), 5L * SEGMENT + 7, random.nextLong());
        String app = unique("lost");
        pipeline.publishProtected(app, first, 1);
        pipeline.publishProtected(app, second, 2);

        ContainerPipeline.Sink sink = pipeline.sink(victim);
        sink.loseWhole();
        int[] from = IntStream.range(0, 5).filter(i -> i != victim).limit(3).toArray();
        String repaired = pipeline.repair(victim, app, from);
        assertThat(repaired).contains("repaired server " + victim + " of " + app);
        sink.start();
        for (long id = 1; id <= 2; id++) {
            long checkpoint = id;
            await(sink + " holds " + id).atMost(WAIT).ignoreExceptions()
                    .until(() -> SinkApi.complete(sink.http(), app, checkpoint));
        }
        int[] needsIt = withTwoOthers(random, victim, 5);
        pipeline.assertRestores(app, 1, first, needsIt);
        pipeline.assertRestores(app, 2, second, needsIt);
        log.info("container faults: server {} lost with its volume, repaired from {} into a fresh container; "
                + "restores from {} byte-exact ({})", victim, Arrays.toString(from),
                Arrays.toString(needsIt), seed);

        pipeline.publishProtected(app, third, 3);
        int cells = pipeline.assertExactlyOnce(app, 1, size(first), SEGMENT)
                + pipeline.assertExactlyOnce(app, 2, size(second), SEGMENT)
                + pipeline.assertExactlyOnce(app, 3, size(third), SEGMENT);
        pipeline.assertRestores(app, 3, third, needsIt);
        log.info("container faults: the repaired server protects the next checkpoint; {} cells exactly once",
                cells);
    }

    @Test
    void aSinkOnAFullTmpfsStallsSaysWhyAndResumesWhenSpaceReturns(Seed seed) {
        SplittableRandom random = seed.random();
        int victim = random.nextInt(3);
        long free = (3L << 20) + random.nextLong(3L << 20);
        long size = 24L * SEGMENT + random.nextInt(SEGMENT);
        Path file = TestFiles.random(tmp.resolve("checkpoint.bin"), size, random.nextLong());
        String app = "app";
        try (ContainerPipeline pipeline = new ContainerPipeline(kafka, network, image, tmp.resolve("full"),
                unique("full"), "XOR-2-1", 3)) {
            ContainerPipeline.Sink sink = pipeline.sink(victim).onTmpfs(32);
            pipeline.startStriper("a");
            pipeline.startSinks();
            long available = Long.parseLong(sink.shell("df --output=avail -B1 /data | tail -1").strip());
            sink.shell("head -c " + (available - free) + " /dev/zero > /data/filler");
            log.info("container faults: {} stores on a 32 MiB tmpfs with {} bytes free; checkpoint of {} bytes ({})",
                    sink, free, size, seed);

            pipeline.publish(app, file, 1);
            JsonNode stalled = await(sink + " stalls").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                    .until(() -> SinkApi.server(sink.http()), s -> "STALLED".equals(s.path("state").asText()));
            assertThat(stalled.path("reason").asText()).contains("is full").contains("/data");
            assertThat(sink.output()).contains("stopped consuming").contains("is full");
            assertThat(sink.container().isRunning()).as("the stalled sink's container runs").isTrue();
            String stripes = pipeline.topics().stripes();
            long end = new KafkaProbe(kafka).endOffsets(stripes, IsolationLevel.READ_COMMITTED)
                    .get(new TopicPartition(stripes, victim));
            assertThat(stalled.path("committedOffset").asLong()).as("offset of the stalled sink").isLessThan(end);

            sink.shell("rm /data/filler");
            await(sink + " resumes").atMost(WAIT).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                    .until(() -> SinkApi.complete(sink.http(), app, 1)
                            && "RUNNING".equals(SinkApi.server(sink.http()).path("state").asText()));
            assertThat(sink.output()).contains("resumed consuming");
            pipeline.awaitProtected(app, 1, WAIT);
            int cells = pipeline.assertExactlyOnce(app, 1, size, SEGMENT);
            int other = (victim + 1 + random.nextInt(2)) % 3;
            pipeline.assertRestores(app, 1, file, victim, other);
            log.info("container faults: {} stalled at offset {} of {} ({}), resumed when space returned; {} cells "
                    + "exactly once, restore from servers {} and {} byte-exact", sink,
                    stalled.path("committedOffset").asLong(), end, stalled.path("reason").asText(), cells, victim, other);
        }
    }

    @Test
    void aBrokerContainerKilledDuringAPublishCostsNoCheckpoint(Seed seed) {
        SplittableRandom random = seed.random();
        int victim = 1 + random.nextInt(kafka.size());
        int segments = 32;
        int killAfter = 2 + random.nextInt(segments - 8);
        long size = (long) segments * SEGMENT - random.nextInt(SEGMENT - 1);
        Path file = TestFiles.random(tmp.resolve("1.bin"), size, random.nextLong());
        Path after = TestFiles.random(tmp.resolve("2.bin"), 5L * SEGMENT + 5, random.nextLong());
        String app = unique("broker");
        Deployment.Victim broker = new Deployment.Victim("kafka-" + victim, () -> {
            kafka.kill(victim);
            log.info("container faults: killed broker container kafka-{} after {} of {} segments ({})", victim,
                    killAfter, segments, seed);
        }, () -> kafka.restart(victim));
        int cells = pipeline.assertBrokerKilledDuringAPublishCostsNoCheckpoint(broker, app, file, after, killAfter,
                SEGMENT);
        log.info("container faults: protected and restored byte-exact with kafka-{} dead ({} cells), and the "
                + "next checkpoint once it was back", victim, cells);
    }

    /** {@code name} with a random suffix: containers and topics of an earlier run never collide. */
    private static String unique(String name) {
        return name + "-" + HexFormat.of().toHexDigits((short) System.nanoTime());
    }

    /** The ids of the application's checkpoints the sink holds completely, ascending. */
    private static List<Long> completeCheckpoints(ContainerPipeline.Sink sink, String app) {
        List<Long> ids = new ArrayList<>();
        SinkApi.checkpoints(sink.http(), app).ifPresent(list -> list.forEach(c -> {
            if (c.path("complete").asBoolean(false)) {
                ids.add(c.path("checkpointId").asLong());
            }
        }));
        ids.sort(null);
        return ids;
    }

    /** Three distinct servers of {@code n}, drawn from the seed. */
    private static int[] threeOf(SplittableRandom random, int n) {
        return random.ints(0, n).distinct().limit(3).sorted().toArray();
    }

    /** {@code victim} and two other servers: a set of three that a restore of RS-3-2 needs the victim in. */
    private static int[] withTwoOthers(SplittableRandom random, int victim, int n) {
        return IntStream.concat(IntStream.of(victim), random.ints(0, n).filter(i -> i != victim).distinct().limit(2))
                .sorted().toArray();
    }

    private static long size(Path file) {
        return file.toFile().length();
    }
}
