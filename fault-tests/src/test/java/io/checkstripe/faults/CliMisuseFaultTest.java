package io.checkstripe.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.checkstripe.cli.ExitCode;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scenario 13, CLI misuse, through real processes as a user's shell runs them: every mistake ends with the
 * contract's exit code and one line that names it, without a stack trace; an unreachable Kafka ends with exit 4
 * within a bounded time instead of hanging. All cases run at once, as separate processes, to keep the suite short.
 */
@Tag("integration")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class CliMisuseFaultTest {

    private static final Logger log = LoggerFactory.getLogger(CliMisuseFaultTest.class);

    /**
     * Longest a command may take to notice an unreachable Kafka: the publisher's 20 s and the striper's 30 s
     * defaults, plus a JVM start on a loaded machine.
     */
    private static final Duration UNREACHABLE_BOUND = Duration.ofSeconds(50);
    private static final Duration USAGE_BOUND = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private record Case(List<String> args, int exitCode, Duration bound, List<String> message) {
    }

    @Test
    void everyMistakeExitsWithItsCodeAndNamesWhatWentWrong() throws IOException {
        Path file = TestFiles.random(tmp.resolve("checkpoint.bin"), 4096, 13);
        String dead = deadAddress();
        String store = tmp.resolve("store").toString();
        Map<String, Case> cases = new LinkedHashMap<>();
        cases.put("publish-without-app", new Case(List.of("publish", "--bootstrap-server", dead, "--file",
                file.toString()), ExitCode.USAGE, USAGE_BOUND, List.of("Missing required option", "--app")));
        cases.put("restore-without-out", new Case(List.of("restore", "--app", "a", "--from", store),
                ExitCode.USAGE, USAGE_BOUND, List.of("Missing required argument", "(--out=FILE | --out-dir=D)")));
        cases.put("striper-more-cells-than-servers", new Case(List.of("striper", "--bootstrap-server", dead,
                "--policy", "RS-6-3", "--servers", "5"), ExitCode.USAGE, USAGE_BOUND,
                List.of("RS-6-3", "9 cells per stripe", "got 5")));
        cases.put("publish-missing-file", new Case(List.of("publish", "--bootstrap-server", dead, "--app", "a",
                "--file", tmp.resolve("no-such.bin").toString()), ExitCode.USAGE, USAGE_BOUND,
                List.of("--file", "no such file", "no-such.bin")));
        cases.put("restore-out-in-missing-directory", new Case(List.of("restore", "--app", "a", "--from", store,
                "--out", tmp.resolve("missing-dir").resolve("out.bin").toString()), ExitCode.USAGE, USAGE_BOUND,
                List.of("--out", "directory does not exist", "missing-dir")));
        cases.put("unknown-policy", new Case(List.of("striper", "--bootstrap-server", dead, "--policy", "RS-0-2",
                "--servers", "5"), ExitCode.USAGE, USAGE_BOUND, List.of("RS-0-2")));
        cases.put("misspelt-subcommand", new Case(List.of("restroe", "--app", "a"), ExitCode.USAGE, USAGE_BOUND,
                List.of("restroe", "restore")));
        cases.put("publish-unreachable-kafka", new Case(List.of("publish", "--bootstrap-server", dead, "--app", "a",
                "--file", file.toString()), ExitCode.KAFKA_UNREACHABLE, UNREACHABLE_BOUND, List.of(dead)));
        cases.put("striper-unreachable-kafka", new Case(List.of("striper", "--bootstrap-server", dead, "--policy",
                "RS-3-2", "--servers", "5"), ExitCode.KAFKA_UNREACHABLE, UNREACHABLE_BOUND, List.of("Kafka did not answer")));

        Map<String, CheckstripeProcess> running = new LinkedHashMap<>();
        cases.forEach((name, c) -> running.put(name, CheckstripeProcess.start(name, tmp.resolve("logs"), c.args())));
        List<String> checked = new ArrayList<>();
        try {
            for (var e : cases.entrySet()) {
                CheckstripeProcess p = running.get(e.getKey());
                Case c = e.getValue();
                int code = p.waitFor(c.bound());
                String err = p.stderr();
                assertThat(code).as("%s: exit code\n%s", e.getKey(), p.diagnostics()).isEqualTo(c.exitCode());
                assertThat(p.elapsed()).as("%s: time to exit", e.getKey()).isLessThan(c.bound());
                assertThat(err).as("%s: message", e.getKey()).contains(c.message());
                assertThat(err).as("%s: no stack trace", e.getKey()).doesNotContain("\tat ", "Exception in thread");
                checked.add(e.getKey() + " -> " + code + " in " + p.elapsed().toMillis() + " ms");
            }
        } finally {
            running.values().forEach(CheckstripeProcess::close);
        }
        log.info("scenario 13: {}", checked);
        assertThat(checked).hasSize(cases.size());
    }

    @Test
    void aRestoreFromNoReachableServerExitsTwoAndNamesTheServers() throws IOException {
        String gone = tmp.resolve("deleted-store").toString();
        String dead = "http://" + deadAddress();
        CheckstripeProcess.Result r = CheckstripeProcess.run("restore-nothing", tmp.resolve("logs"), USAGE_BOUND,
                List.of("restore", "--app", "a", "--from", gone + "," + dead, "--out", tmp.resolve("x.bin").toString(),
                        "--connect-timeout", "500"));
        assertThat(r.exitCode()).as("%s", r).isEqualTo(ExitCode.UNRECOVERABLE);
        assertThat(r.stderr()).contains(gone).contains(dead).doesNotContain("\tat ");
        assertThat(tmp.resolve("x.bin")).doesNotExist();
    }

    /** host:port of a port on which nothing listens (bound and released, so it is free). */
    private static String deadAddress() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }
}
