package io.checkstripe.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.codec.StripeWorkspace;
import io.checkstripe.schemas.CheckpointKey;
import io.checkstripe.schemas.TopicNames;
import io.checkstripe.schemas.Topics;
import io.checkstripe.schemas.avro.CheckpointAck;
import io.checkstripe.schemas.avro.CheckpointManifest;
import io.checkstripe.schemas.avro.StripeUnit;
import io.checkstripe.striper.StriperApp;
import io.checkstripe.striper.StriperConfig;
import io.checkstripe.striping.SegmentStriper;
import io.checkstripe.testkit.KafkaClusterExtension;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Striping in the publishing process against the striper's own output, and waiting for the sinks' acknowledgements. */
@Tag("integration")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class StripingAndProtectionIntegrationTest {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = KafkaClusterExtension.withBrokers(1);

    private static final int SERVERS = 5;
    private static final String POLICY = "RS-3-2";
    private static final int SEGMENT = 48 * 1024;

    private static Map<String, Object> props(String prefix, Object... keyValues) {
        Map<String, Object> props = new HashMap<>();
        props.put(PublisherConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(PublisherConfig.TOPIC_PREFIX_CONFIG, prefix);
        props.put(PublisherConfig.SEGMENT_BYTES_CONFIG, SEGMENT);
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put((String) keyValues[i], keyValues[i + 1]);
        }
        return props;
    }

    private static Map<String, Object> localProps(String prefix, Object... more) {
        Map<String, Object> props = props(prefix, PublisherConfig.STRIPE_LOCALLY_CONFIG, true,
                PublisherConfig.POLICY_CONFIG, POLICY, PublisherConfig.SERVERS_CONFIG, SERVERS);
        for (int i = 0; i < more.length; i += 2) {
            props.put((String) more[i], more[i + 1]);
        }
        return props;
    }

    private static TopicNames topics(String prefix) {
        TopicNames names = TopicNames.defaults().withPrefix(prefix);
        TopicContents.createTopics(KAFKA, names, SERVERS);
        return names;
    }

    private static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    /** The stripes topic's records, read committed, as (partition, value) in partition and offset order. */
    private static List<Map.Entry<Integer, SpecificRecord>> stripes(Topics topics) {
        List<Map.Entry<Integer, SpecificRecord>> values = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : TopicContents.committed(KAFKA, topics.names().stripes())) {
            values.add(Map.entry(record.partition(),
                    topics.stripes().valueSerde().deserializer().deserialize(record.topic(), record.value())));
        }
        return values;
    }

    private static String appOf(SpecificRecord value) {
        return value instanceof StripeUnit unit ? unit.getAppId() : ((CheckpointManifest) value).getAppId();
    }

    @Test
    void localStripingPutsEveryCellOnItsServerAndTheManifestEverywhere() throws Exception {
        TopicNames names = topics("loc.");
        byte[] data = random(4 * SEGMENT + 100, 11);
        PublishResult result;
        try (CheckpointPublisher publisher = new CheckpointPublisher(localProps("loc."))) {
            result = publisher.publish(PublishRequest.of("edge").withMetadata(Map.of("host", "a")),
                    new ByteArrayInputStream(data));
            assertThat(publisher.newestCommitted("edge")).hasValue(1);
            assertThat(publisher.publish(PublishRequest.of("edge"), InputStream.nullInputStream()).checkpointId())
                    .isEqualTo(2);
        }
        Topics topics = new PublisherConfig(localProps("loc.")).topics();

        assertThat(result.segments()).isEqualTo(5);
        assertThat(TopicContents.uncommitted(KAFKA, names.checkpoints())).as("nothing for the striper").isEmpty();
        List<Map.Entry<Integer, SpecificRecord>> stripes = stripes(topics).stream()
                .filter(e -> e.getValue() instanceof StripeUnit u ? u.getCheckpointId() == 1
                        : ((CheckpointManifest) e.getValue()).getCheckpointId() == 1)
                .toList();
        List<StripeUnit> units = new ArrayList<>();
        Map<Integer, List<SpecificRecord>> byPartition = new TreeMap<>();
        for (Map.Entry<Integer, SpecificRecord> entry : stripes) {
            byPartition.computeIfAbsent(entry.getKey(), p -> new ArrayList<>()).add(entry.getValue());
            if (entry.getValue() instanceof StripeUnit unit) {
                assertThat(entry.getKey()).as("partition of cell %d of segment %d", unit.getCellIndex(),
                        unit.getSegmentIndex()).isEqualTo(SegmentStriper.serverOf(unit));
                units.add(unit);
            }
        }
        assertThat(units).hasSize(5 * 5);
        assertThat(byPartition).hasSize(SERVERS);
        byPartition.forEach((partition, values) -> {
            assertThat(values.get(values.size() - 1)).as("last record of partition %d", partition)
                    .isInstanceOf(CheckpointManifest.class);
            assertThat(values).filteredOn(CheckpointManifest.class::isInstance).hasSize(1);
        });

        List<ConsumerRecord<String, byte[]>> manifests = TopicContents.committed(KAFKA, names.manifests());
        assertThat(manifests).extracting(ConsumerRecord::key).containsExactly("edge/1", "edge/2");
        CheckpointManifest manifest = topics.manifests().valueSerde().deserializer()
                .deserialize(names.manifests(), manifests.get(0).value());
        assertThat(manifest.getPolicy()).isEqualTo(POLICY);
        assertThat(manifest.getServers()).isEqualTo(SERVERS);
        assertThat(manifest.getSegmentCount()).isEqualTo(5);
        assertThat(manifest.getSegmentSize()).isEqualTo(SEGMENT);
        assertThat(manifest.getTotalBytes()).isEqualTo(data.length);
        assertThat(manifest.getMetadata()).containsExactly(Map.entry("host", "a"));
        assertThat(HexFormat.of().formatHex(bytes(manifest.getSha256())))
                .isEqualTo(result.sha256())
                .isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data)));

        assertThat(rebuildWithoutServers(units, 5, 1, 3)).isEqualTo(data);
    }

    /** Rebuilds the checkpoint from the units as a restorer would, with two servers' cells lost. */
    private static byte[] rebuildWithoutServers(List<StripeUnit> units, int segments, int... lost) throws Exception {
        StripeWorkspace workspace = new StripeWorkspace(RedundancyPolicy.parse(POLICY));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int s = 0; s < segments; s++) {
            int segment = s;
            List<StripeUnit> stripe = units.stream().filter(u -> u.getSegmentIndex() == segment).toList();
            workspace.startRestore(stripe.get(0).getSegmentLength());
            for (StripeUnit unit : stripe) {
                if (Arrays.stream(lost).noneMatch(server -> server == SegmentStriper.serverOf(unit))) {
                    byte[] cell = bytes(unit.getData());
                    workspace.loadCell(unit.getCellIndex(), cell, 0, cell.length, unit.getCrc32c());
                }
            }
            workspace.decodeDataCells();
            workspace.writeSegmentTo(out);
        }
        return out.toByteArray();
    }

    @Test
    void localStripingWritesWhatTheStriperWrites(@TempDir Path stateDir) throws Exception {
        String prefix = "same.";
        Map<String, Object> striperProps = new HashMap<>();
        striperProps.put("bootstrap.servers", KAFKA.bootstrapServers());
        striperProps.put(StriperConfig.POLICY_CONFIG, POLICY);
        striperProps.put(StriperConfig.SERVERS_CONFIG, SERVERS);
        striperProps.put(StriperConfig.TOPIC_PREFIX_CONFIG, prefix);
        striperProps.put("application.id", "same-striper");
        striperProps.put("state.dir", stateDir.toString());
        byte[] data = random(3 * SEGMENT + 777, 12);
        Topics topics;
        try (StriperApp striper = new StriperApp(new StriperConfig(striperProps))) {
            striper.start();
            Awaitility.await("striper running").atMost(Duration.ofSeconds(60))
                    .until(() -> striper.state() == KafkaStreams.State.RUNNING);
            try (CheckpointPublisher viaStriper = new CheckpointPublisher(props(prefix));
                 CheckpointPublisher local = new CheckpointPublisher(localProps(prefix))) {
                viaStriper.publish(PublishRequest.of("streamed").withMetadata(Map.of("k", "v")),
                        new ByteArrayInputStream(data));
                local.publish(PublishRequest.of("local").withMetadata(Map.of("k", "v")), new ByteArrayInputStream(data));
            }
            topics = new PublisherConfig(props(prefix)).topics();
            Awaitility.await("the striper's manifests on every server").atMost(Duration.ofSeconds(90))
                    .pollInterval(Duration.ofMillis(500))
                    .until(() -> stripes(topics).stream().filter(e -> e.getValue() instanceof CheckpointManifest m
                            && m.getAppId().equals("streamed")).count() == SERVERS);
        }

        List<Map.Entry<Integer, SpecificRecord>> all = stripes(topics);
        List<String> streamed = describe(all, "streamed");
        List<String> local = describe(all, "local");
        assertThat(streamed).hasSize(4 * 5 + SERVERS);
        assertThat(local).isEqualTo(streamed);
    }

    /** Each record of {@code appId} on the stripes topic as text, with the fields that differ by app or time left out. */
    private static List<String> describe(List<Map.Entry<Integer, SpecificRecord>> records, String appId) {
        List<String> described = new ArrayList<>();
        for (Map.Entry<Integer, SpecificRecord> entry : records) {
            if (!appOf(entry.getValue()).equals(appId)) {
                continue;
            }
            if (entry.getValue() instanceof StripeUnit u) {
                described.add("partition " + entry.getKey() + " unit " + u.getCheckpointId() + "/" + u.getSegmentIndex()
                        + "/" + u.getCellIndex() + " offset " + u.getSegmentOffset() + " length " + u.getSegmentLength()
                        + " " + u.getPolicy() + " N=" + u.getServers() + " cell " + u.getCellLength() + " crc "
                        + u.getCrc32c() + " data " + Arrays.hashCode(bytes(u.getData())));
            } else {
                CheckpointManifest m = (CheckpointManifest) entry.getValue();
                described.add("partition " + entry.getKey() + " manifest " + m.getCheckpointId() + " " + m.getPolicy()
                        + " N=" + m.getServers() + " segments " + m.getSegmentCount() + " size " + m.getSegmentSize()
                        + " total " + m.getTotalBytes() + " sha " + HexFormat.of().formatHex(bytes(m.getSha256()))
                        + " metadata " + m.getMetadata());
            }
        }
        return described;
    }

    @Test
    void aPublishWaitingForProtectionReturnsOnceEveryServerAcknowledged() throws Exception {
        String prefix = "prot.";
        TopicNames names = topics(prefix);
        Topics topics = new PublisherConfig(localProps(prefix)).topics();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService sinks = Executors.newSingleThreadExecutor();
        try {
            Future<?> fakeSinks = sinks.submit(() -> acknowledgeManifests(topics, running));
            PublishResult result;
            try (CheckpointPublisher publisher = new CheckpointPublisher(localProps(prefix))) {
                result = publisher.publish(PublishRequest.of("guarded").withWaitProtected(true),
                        new ByteArrayInputStream(random(2 * SEGMENT, 13)));
            }
            running.set(false);
            fakeSinks.get(30, TimeUnit.SECONDS);

            assertThat(result.timeToProtected()).hasValueSatisfying(
                    time -> assertThat(time).isGreaterThanOrEqualTo(result.elapsed()));
            assertThat(TopicContents.committed(KAFKA, names.acks())).hasSize(SERVERS);
        } finally {
            running.set(false);
            sinks.shutdownNow();
            assertThat(sinks.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    /** Plays every backup server: acknowledges each manifest that reaches its partition. */
    private static void acknowledgeManifests(Topics topics, AtomicBoolean running) {
        Map<String, Object> consumerProps = new HashMap<>();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        consumerProps.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        try (KafkaConsumer<String, byte[]> consumer = new KafkaConsumer<>(consumerProps, new StringDeserializer(),
                new ByteArrayDeserializer());
             KafkaProducer<String, CheckpointAck> producer = new KafkaProducer<>(KAFKA.producerProps(),
                     new StringSerializer(), topics.acks().valueSerde().serializer())) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < SERVERS; p++) {
                partitions.add(new TopicPartition(topics.names().stripes(), p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            while (running.get()) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(100))) {
                    SpecificRecord value = topics.stripes().valueSerde().deserializer()
                            .deserialize(record.topic(), record.value());
                    if (value instanceof CheckpointManifest manifest) {
                        producer.send(new ProducerRecord<>(topics.names().acks(), record.key(), new CheckpointAck(1,
                                record.partition(), manifest.getAppId(), manifest.getCheckpointId(),
                                System.currentTimeMillis())));
                    }
                }
            }
        }
    }

    @Test
    void theWatcherCompletesWhenEveryServerOfTheManifestAcknowledged() throws Exception {
        String prefix = "watch.";
        TopicNames names = topics(prefix);
        PublisherConfig config = new PublisherConfig(props(prefix));
        try (ProtectionWatcher watcher = ProtectionWatcher.start(config)) {
            sendManifest(config.topics(), "w", 7, 3);
            sendAcks(config.topics(), "w", 7, 2, 0, 1);
            sendAcks(config.topics(), "w", 8, 0);

            assertThat(watcher.awaitProtected("w", 7, Duration.ofSeconds(30))).isEqualTo(3);
            assertThat(watcher.awaitProtected("w", 8, 1, Duration.ofSeconds(30))).as("N given by the caller")
                    .isEqualTo(1);
        }
        assertThat(TopicContents.committed(KAFKA, names.acks())).hasSize(4);
    }

    @Test
    void aWatcherForSomeApplicationsIgnoresOthersAndForgetsWhatWasAwaited() throws Exception {
        String prefix = "filter.";
        topics(prefix);
        PublisherConfig config = new PublisherConfig(props(prefix));
        Duration brief = Duration.ofMillis(800);
        try (ProtectionWatcher watcher = ProtectionWatcher.start(config, "mine"::equals)) {
            sendManifest(config.topics(), "mine", 1, 2);
            sendAcks(config.topics(), "mine", 1, 0, 1);
            sendAcks(config.topics(), "theirs", 1, 0);

            assertThat(watcher.awaitProtected("mine", 1, Duration.ofSeconds(30))).isEqualTo(2);
            assertThatThrownBy(() -> watcher.awaitProtected("theirs", 1, 1, brief))
                    .as("acknowledgements of an application not watched are not kept")
                    .isInstanceOfSatisfying(NotProtectedException.class, e -> assertThat(e.acked()).isEmpty());
            watcher.forget("mine", 1);
            assertThatThrownBy(() -> watcher.awaitProtected("mine", 1, brief))
                    .as("a forgotten checkpoint waits for new acknowledgements and its manifest")
                    .isInstanceOfSatisfying(NotProtectedException.class, e -> {
                        assertThat(e.acked()).isEmpty();
                        assertThat(e.servers()).isEmpty();
                    });
        }
    }

    @Test
    void successiveWaitingPublishesOfTwoApplicationsThroughOnePublisherAreEachProtected() throws Exception {
        String prefix = "again.";
        topics(prefix);
        Topics topics = new PublisherConfig(localProps(prefix)).topics();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService sinks = Executors.newSingleThreadExecutor();
        try {
            Future<?> fakeSinks = sinks.submit(() -> acknowledgeManifests(topics, running));
            List<String> published = new ArrayList<>();
            try (CheckpointPublisher publisher = new CheckpointPublisher(localProps(prefix))) {
                for (String app : List.of("a", "b", "a", "a", "b")) {
                    PublishResult result = publisher.publish(PublishRequest.of(app).withWaitProtected(true),
                            new ByteArrayInputStream(random(SEGMENT + 10, published.size())));
                    assertThat(result.timeToProtected()).isPresent();
                    published.add(app + "/" + result.checkpointId());
                }
            }
            running.set(false);
            fakeSinks.get(30, TimeUnit.SECONDS);
            assertThat(published).containsExactly("a/1", "b/1", "a/2", "a/3", "b/2");
        } finally {
            running.set(false);
            sinks.shutdownNow();
            assertThat(sinks.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }
    }

    @Test
    void theWatcherTimesOutNamingTheServersThatHaveNotAcknowledged() {
        String prefix = "late.";
        topics(prefix);
        PublisherConfig config = new PublisherConfig(props(prefix));
        // Acknowledged before the watcher started, so it does not count for this wait.
        sendAcks(config.topics(), "slow", 3, 0);
        try (ProtectionWatcher watcher = ProtectionWatcher.start(config)) {
            sendManifest(config.topics(), "slow", 3, SERVERS);
            sendAcks(config.topics(), "slow", 3, 2, 4);
            Duration timeout = Duration.ofMillis(1500);
            long start = System.nanoTime();

            assertThatThrownBy(() -> watcher.awaitProtected("slow", 3, timeout))
                    .isInstanceOfSatisfying(NotProtectedException.class, e -> {
                        assertThat(e.servers()).hasValue(SERVERS);
                        assertThat(e.acked()).containsExactly(2, 4);
                        assertThat(e.missing()).containsExactly(0, 1, 3);
                        assertThat(e.committedResult()).isEmpty();
                    })
                    .hasMessageContaining("servers [0, 1, 3] of 5 have not acknowledged it");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(timeout, timeout.plusSeconds(10));

            assertThatThrownBy(() -> watcher.awaitProtected("slow", 4, Duration.ofMillis(300)))
                    .isInstanceOfSatisfying(NotProtectedException.class, e -> assertThat(e.servers()).isEmpty())
                    .hasMessageContaining("no manifest");
        }
    }

    @Test
    void aPublishWhoseProtectionTimesOutIsCommittedAndSaysSo() throws Exception {
        String prefix = "unguarded.";
        TopicNames names = topics(prefix);
        try (CheckpointPublisher publisher = new CheckpointPublisher(localProps(prefix,
                PublisherConfig.PROTECT_TIMEOUT_MS_CONFIG, 1000))) {
            assertThatThrownBy(() -> publisher.publish(PublishRequest.of("alone").withWaitProtected(true),
                    new ByteArrayInputStream(new byte[1000])))
                    .isInstanceOfSatisfying(NotProtectedException.class, e -> {
                        assertThat(e.committedResult()).hasValueSatisfying(r -> assertThat(r.checkpointId()).isEqualTo(1));
                        assertThat(e.missing()).containsExactly(0, 1, 2, 3, 4);
                    })
                    .hasMessageStartingWith("committed, but checkpoint 1 of application alone is not protected");
        }
        assertThat(TopicContents.committed(KAFKA, names.manifests())).extracting(ConsumerRecord::key)
                .containsExactly("alone/1");
    }

    private static void sendManifest(Topics topics, String appId, long checkpointId, int servers) {
        CheckpointManifest manifest = new CheckpointManifest(1, appId, checkpointId, POLICY, servers, 0, SEGMENT, 0L,
                ByteBuffer.wrap(new byte[32]), System.currentTimeMillis(), Map.of());
        try (KafkaProducer<String, CheckpointManifest> producer = new KafkaProducer<>(KAFKA.producerProps(),
                new StringSerializer(), topics.manifests().valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(topics.names().manifests(),
                    new CheckpointKey(appId, checkpointId).toString(), manifest));
        }
    }

    private static void sendAcks(Topics topics, String appId, long checkpointId, int... servers) {
        try (KafkaProducer<String, CheckpointAck> producer = new KafkaProducer<>(KAFKA.producerProps(),
                new StringSerializer(), topics.acks().valueSerde().serializer())) {
            for (int server : servers) {
                producer.send(new ProducerRecord<>(topics.names().acks(), new CheckpointKey(appId, checkpointId)
                        .toString(), new CheckpointAck(1, server, appId, checkpointId, System.currentTimeMillis())));
            }
        }
    }
}
