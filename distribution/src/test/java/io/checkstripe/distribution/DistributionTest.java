package io.checkstripe.distribution;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tarball as a user gets it: unpacked into an empty directory far from the source tree, its
 * {@code bin/checkstripe} runs every command from {@code lib/} alone, {@code lib/} holds no test library and
 * {@code conf/} holds the logging configuration and an example per command.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class DistributionTest {

    @TempDir
    static Path unpacked;

    private static Path home;

    @BeforeAll
    static void unpack() throws Exception {
        Path tarball = Path.of(System.getProperty("checkstripe.distribution"));
        assertThat(tarball).isRegularFile();
        Process tar = new ProcessBuilder("tar", "-xzf", tarball.toString(), "-C", unpacked.toString())
                .redirectErrorStream(true).start();
        String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(tar.waitFor()).as("tar: %s", output).isZero();
        home = unpacked.resolve("checkstripe-" + System.getProperty("checkstripe.version"));
    }

    @Test
    void holdsTheLauncherRuntimeJarsAndConfiguration() throws IOException {
        assertThat(home.resolve("bin/checkstripe")).isExecutable();
        assertThat(home.resolve("conf/logback.xml")).isRegularFile();
        assertThat(names(home.resolve("conf"))).contains("kafka-client.properties", "striper.properties",
                "sink.properties", "publish.properties");
        List<String> jars = names(home.resolve("lib"));
        assertThat(jars).anyMatch(j -> j.startsWith("checkstripe-cli-"))
                .anyMatch(j -> j.startsWith("kafka-clients-"))
                .anyMatch(j -> j.startsWith("kafka_2.13-"))
                .noneMatch(j -> j.matches("(junit|opentest4j|assertj|awaitility|jqwik|hamcrest|"
                        + "checkstripe-testkit|kafka-test-common|kafka-streams-test-utils).*"))
                .noneMatch(j -> j.endsWith("-tests.jar") || j.endsWith("-test.jar"));
    }

    @Test
    void runsTheWholePipelineFromAnEmptyDirectory(@TempDir Path cwd) throws Exception {
        Run help = run(cwd, "--help");
        assertThat(help.exitCode()).as(help.output()).isZero();
        assertThat(help.output()).contains("demo", "striper", "sink", "publish", "restore", "repair", "status");

        Run demo = run(cwd, "demo", "--size", Integer.toString(4 << 20), "--work-dir", cwd.resolve("work").toString());
        assertThat(demo.exitCode()).as(demo.output()).isZero();
        assertThat(demo.output()).contains("SHA-256 match     yes");
    }

    @Test
    void aMistakeExitsWithTheUsageCode(@TempDir Path cwd) throws Exception {
        Run bad = run(cwd, "restore", "--app", "../escape", "--from", cwd.toString(), "--out", "x");
        assertThat(bad.exitCode()).as(bad.output()).isEqualTo(1);
        assertThat(bad.output()).contains("invalid application id");
    }

    private record Run(int exitCode, String output) {
    }

    private static Run run(Path cwd, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(home.resolve("bin/checkstripe").toString());
        command.addAll(List.of(args));
        ProcessBuilder builder = new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
        Path output = cwd.resolve("output-" + args[0].replace("-", "") + ".txt");
        builder.redirectOutput(output.toFile());
        Process p = builder.start();
        if (!p.waitFor(4, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("bin/checkstripe " + String.join(" ", args) + " still running after 4 minutes");
        }
        return new Run(p.exitValue(), Files.readString(output));
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList();
        }
    }
}
