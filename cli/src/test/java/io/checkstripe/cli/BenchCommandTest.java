package io.checkstripe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code checkstripe bench}'s options without a broker: mistakes and sizes. */
@Timeout(value = 1, unit = TimeUnit.MINUTES)
class BenchCommandTest {

    @TempDir
    Path tmp;

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "--sizes 12x|--sizes: not a size: 12x (e.g. 1048576, 512k, 64m, 1g)",
            "--sizes 0|--sizes: a size must be positive, got 0",
            "--warm-up 1q|--warm-up: not a size: 1q (e.g. 1048576, 512k, 64m, 1g)",
            "--modes streams,fast|--modes: unknown mode fast (streams or local)",
            "--policies RS-3-2:4|--policies: RS-3-2 needs at least 5 servers, got 4",
            "--latency-rate 0|--latency-rate must be between 0 and 1000 per second, got 0.0",
            "--skip rss,warmup|--skip: unknown part warmup (restore, latency, rss)",
            "--striper-config /no/such/file|--striper-config: no such file: /no/such/file",
            "--incremental --sizes 512k|--incremental: the size must be at least 1m, got 512k",
            "--incremental --runs 0|--runs must be at least 1, got 0",
            "--incremental --encryption-cost|--encryption-cost and --incremental are two benches: give one"})
    void aMistakeIsOneLineAndExitOneBeforeAnythingStarts(String options, String message) {
        List<String> args = new ArrayList<>(List.of("bench", "--work-dir", tmp.resolve("work").toString()));
        args.addAll(List.of(options.split(" ")));
        CliRun run = CliRun.of(args);
        assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.USAGE);
        assertThat(run.errLines()).as(run.describe()).containsExactly("checkstripe bench: " + message);
    }

    @Test
    void sizesAreBinaryMultiples() {
        assertThat(BenchCommand.parseSize("1048576", "--sizes")).isEqualTo(1L << 20);
        assertThat(BenchCommand.parseSize("512k", "--sizes")).isEqualTo(512L << 10);
        assertThat(BenchCommand.parseSize(" 64M ", "--sizes")).isEqualTo(64L << 20);
        assertThat(BenchCommand.parseSize("1g", "--sizes")).isEqualTo(1L << 30);
    }
}
