package io.checkstripe.producer;

import io.checkstripe.schemas.CheckpointKey;
import io.checkstripe.schemas.Topics;
import io.checkstripe.schemas.avro.CheckpointAck;
import io.checkstripe.schemas.avro.CheckpointCommit;
import io.checkstripe.schemas.avro.CheckpointManifest;
import io.checkstripe.schemas.avro.CheckpointSegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits until a checkpoint is <em>protected</em>: every one of the N backup servers has
 * published a {@link CheckpointAck} for it to the acks topic, which a sink does once the
 * checkpoint's cells and manifest are durable in its store. Only then does the checkpoint
 * survive the loss of servers as its policy promises; a commit alone only says Kafka has it.
 *
 * <p><b>Use.</b> {@link #start(PublisherConfig) Start} the watcher <em>before</em> publishing:
 * it notes the end of the acks and manifests topics then, and later reads from there, so it
 * neither misses an acknowledgement that comes quickly nor reads the topics' history. Then
 * {@link #awaitProtected(String, long, Duration) await} each published checkpoint. It reads
 * {@code read_committed}, with every partition assigned (no consumer group).
 *
 * <p><b>N</b> comes from the checkpoint's manifest on the manifests topic (the striper writes
 * it with the N it striped for), so the publisher need not be told the striper's
 * configuration; or the caller gives it ({@link #awaitProtected(String, long, int, Duration)}),
 * as the producer does when it stripes locally. Acknowledgements from server indexes outside
 * 0..N-1 are ignored.
 *
 * <p><b>Refusals.</b> A checkpoint the striper refused is never protected, so the watcher also reads
 * the dead-letter topic from the end it noted: a dead letter the striper wrote for a record of the
 * checkpoints topic (its {@value Topics#DLQ_TOPIC_HEADER} header) that belongs to the checkpoint
 * awaited ends the wait at once with a {@link CheckpointRejectedException} carrying the reason and
 * exception headers. Sinks' dead letters (single cells) are not read: they do not refuse a checkpoint.
 *
 * <p>Acknowledgements and manifests seen are remembered for every checkpoint while the
 * watcher is open, so several checkpoints can be awaited one after another, in any order;
 * memory grows with the number of checkpoints acknowledged meanwhile (a few dozen bytes each).
 * A long-lived watcher bounds that by remembering only the applications it is started for
 * ({@link #start(PublisherConfig, Predicate)}) and {@linkplain #forget forgetting} each checkpoint
 * once awaited; {@link CheckpointPublisher} keeps one that way, so that a publish does not pay for
 * a new consumer.
 *
 * <p>Not thread-safe (it owns a {@link KafkaConsumer}); close it when done.
 */
public final class ProtectionWatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ProtectionWatcher.class);
    private static final Duration POLL = Duration.ofMillis(100);

    private final KafkaConsumer<String, byte[]> consumer;
    private final String acksTopic;
    private final String manifestsTopic;
    private final String deadLettersTopic;
    private final String checkpointsTopic;
    private final Deserializer<SpecificRecord> checkpoints;
    private final Map<CheckpointKey, Refusal> refused = new HashMap<>();
    private final Deserializer<CheckpointAck> acks;
    private final Deserializer<CheckpointManifest> manifests;
    private final Map<CheckpointKey, SortedSet<Integer>> acked = new HashMap<>();
    private final Map<CheckpointKey, Integer> serversOf = new HashMap<>();
    private final Predicate<String> apps;

    private ProtectionWatcher(KafkaConsumer<String, byte[]> consumer, PublisherConfig config, Predicate<String> apps) {
        this.consumer = consumer;
        this.apps = apps;
        this.acksTopic = config.topics().names().acks();
        this.manifestsTopic = config.topics().names().manifests();
        this.deadLettersTopic = config.topics().names().deadLetters();
        this.checkpointsTopic = config.topics().names().checkpoints();
        this.checkpoints = config.topics().checkpoints().valueSerde().deserializer();
        this.acks = config.topics().acks().valueSerde().deserializer();
        this.manifests = config.topics().manifests().valueSerde().deserializer();
    }

    /** Why the striper refused a checkpoint: the reason and exception headers of its dead letter. */
    private record Refusal(String reason, String detail) {
    }

    /**
     * Starts watching from the current end of the acks, manifests and dead-letter topics.
     *
     * @throws IllegalStateException     when the acks topic does not exist
     * @throws KafkaUnavailableException when the cluster does not answer within
     *     {@value PublisherConfig#KAFKA_TIMEOUT_MS_CONFIG}
     */
    public static ProtectionWatcher start(PublisherConfig config) {
        return start(config, app -> true);
    }

    /**
     * Starts watching from the current end of the acks, manifests and dead-letter topics, remembering only
     * the acknowledgements and manifests of the applications {@code apps} accepts (it is asked as
     * each record arrives, so it may accept more applications later).
     *
     * @throws IllegalStateException     when the acks topic does not exist
     * @throws KafkaUnavailableException when the cluster does not answer within
     *     {@value PublisherConfig#KAFKA_TIMEOUT_MS_CONFIG}
     */
    public static ProtectionWatcher start(PublisherConfig config, Predicate<String> apps) {
        KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(config.consumerProps(), new StringDeserializer(),
                new ByteArrayDeserializer());
        try {
            ProtectionWatcher watcher = new ProtectionWatcher(consumer, config, apps);
            watcher.seekToEnd(config);
            return watcher;
        } catch (RuntimeException e) {
            consumer.close(CloseOptions.timeout(Duration.ZERO));
            throw e;
        }
    }

    private void seekToEnd(PublisherConfig config) {
        Duration timeout = config.kafkaTimeout();
        String bootstrap = config.bootstrapServers();
        List<TopicPartition> partitions = new ArrayList<>(KafkaCalls.partitions(consumer, acksTopic, timeout, bootstrap));
        if (partitions.isEmpty()) {
            throw new IllegalStateException("acks topic " + acksTopic + " does not exist, so no backup server can "
                    + "acknowledge a checkpoint; create checkstripe's topics first");
        }
        List<TopicPartition> manifestPartitions = KafkaCalls.partitions(consumer, manifestsTopic, timeout, bootstrap);
        if (manifestPartitions.isEmpty()) {
            log.warn("manifests topic {} does not exist: only waits given the number of servers can end", manifestsTopic);
        }
        partitions.addAll(manifestPartitions);
        List<TopicPartition> deadLetterPartitions;
        try {
            deadLetterPartitions = KafkaCalls.partitions(consumer, deadLettersTopic, timeout, bootstrap);
        } catch (TopicAuthorizationException e) {
            deadLetterPartitions = List.of();
        }
        if (deadLetterPartitions.isEmpty()) {
            log.warn("dead-letter topic {} does not exist or may not be read: a checkpoint the striper refuses is "
                    + "waited for until the timeout", deadLettersTopic);
        }
        partitions.addAll(deadLetterPartitions);
        consumer.assign(partitions);
        Map<TopicPartition, Long> ends;
        try {
            ends = consumer.endOffsets(partitions, timeout);
        } catch (TimeoutException e) {
            throw KafkaCalls.unavailable(bootstrap, "read the end offsets of " + partitions, timeout, e);
        }
        ends.forEach(consumer::seek);
        log.debug("watching for acknowledgements from {}", ends);
    }

    /**
     * Waits until every server of the checkpoint's manifest acknowledged it.
     *
     * @return N, the number of servers that acknowledged it
     * @throws NotProtectedException when {@code timeout} passes first, naming the servers
     *     missing (or saying that no manifest arrived)
     * @throws CheckpointRejectedException when the striper dead-lettered a record of the checkpoint
     */
    public int awaitProtected(String appId, long checkpointId, Duration timeout) {
        return await(new CheckpointKey(appId, checkpointId), OptionalInt.empty(), timeout);
    }

    /**
     * Waits until servers 0..{@code servers}-1 all acknowledged the checkpoint.
     *
     * @return {@code servers}
     * @throws IllegalArgumentException when {@code servers} is less than 1
     * @throws NotProtectedException    when {@code timeout} passes first, naming the servers missing
     * @throws CheckpointRejectedException when the striper dead-lettered a record of the checkpoint
     */
    public int awaitProtected(String appId, long checkpointId, int servers, Duration timeout) {
        if (servers < 1) {
            throw new IllegalArgumentException("servers must be at least 1, got " + servers);
        }
        return await(new CheckpointKey(appId, checkpointId), OptionalInt.of(servers), timeout);
    }

    private int await(CheckpointKey key, OptionalInt givenServers, Duration timeout) {
        if (timeout == null || timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be a non-negative duration, got " + timeout);
        }
        long start = System.nanoTime();
        while (true) {
            OptionalInt servers = givenServers.isPresent() ? givenServers
                    : serversOf.containsKey(key) ? OptionalInt.of(serversOf.get(key)) : OptionalInt.empty();
            Refusal refusal = refused.get(key);
            if (refusal != null) {
                throw new CheckpointRejectedException(key.appId(), key.checkpointId(), refusal.reason(),
                        refusal.detail());
            }
            SortedSet<Integer> ackedBy = ackedBy(key, servers);
            if (servers.isPresent() && ackedBy.size() == servers.getAsInt()) {
                log.debug("{} protected: acknowledged by all {} servers", key, servers.getAsInt());
                return servers.getAsInt();
            }
            long left = timeout.toNanos() - (System.nanoTime() - start);
            if (left <= 0) {
                throw new NotProtectedException(key.appId(), key.checkpointId(), servers, ackedBy,
                        Duration.ofNanos(System.nanoTime() - start), manifestsTopic);
            }
            for (ConsumerRecord<String, byte[]> record : poll(Duration.ofNanos(Math.min(left, POLL.toNanos())))) {
                remember(record);
            }
        }
    }

    /**
     * Polls; a principal that may not read the dead-letter topic (an optional ACL) stops reading it and goes on
     * with the acknowledgements, which a refused checkpoint then only times out on.
     */
    private ConsumerRecords<String, byte[]> poll(Duration timeout) {
        try {
            return consumer.poll(timeout);
        } catch (TopicAuthorizationException e) {
            if (!e.unauthorizedTopics().contains(deadLettersTopic)) {
                throw e;
            }
            log.warn("may not read dead-letter topic {}: a checkpoint the striper refuses is waited for until the "
                    + "timeout", deadLettersTopic);
            consumer.assign(consumer.assignment().stream().filter(p -> !p.topic().equals(deadLettersTopic)).toList());
            return ConsumerRecords.empty();
        }
    }

    /**
     * Forgets what was seen of one checkpoint, typically once it was awaited: awaiting it again
     * then waits for new acknowledgements.
     */
    public void forget(String appId, long checkpointId) {
        CheckpointKey key = new CheckpointKey(appId, checkpointId);
        acked.remove(key);
        serversOf.remove(key);
        refused.remove(key);
    }

    /** Acknowledging server indexes of {@code key}, within 0..N-1 when N is known. */
    private SortedSet<Integer> ackedBy(CheckpointKey key, OptionalInt servers) {
        SortedSet<Integer> all = acked.getOrDefault(key, new TreeSet<>());
        return servers.isPresent() ? new TreeSet<>(all.headSet(servers.getAsInt())) : new TreeSet<>(all);
    }

    private void remember(ConsumerRecord<String, byte[]> record) {
        if (record.value() == null) {
            return;
        }
        try {
            if (record.topic().equals(acksTopic)) {
                CheckpointAck ack = acks.deserialize(record.topic(), record.value());
                if (ack.getServerIndex() < 0) {
                    log.warn("ignoring acknowledgement with negative server index {} at {}-{}@{}",
                            ack.getServerIndex(), record.topic(), record.partition(), record.offset());
                    return;
                }
                if (apps.test(ack.getAppId())) {
                    acked.computeIfAbsent(new CheckpointKey(ack.getAppId(), ack.getCheckpointId()),
                            k -> new TreeSet<>()).add(ack.getServerIndex());
                }
            } else if (record.topic().equals(deadLettersTopic)) {
                rememberRefusal(record);
            } else {
                CheckpointManifest manifest = manifests.deserialize(record.topic(), record.value());
                if (!apps.test(manifest.getAppId())) {
                    return;
                }
                serversOf.put(new CheckpointKey(manifest.getAppId(), manifest.getCheckpointId()), manifest.getServers());
            }
        } catch (RuntimeException e) {
            log.warn("ignoring unreadable record at {}-{}@{}: {}", record.topic(), record.partition(), record.offset(),
                    e.toString());
        }
    }

    /** A dead letter of a checkpoints-topic record of an application watched: its checkpoint is refused. */
    private void rememberRefusal(ConsumerRecord<String, byte[]> record) {
        // Keyed by application id: only the letters of applications watched are worth decoding.
        if (!checkpointsTopic.equals(header(record.headers(), Topics.DLQ_TOPIC_HEADER)) || record.key() == null
                || !apps.test(record.key())) {
            return;
        }
        SpecificRecord value;
        try {
            value = checkpoints.deserialize(checkpointsTopic, record.value());
        } catch (RuntimeException e) {
            log.debug("dead letter {}-{}@{} of {} is unreadable, so of no checkpoint: {}", record.topic(),
                    record.partition(), record.offset(), record.key(), e.toString());
            return;
        }
        CheckpointKey key;
        if (value instanceof CheckpointSegment segment) {
            key = new CheckpointKey(segment.getAppId(), segment.getCheckpointId());
        } else if (value instanceof CheckpointCommit commit) {
            key = new CheckpointKey(commit.getAppId(), commit.getCheckpointId());
        } else {
            return;
        }
        if (key.appId().equals(record.key())) {
            refused.putIfAbsent(key, new Refusal(header(record.headers(), Topics.DLQ_REASON_HEADER),
                    header(record.headers(), Topics.DLQ_EXCEPTION_HEADER)));
        }
    }

    private static String header(Headers headers, String name) {
        Header header = headers.lastHeader(name);
        return header == null || header.value() == null ? null : new String(header.value(), StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        // Nothing to commit: do not wait out a prefetch the broker holds for fetch.max.wait.ms.
        consumer.close(CloseOptions.timeout(Duration.ZERO));
    }
}
