package io.checkstripe.e2e;

import io.checkstripe.producer.PublisherConfig;
import io.checkstripe.schemas.Topics;
import io.checkstripe.schemas.avro.CheckpointAck;
import io.checkstripe.schemas.avro.CheckpointManifest;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Where a checkpoint's time to protected went, hop by hop, from what the pipeline already writes: the manifest's
 * record timestamp (its commit record's: Kafka Streams forwards the input's timestamp, and a publisher striping
 * locally sends both together) and each server's acknowledgement
 * ({@code ackedAt}, stamped by the sink once the cells and manifest are durable), read back from the manifests and
 * acks topics after a series. All clocks are this machine's, so the stages add up to the publisher's own
 * measurement; on a cluster they would need synchronized clocks. Millisecond resolution. Not thread-safe.
 */
final class ProtectionTrace {

    private static final Duration POLL = Duration.ofMillis(200);

    /** Wall-clock milliseconds of one checkpoint's manifest (its commit record) and first and last acknowledgement. */
    record Hops(long manifestAt, long firstAckAt, long lastAckAt) {
    }

    private ProtectionTrace() {
    }

    /**
     * The hops of every checkpoint of {@code app} found on the topics, by checkpoint id; a checkpoint without a
     * manifest or an acknowledgement is left out.
     */
    static Map<Long, Hops> read(PublisherConfig config, String app, Duration timeout) {
        Topics topics = config.topics();
        Map<Long, Long> manifests = new HashMap<>();
        Map<Long, long[]> acks = new HashMap<>();
        Map<String, Object> props = config.consumerProps();
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(props, new StringDeserializer(),
                new ByteArrayDeserializer())) {
            String manifestTopic = topics.names().manifests();
            String ackTopic = topics.names().acks();
            readToEnd(consumer, List.of(manifestTopic, ackTopic), timeout, record -> {
                if (record.topic().equals(manifestTopic)) {
                    CheckpointManifest m = topics.manifests().valueSerde().deserializer()
                            .deserialize(manifestTopic, record.value());
                    if (m != null && m.getAppId().equals(app)) {
                        manifests.merge(m.getCheckpointId(), record.timestamp(), Math::min);
                    }
                } else {
                    CheckpointAck a = topics.acks().valueSerde().deserializer().deserialize(ackTopic, record.value());
                    if (a != null && a.getAppId().equals(app)) {
                        acks.merge(a.getCheckpointId(), new long[] {a.getAckedAt(), a.getAckedAt()},
                                (x, y) -> new long[] {Math.min(x[0], y[0]), Math.max(x[1], y[1])});
                    }
                }
            });
        }
        Map<Long, Hops> hops = new HashMap<>();
        manifests.forEach((id, at) -> {
            long[] ack = acks.get(id);
            if (ack != null) {
                hops.put(id, new Hops(at, ack[0], ack[1]));
            }
        });
        return hops;
    }

    private static void readToEnd(KafkaConsumer<String, byte[]> consumer, List<String> topicNames, Duration timeout,
            Consumer<ConsumerRecord<String, byte[]>> each) {
        List<TopicPartition> partitions = topicNames.stream()
                .flatMap(t -> consumer.partitionsFor(t, timeout).stream()
                        .map(p -> new TopicPartition(p.topic(), p.partition())))
                .toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, timeout);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (ends.entrySet().stream().anyMatch(e -> consumer.position(e.getKey(), timeout) < e.getValue())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("could not read " + topicNames + " to their end " + ends + " within "
                        + timeout);
            }
            consumer.poll(POLL).forEach(each);
        }
    }
}
