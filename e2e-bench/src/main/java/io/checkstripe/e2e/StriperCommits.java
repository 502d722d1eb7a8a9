package io.checkstripe.e2e;

import java.util.Map;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;

/**
 * Cumulative commit counters of a Kafka Streams instance (summed over its stream threads and their producers),
 * read from its metrics; the difference of two snapshots tells how many transactions a stretch of work took and
 * where a commit's time went. The bench uses it to split the striper's share of the time to protected.
 *
 * @param commits      stream-thread commits ({@code stream-thread-metrics commit-total})
 * @param commitMillis time the producers spent committing: flush, sending the consumer offsets and
 *                     {@code commitTransaction} ({@code *-time-ns-total}), in milliseconds
 * @param flushNanos   producer {@code flush-time-ns-total}
 * @param endTxnNanos  producer {@code txn-commit-time-ns-total}
 */
record StriperCommits(long commits, double commitMillis, double flushNanos, double endTxnNanos) {

    static StriperCommits of(Map<MetricName, ? extends Metric> metrics) {
        double commits = 0;
        double flush = 0;
        double endTxn = 0;
        double sendOffsets = 0;
        for (Map.Entry<MetricName, ? extends Metric> e : metrics.entrySet()) {
            MetricName n = e.getKey();
            if (!(e.getValue().metricValue() instanceof Double v) || v.isNaN()) {
                continue;
            }
            if (n.group().equals("stream-thread-metrics") && n.name().equals("commit-total")) {
                commits += v;
            } else if (n.group().equals("producer-metrics")) {
                switch (n.name()) {
                    case "flush-time-ns-total" -> flush += v;
                    case "txn-commit-time-ns-total" -> endTxn += v;
                    case "txn-send-offsets-time-ns-total" -> sendOffsets += v;
                    default -> { }
                }
            }
        }
        return new StriperCommits((long) commits, (flush + endTxn + sendOffsets) / 1e6, flush, endTxn);
    }

    StriperCommits minus(StriperCommits earlier) {
        return new StriperCommits(commits - earlier.commits, commitMillis - earlier.commitMillis,
                flushNanos - earlier.flushNanos, endTxnNanos - earlier.endTxnNanos);
    }

    double meanCommitMs() {
        return commits == 0 ? 0 : commitMillis / commits;
    }

    double meanFlushMs() {
        return commits == 0 ? 0 : flushNanos / 1e6 / commits;
    }

    double meanEndTxnMs() {
        return commits == 0 ? 0 : endTxnNanos / 1e6 / commits;
    }
}
