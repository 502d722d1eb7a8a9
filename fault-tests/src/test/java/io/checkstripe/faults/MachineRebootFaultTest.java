package io.checkstripe.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import io.checkstripe.broker.BrokerProcess;
import io.checkstripe.schemas.InMemorySchemaRegistry;
import io.checkstripe.schemas.Topics;
import io.checkstripe.schemas.avro.CheckpointCommit;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scenario 6, the whole machine "reboots": broker, striper, every sink and a running publish are SIGKILLed at the
 * same instant in the middle of a checkpoint, at a random moment of either its publish or its striping, and then
 * everything is started again on the same directories, as after a power cut. Every checkpoint protected before the
 * kill restores byte-exact straight from the stores (before anything is restarted, as an operator at failover
 * would); the interrupted checkpoint is afterwards either whole everywhere or nowhere; and the application's next
 * publish is protected and restores.
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
@ExtendWith(SeedExtension.class)
class MachineRebootFaultTest {

    private static final Logger log = LoggerFactory.getLogger(MachineRebootFaultTest.class);

    private static final String APP = "rebooted";
    private static final int SERVERS = 5;
    private static final int SEGMENT = 1 << 20;
    private static final Duration WAIT = Duration.ofMinutes(5);

    @TempDir
    Path tmp;

    private BrokerProcess broker;
    private Pipeline pipeline;

    @AfterEach
    void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    @Test
    void aPowerCutMidCheckpointLosesNoProtectedCheckpointAndLeavesNoneHalfThere(Seed seed) {
        SplittableRandom random = seed.random();
        broker = BrokerProcess.start(tmp.resolve("broker"));
        KafkaProbe kafka = new KafkaProbe(broker);
        // Four checkpoints of one app: retention must not retire the first before the end checks it.
        pipeline = new Pipeline(broker, tmp.resolve("pipeline"), "reboot.", "RS-3-2", SERVERS).sinkOptions("--retain",
                "10");
        pipeline.startStriper("striper");
        pipeline.startSinks();
        Path first = TestFiles.random(tmp.resolve("cp-1.bin"), 4L * SEGMENT + 1, random.nextLong());
        Path second = TestFiles.random(tmp.resolve("cp-2.bin"), 3L * SEGMENT + 2, random.nextLong());
        long size = 32L * SEGMENT + 3;
        Path interrupted = TestFiles.random(tmp.resolve("cp-3.bin"), size, random.nextLong());
        pipeline.publishProtected(APP, first, 1);
        pipeline.publishProtected(APP, second, 2);

        boolean duringPublish = random.nextBoolean();
        double moment = 0.05 + 0.75 * random.nextDouble();
        String checkpoints = pipeline.topics().checkpoints();
        long before = kafka.written(checkpoints);
        long cellBytes = (size / SEGMENT + 1) * pipeline.policy().totalCells() * (long) pipeline.policy().cellLength(SEGMENT);
        log.info("scenario 6: power cut at {} of checkpoint 3's {} ({})", String.format("%.0f%%", 100 * moment),
                duringPublish ? "publish" : "striping", seed);
        CheckstripeProcess publish = pipeline.startPublish(APP, interrupted, "--checkpoint-id", "3", "--wait-protected",
                "--protect-timeout", "600");
        if (duringPublish) {
            await("publish of checkpoint 3 under way").atMost(WAIT).pollInterval(Duration.ofMillis(20))
                    .until(() -> kafka.written(checkpoints) - before >= moment * 32);
        } else {
            await("striping of checkpoint 3 under way").atMost(WAIT).pollInterval(Duration.ofMillis(20))
                    .until(() -> storedBytes(3) >= moment * cellBytes);
        }

        List<CheckstripeProcess> victims = new ArrayList<>(pipeline.processes());
        victims.add(publish);
        powerCut(victims);
        log.info("scenario 6: SIGKILLed broker, striper, {} sinks and the publisher at once; {} bytes of checkpoint 3 "
                + "in the stores", SERVERS, storedBytes(3));

        // At failover, from the stores alone: the protected checkpoints are whole; checkpoint 3 is not shown
        // restorable unless it is.
        pipeline.assertRestores(APP, 1, first);
        pipeline.assertRestores(APP, 2, second);
        CheckstripeProcess.Result status = pipeline.status(APP);
        assertThat(status.exitCode()).as("exit code of status for its newest checkpoint: %s", status)
                .isEqualTo(Cli.statusExitCodeFor(status.stdout()));
        if (status.stdout().matches("(?s).*\\n3\\s+(COMPLETE|DEGRADED)\\s.*")) {
            pipeline.assertRestores(APP, 3, interrupted);
        }

        // Power back: everything restarts on its old directories.
        broker.restart();
        pipeline.startStriper("striper");
        pipeline.startSinks();
        // The next publish fences the dead publisher: its transaction is aborted, or completed if the cut came
        // after the commit was decided. Once checkpoint 4 is everywhere, checkpoint 3's fate is settled.
        Path next = TestFiles.random(tmp.resolve("cp-4.bin"), 2L * SEGMENT + 4, random.nextLong());
        pipeline.publishProtected(APP, next, 4);
        boolean committed = committed(kafka, 3);
        log.info("scenario 6: after the restart checkpoint 3 is {}", committed ? "committed" : "not committed");
        if (committed) {
            pipeline.awaitProtected(APP, 3, WAIT);
            pipeline.assertExactlyOnce(APP, 3, size, SEGMENT);
            pipeline.assertRestores(APP, 3, interrupted);
        } else {
            for (int i = 0; i < SERVERS; i++) {
                assertThat(SinkApi.checkpoint(pipeline.sink(i).http(), APP, 3)).as("checkpoint 3 on server %d", i)
                        .satisfiesAnyOf(c -> assertThat(c).isEmpty(),
                                c -> assertThat(c.get().path("hasManifest").asBoolean()).isFalse());
            }
            CheckstripeProcess.Result after = pipeline.status(APP);
            assertThat(after.stdout()).doesNotContainPattern("(?m)^3\\s+(COMPLETE|DEGRADED)\\s");
        }
        pipeline.assertExactlyOnce(APP, 1, 4L * SEGMENT + 1, SEGMENT);
        pipeline.assertExactlyOnce(APP, 2, 3L * SEGMENT + 2, SEGMENT);
        pipeline.assertExactlyOnce(APP, 4, 2L * SEGMENT + 4, SEGMENT);
        pipeline.assertRestores(APP, 1, first);
        pipeline.assertRestores(APP, 2, second);
        pipeline.assertRestores(APP, 4, next);
    }

    /** SIGKILL to every process and the broker before waiting for any of them: nothing gets to react. */
    private void powerCut(List<CheckstripeProcess> processes) {
        processes.forEach(p -> ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly));
        ProcessHandle.of(broker.pid()).ifPresent(ProcessHandle::destroyForcibly);
        processes.forEach(CheckstripeProcess::kill);
        broker.kill();
    }

    private long storedBytes(long checkpointId) {
        long bytes = 0;
        for (int i = 0; i < SERVERS; i++) {
            bytes += Stores.logSize(pipeline.sinkDir(i), APP, checkpointId);
        }
        return bytes;
    }

    /** Whether the checkpoint's commit record is committed on the checkpoints topic. */
    private boolean committed(KafkaProbe kafka, long checkpointId) {
        Topics topics = new Topics(pipeline.topics(), InMemorySchemaRegistry.embedded());
        String topic = pipeline.topics().checkpoints();
        return kafka.readCommitted(topic).stream()
                .filter(r -> r.value() != null && r.value().length > 0)
                .map(r -> (SpecificRecord) topics.checkpoints().valueSerde().deserializer().deserialize(topic, r.value()))
                .anyMatch(v -> v instanceof CheckpointCommit c && c.getAppId().equals(APP)
                        && c.getCheckpointId() == checkpointId);
    }
}
