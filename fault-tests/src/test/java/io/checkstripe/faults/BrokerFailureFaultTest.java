package io.checkstripe.faults;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.checkstripe.broker.BrokerCluster;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scenario 4, a broker dies: three broker processes (every topic replicated 3 times, {@code min.insync.replicas}
 * 2), one of them SIGKILLed while a checkpoint is being published and restarted only after the pipeline has
 * finished without it. Striper and sinks are real processes; {@code XOR-2-1} over 3 servers.
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@ExtendWith(SeedExtension.class)
class BrokerFailureFaultTest {

    private static final Logger log = LoggerFactory.getLogger(BrokerFailureFaultTest.class);

    private static final String APP = "broker-killed";
    private static final int SERVERS = 3;
    private static final int SEGMENT = 1 << 20;

    @TempDir
    Path tmp;

    @Test
    void aBrokerKilledDuringAPublishAndRestartedLaterCostsNoCheckpoint(Seed seed) {
        SplittableRandom random = seed.random();
        int victim = random.nextInt(3);
        int segments = 32;
        int killAfter = 2 + random.nextInt(segments - 8);
        long size = (long) segments * SEGMENT - random.nextInt(SEGMENT - 1);
        Path file = TestFiles.random(tmp.resolve("checkpoint-1.bin"), size, random.nextLong());
        Path after = TestFiles.random(tmp.resolve("checkpoint-2.bin"), 5L * SEGMENT + 5, random.nextLong());
        try (BrokerCluster cluster = BrokerCluster.start(tmp.resolve("cluster"), 3,
                Map.of("min.insync.replicas", "2"));
             Pipeline pipeline = new Pipeline(cluster, tmp.resolve("pipeline"), "cluster.", "XOR-2-1", SERVERS)
                     .replicationFactor(3)) {
            pipeline.startStriper("striper");
            pipeline.startSinks();
            log.info("scenario 4: SIGKILL broker {} once {} of {} segments are sent ({})", victim, killAfter, segments,
                    seed);
            Deployment.Victim broker = new Deployment.Victim("broker " + victim, () -> cluster.kill(victim),
                    () -> cluster.restart(victim));
            int cells = pipeline.assertBrokerKilledDuringAPublishCostsNoCheckpoint(broker, APP, file, after,
                    killAfter, SEGMENT);
            log.info("scenario 4: checkpoint 1 protected and restored byte-exact with broker {} dead ({} cells), "
                    + "checkpoint 2 once it was back", victim, cells);
            pipeline.assertRestores(APP, 1, file);
            pipeline.striper("striper").assertAlive();
        }
    }
}
