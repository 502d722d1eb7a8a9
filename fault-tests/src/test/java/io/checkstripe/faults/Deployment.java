package io.checkstripe.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import io.checkstripe.broker.KafkaBrokers;
import io.checkstripe.schemas.TopicNames;

/**
 * A checkstripe deployment a scenario publishes to from this host and restores from: its parts may be processes
 * of this machine ({@link Pipeline}) or containers ({@link ContainerPipeline}); publishing and restoring work the
 * same way on both, so they are written once here, and so is a broker killed during a publish, which differs
 * only in how the broker is killed and started again.
 */
interface Deployment {

    /** A broker a scenario kills: its name in messages, and how it is killed and started again. */
    record Victim(String name, Runnable kill, Runnable restart) {
    }

    /** The brokers the deployment runs on. */
    KafkaBrokers kafka();

    /** The deployment's topics. */
    TopicNames topics();

    /**
     * Asserts that every server holds each of its cells of the checkpoint exactly once and intact; returns the
     * cells checked.
     */
    int assertExactlyOnce(String app, long checkpointId, long bytes, int segmentBytes);

    /** The options every command that talks to Kafka from this host gets: brokers and the clients' config file. */
    List<String> kafkaArgs();

    /** Where the deployment keeps its config files, process output and restored files. */
    Path dir();

    /** Number of backup servers. */
    int servers();

    /** The {@code --from} of a restore from the given servers, every server when none is given. */
    String sources(int... servers);

    /** A number unique within the deployment, for the names of processes and files. */
    int nextRun();

    /** {@code servers}, or every index below {@code count} when it is empty. */
    static int[] orAll(int[] servers, int count) {
        return servers.length > 0 ? servers : IntStream.range(0, count).toArray();
    }

    /** Starts {@code checkstripe publish} without waiting for it. */
    default CheckstripeProcess startPublish(String app, Path file, String... extra) {
        List<String> args = new ArrayList<>(List.of("publish"));
        args.addAll(kafkaArgs());
        args.addAll(List.of("--app", app, "--file", file.toString(), "--servers", Integer.toString(servers())));
        args.addAll(List.of(extra));
        return CheckstripeProcess.start("publish-" + app + "-" + nextRun(), dir().resolve("logs"), args);
    }

    /** Publishes checkpoint {@code checkpointId} and asserts that it was committed (exit code 0). */
    default CheckstripeProcess.Result publish(String app, Path file, long checkpointId, String... extra) {
        List<String> args = new ArrayList<>(List.of("--checkpoint-id", Long.toString(checkpointId)));
        args.addAll(List.of(extra));
        try (CheckstripeProcess p = startPublish(app, file, args.toArray(String[]::new))) {
            int code = p.waitFor(Duration.ofMinutes(6));
            assertThat(code).as("publish of %s/%d\n%s", app, checkpointId, p.diagnostics()).isZero();
            assertThat(p.stdout()).contains("published " + app + " checkpoint " + checkpointId);
            return new CheckstripeProcess.Result(code, p.stdout(), p.stderr(), p.elapsed());
        }
    }

    /** Publishes with {@code --wait-protected} and asserts that every server acknowledged it. */
    default CheckstripeProcess.Result publishProtected(String app, Path file, long checkpointId) {
        CheckstripeProcess.Result r = publish(app, file, checkpointId, "--wait-protected", "--protect-timeout", "300");
        assertThat(r.stdout()).contains("protected on every backup server");
        return r;
    }

    /** {@code checkstripe status} in this JVM over every server. */
    default CheckstripeProcess.Result status(String app) {
        return Cli.run(List.of("status", "--app", app, "--from", sources()));
    }

    /** {@code checkstripe restore} in this JVM from every server into a new file. */
    default CheckstripeProcess.Result restore(String app, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("restore", "--app", app, "--from", sources(), "--out",
                out.toString()));
        args.addAll(List.of(extra));
        return Cli.run(args);
    }

    /** A fresh path for a restored file. */
    default Path restoredFile(String name) {
        return dir().resolve("restored").resolve(name + "-" + nextRun() + ".bin");
    }

    /** {@link #assertRestores(String, long, Path, int...)} from every server. */
    default void assertRestores(String app, long checkpointId, Path original) {
        assertRestores(app, checkpointId, original, new int[0]);
    }

    /**
     * Restores the checkpoint (by id) from the given servers (every server when none is given) and asserts it is
     * byte-exact: exit 0, same length, same SHA-256 as {@code original}.
     */
    default void assertRestores(String app, long checkpointId, Path original, int... servers) {
        Path out = restoredFile(app + "-" + checkpointId);
        TestFiles.createParent(out);
        CheckstripeProcess.Result r = Cli.run(List.of("restore", "--app", app, "--from", sources(servers), "--out",
                out.toString(), "--checkpoint", Long.toString(checkpointId)));
        assertThat(r.exitCode()).as("restore of %s/%d from %s: %s", app, checkpointId, sources(servers), r).isZero();
        assertThat(r.stdout()).contains("restored checkpoint " + checkpointId + " of " + app);
        TestFiles.assertSameBytes(out, original);
        TestFiles.deleteQuietly(out);
    }

    /**
     * Kills {@code broker} once {@code killAfter} records of checkpoint 1 ({@code first}) are on the checkpoints
     * topic and asserts that the publish is protected all the same, restores byte-exact and left each cell exactly
     * once; then restarts the broker, waits for every topic's replicas to be in sync and asserts as much of
     * checkpoint 2 ({@code second}). The broker is restarted even when an assertion fails. Returns the cells of
     * checkpoint 1.
     */
    default int assertBrokerKilledDuringAPublishCostsNoCheckpoint(Victim broker, String app, Path first,
                                                                  Path second, int killAfter, int segmentBytes) {
        Duration wait = Duration.ofMinutes(5);
        KafkaProbe probe = new KafkaProbe(kafka());
        String checkpoints = topics().checkpoints();
        long before = probe.written(checkpoints);
        int cells;
        try (CheckstripeProcess publish = startPublish(app, first, "--checkpoint-id", "1", "--wait-protected",
                "--protect-timeout", "300")) {
            await("publish under way").atMost(wait).pollInterval(Duration.ofMillis(20))
                    .until(() -> probe.written(checkpoints) - before >= killAfter);
            broker.kill().run();
            try {
                assertThat(publish.waitFor(wait)).as("publish with %s dead\n%s", broker.name(),
                        publish.diagnostics()).isZero();
                assertThat(publish.stdout()).contains("protected on every backup server");
                assertRestores(app, 1, first);
                cells = assertExactlyOnce(app, 1, first.toFile().length(), segmentBytes);
            } finally {
                broker.restart().run();
            }
        }
        kafka().awaitReplicasInSync(new ArrayList<>(topics().all()));
        publishProtected(app, second, 2);
        assertExactlyOnce(app, 2, second.toFile().length(), segmentBytes);
        assertRestores(app, 2, second);
        return cells;
    }
}
