package io.checkstripe.broker;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Broker settings that make a small test cluster behave like a production one for the
 * features checkstripe uses. Kafka's defaults assume at least three brokers for the internal
 * topics ({@code __consumer_offsets}, {@code __transaction_state}); on one broker transactional
 * producers and Kafka Streams {@code exactly_once_v2} would wait forever for those topics.
 * Every in-JVM cluster and every broker process starts from these, then the caller's settings.
 */
public final class BrokerDefaults {

    private BrokerDefaults() {
    }

    /** The defaults for a cluster of {@code brokers} brokers; a new mutable map. */
    public static Map<String, String> forBrokerCount(int brokers) {
        if (brokers < 1) {
            throw new IllegalArgumentException("brokers must be at least 1: " + brokers);
        }
        String replication = Integer.toString(Math.min(3, brokers));
        String minIsr = Integer.toString(Math.min(2, brokers));
        Map<String, String> config = new LinkedHashMap<>();
        config.put("offsets.topic.replication.factor", replication);
        config.put("offsets.topic.num.partitions", "5");
        config.put("transaction.state.log.replication.factor", replication);
        config.put("transaction.state.log.min.isr", minIsr);
        config.put("transaction.state.log.num.partitions", "5");
        config.put("share.coordinator.state.topic.replication.factor", replication);
        config.put("share.coordinator.state.topic.min.isr", minIsr);
        config.put("default.replication.factor", replication);
        config.put("group.initial.rebalance.delay.ms", "0");
        // A restarted broker may register only once the session of its previous incarnation has
        // expired, and the partitions a killed broker led move only then: 4 s instead of 9 s.
        config.put("broker.session.timeout.ms", "4000");
        config.put("broker.heartbeat.interval.ms", "1000");
        // The log cleaner allocates its dedupe buffer up front (128 MiB by default); brokers in
        // tests run with a small heap.
        config.put("log.cleaner.dedupe.buffer.size", "2097152");
        return config;
    }

    /** Checks the size of a test or local cluster: 1 to 9 brokers (node ids are one digit). */
    public static int checkBrokerCount(int brokers) {
        if (brokers < 1 || brokers > 9) {
            throw new IllegalArgumentException("brokers must be between 1 and 9: " + brokers);
        }
        return brokers;
    }
}
