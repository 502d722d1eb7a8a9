package io.checkstripe.pipeline;

import static io.checkstripe.striping.Checkpoints.bytes;
import static io.checkstripe.striping.Checkpoints.commitOf;
import static io.checkstripe.striping.Checkpoints.randomBytes;
import static io.checkstripe.striping.Checkpoints.segments;
import static io.checkstripe.striping.Checkpoints.sha256;
import static org.assertj.core.api.Assertions.assertThat;

import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.crypto.AppKeyDirectory;
import io.checkstripe.crypto.CommitSignature;
import io.checkstripe.crypto.KeyFile;
import io.checkstripe.crypto.SignedCheckpoint;
import io.checkstripe.restore.CellSource;
import io.checkstripe.restore.RestoreOptions;
import io.checkstripe.restore.RestoreReport;
import io.checkstripe.restore.Restorer;
import io.checkstripe.schemas.CheckpointKey;
import io.checkstripe.schemas.CommonConfigs;
import io.checkstripe.schemas.InMemorySchemaRegistry;
import io.checkstripe.schemas.Topic;
import io.checkstripe.schemas.TopicNames;
import io.checkstripe.schemas.Topics;
import io.checkstripe.schemas.avro.CheckpointCommit;
import io.checkstripe.schemas.avro.CheckpointManifest;
import io.checkstripe.schemas.avro.CheckpointSegment;
import io.checkstripe.sink.SinkConfig;
import io.checkstripe.store.CellStore;
import io.checkstripe.striping.SegmentStriper;
import io.checkstripe.testkit.KafkaClusterExtension;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Forged checkpoints under the id of an application with a registered public key, against a real broker, the
 * striper and three sinks keeping R = 2: whether a forger goes through the striper (an unsigned commit, a commit
 * signed with another key) or writes cells and a manifest to the stripes topic itself, the application's good
 * checkpoints stay complete on every server and restore.
 */
@Tag("integration")
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class ForgedCheckpointsIntegrationTest {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = KafkaClusterExtension.withBrokers(1);

    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String PREFIX = "forged.";
    private static final String APP = "payroll";
    private static final int SERVERS = 3;
    private static final int SEGMENT = 10_000;

    @TempDir
    Path dir;

    private final Topics topics =
            new Topics(TopicNames.defaults().withPrefix(PREFIX), InMemorySchemaRegistry.embedded());

    @Test
    void threeForgedNewerCheckpointsLeaveTheGoodOnesOnEveryServerAndRestorable() throws Exception {
        KeyFile keys = KeyFile.generate();
        Path keysDir = Files.createDirectories(dir.resolve("app-keys"));
        Path keyFile = Files.createDirectories(dir.resolve("secret")).resolve(APP + ".key");
        keys.write(keyFile, false);
        Files.copy(KeyFile.publicFile(keyFile), keysDir.resolve(APP + AppKeyDirectory.SUFFIX));
        RedundancyPolicy policy = RedundancyPolicy.parse("XOR-2-1");
        Map<String, Object> client = Map.of(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers(),
                CommonConfigs.TOPIC_PREFIX_CONFIG, PREFIX, CommonConfigs.APP_KEYS_DIR_CONFIG, keysDir.toString());
        Map<String, Object> striper = Map.of(StreamsConfig.APPLICATION_ID_CONFIG, PREFIX + "striper",
                StreamsConfig.STATE_DIR_CONFIG, dir.resolve("striper-state").toString());
        Map<String, Object> sinks = Map.of(SinkConfig.HTTP_PORT_CONFIG, SinkConfig.NO_HTTP, SinkConfig.RETAIN_CONFIG,
                2, SinkConfig.POLL_TIMEOUT_MS_CONFIG, 100);

        try (LocalPipeline pipeline = LocalPipeline.start(client, policy, SERVERS, dir.resolve("servers"), striper,
                sinks);
             KafkaProducer<String, SpecificRecord> publisher = producer("forged-publisher", topics.checkpoints());
             KafkaProducer<String, SpecificRecord> forger = producer("forged-forger", topics.checkpoints());
             KafkaProducer<String, SpecificRecord> stripes = producer("forged-stripes", topics.stripes())) {
            byte[] first = randomBytes(1, 3 * SEGMENT + 17);
            byte[] second = randomBytes(2, 2 * SEGMENT + 5);
            publish(publisher, first, 1, keys);
            publish(publisher, second, 2, keys);
            awaitComplete(pipeline, APP, 2);

            // Through the striper: an unsigned commit, and one signed with a key that is not the application's.
            publish(forger, randomBytes(3, 2 * SEGMENT), 3, null);
            publish(forger, randomBytes(4, 2 * SEGMENT), 4, KeyFile.generate());
            // Around it: cells and a manifest written to the stripes topic, as the striper would write them.
            writeStripes(stripes, policy, randomBytes(5, 2 * SEGMENT), 5);
            List<String> reasons = awaitDeadLetters(SERVERS + 2);
            assertThat(reasons).containsOnly("bad-signature");

            // A checkpoint of another application behind the forgeries on every partition: once every server has
            // it, every server has read them.
            publish(publisher, randomBytes(6, 100), 1, null, "barrier");
            awaitComplete(pipeline, "barrier", 1);

            for (int server = 0; server < SERVERS; server++) {
                try (CellStore store = CellStore.openReadOnly(pipeline.dataDir(server))) {
                    List<Long> complete = new ArrayList<>();
                    for (long cp : store.checkpoints(APP)) {
                        if (store.isComplete(APP, cp)) {
                            complete.add(cp);
                        }
                    }
                    assertThat(complete).as("complete checkpoints on server %d", server).containsExactly(1L, 2L);
                    assertThat(store.checkpoints(APP)).as("server %d holds the forged cells, unused", server)
                            .contains(5L);
                }
            }
            assertThat(restore(pipeline, OptionalLong.empty(), 2)).isEqualTo(second);
            assertThat(restore(pipeline, OptionalLong.of(1), 1)).isEqualTo(first);
        }
    }

    private static KafkaProducer<String, SpecificRecord> producer(String transactionalId,
                                                                  Topic<String, SpecificRecord> topic) {
        KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(
                KAFKA.transactionalProducerProps(transactionalId), new StringSerializer(),
                topic.valueSerde().serializer());
        producer.initTransactions();
        return producer;
    }

    private void publish(KafkaProducer<String, SpecificRecord> producer, byte[] data, long id, KeyFile signer) {
        publish(producer, data, id, signer, APP);
    }

    /** A checkpoint's segments and commit in one transaction, signed by {@code signer}'s key if there is one. */
    private void publish(KafkaProducer<String, SpecificRecord> producer, byte[] data, long id, KeyFile signer,
                         String app) {
        CheckpointCommit commit = commitOf(app, id, data, SEGMENT);
        if (signer != null) {
            SignedCheckpoint fields = new SignedCheckpoint(app, id, commit.getSegmentCount(), commit.getTotalBytes(),
                    bytes(commit.getSha256()), commit.getCreatedAt(), commit.getSegmentSize(), commit.getMetadata());
            commit.setMetadata(new HashMap<>(CommitSignature.sign(signer.newest(), fields)));
        }
        String topic = topics.names().checkpoints();
        producer.beginTransaction();
        for (CheckpointSegment segment : segments(app, id, data, SEGMENT)) {
            producer.send(new ProducerRecord<>(topic, app, segment));
        }
        producer.send(new ProducerRecord<>(topic, app, commit));
        producer.commitTransaction();
    }

    /** What the striper would write for an unsigned checkpoint, written to the stripes topic directly. */
    private void writeStripes(KafkaProducer<String, SpecificRecord> producer, RedundancyPolicy policy, byte[] data,
                              long id) {
        SegmentStriper striper = new SegmentStriper(policy, SERVERS);
        String topic = topics.names().stripes();
        String key = new CheckpointKey(APP, id).toString();
        producer.beginTransaction();
        for (CheckpointSegment segment : segments(APP, id, data, SEGMENT)) {
            for (SegmentStriper.RoutedUnit routed : striper.stripe(segment)) {
                producer.send(new ProducerRecord<>(topic, routed.server(), key, routed.unit()));
            }
        }
        CheckpointManifest manifest = striper.manifest(commitOf(APP, id, data, SEGMENT), sha256(data));
        for (int server = 0; server < SERVERS; server++) {
            producer.send(new ProducerRecord<>(topic, server, key, manifest));
        }
        producer.commitTransaction();
    }

    private static void awaitComplete(LocalPipeline pipeline, String app, long id) {
        Awaitility.await(app + "/" + id + " complete on every server").atMost(WAIT).until(() -> {
            for (int server = 0; server < SERVERS; server++) {
                try (CellStore store = CellStore.openReadOnly(pipeline.dataDir(server))) {
                    if (!store.isComplete(app, id)) {
                        return false;
                    }
                }
            }
            return true;
        });
    }

    /** The reasons of the first {@code count} dead letters. */
    private List<String> awaitDeadLetters(int count) {
        List<String> reasons = new ArrayList<>();
        String topic = topics.names().deadLetters();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KAFKA.consumerProps(topic + "-reader"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(consumer.assignment());
            Awaitility.await(count + " dead letters").atMost(WAIT).until(() -> {
                for (ConsumerRecord<byte[], byte[]> letter : consumer.poll(Duration.ofMillis(200))) {
                    reasons.add(new String(letter.headers().lastHeader(Topics.DLQ_REASON_HEADER).value(),
                            StandardCharsets.UTF_8));
                }
                return reasons.size() >= count;
            });
        }
        return reasons;
    }

    /** Restores checkpoint {@code id} (the newest restorable when empty) from every server's store. */
    private byte[] restore(LocalPipeline pipeline, OptionalLong id, long expected) throws IOException {
        List<CellSource> sources = new ArrayList<>();
        for (int server = 0; server < SERVERS; server++) {
            sources.add(CellSource.open(pipeline.dataDir(server).toString(), RestoreOptions.defaults()));
        }
        Path out = dir.resolve("restored-" + id);
        try {
            RestoreReport report = new Restorer(RestoreOptions.defaults()).restore(APP, sources, out, id);
            assertThat(report.checkpointId()).isEqualTo(expected);
            return Files.readAllBytes(out);
        } finally {
            for (CellSource source : sources) {
                source.close();
            }
        }
    }
}
