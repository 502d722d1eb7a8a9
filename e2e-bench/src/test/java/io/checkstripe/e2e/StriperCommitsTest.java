package io.checkstripe.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.junit.jupiter.api.Test;

class StriperCommitsTest {

    private final Map<MetricName, Metric> metrics = new HashMap<>();

    private void put(String group, String name, String client, Object value) {
        MetricName key = new MetricName(name, group, "", Map.of("client-id", client));
        metrics.put(key, new Metric() {
            @Override
            public MetricName metricName() {
                return key;
            }

            @Override
            public Object metricValue() {
                return value;
            }
        });
    }

    @Test
    void sumsThreadsAndProducersAndSplitsTheMeanCommit() {
        put("stream-thread-metrics", "commit-total", "t1", 10.0);
        put("stream-thread-metrics", "commit-total", "t2", 4.0);
        put("producer-metrics", "flush-time-ns-total", "p1", 20e6);
        put("producer-metrics", "txn-commit-time-ns-total", "p1", 50e6);
        put("producer-metrics", "txn-send-offsets-time-ns-total", "p1", 10e6);
        put("producer-metrics", "record-send-total", "p1", 999.0);
        StriperCommits before = StriperCommits.of(metrics);

        put("stream-thread-metrics", "commit-total", "t1", 20.0);
        put("producer-metrics", "flush-time-ns-total", "p1", 60e6);
        put("producer-metrics", "txn-commit-time-ns-total", "p1", 150e6);
        put("producer-metrics", "txn-send-offsets-time-ns-total", "p1", 30e6);
        StriperCommits during = StriperCommits.of(metrics).minus(before);

        assertThat(during.commits()).isEqualTo(10);
        assertThat(during.meanFlushMs()).isCloseTo(4.0, within(1e-9));
        assertThat(during.meanEndTxnMs()).isCloseTo(10.0, within(1e-9));
        assertThat(during.meanCommitMs()).isCloseTo(16.0, within(1e-9));
    }

    @Test
    void ignoresMetricsWithoutANumberAndReportsZeroWithoutCommits() {
        put("stream-thread-metrics", "commit-total", "t1", Double.NaN);
        put("producer-metrics", "flush-time-ns-total", "p1", "not a number");
        StriperCommits none = StriperCommits.of(metrics);
        assertThat(none.commits()).isZero();
        assertThat(none.meanCommitMs()).isZero();
        assertThat(none.meanFlushMs()).isZero();
        assertThat(none.meanEndTxnMs()).isZero();
    }
}
