package io.checkstripe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.checkstripe.testkit.KafkaClusterExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint larger than the heap: {@code checkstripe publish} and {@code checkstripe restore}
 * run as child JVMs with a 64 MiB heap on a 200 MiB file, against the test's broker, striper and
 * sinks, with default settings. Running out of memory ends a child with a non-zero exit code
 * ({@code -XX:+ExitOnOutOfMemoryError}). Each direction is its own test, so a failure of one
 * does not hide the other.
 */
@Tag("integration")
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class LargerThanHeapIntegrationTest {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = KafkaClusterExtension.withBrokers(1);

    private static final long SIZE = 200L << 20;
    private static final String HEAP = "-Xmx64m";

    @TempDir
    static Path tmp;

    private static Path file;
    private static String sha256;
    private static Pipeline pipeline;

    @BeforeAll
    static void startPipeline() throws Exception {
        file = TestFiles.random(tmp.resolve("checkpoint.bin"), SIZE, 200);
        sha256 = TestFiles.sha256(file);
        pipeline = Pipeline.start(KAFKA.bootstrapServers(), tmp, "heap", "RS-3-2", 5);
    }

    @AfterAll
    static void stopPipeline() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void twoHundredMebibytesRestoreInA64MebibyteHeap() throws Exception {
        CliRun published = pipeline.publish("restored-small", file);
        assertThat(published.exitCode()).as(published.describe()).isZero();
        restoreInChild("restored-small");
    }

    @Test
    void twoHundredMebibytesPublishFromA64MebibyteHeap() throws Exception {
        ChildRun publish = checkstripe("publish", "--bootstrap-server", KAFKA.bootstrapServers(),
                "--command-config", pipeline.commandConfig().toString(), "--app", "published-small",
                "--file", file.toString(), "--wait-protected", "--protect-timeout", "300");
        assertThat(publish.exitCode()).as(publish.output()).isZero();
        assertThat(publish.output()).contains("published published-small checkpoint 1: 200.0 MiB in 200 segments, "
                + "sha256 " + sha256).contains("protected on every backup server");
        restoreInChild("published-small");
    }

    /** Restores the app's checkpoint in a small child JVM without server 4, so its cells are rebuilt on the way. */
    private static void restoreInChild(String app) throws Exception {
        List<String> sources = new ArrayList<>(pipeline.httpSources().subList(0, 2));
        sources.addAll(pipeline.directories().subList(2, 4));
        Path out = tmp.resolve(app + ".restored");
        ChildRun restore = checkstripe("restore", "--app", app, "--from", String.join(",", sources),
                "--out", out.toString());
        assertThat(restore.exitCode()).as(restore.output()).isZero();
        assertThat(restore.output()).contains("restored checkpoint 1 of " + app).contains("lost server 4");
        assertThat(Files.size(out)).isEqualTo(SIZE);
        assertThat(TestFiles.sha256(out)).isEqualTo(sha256);
    }

    /** What a child JVM running the CLI printed, and its exit code. */
    private record ChildRun(int exitCode, String output) {
    }

    /** Runs {@code checkstripe args...} in a child JVM with a {@value #HEAP} heap and this test's class path. */
    private static ChildRun checkstripe(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                HEAP, "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
                Checkstripe.class.getName()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(tmp, args[0] + "-", ".log");
        Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            boolean exited = child.waitFor(5, TimeUnit.MINUTES);
            String output = Files.readString(log, StandardCharsets.UTF_8);
            assertThat(exited).as("still running after 5 minutes; output so far:\n%s", output).isTrue();
            return new ChildRun(child.exitValue(), String.join(" ", args) + "\n" + output);
        } finally {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
