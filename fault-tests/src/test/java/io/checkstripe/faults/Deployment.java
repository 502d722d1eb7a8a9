package io.checkstripe.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A checkstripe deployment a scenario publishes to from this host and restores from: its parts may be processes
 * of this machine ({@link Pipeline}) or containers ({@link ContainerPipeline}); publishing and restoring work the
 * same way on both, so they are written once here.
 */
interface Deployment {

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
}
