package io.checkstripe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@code checkstripe bench} without a broker: option mistakes, sizes, quantiles, pacing and the chart. */
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
            "--striper-config /no/such/file|--striper-config: no such file: /no/such/file"})
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

    @Test
    void quantilesAreNearestRankAndTheMedianOfAnEvenCountIsTheMeanOfTheMiddleTwo() {
        List<Double> hundred = IntStream.rangeClosed(1, 100).mapToObj(i -> (double) i).toList();
        assertThat(BenchReport.quantile(hundred, 0.99)).isEqualTo(99.0);
        assertThat(BenchReport.quantile(hundred, 1)).isEqualTo(100.0);
        assertThat(BenchReport.quantile(hundred, 0.5)).isEqualTo(50.5);
        assertThat(BenchReport.quantile(List.of(3.0, 1.0, 2.0), 0.5)).isEqualTo(2.0);
        assertThat(BenchReport.quantile(List.of(), 0.5)).isNaN();
    }

    @Test
    void aRatioRowMeetsItsGoalByItsMedian() {
        BenchReport report = new BenchReport();
        for (double v : new double[] {0.2, 0.4, 0.35}) {
            report.record("s", "ratio", 1, "x", BenchReport.Goal.atLeast(0.3), v);
        }
        BenchReport.Row row = report.row("s", "ratio", 1).orElseThrow();
        assertThat(row.median()).isEqualTo(0.35);
        assertThat(row.min()).isEqualTo(0.2);
        assertThat(row.max()).isEqualTo(0.4);
        assertThat(row.met()).contains(true);
        assertThat(row.loads).hasSize(3);
    }

    @Test
    void thePacerStartsOnePerIntervalAndDoesNotCatchUpAfterALateStart() throws Exception {
        Pacer pacer = new Pacer(Duration.ofMillis(20));
        long start = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            pacer.awaitNext();
        }
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(80));
    }

    @Test
    void theProfileSummaryNamesTheHotMethodOfARecording() throws Exception {
        Path file = tmp.resolve("spin.jfr");
        try (Recording recording = new Recording(Configuration.getConfiguration("profile"))) {
            recording.start();
            long sum = 0;
            long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (System.nanoTime() < until) {
                sum += spin(sum);
            }
            recording.stop();
            recording.dump(file);
            assertThat(sum).isNotZero();
        }
        String summary = JfrSummary.of(file);
        assertThat(summary).startsWith("spin.jfr: ").contains("running Java, by thread group", "hottest methods",
                "BenchCommandTest.spin");
    }

    private static long spin(long seed) {
        long x = seed | 1;
        for (int i = 0; i < 100_000; i++) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
        }
        return x;
    }

    @Test
    void theChartDrawsEverySeriesOnAWhiteCanvas() {
        ThroughputChart.Series raw = new ThroughputChart.Series("raw", List.of(
                new ThroughputChart.Point(1 << 20, 50, 40, 60), new ThroughputChart.Point(1 << 30, 120, 100, 130)));
        BufferedImage image = ThroughputChart.render("title", "MB/s", List.of(raw));
        assertThat(image.getWidth()).isEqualTo(960);
        assertThat(image.getHeight()).isEqualTo(600);
        assertThat(image.getRGB(0, 0) & 0xffffff).isEqualTo(0xffffff);
        int colored = 0;
        for (int x = 0; x < image.getWidth(); x++) {
            for (int y = 0; y < image.getHeight(); y++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                if (rgb == 0x333333) {
                    colored++;
                }
            }
        }
        assertThat(colored).as("pixels in the first series' colour").isGreaterThan(100);
    }
}
