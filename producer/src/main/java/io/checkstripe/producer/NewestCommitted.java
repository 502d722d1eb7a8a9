package io.checkstripe.producer;

import io.checkstripe.schemas.CheckpointKey;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds an application's newest committed checkpoint id from two records, and takes the
 * larger:
 *
 * <ol>
 *   <li><b>The bookkeeping offset commit.</b> Every publish commits, inside its own
 *       transaction, a consumer-group offset for the group named like its
 *       {@code transactional.id}, with metadata {@code checkpointId=<id>}. It becomes visible
 *       exactly when the checkpoint does, and one offset fetch reads it, so it is right even the
 *       instant after a commit, before the striper has written a manifest. The fetch asks for
 *       stable offsets, so it waits out a transaction still completing. Kafka expires offsets
 *       of an idle group after {@code offsets.retention.minutes} (7 days by default).</li>
 *   <li><b>The compacted manifests topic</b>, read {@code read_committed} from start to end,
 *       keys only ({@code appId/checkpointId}, so no value is decoded): one small record per
 *       striped checkpoint, kept forever. It covers expired offsets and checkpoints published
 *       by other means.</li>
 * </ol>
 *
 * <p>A publisher keeps one lookup per application it publishes, so a stream of publishes pays
 * one offset fetch and the manifests written since its previous publish, not a new consumer and
 * the whole topic each time; manifests published by other means are still read.
 *
 * <p>The checkpoints topic itself is not read: its records are whole segments, so finding the
 * newest commit there would mean fetching gigabytes of other applications' data.
 */
final class NewestCommitted implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(NewestCommitted.class);
    private static final Duration POLL = Duration.ofMillis(200);

    private final PublisherConfig config;
    private final String appId;
    /** One consumer for both records: its group is only used for the offset fetch (it assigns, never joins). */
    private final KafkaConsumer<String, byte[]> consumer;
    /** The manifests partitions read so far; every later lookup reads on from where the last one stopped. */
    private final Set<TopicPartition> manifestPartitions = new HashSet<>();
    /** The highest id of {@code appId} among the manifests read so far. */
    private OptionalLong manifested = OptionalLong.empty();

    /**
     * A lookup for {@code appId} that a publisher keeps while it publishes that application: later
     * lookups reuse its connections and read only the manifests written since the previous one,
     * instead of paying for a new consumer and the whole topic on every publish.
     */
    NewestCommitted(PublisherConfig config, String appId) {
        this.config = config;
        this.appId = appId;
        Map<String, Object> props = config.consumerProps();
        props.put(ConsumerConfig.GROUP_ID_CONFIG, config.transactionalId(appId));
        // Should a position ever fall out of range, reading again from the start is right, skipping is not.
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
    }

    /** The larger of both records' newest id of {@code appId}, or empty when neither has one. */
    static OptionalLong find(PublisherConfig config, String appId) {
        try (NewestCommitted lookup = new NewestCommitted(config, appId)) {
            return lookup.find();
        }
    }

    /**
     * The larger of both records' newest id, or empty when neither has one: the bookkeeping offset
     * is fetched anew every time, the manifests topic read on to its current end. Not thread-safe.
     */
    OptionalLong find() {
        OptionalLong bookkept = fromBookkeeping(consumer, config, appId);
        manifested = CheckpointIds.max(manifested, readManifestsToEnd());
        log.debug("newest committed checkpoint of {}: {} by the bookkeeping offsets, {} by the manifests", appId,
                bookkept, manifested);
        return CheckpointIds.max(bookkept, manifested);
    }

    /**
     * The highest id of the application among the manifests read by the last {@link #find()}: a checkpoint the
     * striper accepted (or the publisher striped itself), so its cells are on their way to every server.
     */
    OptionalLong manifested() {
        return manifested;
    }

    /**
     * Closes the consumer without waiting: it committed nothing, so waiting would only wait out
     * its prefetch, a fetch the broker holds for {@code fetch.max.wait.ms} (500 ms) when no new
     * record comes.
     */
    @Override
    public void close() {
        consumer.close(CloseOptions.timeout(Duration.ZERO));
    }

    /**
     * The id recorded by the publishes' transactional offset commits, read with a consumer of
     * the bookkeeping group (which never joins it): its offset fetch asks for stable offsets
     * and retries while a transaction with an offset commit is still completing, where the
     * Admin client would silently leave such a partition out. The offset sits on a partition of
     * the checkpoints topic, or of the manifests topic when striping locally.
     */
    private static OptionalLong fromBookkeeping(KafkaConsumer<String, byte[]> consumer, PublisherConfig config,
                                                String appId) {
        String group = config.transactionalId(appId);
        Duration timeout = config.kafkaTimeout();
        Set<TopicPartition> partitions = new HashSet<>();
        partitions.addAll(KafkaCalls.partitions(consumer, config.topics().names().checkpoints(), timeout,
                config.bootstrapServers()));
        partitions.addAll(KafkaCalls.partitions(consumer, config.topics().names().manifests(), timeout,
                config.bootstrapServers()));
        if (partitions.isEmpty()) {
            return OptionalLong.empty();
        }
        Map<TopicPartition, OffsetAndMetadata> offsets;
        try {
            offsets = consumer.committed(partitions, timeout);
        } catch (TimeoutException e) {
            throw KafkaCalls.unavailable(config.bootstrapServers(), "read the offsets of consumer group " + group,
                    timeout, e);
        }
        OptionalLong newest = OptionalLong.empty();
        for (OffsetAndMetadata offset : offsets.values()) {
            if (offset != null) {
                newest = CheckpointIds.max(newest, CheckpointIds.parseMetadata(offset.metadata()));
            }
        }
        return newest;
    }

    /**
     * The highest id of {@code appId} among the manifests written since the previous lookup (all of
     * them at the first), reading every partition to its current end.
     */
    private OptionalLong readManifestsToEnd() {
        String topic = config.topics().names().manifests();
        Duration timeout = config.kafkaTimeout();
        List<TopicPartition> partitions = KafkaCalls.partitions(consumer, topic, timeout, config.bootstrapServers());
        if (partitions.isEmpty()) {
            log.info("manifests topic {} does not exist; the newest checkpoint id comes from the bookkeeping "
                    + "offsets only", topic);
            return OptionalLong.empty();
        }
        if (!manifestPartitions.containsAll(partitions)) {
            List<TopicPartition> added = partitions.stream().filter(p -> !manifestPartitions.contains(p)).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(added);
            manifestPartitions.addAll(added);
        }
        Map<TopicPartition, Long> ends;
        try {
            ends = consumer.endOffsets(partitions, timeout);
        } catch (TimeoutException e) {
            throw KafkaCalls.unavailable(config.bootstrapServers(), "read the end offsets of topic " + topic,
                    timeout, e);
        }
        OptionalLong newest = OptionalLong.empty();
        long behind = Long.MAX_VALUE;
        long idleSince = System.nanoTime();
        while (true) {
            long now = behind(consumer, ends, timeout, config.bootstrapServers());
            if (now == 0) {
                return newest;
            }
            if (now < behind) {
                behind = now;
                idleSince = System.nanoTime();
            } else if (System.nanoTime() - idleSince > timeout.toNanos()) {
                throw KafkaCalls.unavailable(config.bootstrapServers(), "read topic " + topic + " to its end "
                        + ends + " (" + behind + " records short)", timeout, null);
            }
            for (ConsumerRecord<String, byte[]> record : consumer.poll(POLL)) {
                newest = CheckpointIds.max(newest, idOf(record, appId));
            }
        }
    }

    /** How many offsets the consumer still has to pass to reach {@code ends}. */
    private static long behind(KafkaConsumer<?, ?> consumer, Map<TopicPartition, Long> ends, Duration timeout,
                               String bootstrap) {
        try {
            long behind = 0;
            for (Map.Entry<TopicPartition, Long> end : ends.entrySet()) {
                behind += Math.max(0, end.getValue() - consumer.position(end.getKey(), timeout));
            }
            return behind;
        } catch (TimeoutException e) {
            throw KafkaCalls.unavailable(bootstrap, "read the positions on " + ends.keySet(), timeout, e);
        }
    }

    private static OptionalLong idOf(ConsumerRecord<String, byte[]> record, String appId) {
        if (record.key() == null) {
            return OptionalLong.empty();
        }
        try {
            CheckpointKey key = CheckpointKey.parse(record.key());
            return key.appId().equals(appId) ? OptionalLong.of(key.checkpointId()) : OptionalLong.empty();
        } catch (IllegalArgumentException e) {
            log.warn("ignoring record with malformed key at {}-{} offset {}: {}", record.topic(), record.partition(),
                    record.offset(), e.getMessage());
            return OptionalLong.empty();
        }
    }
}
