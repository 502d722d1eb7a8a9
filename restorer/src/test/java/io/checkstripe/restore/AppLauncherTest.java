package io.checkstripe.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --exec}: the application starts from the restored file and its exit code becomes the restore's. */
class AppLauncherTest {

    @TempDir
    Path tmp;

    @Test
    void placeholderIsReplacedInEveryArgument() {
        Path f = tmp.resolve("cp.bin");
        assertThat(AppLauncher.commandLine(List.of("app", "--state={}", "{}", "x"), f))
                .containsExactly("app", "--state=" + f.toAbsolutePath(), f.toAbsolutePath().toString(), "x");
    }

    @Test
    void runsTheCommandWithThePathAndTheEnvironmentAndReturnsItsExitCode() throws IOException {
        Path restored = tmp.resolve("restored.bin");
        Files.writeString(restored, "state\n");
        Path seen = tmp.resolve("seen.txt");
        // The script checks that {} and the variable both name the restored file, records them, exits with 7.
        String script = "test \"$1\" = \"$CHECKSTRIPE_RESTORED_FILE\" && cat \"$1\" > \"$2\" && echo \"$1\" >> \"$2\""
                + " && exit 7";

        int code = AppLauncher.launch(List.of("sh", "-c", script, "sh", "{}", seen.toString()), restored);

        assertThat(code).isEqualTo(7);
        assertThat(Files.readAllLines(seen)).containsExactly("state", restored.toAbsolutePath().toString());
    }

    @Test
    void zeroExitCodePassesThrough() throws IOException {
        assertThat(AppLauncher.launch(List.of("true"), tmp.resolve("x"))).isZero();
    }

    @Test
    void afterAVerifiedRestoreTheAppReadsTheRestoredCheckpoint() throws IOException {
        Cluster cluster = new Cluster(tmp.resolve("servers"), "XOR-4-1", 5);
        cluster.write("app", 1, 40_000, 4096, 8);
        Path out = tmp.resolve("cp");
        Path copy = tmp.resolve("copy");
        RestoreReport report = new Restorer(RestoreOptions.defaults()).restore("app", cluster.sources(), out,
                OptionalLong.empty());

        int code = AppLauncher.launch(List.of("cp", "{}", copy.toString()), report.output());

        assertThat(code).isZero();
        assertThat(Files.readAllBytes(copy)).isEqualTo(Cluster.bytes(40_000, 8));
    }

    @Test
    void aCommandThatCannotStartIsAnIoException() {
        assertThatThrownBy(() -> AppLauncher.launch(List.of(tmp.resolve("no-such-program").toString()), tmp))
                .isInstanceOf(IOException.class).hasMessageContaining("cannot start");
        assertThatThrownBy(() -> AppLauncher.launch(List.of(), tmp)).isInstanceOf(IllegalArgumentException.class);
    }
}
