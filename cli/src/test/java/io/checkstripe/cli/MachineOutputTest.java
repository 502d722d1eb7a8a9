package io.checkstripe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a script sees of {@code --output json} and {@code -} when something is wrong, through the real
 * command line in-process and without a broker: the usual line on stderr and exit code, and on stdout one
 * JSON document or nothing.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class MachineOutputTest {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0} --help")
    @ValueSource(strings = {"status", "restore", "repair", "publish"})
    void helpOffersJson(String command) {
        CliRun help = CliRun.of(command, "--help");
        assertThat(help.exitCode()).as(help.describe()).isZero();
        // Help wraps at 80 columns, anywhere in a sentence.
        assertThat(help.out().replaceAll("\\s+", " ")).as(help.describe()).contains("--output json prints")
                .contains("--output=FORMAT").contains("text (the default) or json");
    }

    @Test
    void aMistakeWithOutputJsonIsAlsoAJsonDocument() {
        CliRun run = CliRun.of("status", "--from", "d", "--output", "json");
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.USAGE);
        assertThat(run.errLines()).as("the usual line").containsExactly(
                "checkstripe status: Missing required option: '--app=APP' (see 'checkstripe status --help')");
        assertThat(run.json().toString())
                .isEqualTo("{\"error\":\"Missing required option: '--app=APP'\",\"exitCode\":1}");

        CliRun text = CliRun.of("status", "--from", "d");
        assertThat(text.errLines()).isEqualTo(run.errLines());
        assertThat(text.out()).as("text mode prints nothing on stdout").isEmpty();

        CliRun unknown = CliRun.of("status", "--bogus", "--app", "a", "--from", "d", "--output", "json");
        assertThat(unknown.exitCode()).as(unknown.describe()).isEqualTo(ExitCode.USAGE);
        assertThat(unknown.json().toString()).as("parsed to the end, so --output json was read")
                .isEqualTo("{\"error\":\"Unknown option: '--bogus'\",\"exitCode\":1}");
    }

    @Test
    void anUnknownFormatIsAUsageError() {
        CliRun run = CliRun.of("status", "--app", "a", "--from", "d", "--output", "yaml");
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.USAGE);
        assertThat(run.errLines()).as(run.describe()).containsExactly("checkstripe status: Invalid value for option "
                + "'--output': expected text or json, got 'yaml' (see 'checkstripe status --help')");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void withNoCheckpointStatusExitsTwoWithADocument() {
        Path gone = tmp.resolve("no-such-store");
        CliRun run = CliRun.of("status", "--app", "ledger", "--from", gone.toString(), "--output", "JSON");
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.UNRECOVERABLE);
        JsonNode doc = run.json();
        assertThat(doc.path("app").asText()).isEqualTo("ledger");
        assertThat(doc.path("dataChecked").asBoolean()).isTrue();
        assertThat(doc.path("checkpoints").isArray()).isTrue();
        assertThat(doc.path("checkpoints")).isEmpty();
        assertThat(doc.path("unreachableSources")).hasSize(1);
        assertThat(doc.path("unreachableSources").path(0).path("location").asText()).isEqualTo(gone.toString());
        assertThat(doc.path("unreachableSources").path(0).path("reason").asText()).isNotBlank();
    }

    @Test
    void aFailedRestoreWithOutputJsonIsAnErrorDocument() {
        Path gone = tmp.resolve("no-such-store");
        Path out = tmp.resolve("restored.bin");
        CliRun run = CliRun.of("restore", "--app", "ledger", "--from", gone.toString(), "--out", out.toString(),
                "--output", "json");
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.UNRECOVERABLE);
        assertThat(run.errLines()).as(run.describe()).hasSize(1);
        JsonNode doc = run.json();
        assertThat(doc.path("exitCode").asInt()).isEqualTo(ExitCode.UNRECOVERABLE);
        assertThat(run.errLines().get(0)).isEqualTo("checkstripe restore: " + doc.path("error").asText());
        assertThat(doc.path("error").asText()).contains("no reachable server holds a checkpoint of ledger");
        assertThat(out).doesNotExist();
    }

    @Test
    void restoreToStdoutTakesNeitherJsonNorExec() {
        List<String> restore = List.of("restore", "--app", "a", "--from", tmp.toString(), "--out", "-");

        CliRun json = CliRun.of(with(restore, "--output", "json"));
        assertThat(json.exitCode()).as(json.describe()).isEqualTo(ExitCode.USAGE);
        assertThat(json.errLines()).containsExactly("checkstripe restore: --out - puts the checkpoint on stdout, "
                + "where --output json would put its report: restore to a file with --out FILE");
        assertThat(json.json().path("exitCode").asInt()).isEqualTo(ExitCode.USAGE);

        CliRun exec = CliRun.of(with(restore, "--exec", "cat", "{}"));
        assertThat(exec.exitCode()).as(exec.describe()).isEqualTo(ExitCode.USAGE);
        assertThat(exec.errLines()).containsExactly("checkstripe restore: --exec starts the application on a "
                + "restored file, which --out - does not leave: restore to one with --out FILE");
        assertThat(exec.out()).isEmpty();

        CliRun both = CliRun.of("restore", "--app", "a", "--from", tmp.toString(), "--out",
                tmp.resolve("o.bin").toString(), "--output", "json", "--exec", "cat", "{}");
        assertThat(both.exitCode()).as(both.describe()).isEqualTo(ExitCode.USAGE);
        assertThat(both.errLines()).hasSize(1);
        assertThat(both.err()).contains("--exec").contains("--output json");
        assertThat(both.json().path("exitCode").asInt()).isEqualTo(ExitCode.USAGE);
        assertThat(tmp.resolve("o.bin")).doesNotExist();
    }

    private static List<String> with(List<String> args, String... more) {
        return Stream.concat(args.stream(), Arrays.stream(more)).toList();
    }
}
