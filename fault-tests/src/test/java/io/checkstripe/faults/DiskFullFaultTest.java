package io.checkstripe.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.checkstripe.broker.BrokerProcess;
import io.checkstripe.schemas.InMemorySchemaRegistry;
import io.checkstripe.schemas.Topics;
import io.checkstripe.schemas.avro.CheckpointManifest;
import io.checkstripe.schemas.avro.StripeUnit;
import io.checkstripe.store.CellStore;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scenario 9, a sink's disk fills up: one server's store lives on a small file system of the test's own
 * ({@link SmallDisk}: a tmpfs, or an ext4 loop device), filled with a filler file until a checkpoint no longer
 * fits. The sink must stop consuming and say why (its HTTP state, {@code GET /health} answering 503, and its
 * log; 200 again once it caught up), must not record an offset beyond
 * the cells it holds durably, and must catch up without loss once the filler is deleted. Broker, striper and
 * sinks are real processes; {@code XOR-2-1} over 3 servers.
 */
@Tag("integration")
@Timeout(value = 8, unit = TimeUnit.MINUTES)
@ExtendWith(SeedExtension.class)
class DiskFullFaultTest {

    private static final Logger log = LoggerFactory.getLogger(DiskFullFaultTest.class);

    private static final String APP = "disk-full";
    private static final int SERVERS = 3;
    private static final int SEGMENT = 1 << 20;
    private static final Duration WAIT = Duration.ofMinutes(4);

    @TempDir
    Path tmp;

    @Test
    void aFullDiskStallsTheSinkWhichSaysSoKeepsNoOffsetBeyondDurableDataAndCatchesUpWhenSpaceIsFreed(Seed seed)
            throws Exception {
        SplittableRandom random = seed.random();
        int victim = random.nextInt(SERVERS);
        long free = (3L << 20) + random.nextLong(3L << 20);
        long size = 24L * SEGMENT + random.nextInt(SEGMENT);
        Path file = TestFiles.random(tmp.resolve("checkpoint.bin"), size, random.nextLong());
        try (SmallDisk disk = SmallDisk.mount(tmp.resolve("small-disk"), 32);
             BrokerProcess broker = BrokerProcess.start(tmp.resolve("broker"));
             Pipeline pipeline = new Pipeline(broker, tmp.resolve("pipeline"), "disk.", "XOR-2-1", SERVERS)) {
            Path store = disk.path().resolve("store");
            pipeline.sinkDir(victim, store);
            pipeline.startStriper("striper");
            pipeline.startSinks();
            disk.leaveFree(free);
            log.info("scenario 9: server {} stores on a {} with {} bytes free; checkpoint of {} bytes, {} of them for "
                    + "server {} ({})", victim, disk.kind(), disk.usableSpace(), size, size / 2, victim, seed);

            List<String> publish = new ArrayList<>(List.of("publish"));
            publish.addAll(pipeline.kafkaArgs());
            publish.addAll(List.of("--app", APP, "--file", file.toString(), "--checkpoint-id", "1"));
            CheckstripeProcess.Result published = CheckstripeProcess.run("publish", pipeline.dir().resolve("logs"),
                    WAIT, publish);
            assertThat(published.exitCode()).as("%s", published).isZero();

            // The sink stops and says so, over HTTP and in its log, naming the directory and the cause.
            Pipeline.Sink sink = pipeline.sink(victim);
            JsonNode stalled = await("server " + victim + " stalls").atMost(WAIT).pollInterval(Duration.ofMillis(200))
                    .until(() -> SinkApi.server(sink.http()), s -> "STALLED".equals(s.path("state").asText()));
            String reason = stalled.path("reason").asText();
            assertThat(reason).contains("is full").contains(store.toString());
            assertThat(sink.process().stderr()).contains("stopped consuming").contains("is full")
                    .contains(store.toString());
            sink.process().assertAlive();
            SinkApi.HealthAnswer unhealthy = SinkApi.health(sink.http());
            assertThat(unhealthy.status()).as("GET /health of the stalled sink").isEqualTo(503);
            assertThat(unhealthy.body().path("state").asText()).isEqualTo("STALLED");
            assertThat(unhealthy.body().path("reason").asText()).contains("is full");

            // Its offset is not ahead of what it holds durably: every cell and manifest below it is in the store.
            long committed = stalled.path("committedOffset").asLong();
            String stripes = pipeline.topics().stripes();
            long end = new KafkaProbe(broker).endOffsets(stripes, IsolationLevel.READ_COMMITTED)
                    .get(new TopicPartition(stripes, victim));
            assertThat(committed).as("committed offset of the stalled sink").isLessThan(end);
            int durable = assertDurableBelow(broker, pipeline, victim, store, committed);
            log.info("scenario 9: stalled at offset {} of {} ({}); all {} records below it durable in the store",
                    committed, end, reason, durable);

            disk.free();
            await("server " + victim + " catches up").atMost(WAIT).pollInterval(Duration.ofMillis(250))
                    .until(() -> SinkApi.complete(sink.http(), APP, 1)
                            && "RUNNING".equals(SinkApi.server(sink.http()).path("state").asText()));
            assertThat(sink.process().stderr()).contains("resumed consuming");
            await("GET /health of server " + victim + " says healthy").atMost(WAIT).pollInterval(Duration.ofMillis(250))
                    .until(() -> SinkApi.health(sink.http()).status() == 200);
            pipeline.awaitProtected(APP, 1, WAIT);
            int cells = pipeline.assertExactlyOnce(APP, 1, size, SEGMENT);
            pipeline.assertRestores(APP, 1, file);
            log.info("scenario 9: caught up after the space was freed; {} cells exactly once, restore byte-exact",
                    cells);
        }
    }

    /**
     * Reads partition {@code server} of the stripes topic below {@code committed} and asserts that every cell in
     * it is in the store, intact, and every manifest too; returns how many records were checked.
     */
    private static int assertDurableBelow(BrokerProcess broker, Pipeline pipeline, int server, Path store,
                                          long committed) throws Exception {
        Topics topics = new Topics(pipeline.topics(), InMemorySchemaRegistry.embedded());
        String stripes = pipeline.topics().stripes();
        List<ConsumerRecord<byte[], byte[]>> below = new KafkaProbe(broker).readCommitted(stripes).stream()
                .filter(r -> r.partition() == server && r.offset() < committed).toList();
        try (CellStore view = CellStore.openReadOnly(store)) {
            for (ConsumerRecord<byte[], byte[]> r : below) {
                SpecificRecord value = (SpecificRecord) topics.stripes().valueSerde().deserializer()
                        .deserialize(stripes, r.value());
                if (value instanceof StripeUnit u) {
                    var cell = view.readCell(u.getAppId(), u.getCheckpointId(), u.getSegmentIndex(), u.getCellIndex());
                    assertThat(cell).as("cell at offset %d below the committed offset %d", r.offset(), committed)
                            .isPresent();
                    assertThat(cell.get().intact()).as("cell at offset %d intact", r.offset()).isTrue();
                } else if (value instanceof CheckpointManifest m) {
                    assertThat(view.manifest(m.getAppId(), m.getCheckpointId())).as("manifest at offset %d", r.offset())
                            .isPresent();
                }
            }
        }
        return below.size();
    }
}
