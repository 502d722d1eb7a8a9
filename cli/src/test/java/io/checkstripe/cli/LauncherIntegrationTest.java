package io.checkstripe.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code bin/checkstripe} as a user runs it, on what {@code mvn package} built
 * ({@code cli/target/checkstripe-cli.jar} and {@code cli/target/lib}), so a dependency the tests
 * have but the packaged launcher lacks fails here. It starts {@code checkstripe broker} and
 * publishes against it.
 */
@Tag("integration")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class LauncherIntegrationTest {

    /** The launcher, from the module directory that failsafe runs in. */
    private static final Path LAUNCHER = Path.of("..", "bin", "checkstripe").toAbsolutePath().normalize();
    private static final Pattern BOOTSTRAP = Pattern.compile("bootstrap server (127\\.0\\.0\\.1:\\d+)");

    @TempDir
    Path tmp;

    @Test
    void theLauncherPrintsTheBuiltVersion() throws Exception {
        Launched version = run("--version");
        assertThat(version.exitCode()).as(version.output()).isZero();
        assertThat(version.output().lines()).as("the version from the jar manifest")
                .anyMatch(line -> line.matches("checkstripe \\d+\\.\\d+\\.\\d+.*"));
    }

    @Test
    void aMistakeThroughTheLauncherIsOneLineOnTheTerminal() throws Exception {
        Launched mistake = run("publish", "--app", "a");
        assertThat(mistake.exitCode()).as(mistake.output()).isEqualTo(ExitCode.USAGE);
        assertThat(mistake.output().lines()).as("everything the user sees, JVM warnings included")
                .containsExactly("checkstripe publish: Missing required option: '--bootstrap-server=HOST:PORT[,...]' "
                        + "(see 'checkstripe publish --help')");
    }

    @Test
    void theLauncherRunsABrokerThatAPublishReaches() throws Exception {
        Path log = tmp.resolve("broker.out");
        Process broker = new ProcessBuilder(LAUNCHER.toString(), "broker", "--data-dir", tmp.resolve("broker").toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            await().atMost(Duration.ofMinutes(2)).until(() -> !broker.isAlive() || BOOTSTRAP.matcher(read(log)).find());
            String output = read(log);
            Matcher bootstrap = BOOTSTRAP.matcher(output);
            assertThat(bootstrap.find()).as("broker output:\n%s", output).isTrue();

            // No striper has created the topics yet: the publish reaches Kafka and says so.
            Path file = TestFiles.random(tmp.resolve("checkpoint.bin"), 1000, 3);
            Launched publish = run("publish", "--bootstrap-server", bootstrap.group(1), "--app", "launched",
                    "--file", file.toString());
            assertThat(publish.exitCode()).as(publish.output()).isEqualTo(ExitCode.USAGE);
            assertThat(publish.output()).contains("checkstripe publish: ").contains("checkpoints");
        } finally {
            broker.destroy();
            if (!broker.waitFor(60, TimeUnit.SECONDS)) {
                broker.destroyForcibly();
            }
        }
        assertThat(read(log)).as("no stack trace from a clean stop").doesNotContain("Exception");
    }

    @Test
    void withTheJsonSwitchEveryLogLineIsAJsonObjectOnStderr() throws Exception {
        Path missing = tmp.resolve("no-such-store");
        Launched status = run(Map.of("CHECKSTRIPE_LOG_FORMAT", "json", "CHECKSTRIPE_LOG_LEVEL", "INFO"),
                "status", "--app", "a", "--from", missing.toString());
        List<String> logLines = status.output().lines().filter(l -> l.startsWith("{")).toList();
        assertThat(logLines).as("log lines in:\n%s", status.output()).isNotEmpty();
        ObjectMapper json = new ObjectMapper();
        for (String line : logLines) {
            JsonNode entry = json.readTree(line);
            assertThat(entry.path("level").asText()).isNotEmpty();
            assertThat(entry.path("loggerName").asText()).startsWith("io.checkstripe");
            assertThat(entry.path("formattedMessage").asText()).isNotEmpty();
        }
        assertThat(logLines).anySatisfy(l -> assertThat(json.readTree(l).path("formattedMessage").asText())
                .contains(missing.toString()).contains("unreachable"));
        assertThat(status.output()).as("no status lines of Logback itself").doesNotContain("|-");
    }

    @Test
    void aCommandThatLogsPrintsItsLinesAndNothingOfLogbackItself() throws Exception {
        Launched status = run(Map.of("CHECKSTRIPE_LOG_LEVEL", "INFO"), "status", "--app", "a", "--from",
                tmp.resolve("gone").toString());
        assertThat(status.output()).contains("WARN  io.checkstripe.restore.Survey").doesNotContain("|-");
    }

    @Test
    void helpNamesTheEnvironmentVariables() throws Exception {
        Launched help = run("--help");
        assertThat(help.output()).contains("CHECKSTRIPE_LOG_LEVEL", "CHECKSTRIPE_KAFKA_LOG_LEVEL",
                "CHECKSTRIPE_LOG_FORMAT", "CHECKSTRIPE_JAVA_OPTS");
    }

    private record Launched(int exitCode, String output) {
    }

    private Launched run(String... args) throws Exception {
        return run(Map.of(), args);
    }

    private Launched run(Map<String, String> env, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(LAUNCHER.toString()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(tmp, args[0].replace("-", "") + "-", ".out");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process p = builder.start();
        try {
            assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("still running: %s", command).isTrue();
            return new Launched(p.exitValue(), read(log));
        } finally {
            p.destroyForcibly();
        }
    }

    private static String read(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
