package io.checkstripe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;

/**
 * A user's mistakes, through the real command line in-process and without a broker: each exits
 * with its documented code and says what is wrong in one line, with no stack trace, before
 * anything reaches Kafka.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CliUsageTest {

    /** Nothing listens on port 1: connecting fails at once, so only the clients' timeouts bound a run. */
    private static final String NO_KAFKA = "127.0.0.1:1";

    @TempDir
    Path tmp;

    private Path file;

    @BeforeEach
    void checkpointFile() throws Exception {
        file = TestFiles.random(tmp.resolve("checkpoint.bin"), 1000, 1);
    }

    static Stream<Arguments> missingOptions() {
        return Stream.of(
                Arguments.of("publish", "publish", "'--bootstrap-server=HOST:PORT[,...]', '--app=APP'"),
                Arguments.of("status --from d", "status", "'--app=APP'"),
                Arguments.of("repair --app a --from d --data-dir d", "repair", "'--server-index=I'"),
                Arguments.of("sink --bootstrap-server " + NO_KAFKA + " --server-index 0", "sink", "'--data-dir=DIR'"),
                Arguments.of("striper --bootstrap-server " + NO_KAFKA, "striper", "'--servers=N'"),
                Arguments.of("broker", "broker", "'--data-dir=DIR'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("missingOptions")
    void aMissingOptionIsOneLineAndExitOne(String line, String command, String missing) {
        CliRun run = CliRun.of(line.split(" "));
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.USAGE);
        assertThat(run.errLines()).as(run.describe()).containsExactly("checkstripe " + command + ": Missing required "
                + (missing.contains(",") ? "options: " : "option: ") + missing + " (see 'checkstripe " + command
                + " --help')");
        assertThat(run.out()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "publish --bootstrap-server 127.0.0.1:1 --app a | publish | (--file=FILE | --dir=D)",
        "publish --bootstrap-server 127.0.0.1:1 --app a --file f --dir d | publish | --file=FILE, --dir=D",
        "restore --app a --from d | restore | (--out=FILE | --out-dir=D)",
        "restore --app a --from d --out f --out-dir d | restore | --out=FILE, --out-dir=D"})
    void exactlyOneOfTwoAlternativesIsNeeded(String line, String command, String alternatives) {
        CliRun run = CliRun.of(line.split(" "));
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.USAGE);
        assertThat(run.errLines()).as(run.describe()).hasSize(1);
        assertThat(run.err()).startsWith("checkstripe " + command + ": ").contains(alternatives);
        assertThat(run.out()).isEmpty();
    }

    @Test
    void anUnknownOptionIsNamedWithSuggestions() {
        CliRun run = CliRun.of("restore", "--app", "a", "--from", "d", "--out", "o", "--chekpoint", "3");
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.USAGE);
        assertThat(run.errLines().get(0)).startsWith("checkstripe restore: Unknown options: '--chekpoint', '3'");
        assertThat(run.err()).contains("--checkpoint").doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void helpAndVersionGoToStandardOutput() {
        CliRun help = CliRun.of("restore", "--help");
        assertThat(help.exitCode()).isZero();
        assertThat(help.out()).contains("Usage: checkstripe restore").contains("--exec=CMD");
        assertThat(help.err()).isEmpty();
        CliRun version = CliRun.of("--version");
        assertThat(version.exitCode()).isZero();
        assertThat(version.out()).startsWith("checkstripe ");
    }

    @Test
    void theHealerSaysWhatIsWrongWithItsServersAndOptions() {
        CliRun none = CliRun.of("healer", "--once");
        assertThat(none.exitCode()).as(none.describe()).isEqualTo(ExitCode.USAGE);
        assertThat(none.errLines()).containsExactly("checkstripe healer: Missing required option: "
                + "'--servers=URL,URL,...' (see 'checkstripe healer --help')");
        CliRun one = CliRun.of("healer", "--servers", "http://127.0.0.1:1", "--once");
        assertThat(one.exitCode()).as(one.describe()).isEqualTo(ExitCode.USAGE);
        assertThat(one.errLines()).singleElement().asString().contains("at least two backup servers");
        CliRun twice = CliRun.of("healer", "--servers", "http://127.0.0.1:1,http://127.0.0.1:1", "--once");
        assertThat(twice.exitCode()).as(twice.describe()).isEqualTo(ExitCode.USAGE);
        assertThat(twice.errLines()).singleElement().asString().contains("given twice");
        CliRun rate = CliRun.of("healer", "--servers", "http://127.0.0.1:1,http://127.0.0.1:2", "--rate", "-1",
                "--once");
        assertThat(rate.exitCode()).as(rate.describe()).isEqualTo(ExitCode.USAGE);
        assertThat(rate.errLines()).singleElement().asString().contains("-1.0 MB/s is negative");
        CliRun ftp = CliRun.of("healer", "--servers", "ftp://127.0.0.1:1,http://127.0.0.1:2", "--once");
        assertThat(ftp.exitCode()).as(ftp.describe()).isEqualTo(ExitCode.USAGE);
        assertThat(ftp.errLines()).singleElement().asString().contains("must be http://host:port");
        CliRun json = CliRun.of("healer", "--servers", "http://127.0.0.1:1,http://127.0.0.1:2", "--output", "json");
        assertThat(json.exitCode()).as(json.describe()).isEqualTo(ExitCode.USAGE);
        assertThat(json.err()).contains("give --once too");
    }

    @Test
    void aHealerPassOverServersThatAreAllDownIsDegradedNotAFailure() throws Exception {
        CliRun run = CliRun.of("healer", "--servers", "http://127.0.0.1:1,http://127.0.0.1:2", "--once", "--output",
                "json", "--spool-dir", tmp.resolve("spool").toString());
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.DEGRADED);
        JsonNode doc = new ObjectMapper().readTree(run.out());
        assertThat(doc.path("serversSkipped").asLong()).isEqualTo(2);
        assertThat(doc.path("servers").path(1).path("skipped").asText()).startsWith("unreachable");
    }

    // ------------------------------------------------------------------ --exec parsing

    @Test
    void execTakesTheRestOfTheLineEvenWhatLooksLikeRestoresOptions() {
        assertThat(parseRestore("--exec", "sh", "-c", "exit 7").exec).containsExactly("sh", "-c", "exit 7");
        RestoreCommand restore = parseRestore("--exec", "app", "--out", "elsewhere", "--help", "-h", "-V",
                "--checkpoint", "9", "--exec", "x");
        assertThat(restore.exec).containsExactly("app", "--out", "elsewhere", "--help", "-h", "-V", "--checkpoint",
                "9", "--exec", "x");
        assertThat(restore.target.out).isEqualTo(Path.of("out.bin"));
        assertThat(restore.checkpoint).isNull();
    }

    @Test
    void execDropsALeadingDoubleDashAndKeepsPlaceholdersForTheLaunch() {
        assertThat(parseRestore("--exec", "--", "app", "-x").exec).containsExactly("app", "-x");
        assertThat(parseRestore("--exec=app", "{}", "--state={}").exec).containsExactly("app", "{}", "--state={}");
    }

    @Test
    void execWithoutACommandIsAUsageError() {
        CliRun run = CliRun.of("restore", "--app", "a", "--from", tmp.toString(), "--out",
                tmp.resolve("o").toString(), "--exec");
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.USAGE);
        assertThat(run.errLines()).containsExactly(
                "checkstripe restore: --exec needs a command: --exec CMD [ARGS...] (see 'checkstripe restore --help')");
        CliRun dashes = CliRun.of("restore", "--app", "a", "--from", tmp.toString(), "--out",
                tmp.resolve("o").toString(), "--exec", "--");
        assertThat(dashes.exitCode()).as(dashes.describe()).isEqualTo(ExitCode.USAGE);
    }

    private static RestoreCommand parseRestore(String... tail) {
        List<String> args = new ArrayList<>(List.of("restore", "--app", "a", "--from", "d", "--out", "out.bin"));
        args.addAll(List.of(tail));
        CommandLine.ParseResult parsed = new CommandLine(new Checkstripe()).parseArgs(args.toArray(String[]::new));
        return (RestoreCommand) parsed.subcommand().commandSpec().userObject();
    }

    // ------------------------------------------------------------------ files, policies, Kafka

    @Test
    void aPolicyWithMoreCellsThanServersIsAUsageError() {
        for (List<String> line : List.of(
                List.of("striper", "--bootstrap-server", NO_KAFKA, "--policy", "RS-6-3", "--servers", "5"),
                List.of("publish", "--bootstrap-server", NO_KAFKA, "--app", "a", "--file", file.toString(),
                        "--stripe-locally", "--policy", "RS-6-3", "--servers", "5"),
                List.of("demo", "--policy", "RS-6-3", "--servers", "5"))) {
            CliRun run = CliRun.of(line);
            assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.USAGE);
            assertThat(run.errLines()).as(run.describe()).hasSize(1);
            assertThat(run.err()).as(run.describe()).contains("RS-6-3").contains("5").contains("9");
            assertThat(run.elapsed()).as(run.describe()).isLessThan(Duration.ofSeconds(15));
        }
    }

    @Test
    void aMissingFileIsAUsageError() {
        Path missing = tmp.resolve("no-such.bin");
        for (String command : List.of("publish", "demo")) {
            List<String> line = command.equals("publish")
                    ? List.of("publish", "--bootstrap-server", NO_KAFKA, "--app", "a", "--file", missing.toString())
                    : List.of("demo", "--file", missing.toString());
            CliRun run = CliRun.of(line);
            assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.USAGE);
            assertThat(run.errLines()).as(run.describe())
                    .containsExactly("checkstripe " + command + ": --file: no such file: " + missing);
        }
        CliRun config = CliRun.of("publish", "--bootstrap-server", NO_KAFKA, "--command-config", missing.toString(),
                "--app", "a", "--file", file.toString());
        assertThat(config.exitCode()).as(config.describe()).isEqualTo(ExitCode.USAGE);
        assertThat(config.errLines()).containsExactly("checkstripe publish: --command-config: no such file: " + missing);
    }

    @Test
    void anOutputInAMissingDirectoryIsAUsageError() {
        Path out = tmp.resolve("no-such-dir").resolve("restored.bin");
        CliRun run = CliRun.of("restore", "--app", "a", "--from", tmp.toString(), "--out", out.toString());
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.USAGE);
        assertThat(run.errLines()).containsExactly("checkstripe restore: --out: directory does not exist: "
                + out.getParent());
        assertThat(out.getParent()).doesNotExist();
    }

    @Test
    void publishToAnUnreachableKafkaExitsFourWithinItsTimeout() {
        CliRun run = CliRun.of("publish", "--bootstrap-server", NO_KAFKA, "--app", "a", "--file", file.toString(),
                "--wait-protected");
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.KAFKA_UNREACHABLE);
        assertThat(run.errLines()).as(run.describe()).containsExactly("checkstripe publish: Kafka did not answer "
                + "within 20000 ms: cannot check topics [checkpoints] (bootstrap.servers " + NO_KAFKA + ")");
        assertThat(run.elapsed()).as("the default checkstripe.kafka.timeout.ms is 20 s")
                .isLessThan(Duration.ofSeconds(60));
    }

    @Test
    void theKafkaTimeoutsOfACommandConfigFileAreHonoured() throws Exception {
        Path config = Files.writeString(tmp.resolve("client.properties"),
                "checkstripe.kafka.timeout.ms=2000\n");
        CliRun publish = CliRun.of("publish", "--bootstrap-server", NO_KAFKA, "--command-config", config.toString(),
                "--app", "a", "--file", file.toString());
        assertThat(publish.exitCode()).as(publish.describe()).isEqualTo(ExitCode.KAFKA_UNREACHABLE);
        assertThat(publish.err()).contains("within 2000 ms");
        assertThat(publish.elapsed()).as(publish.describe()).isLessThan(Duration.ofSeconds(15));
    }

    @Test
    void theStriperGivesUpOnAnUnreachableKafkaWithinItsProvisionTimeout() throws Exception {
        Path config = Files.writeString(tmp.resolve("striper.properties"), "checkstripe.provision.timeout.ms=8000\n");
        CliRun striper = CliRun.of("striper", "--bootstrap-server", NO_KAFKA, "--command-config", config.toString(),
                "--servers", "5", "--application-id", "cli-usage-test");
        assertThat(striper.exitCode()).as(striper.describe()).isEqualTo(ExitCode.KAFKA_UNREACHABLE);
        assertThat(striper.errLines()).as(striper.describe()).hasSize(1);
        assertThat(striper.err()).contains("within 8000 ms");
        assertThat(striper.elapsed()).as("8 s to give up, not twice that").isLessThan(Duration.ofSeconds(13));
    }

    // ------------------------------------------------------------------ application ids

    static Stream<String> badApplicationIds() {
        return Stream.of("../x", "a/b", ".", "..", "", "with space", "čekpoint", "ckpt\u00a0", "-x/../../etc",
                "a".repeat(129), "a".repeat(300));
    }

    @ParameterizedTest(name = "app id \"{0}\"")
    @MethodSource("badApplicationIds")
    void aBadApplicationIdIsRefusedBeforeAnythingIsSent(String app) throws Exception {
        Path store = Files.createDirectories(tmp.resolve("store"));
        Path repaired = tmp.resolve("repaired");
        List<List<String>> lines = List.of(
                // Kafka is unreachable: had publish contacted it, it would exit 4 after 20 s.
                List.of("publish", "--bootstrap-server", NO_KAFKA, "--app", app, "--file", file.toString()),
                List.of("status", "--app", app, "--from", store.toString()),
                List.of("restore", "--app", app, "--from", store.toString(), "--out", tmp.resolve("o").toString()),
                List.of("repair", "--app", app, "--from", store.toString(), "--server-index", "0", "--data-dir",
                        repaired.toString()));
        for (List<String> line : lines) {
            CliRun run = CliRun.of(line);
            assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.USAGE);
            assertThat(run.errLines()).as(run.describe()).hasSize(1);
            assertThat(run.err()).as(run.describe()).contains("invalid application id")
                    .contains("[A-Za-z0-9._-]{1,128}");
            assertThat(run.elapsed()).as(run.describe()).isLessThan(Duration.ofSeconds(10));
        }
        assertThat(tmp.resolve("o")).doesNotExist();
        assertThat(repaired).doesNotExist();
        try (Stream<Path> left = Files.list(store)) {
            assertThat(left).as("nothing written to the store").isEmpty();
        }
    }
}
