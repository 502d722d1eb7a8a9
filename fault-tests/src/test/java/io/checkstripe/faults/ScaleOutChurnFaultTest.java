package io.checkstripe.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import io.checkstripe.broker.BrokerProcess;
import io.checkstripe.producer.CheckpointPublisher;
import io.checkstripe.producer.PublishRequest;
import io.checkstripe.producer.PublisherConfig;
import org.apache.kafka.common.IsolationLevel;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scenario 5, scale-out under churn: the checkpoints topic has 6 partitions, shared by two striper processes of
 * one Kafka Streams application. While six applications (one per partition) publish three rounds of checkpoints,
 * a third striper joins during the first round and one of the first two is stopped in the middle of the second,
 * so partitions move between instances twice while exactly-once transactions are in flight. Every checkpoint
 * must then be on every server exactly once and restore byte-exact. Publishes run in this JVM (nothing kills
 * them); broker, stripers and sinks are processes; {@code XOR-2-1} over 3 servers.
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@ExtendWith(SeedExtension.class)
class ScaleOutChurnFaultTest {

    private static final Logger log = LoggerFactory.getLogger(ScaleOutChurnFaultTest.class);

    private static final int SERVERS = 3;
    private static final int PARTITIONS = 6;
    private static final int ROUNDS = 3;
    private static final int SEGMENT = 1 << 20;
    private static final Duration WAIT = Duration.ofMinutes(5);

    @TempDir
    Path tmp;

    @Test
    void stripersJoiningAndLeavingMidStreamStoreEveryCellOnceAndEveryCheckpointRestores(Seed seed) throws Exception {
        SplittableRandom random = seed.random();
        List<String> apps = onePerPartition();
        Map<String, List<Path>> files = new LinkedHashMap<>();
        Map<String, List<Long>> sizes = new HashMap<>();
        for (String app : apps) {
            for (int round = 1; round <= ROUNDS; round++) {
                long size = 2L * SEGMENT + random.nextInt(SEGMENT);
                files.computeIfAbsent(app, a -> new ArrayList<>())
                        .add(TestFiles.random(tmp.resolve(app + "-" + round + ".bin"), size, random.nextLong()));
                sizes.computeIfAbsent(app, a -> new ArrayList<>()).add(size);
            }
        }
        double stopAt = 0.1 + 0.5 * random.nextDouble();
        log.info("scenario 5: apps {} on partitions 0-5; striper c joins in round 1, a stops at {} of round 2 ({})",
                apps, String.format("%.0f%%", 100 * stopAt), seed);

        ExecutorService publishers = Executors.newFixedThreadPool(apps.size());
        try (BrokerProcess broker = BrokerProcess.start(tmp.resolve("broker"));
             Pipeline pipeline = new Pipeline(broker, tmp.resolve("pipeline"), "scale.", "XOR-2-1", SERVERS)) {
            pipeline.startStriper("a");
            pipeline.startStriper("b");
            pipeline.startSinks();
            KafkaProbe kafka = new KafkaProbe(broker);
            assertThat(kafka.endOffsets(pipeline.topics().checkpoints(),
                    IsolationLevel.READ_UNCOMMITTED)).hasSize(PARTITIONS);
            Map<String, Object> props = Map.of(PublisherConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers(),
                    PublisherConfig.TOPIC_PREFIX_CONFIG, "scale.",
                    PublisherConfig.TRANSACTIONAL_ID_PREFIX_CONFIG, "scale.publish-",
                    PublisherConfig.SERVERS_CONFIG, SERVERS);

            // Round 1, while striper c starts and joins.
            List<Future<?>> round1 = publishRound(publishers, props, files, 1);
            pipeline.startStriper("c");
            waitAll(round1);

            // Round 2: a stops once part of it is striped.
            String stripes = pipeline.topics().stripes();
            long before = kafka.written(stripes);
            long round2Cells = apps.size() * 3L * pipeline.policy().totalCells(); // 3 segments per checkpoint
            List<Future<?>> round2 = publishRound(publishers, props, files, 2);
            await("round 2 partly striped").atMost(WAIT).pollInterval(Duration.ofMillis(20))
                    .until(() -> kafka.written(stripes) - before >= stopAt * round2Cells);
            int exit = pipeline.striper("a").stop();
            log.info("scenario 5: striper a stopped (exit {}) with {} stripes records of round 2 written", exit,
                    kafka.written(stripes) - before);

            // Round 3, during the rebalance that follows.
            waitAll(round2);
            waitAll(publishRound(publishers, props, files, 3));

            int cells = 0;
            for (String app : apps) {
                for (int round = 1; round <= ROUNDS; round++) {
                    pipeline.awaitProtected(app, round, WAIT);
                    cells += pipeline.assertExactlyOnce(app, round, sizes.get(app).get(round - 1), SEGMENT);
                    pipeline.assertRestores(app, round, files.get(app).get(round - 1));
                }
            }
            pipeline.striper("b").assertAlive();
            pipeline.striper("c").assertAlive();
            log.info("scenario 5: {} checkpoints of {} apps restore byte-exact; {} cells, each stored once",
                    apps.size() * ROUNDS, apps.size(), cells);
        } finally {
            publishers.shutdownNow();
        }
    }

    /** Starts round {@code round} of every application, each on its own thread and publisher. */
    private static List<Future<?>> publishRound(ExecutorService pool, Map<String, Object> props,
                                                Map<String, List<Path>> files, int round) {
        List<Future<?>> futures = new ArrayList<>();
        files.forEach((app, list) -> futures.add(pool.submit(() -> {
            try (CheckpointPublisher publisher = new CheckpointPublisher(props)) {
                publisher.publish(PublishRequest.of(app).withCheckpointId(round), list.get(round - 1));
            }
            return null;
        })));
        return futures;
    }

    private static void waitAll(List<Future<?>> futures) throws Exception {
        for (Future<?> f : futures) {
            f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Application ids whose records the default partitioner puts on partitions 0..5, one each. */
    private static List<String> onePerPartition() {
        Map<Integer, String> byPartition = new TreeMap<>();
        for (int i = 0; byPartition.size() < PARTITIONS; i++) {
            String app = "churn-" + i;
            int partition = Utils.toPositive(Utils.murmur2(app.getBytes(StandardCharsets.UTF_8))) % PARTITIONS;
            byPartition.putIfAbsent(partition, app);
        }
        return List.copyOf(byPartition.values());
    }
}
