package io.checkstripe.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

/** The bench's figures: quantiles and ratio rows. */
class BenchReportTest {

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
}
