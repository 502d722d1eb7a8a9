package io.checkstripe.striper;

import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.metrics.PrometheusText;
import io.checkstripe.schemas.TopicProvisioner.TopicMismatchException;
import io.checkstripe.schemas.Topics;
import io.checkstripe.schemas.avro.CheckpointManifest;
import io.checkstripe.schemas.avro.CheckpointSegment;
import io.checkstripe.schemas.avro.StripeUnit;
import io.checkstripe.striping.Checkpoints;
import io.checkstripe.testkit.KafkaClusterExtension;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import static io.checkstripe.striping.Checkpoints.bytes;
import static io.checkstripe.striping.Checkpoints.commitOf;
import static io.checkstripe.striping.Checkpoints.randomBytes;
import static io.checkstripe.striping.Checkpoints.segments;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/** The striper against a real KRaft broker: transactions in, read_committed cells out, on the right partitions. */
@Tag("integration")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class StriperIntegrationTest {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = KafkaClusterExtension.withBrokers(1);

    private static final Duration WAIT = Duration.ofSeconds(90);

    @TempDir
    Path stateDir;

    private StriperConfig config(String prefix, String policy, int servers) {
        return config(prefix, policy, servers, stateDir, Map.of());
    }

    private static StriperConfig config(String prefix, String policy, int servers, Path stateDir,
                                        Map<String, Object> more) {
        Map<String, Object> props = new HashMap<>(more);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(StriperConfig.POLICY_CONFIG, policy);
        props.put(StriperConfig.SERVERS_CONFIG, servers);
        props.put(StriperConfig.TOPIC_PREFIX_CONFIG, prefix);
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, prefix + "striper");
        props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        props.put(StriperConfig.HTTP_PORT_CONFIG, 0);
        return new StriperConfig(props);
    }

    @Test
    void stripesATransactionalCheckpointOntoEachServersPartition() throws Exception {
        int servers = 6;
        StriperConfig config = config("it-stripe.", "RS-3-2", servers);
        Topics topics = config.topics();
        RedundancyPolicy policy = config.policy();
        String app = "orders";
        byte[] data = randomBytes(11, 9 * 10_000 + 1234);
        List<CheckpointSegment> segments = segments(app, 1, data, 10_000);

        try (StriperApp striper = new StriperApp(config)) {
            striper.start();
            Awaitility.await("striper running").atMost(WAIT)
                    .until(() -> striper.state() == KafkaStreams.State.RUNNING);

            try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(KAFKA.producerProps(),
                    new ByteArraySerializer(), new ByteArraySerializer())) {
                raw.send(new ProducerRecord<>(topics.names().checkpoints(), app.getBytes(StandardCharsets.UTF_8),
                        "garbage".getBytes(StandardCharsets.UTF_8))).get();
            }
            try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(
                    KAFKA.transactionalProducerProps("it-stripe-producer"), new StringSerializer(),
                    topics.checkpoints().valueSerde().serializer())) {
                producer.initTransactions();
                producer.beginTransaction();
                for (CheckpointSegment segment : segments) {
                    producer.send(new ProducerRecord<>(topics.names().checkpoints(), app, segment));
                }
                producer.send(new ProducerRecord<>(topics.names().checkpoints(), app, commitOf(app, 1, data, 10_000)));
                producer.commitTransaction();
            }

            int expected = segments.size() * policy.totalCells() + servers;
            List<ConsumerRecord<String, SpecificRecord>> records = readCommitted(topics.names().stripes(),
                    IntStream.range(0, servers).boxed().toList(), topics, expected);
            assertThat(records).hasSize(expected);

            Map<Integer, List<StripeUnit>> stripesBySegment = new TreeMap<>();
            Map<Integer, List<SpecificRecord>> byPartition = new TreeMap<>();
            for (ConsumerRecord<String, SpecificRecord> record : records) {
                assertThat(record.key()).isEqualTo(app + "/1");
                byPartition.computeIfAbsent(record.partition(), p -> new ArrayList<>()).add(record.value());
                if (record.value() instanceof StripeUnit unit) {
                    assertThat(record.partition())
                            .isEqualTo((unit.getSegmentIndex() + unit.getCellIndex()) % servers);
                    stripesBySegment.computeIfAbsent(unit.getSegmentIndex(), s -> new ArrayList<>()).add(unit);
                }
            }
            // Every server's partition ends with the manifest, after all of its cells.
            assertThat(byPartition).hasSize(servers);
            byPartition.forEach((partition, values) -> {
                assertThat(values.get(values.size() - 1)).isInstanceOf(CheckpointManifest.class);
                assertThat(values.stream().filter(CheckpointManifest.class::isInstance)).hasSize(1);
            });
            assertThat(stripesBySegment).hasSize(segments.size());
            byte[] rebuilt = new byte[data.length];
            stripesBySegment.forEach((s, stripe) -> {
                stripe.sort((a, b) -> Integer.compare(a.getCellIndex(), b.getCellIndex()));
                byte[] segment = Checkpoints.decode(policy, stripe, List.of(0, 2));
                System.arraycopy(segment, 0, rebuilt, (int) stripe.get(0).getSegmentOffset(), segment.length);
            });
            assertThat(rebuilt).isEqualTo(data);

            List<ConsumerRecord<String, SpecificRecord>> manifests = readCommitted(topics.names().manifests(),
                    List.of(0), topics, 1);
            CheckpointManifest manifest = (CheckpointManifest) manifests.get(0).value();
            assertThat(manifest.getTotalBytes()).isEqualTo(data.length);
            assertThat(manifest.getPolicy()).isEqualTo("RS-3-2");
            assertThat(bytes(manifest.getSha256())).isEqualTo(Checkpoints.sha256(data));

            List<ConsumerRecord<byte[], byte[]>> letters = readDeadLetters(topics.names().deadLetters());
            assertThat(letters).hasSize(1);
            assertThat(new String(letters.get(0).headers().lastHeader(Topics.DLQ_REASON_HEADER).value(),
                    StandardCharsets.UTF_8)).isEqualTo("unreadable");
            assertThat(new String(letters.get(0).value(), StandardCharsets.UTF_8)).isEqualTo("garbage");
            assertThat(striper.state()).isEqualTo(KafkaStreams.State.RUNNING);

            HttpResponse<String> health = get(striper.httpUri(), "/health");
            assertThat(health.statusCode()).isEqualTo(200);
            assertThat(health.body()).contains("\"state\":\"RUNNING\"");
            PrometheusText scrape = PrometheusText.parse(get(striper.httpUri(), "/metrics").body());
            assertThat(scrape.value("checkstripe_striper_segments_total", Map.of("app", app)))
                    .isEqualTo(segments.size());
            assertThat(scrape.value("checkstripe_striper_striped_bytes_total", Map.of("app", app)))
                    .isEqualTo(data.length);
            assertThat(scrape.value("checkstripe_striper_checkpoints_total", Map.of("app", app))).isEqualTo(1.0);
            assertThat(scrape.value("checkstripe_striper_dead_letters_total", Map.of("reason", "unreadable")))
                    .isEqualTo(1.0);
            assertThat(scrape.value("checkstripe_striper_encode_seconds_count", Map.of())).isEqualTo(segments.size());
            assertThat(scrape.families().keySet()).anyMatch(name -> name.startsWith("kafka_stream_"))
                    .contains("jvm_memory_used_bytes");
        }
        assertThat(new StriperApp(config).health().healthy()).as("a striper not started").isFalse();
    }

    private static HttpResponse<String> get(URI base, String path) throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A striper stopped between two segments of a checkpoint and replaced by one with an empty state directory: the
     * new one restores the progress store, SHA-256 in progress included, from its changelog and verifies the
     * checkpoint's hash over all of its segments. (The segments come in two transactions so that the first
     * striper's committed offset lands mid-checkpoint; a SIGKILLed striper is ProcessDeathFaultTest's.)
     */
    @Test
    void aStriperReplacedMidCheckpointStillVerifiesItsSha256() throws Exception {
        int servers = 5;
        // The stopped member does not leave the group; a short session lets the replacement take over sooner.
        Map<String, Object> quick =
                Map.of(StreamsConfig.consumerPrefix(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG), 6000);
        StriperConfig first = config("it-restart.", "RS-3-2", servers, stateDir, quick);
        Topics topics = first.topics();
        String app = "ledger";
        // 10,000-byte segments: the first striper stops inside a 64-byte SHA-256 block.
        byte[] data = randomBytes(12, 9 * 10_000 + 77);
        List<CheckpointSegment> segments = segments(app, 1, data, 10_000);
        int half = 4;
        int cells = RedundancyPolicy.parse("RS-3-2").totalCells();
        List<Integer> partitions = IntStream.range(0, servers).boxed().toList();
        try (KafkaProducer<String, SpecificRecord> producer = new KafkaProducer<>(
                KAFKA.transactionalProducerProps("it-restart-producer"), new StringSerializer(),
                topics.checkpoints().valueSerde().serializer())) {
            producer.initTransactions();
            try (StriperApp striper = new StriperApp(first)) {
                striper.start();
                send(producer, topics, app, segments.subList(0, half));
                readCommitted(topics.names().stripes(), partitions, topics, half * cells);
            }

            StriperConfig second = config("it-restart.", "RS-3-2", servers, stateDir.resolve("replacement"), quick);
            try (StriperApp striper = new StriperApp(second)) {
                striper.start();
                List<SpecificRecord> rest = new ArrayList<>(segments.subList(half, segments.size()));
                rest.add(commitOf(app, 1, data, 10_000));
                send(producer, topics, app, rest);
                List<ConsumerRecord<String, SpecificRecord>> manifests = readCommitted(topics.names().manifests(),
                        List.of(0), topics, 1);
                assertThat(bytes(((CheckpointManifest) manifests.get(0).value()).getSha256()))
                        .isEqualTo(Checkpoints.sha256(data));
                assertThat(striper.state()).isEqualTo(KafkaStreams.State.RUNNING);
            }
        }
    }

    private static void send(KafkaProducer<String, SpecificRecord> producer, Topics topics, String app,
                             List<? extends SpecificRecord> values) {
        producer.beginTransaction();
        for (SpecificRecord value : values) {
            producer.send(new ProducerRecord<>(topics.names().checkpoints(), app, value));
        }
        producer.commitTransaction();
    }

    @Test
    void refusesAStripesTopicWithAnotherPartitionCount() {
        KAFKA.createTopic("it-wrong.stripes", 4, 1);
        StriperApp striper = new StriperApp(config("it-wrong.", "RS-3-2", 5));
        assertThatThrownBy(striper::start)
                .isInstanceOf(TopicMismatchException.class)
                .hasMessage("topic it-wrong.stripes has 4 partition(s) but needs exactly 5, one per backup server: "
                        + "use as many servers as it has partitions, another topic name, or delete the topic so that "
                        + "it is recreated");
        assertThat(striper.state()).isEqualTo(KafkaStreams.State.CREATED);
        striper.close();
        assertThat(striper.state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
    }

    @Test
    void runBlocksUntilClosed() throws Exception {
        StriperApp striper = new StriperApp(config("it-run.", "XOR-4-1", 5));
        Thread runner = new Thread(() -> {
            try {
                striper.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "striper-run");
        runner.start();
        Awaitility.await("striper running").atMost(WAIT).until(() -> striper.state() == KafkaStreams.State.RUNNING);
        assertThat(runner.isAlive()).isTrue();
        striper.close();
        runner.join(WAIT.toMillis());
        assertThat(runner.isAlive()).isFalse();
        assertThat(striper.state()).isEqualTo(KafkaStreams.State.NOT_RUNNING);
    }

    private static List<ConsumerRecord<String, SpecificRecord>> readCommitted(String topic, List<Integer> partitions,
                                                                             Topics topics, int count) {
        List<ConsumerRecord<String, SpecificRecord>> records = new ArrayList<>();
        try (KafkaConsumer<String, SpecificRecord> consumer = new KafkaConsumer<>(
                KAFKA.consumerProps(topic + "-reader"), new StringDeserializer(),
                topics.stripes().valueSerde().deserializer())) {
            consumer.assign(partitions.stream().map(p -> new TopicPartition(topic, p)).toList());
            consumer.seekToBeginning(consumer.assignment());
            Awaitility.await("records on " + topic).atMost(WAIT).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return records.size() >= count;
            });
        }
        return records;
    }

    private static List<ConsumerRecord<byte[], byte[]>> readDeadLetters(String topic) {
        List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(KAFKA.consumerProps(topic + "-reader"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(List.of(new TopicPartition(topic, 0)));
            consumer.seekToBeginning(consumer.assignment());
            Awaitility.await("records on " + topic).atMost(WAIT).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(records::add);
                return !records.isEmpty();
            });
        }
        return records;
    }
}
