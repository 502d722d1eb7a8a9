package io.checkstripe.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.checkstripe.broker.BrokerProcess;
import io.checkstripe.cli.ExitCode;
import io.checkstripe.store.CellRecordFormat;
import org.apache.kafka.clients.consumer.ConsumerRecord;
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

/**
 * Scenarios 1, 2 and 3, processes dying: a sink, the striper and the publisher are SIGKILLed in the middle of a
 * checkpoint, as the OOM killer or a power cut would, and restarted (or, for the publisher, followed by the next
 * publish). {@code RS-3-2} over 5 servers; broker, striper and sinks are real processes shared by the tests of the
 * class, each test with its own application. "Mid-checkpoint" is observed, never timed: the victim is killed once
 * a store or a topic has some but not all of the checkpoint.
 */
@Tag("integration")
@Timeout(value = 15, unit = TimeUnit.MINUTES)
@ExtendWith(SeedExtension.class)
class ProcessDeathFaultTest {

    private static final Logger log = LoggerFactory.getLogger(ProcessDeathFaultTest.class);

    private static final int SERVERS = 5;
    private static final int SEGMENT = 1 << 20;
    private static final Duration STREAM_TIMEOUT = Duration.ofMinutes(8);
    private static final Duration POLL = Duration.ofMillis(20);
    private static final Pattern PUBLISHED = Pattern.compile("published (\\S+) checkpoint (\\d+)");

    @TempDir
    static Path tmp;

    private static BrokerProcess broker;
    private static Pipeline pipeline;
    private static KafkaProbe kafka;

    @BeforeAll
    static void startPipeline() {
        broker = BrokerProcess.start(tmp.resolve("broker"));
        kafka = new KafkaProbe(broker);
        pipeline = new Pipeline(broker, tmp.resolve("pipeline"), "death.", "RS-3-2", SERVERS);
        pipeline.startStriper("striper");
        pipeline.startSinks();
    }

    /** A test that failed half-way may have left a victim dead: every test starts with the whole pipeline up. */
    @BeforeEach
    void everythingRuns() {
        CheckstripeProcess striper = pipeline.striper("striper");
        if (striper == null || !striper.isAlive()) {
            pipeline.startStriper("striper");
        }
        pipeline.startSinks();
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

    // ---------------------------------------------------------------- scenario 1

    @Test
    void aSinkKilledAtFiveMomentsOfA200MiBCheckpointEndsWithEveryCellExactlyOnce(Seed seed) {
        SplittableRandom random = seed.random();
        String app = "sink-killed";
        long size = 200L << 20;
        Path file = TestFiles.random(tmp.resolve("checkpoint-200mib.bin"), size, random.nextLong());
        int victim = random.nextInt(SERVERS);
        int segments = (int) (size / SEGMENT);
        long recordBytes = CellRecordFormat.PREFIX_LENGTH + app.length() + pipeline.policy().name().length() + 4
                + pipeline.policy().cellLength(SEGMENT);
        long victimBytes = Stores.expectedCells(victim, SERVERS, pipeline.policy(), segments).size() * recordBytes;
        double[] moments = new double[5];
        for (int k = 0; k < moments.length; k++) {
            moments[k] = 0.03 + 0.9 * random.nextDouble();
        }
        Arrays.sort(moments);
        log.info("scenario 1: SIGKILL sink {} when its log of {} reaches {} of {} bytes ({})", victim, app,
                Arrays.toString(moments), victimBytes, seed);

        Pipeline.Sink sink = pipeline.sink(victim);
        List<String> kills = new ArrayList<>();
        try (CheckstripeProcess publish = pipeline.startPublish(app, file, "--checkpoint-id", "1", "--wait-protected",
                "--protect-timeout", "600")) {
            for (double moment : moments) {
                long threshold = (long) (moment * victimBytes);
                await("server " + victim + " stores " + threshold + " bytes of " + app).atMost(STREAM_TIMEOUT)
                        .pollInterval(POLL).until(() -> Stores.logSize(sink.dataDir(), app, 1) >= threshold);
                long at = Stores.logSize(sink.dataDir(), app, 1);
                sink.kill();
                kills.add(String.format("%.0f%% (%d bytes)", 100.0 * at / victimBytes, at));
                sink.start();
            }
            int code = publish.waitFor(STREAM_TIMEOUT);
            assertThat(code).as("publish\n%s", publish.diagnostics()).isZero();
            assertThat(publish.stdout()).contains("protected on every backup server");
        }
        log.info("scenario 1: sink {} SIGKILLed at {}", victim, kills);
        int cells = pipeline.assertExactlyOnce(app, 1, size, SEGMENT);

        Path out = pipeline.restoredFile(app);
        CheckstripeProcess.Result restore = CheckstripeProcess.run("restore-" + app, pipeline.dir().resolve("logs"),
                STREAM_TIMEOUT, List.of("restore", "--app", app, "--from", pipeline.sinkDirs(), "--out", out.toString(),
                        "--checkpoint", "1"));
        assertThat(restore.exitCode()).as("%s", restore).isZero();
        TestFiles.assertSameBytes(out, file);
        TestFiles.deleteQuietly(out);
        log.info("scenario 1: {} cells exactly once, 200 MiB restored byte-exact after 5 sink kills", cells);
    }

    // ---------------------------------------------------------------- scenario 2

    @Test
    void aStriperKilledMidCheckpointNeverShowsAPartialCheckpointAndCompletesItAfterRestart(Seed seed) {
        SplittableRandom random = seed.random();
        String app = "striper-killed";
        Path first = TestFiles.random(tmp.resolve("striper-1.bin"), 3L * SEGMENT + 99, random.nextLong());
        long size = 32L * SEGMENT + 4321;
        Path second = TestFiles.random(tmp.resolve("striper-2.bin"), size, random.nextLong());
        pipeline.publishProtected(app, first, 1);

        String stripes = pipeline.topics().stripes();
        long before = kafka.written(stripes);
        long cellRecords = (size / SEGMENT + 1) * pipeline.policy().totalCells();
        double moment = 0.1 + 0.6 * random.nextDouble();
        log.info("scenario 2: SIGKILL the striper when it has written {} of the {} cells of {}/2 ({})",
                String.format("%.0f%%", 100 * moment), cellRecords, app, seed);

        CheckstripeProcess.Result published = publish(app, second, "--checkpoint-id", "2");
        assertThat(published.stdout()).contains("published " + app + " checkpoint 2");
        await("striper writes " + moment + " of the cells").atMost(STREAM_TIMEOUT).pollInterval(POLL)
                .until(() -> kafka.written(stripes) - before >= moment * cellRecords);
        pipeline.striper("striper").kill();
        long lag = kafka.lag(pipeline.striperApplicationId(), pipeline.topics().checkpoints());
        assertThat(lag).as("the striper died before committing all of checkpoint 2 (records not yet striped)")
                .isPositive();

        // While it is dead: checkpoint 2 is nowhere restorable, and the newest restore is checkpoint 1, whole.
        CheckstripeProcess.Result status = pipeline.status(app);
        assertThat(status.exitCode()).as("exit code of status for its newest checkpoint: %s", status)
                .isEqualTo(Cli.statusExitCodeFor(status.stdout()));
        assertThat(status.stdout()).as("status while the striper is dead").doesNotContainPattern(
                "(?m)^2\\s+(COMPLETE|DEGRADED)\\s");
        Path out = pipeline.restoredFile(app);
        TestFiles.createParent(out);
        CheckstripeProcess.Result newest = pipeline.restore(app, out);
        assertThat(newest.exitCode()).as("%s", newest).isZero();
        assertThat(newest.stdout()).contains("restored checkpoint 1 of " + app);
        TestFiles.assertSameBytes(out, first);
        CheckstripeProcess.Result partial = pipeline.restore(app, pipeline.restoredFile(app), "--checkpoint", "2");
        assertThat(partial.exitCode()).as("%s", partial).isEqualTo(ExitCode.UNRECOVERABLE);
        assertThat(partial.stderr()).contains("checkpoint 2");

        // Restarted: it completes checkpoint 2; if status shows it restorable before every server has it, it is
        // whole already then.
        pipeline.startStriper("striper");
        AtomicBoolean checkedWhenVisible = new AtomicBoolean();
        await("checkpoint 2 on every server").atMost(STREAM_TIMEOUT).pollInterval(Duration.ofMillis(500))
                .until(() -> {
                    if (!checkedWhenVisible.get() && visibleInStatus(app, 2)) {
                        pipeline.assertRestores(app, 2, second);
                        checkedWhenVisible.set(true);
                    }
                    return allComplete(app, 2);
                });
        assertThat(pipeline.status(app).stdout()).containsPattern("(?m)^2\\s+COMPLETE\\s");
        pipeline.assertExactlyOnce(app, 1, 3L * SEGMENT + 99, SEGMENT);
        int cells = pipeline.assertExactlyOnce(app, 2, size, SEGMENT);
        pipeline.assertRestores(app, 2, second);
        pipeline.assertRestores(app, 1, first);
        log.info("scenario 2: striper killed with {} records unstriped; after restart {} cells exactly once", lag, cells);
    }

    // ---------------------------------------------------------------- scenario 3

    @Test
    void aPublisherKilledMidCheckpointLeavesNothingVisibleAndTheNextPublishRestores(Seed seed) {
        SplittableRandom random = seed.random();
        String app = "publisher-killed";
        Path killed = TestFiles.random(tmp.resolve("publisher-killed.bin"), 64L * SEGMENT, random.nextLong());
        Path next = TestFiles.random(tmp.resolve("publisher-next.bin"), 5L * SEGMENT + 777, random.nextLong());
        String checkpoints = pipeline.topics().checkpoints();
        long before = kafka.written(checkpoints);
        int sentBeforeKill = 2 + random.nextInt(40);
        log.info("scenario 3: SIGKILL the publisher of {} after {} of its 64 segments reached Kafka ({})", app,
                sentBeforeKill, seed);

        CheckstripeProcess publisher = pipeline.startPublish(app, killed);
        await("publisher sends " + sentBeforeKill + " segments").atMost(STREAM_TIMEOUT).pollInterval(POLL)
                .until(() -> kafka.written(checkpoints) - before >= sentBeforeKill || !publisher.isAlive());
        publisher.kill();
        assertThat(publisher.stdout()).as("killed before it committed").doesNotContain("published");
        assertThat(appRecords(checkpoints, app)).as("committed records of %s after the kill", app).isEmpty();

        CheckstripeProcess.Result r = publish(app, next, "--wait-protected", "--protect-timeout", "300");
        Matcher m = PUBLISHED.matcher(r.stdout());
        assertThat(m.find()).as("%s", r).isTrue();
        long id = Long.parseLong(m.group(2));
        assertThat(id).as("the killed checkpoint never committed, so the next one takes the first id").isOne();
        assertThat(appRecords(checkpoints, app)).as("committed records of %s: the second publish's only", app)
                .hasSize(6 + 1);
        CheckstripeProcess.Result status = pipeline.status(app);
        assertThat(status.stdout()).contains(app + ": 1 checkpoint,").containsPattern("(?m)^1\\s+COMPLETE\\s");
        int cells = pipeline.assertExactlyOnce(app, id, 5L * SEGMENT + 777, SEGMENT);
        pipeline.assertRestores(app, id, next);
        log.info("scenario 3: nothing of the killed publish visible; the next publish restores ({} cells)", cells);
    }

    // ---------------------------------------------------------------- helpers

    private static CheckstripeProcess.Result publish(String app, Path file, String... extra) {
        try (CheckstripeProcess p = pipeline.startPublish(app, file, extra)) {
            int code = p.waitFor(STREAM_TIMEOUT);
            assertThat(code).as("publish %s\n%s", app, p.diagnostics()).isZero();
            return new CheckstripeProcess.Result(code, p.stdout(), p.stderr(), p.elapsed());
        }
    }

    private static List<ConsumerRecord<byte[], byte[]>> appRecords(String topic, String app) {
        return kafka.readCommitted(topic).stream()
                .filter(r -> r.key() != null && new String(r.key(), StandardCharsets.UTF_8).equals(app))
                .toList();
    }

    private static boolean visibleInStatus(String app, long checkpointId) {
        CheckstripeProcess.Result status = Cli.run(List.of("status", "--app", app, "--from", pipeline.sinkDirs(),
                "--quick"));
        return Pattern.compile("(?m)^" + checkpointId + "\\s+(COMPLETE|DEGRADED)\\s").matcher(status.stdout()).find();
    }

    private static boolean allComplete(String app, long checkpointId) {
        for (int i = 0; i < SERVERS; i++) {
            if (!SinkApi.complete(pipeline.sink(i).http(), app, checkpointId)) {
                return false;
            }
        }
        return true;
    }
}
