package io.checkstripe.sink;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.checkstripe.metrics.PrometheusText;
import io.checkstripe.schemas.InMemorySchemaRegistry;
import io.checkstripe.schemas.TopicNames;
import io.checkstripe.schemas.TopicProvisioner;
import io.checkstripe.schemas.Topics;
import io.checkstripe.schemas.avro.CheckpointAck;
import io.checkstripe.schemas.avro.StripeUnit;
import io.checkstripe.store.CellHeader;
import io.checkstripe.store.CellKey;
import io.checkstripe.store.CellRecordReader;
import io.checkstripe.store.CellStore;
import io.checkstripe.store.StoreLayout;
import io.checkstripe.store.StoredCell;
import io.checkstripe.testkit.KafkaClusterExtension;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Backup sinks against a real broker: stripe units formed by the striper's own {@link
 * io.checkstripe.striping.SegmentStriper}, published in transactions as the striper publishes them.
 */
@Tag("integration")
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class BackupSinkIntegrationTest {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = KafkaClusterExtension.withBrokers(1);

    private static final Duration WAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String APP = "ledger";
    private static final int SERVERS = 3;
    private static final String POLICY = "XOR-2-1";

    @TempDir
    Path tmp;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private String prefix;
    private TopicNames names;
    private Topics topics;
    private KafkaProducer<String, SpecificRecord> producer;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    private void setUp(TestInfo test) {
        prefix = test.getTestMethod().orElseThrow().getName() + ".";
        names = TopicNames.defaults().withPrefix(prefix);
        topics = new Topics(names, InMemorySchemaRegistry.embedded());
        new TopicProvisioner(KAFKA.admin(), Duration.ofSeconds(60))
                .ensure(TopicProvisioner.specs(names, SERVERS, TopicProvisioner.Settings.defaults()), true);
        producer = new KafkaProducer<>(KAFKA.transactionalProducerProps(prefix + "tx"),
                topics.stripes().keySerde().serializer(), topics.stripes().valueSerde().serializer());
        resources.add(producer);
        producer.initTransactions();
    }

    private BackupSink sink(int server, Path dataDir, Map<String, Object> extra) throws IOException {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", KAFKA.bootstrapServers());
        props.put(SinkConfig.SERVER_INDEX_CONFIG, server);
        props.put(SinkConfig.DATA_DIR_CONFIG, dataDir.toString());
        props.put(SinkConfig.TOPIC_PREFIX_CONFIG, prefix);
        props.put(SinkConfig.POLL_TIMEOUT_MS_CONFIG, 100);
        props.put(SinkConfig.RETRY_BACKOFF_MS_CONFIG, 100);
        props.put(SinkConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 500);
        props.putAll(extra);
        BackupSink sink = new BackupSink(new SinkConfig(props));
        resources.add(sink);
        sink.start();
        return sink;
    }

    /**
     * Publishes, in one transaction, the units {@code which} selects (each to its server's partition) and, when
     * asked, the manifest to every partition; returns the offset of the last record on each partition.
     */
    private Map<Integer, Long> publish(TestCheckpoints.Striped c, Predicate<StripeUnit> which, boolean manifest)
            throws Exception {
        String key = Topics.checkpointKey(c.app(), c.checkpointId());
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        producer.beginTransaction();
        for (var routed : c.units()) {
            if (which.test(routed.unit())) {
                sent.add(producer.send(new ProducerRecord<>(names.stripes(), routed.server(), key, routed.unit())));
            }
        }
        if (manifest) {
            for (int p = 0; p < SERVERS; p++) {
                sent.add(producer.send(new ProducerRecord<>(names.stripes(), p, key, c.manifest())));
            }
        }
        producer.commitTransaction();
        Map<Integer, Long> last = new HashMap<>();
        for (var f : sent) {
            RecordMetadata m = f.get();
            last.merge(m.partition(), m.offset(), Math::max);
        }
        return last;
    }

    private static TestCheckpoints.Striped checkpoint(long id, int segments, int segmentSize) {
        return TestCheckpoints.stripe(APP, id, segments * segmentSize - 100, segmentSize, POLICY, SERVERS, id);
    }

    @Test
    void storesEveryCellOnceCommitsTheOffsetAndAcknowledges(TestInfo test) throws Exception {
        setUp(test);
        List<BackupSink> sinks = new ArrayList<>();
        for (int i = 0; i < SERVERS; i++) {
            sinks.add(sink(i, tmp.resolve("server-" + i), Map.of()));
        }
        TestCheckpoints.Striped c = checkpoint(1, 10, 8192);
        Map<Integer, Long> last = publish(c, u -> true, true);

        try (Drain<String, CheckpointAck> acks = new Drain<>(names.acks(), new StringDeserializer(),
                topics.acks().valueSerde().deserializer())) {
            await().atMost(WAIT).until(() -> acks.poll().stream().map(r -> r.value().getServerIndex())
                    .collect(Collectors.toSet()).equals(Set.of(0, 1, 2)));
            for (ConsumerRecord<String, CheckpointAck> ack : acks.records()) {
                assertThat(ack.key()).isEqualTo(APP + "/1");
                assertThat(ack.value().getAppId()).isEqualTo(APP);
                assertThat(ack.value().getCheckpointId()).isEqualTo(1);
            }
            assertThat(acks.records()).as("one acknowledgement per server in a run").hasSize(SERVERS);
        }
        for (int i = 0; i < SERVERS; i++) {
            BackupSink sink = sinks.get(i);
            int server = i;
            await().atMost(WAIT).until(() -> sink.stats().committedOffset() == last.get(server) + 1);
            assertThat(sink.health().state()).isEqualTo(SinkHealth.State.RUNNING);
            assertThat(sink.stats().cellsStored()).isEqualTo(10);
            assertThat(sink.stats().manifestsStored()).isEqualTo(1);
            JsonNode list = JSON.readTree(get(sink.httpUri(), "/v1/apps/" + APP + "/checkpoints").body());
            assertThat(list.get(0).get("complete").asBoolean()).isTrue();
            assertThat(list.get(0).get("cells").asInt()).isEqualTo(10);
            JsonNode status = JSON.readTree(get(sink.httpUri(), "/v1/server").body());
            assertThat(status.get("serverIndex").asInt()).isEqualTo(i);
            assertThat(status.get("state").asText()).isEqualTo("RUNNING");
            sink.close();
            assertExactlyOnce(tmp.resolve("server-" + i), c, i);
            try (CellStore store = CellStore.open(tmp.resolve("server-" + i), i)) {
                assertThat(store.committedOffset(names.stripes() + "-" + i)).hasValue(last.get(i) + 1);
                assertThat(store.isComplete(APP, 1)).isTrue();
            }
        }
    }

    @Test
    void sinksStartedBeforeTheTopicsExistCreateNoneAndConsumeOnceTheStriperHas(TestInfo test) throws Exception {
        String early = test.getTestMethod().orElseThrow().getName() + ".";
        prefix = early;
        List<BackupSink> sinks = new ArrayList<>();
        for (int i = 0; i < SERVERS; i++) {
            sinks.add(sink(i, tmp.resolve("server-" + i), Map.of()));
        }
        // Brokers auto-create topics by default: a consumer's metadata request alone would make a
        // one-partition stripes topic, which the striper then refuses.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).until(() ->
                KAFKA.admin().listTopics().names().get().stream().noneMatch(t -> t.startsWith(early)));

        setUp(test);
        TestCheckpoints.Striped c = checkpoint(1, 4, 8192);
        Map<Integer, Long> last = publish(c, u -> true, true);
        for (int i = 0; i < SERVERS; i++) {
            BackupSink sink = sinks.get(i);
            long expected = last.get(i) + 1;
            await().atMost(WAIT).until(() -> sink.stats().committedOffset() == expected);
            assertThat(sink.stats().cellsStored()).isEqualTo(4);
        }
    }

    @Test
    void restartInTheMiddleOfACheckpointStoresEveryCellExactlyOnce(TestInfo test) throws Exception {
        setUp(test);
        Path dir = tmp.resolve("server-0");
        TestCheckpoints.Striped c = checkpoint(1, 12, 4096);
        BackupSink first = sink(0, dir, Map.of());
        Map<Integer, Long> half = publish(c, u -> u.getSegmentIndex() < 6, false);
        await().atMost(WAIT).until(() -> first.stats().committedOffset() == half.get(0) + 1);
        first.close();
        assertThat(first.health().state()).isEqualTo(SinkHealth.State.STOPPED);

        // The rest, plus segment 4 again, as a replay after a crash would deliver it.
        Map<Integer, Long> rest = publish(c, u -> u.getSegmentIndex() >= 6 || u.getSegmentIndex() == 4, true);
        BackupSink second = sink(0, dir, Map.of());
        await().atMost(WAIT).until(() -> second.stats().committedOffset() == rest.get(0) + 1);
        assertThat(second.stats().cellsStored()).as("only the new cells are new").isEqualTo(6);
        second.close();
        assertExactlyOnce(dir, c, 0);
        try (CellStore store = CellStore.open(dir, 0)) {
            assertThat(store.isComplete(APP, 1)).isTrue();
            assertThat(store.committedOffset(names.stripes() + "-0")).hasValue(rest.get(0) + 1);
        }

        // A third run has nothing to consume but acknowledges what it holds, in case the last run could not.
        sink(0, dir, Map.of());
        try (Drain<String, CheckpointAck> acks = new Drain<>(names.acks(), new StringDeserializer(),
                topics.acks().valueSerde().deserializer())) {
            await().atMost(WAIT).until(() -> acks.poll().size() == 2);
            assertThat(acks.records()).extracting(ConsumerRecord::key).containsOnly(APP + "/1");
        }
    }

    @Test
    void badRecordsGoToTheDeadLetterTopicAndTheSinkKeepsGoing(TestInfo test) throws Exception {
        setUp(test);
        TestCheckpoints.Striped c = checkpoint(2, 6, 4096);
        BackupSink sink = sink(0, tmp.resolve("server-0"), Map.of());
        String key = Topics.checkpointKey(APP, 2);

        StripeUnit foreign = c.unitsFor(1).get(0);
        producer.beginTransaction();
        long misrouted = producer.send(new ProducerRecord<>(names.stripes(), 0, key, foreign)).get().offset();
        producer.commitTransaction();
        long garbage;
        long tombstone;
        Map<String, Object> rawProps = KAFKA.producerProps();
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(rawProps, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            garbage = raw.send(new ProducerRecord<>(names.stripes(), 0, key.getBytes(StandardCharsets.UTF_8),
                    "not avro at all".getBytes(StandardCharsets.UTF_8))).get().offset();
            tombstone = raw.send(new ProducerRecord<>(names.stripes(), 0, key.getBytes(StandardCharsets.UTF_8),
                    null)).get().offset();
        }
        Map<Integer, Long> last = publish(c, u -> true, true);

        try (Drain<byte[], byte[]> dlq = new Drain<>(names.deadLetters(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            await().atMost(WAIT).until(() -> dlq.poll().size() >= 3);
            List<ConsumerRecord<byte[], byte[]>> letters = dlq.records();
            assertThat(letters).hasSize(3);
            assertThat(letters).extracting(r -> header(r, Topics.DLQ_REASON_HEADER))
                    .containsExactly("misrouted", "unreadable", "null-value");
            assertThat(letters).extracting(r -> header(r, Topics.DLQ_OFFSET_HEADER))
                    .containsExactly(Long.toString(misrouted), Long.toString(garbage), Long.toString(tombstone));
            assertThat(letters).allSatisfy(r -> {
                assertThat(header(r, Topics.DLQ_TOPIC_HEADER)).isEqualTo(names.stripes());
                assertThat(header(r, Topics.DLQ_PARTITION_HEADER)).isEqualTo("0");
                assertThat(header(r, Topics.DLQ_EXCEPTION_HEADER)).isNotBlank();
                assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo(key);
            });
            assertThat(header(letters.get(0), Topics.DLQ_EXCEPTION_HEADER)).contains("belongs on server 1");
            assertThat(new String(letters.get(1).value(), StandardCharsets.UTF_8)).isEqualTo("not avro at all");
            assertThat(letters.get(2).value()).isNull();
        }
        await().atMost(WAIT).until(() -> sink.stats().committedOffset() == last.get(0) + 1);
        assertThat(sink.health().state()).isEqualTo(SinkHealth.State.RUNNING);
        assertThat(sink.stats().deadLetters()).isEqualTo(3);
        sink.close();
        assertExactlyOnce(tmp.resolve("server-0"), c, 0);
    }

    @Test
    void metricsAndHealthShowAMonitoringStackWhatTheSinkStoredAndThatItKeepsUp(TestInfo test) throws Exception {
        setUp(test);
        BackupSink sink = sink(0, tmp.resolve("server-0"), Map.of());
        TestCheckpoints.Striped c = checkpoint(3, 6, 4096);
        try (KafkaProducer<byte[], byte[]> raw = new KafkaProducer<>(KAFKA.producerProps(), new ByteArraySerializer(),
                new ByteArraySerializer())) {
            raw.send(new ProducerRecord<>(names.stripes(), 0, null, "garbage".getBytes(StandardCharsets.UTF_8))).get();
        }
        Map<Integer, Long> last = publish(c, u -> true, true);
        await().atMost(WAIT).until(() -> sink.stats().committedOffset() == last.get(0) + 1
                && sink.stats().acksSent() == 1 && sink.opsHealth().healthy());

        HttpResponse<String> health = get(sink.httpUri(), "/health");
        assertThat(health.statusCode()).isEqualTo(200);
        JsonNode h = JSON.readTree(health.body());
        assertThat(h.get("state").asText()).isEqualTo("RUNNING");
        assertThat(h.get("lag").asLong()).isZero();
        assertThat(h.get("committedOffset").asLong()).isEqualTo(last.get(0) + 1);

        HttpResponse<String> scraped = get(sink.httpUri(), "/metrics");
        assertThat(scraped.statusCode()).isEqualTo(200);
        PrometheusText scrape = PrometheusText.parse(scraped.body());
        Map<String, String> server = Map.of("server", "0");
        assertThat(scrape.value("checkstripe_sink_cells_stored_total", server)).isEqualTo(6.0);
        assertThat(scrape.value("checkstripe_sink_stored_bytes_total", server))
                .isEqualTo((double) sink.stats().bytesStored()).isPositive();
        assertThat(scrape.value("checkstripe_sink_manifests_stored_total", server)).isEqualTo(1.0);
        assertThat(scrape.value("checkstripe_sink_dead_letters_total", Map.of("server", "0", "reason", "unreadable")))
                .isEqualTo(1.0);
        assertThat(scrape.value("checkstripe_sink_acks_sent_total", server)).isEqualTo(1.0);
        assertThat(scrape.value("checkstripe_sink_committed_offset", server)).isEqualTo(last.get(0) + 1.0);
        assertThat(scrape.value("checkstripe_sink_lag_records", server)).isZero();
        assertThat(scrape.value("checkstripe_sink_checkpoints_held", Map.of("server", "0", "app", APP)))
                .isEqualTo(1.0);
        assertThat(scrape.value("checkstripe_sink_held_bytes", Map.of("server", "0", "app", APP)))
                .isGreaterThan(sink.stats().bytesStored());
        assertThat(scrape.value("checkstripe_sink_data_dir_free_bytes", server)).isPositive();
        assertThat(scrape.value("checkstripe_sink_state", Map.of("server", "0", "state", "RUNNING"))).isEqualTo(1.0);
        assertThat(scrape.value("checkstripe_sink_state", Map.of("server", "0", "state", "STALLED"))).isZero();
        assertThat(scrape.family("checkstripe_sink_commit_seconds").type()).isEqualTo("histogram");
        assertThat(scrape.value("checkstripe_sink_commit_seconds_count", server)).isPositive();
        assertThat(scrape.value("checkstripe_sink_fsync_seconds_count", server)).isPositive();
        assertThat(scrape.families().keySet()).anyMatch(name -> name.startsWith("kafka_consumer_"))
                .contains("jvm_memory_used_bytes");
    }

    @Test
    void theScrubFindsAFlippedBitWithinAnIntervalQuarantinesTheCellAndReportsIt(TestInfo test) throws Exception {
        setUp(test);
        Path dir = tmp.resolve("server-0");
        BackupSink sink = sink(0, dir, Map.of(SinkConfig.SCRUB_RATE_MB_CONFIG, 200.0,
                SinkConfig.SCRUB_INTERVAL_S_CONFIG, 1L));
        TestCheckpoints.Striped c = checkpoint(4, 8, 4096);
        Map<Integer, Long> last = publish(c, u -> true, true);
        await().atMost(WAIT).until(() -> sink.stats().committedOffset() == last.get(0) + 1);
        await().atMost(WAIT).until(() -> sink.scrubReport().lastPass() != null
                && sink.scrubReport().lastPass().cellsChecked() == 8);
        assertThat(sink.scrubReport().lastPass().findings()).as("an intact store").isEmpty();

        // Flip one bit in the data of the third cell record of the log.
        Path log = StoreLayout.of(dir).cellLog(APP, 4);
        long dataAt;
        CellHeader hit;
        try (InputStream in = Files.newInputStream(log); CellRecordReader reader = new CellRecordReader(in)) {
            reader.next();
            reader.next();
            hit = reader.next().orElseThrow();
            dataAt = reader.position() + 100; // the reader stands at the start of the record's data
        }
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, dataAt);
            b.put(0, (byte) (b.get(0) ^ 0x10)).rewind();
            ch.write(b, dataAt);
        }
        long passesBefore = sink.scrubReport().passes();
        await().atMost(Duration.ofSeconds(30)).until(() -> sink.scrubReport().passes() >= passesBefore + 2
                || !sink.scrubReport().lastPass().findings().isEmpty());
        ScrubReport.Pass pass = sink.scrubReport().lastPass();
        assertThat(pass.findings()).singleElement().satisfies(f -> {
            assertThat(f.kind()).isEqualTo("corrupt-cell");
            assertThat(f.app()).isEqualTo(APP);
            assertThat(f.checkpointId()).isEqualTo(4);
            assertThat(f.segment()).isEqualTo(hit.segmentIndex());
            assertThat(f.cell()).isEqualTo(hit.cellIndex());
            assertThat(f.quarantinedTo()).isNotNull();
            assertThat(Path.of(f.quarantinedTo())).exists().startsWith(StoreLayout.of(dir).quarantineDir());
        });
        assertThat(pass.quarantined()).isOne();

        JsonNode scrub = JSON.readTree(get(sink.httpUri(), "/v1/scrub").body());
        assertThat(scrub.get("enabled").asBoolean()).isTrue();
        assertThat(scrub.at("/lastPass/findings/0/kind").asText()).isEqualTo("corrupt-cell");
        assertThat(scrub.at("/lastPass/started").asText()).endsWith("Z");
        PrometheusText scrape = PrometheusText.parse(get(sink.httpUri(), "/metrics").body());
        assertThat(scrape.value("checkstripe_sink_scrub_corrupt_total", Map.of("server", "0", "kind", "cell")))
                .isEqualTo(1.0);
        assertThat(scrape.value("checkstripe_sink_scrub_cells_total", Map.of("server", "0"))).isGreaterThan(8.0);
        // Reported, never dropped: reads still call the cell corrupt, and the sink goes on.
        CellStore view = CellStore.openReadOnly(dir);
        resources.add(view);
        assertThat(view.readCell(APP, 4, hit.segmentIndex(), hit.cellIndex()).orElseThrow().intact()).isFalse();
        assertThat(sink.health().state()).isEqualTo(SinkHealth.State.RUNNING);
    }

    @Test
    void retentionKeepsTheNewestRCompleteCheckpoints(TestInfo test) throws Exception {
        setUp(test);
        BackupSink sink = sink(0, tmp.resolve("server-0"), Map.of(SinkConfig.RETAIN_CONFIG, 2));
        for (long id = 1; id <= 4; id++) {
            publish(checkpoint(id, 3, 2048), u -> true, true);
        }
        Map<Integer, Long> last = publish(checkpoint(5, 3, 2048), u -> u.getSegmentIndex() < 2, false);
        await().atMost(WAIT).until(() -> sink.stats().committedOffset() == last.get(0) + 1);
        JsonNode list = JSON.readTree(get(sink.httpUri(), "/v1/apps/" + APP + "/checkpoints").body());
        assertThat(list).extracting(n -> n.get("checkpointId").asLong()).containsExactly(3L, 4L, 5L);
        assertThat(list).extracting(n -> n.get("complete").asBoolean()).containsExactly(true, true, false);
        assertThat(sink.stats().checkpointsDeleted()).isEqualTo(2);
        try (Drain<String, CheckpointAck> acks = new Drain<>(names.acks(), new StringDeserializer(),
                topics.acks().valueSerde().deserializer())) {
            await().atMost(WAIT).until(() -> acks.poll().stream().map(ConsumerRecord::key).collect(Collectors.toSet())
                    .containsAll(Set.of(APP + "/3", APP + "/4")));
            assertThat(acks.records()).extracting(ConsumerRecord::key).doesNotContain(APP + "/5");
        }
    }

    @Test
    void aFullDiskStallsTheSinkWhichCatchesUpWithoutLossOnceSpaceIsFreed(TestInfo test) throws Exception {
        Path disk = Files.createDirectories(tmp.resolve("small-disk"));
        Assumptions.assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", disk.toString()) == 0,
                "mounting a 1 MiB tmpfs needs root and a mount-capable container");
        resources.add(() -> run("umount", disk.toString()));
        setUp(test);
        Path dir = disk.resolve("store");
        // 24 segments of 128 KiB: 24 cells of 64 KiB on server 0, 1.5 MiB that a 1 MiB disk cannot hold.
        TestCheckpoints.Striped c = checkpoint(3, 24, 128 * 1024);
        BackupSink sink = sink(0, dir, Map.of());
        Map<Integer, Long> last = publish(c, u -> true, true);

        await().atMost(WAIT).until(() -> sink.health().state() == SinkHealth.State.STALLED);
        assertThat(sink.health().reason()).contains("is full").contains(dir.toString());
        assertThat(sink.stats().committedOffset()).isLessThan(last.get(0) + 1);
        JsonNode status = JSON.readTree(get(sink.httpUri(), "/v1/server").body());
        assertThat(status.get("state").asText()).isEqualTo("STALLED");
        assertThat(status.get("reason").asText()).contains("is full");
        assertThat(get(sink.httpUri(), "/v1/apps").statusCode()).as("reads go on while stalled").isEqualTo(200);

        assertThat(run("mount", "-o", "remount,size=64m", disk.toString())).isZero();
        await().atMost(WAIT).until(() -> sink.stats().committedOffset() == last.get(0) + 1);
        await().atMost(WAIT).until(() -> sink.health().state() == SinkHealth.State.RUNNING);
        sink.close();
        assertExactlyOnce(dir, c, 0);
        try (CellStore store = CellStore.open(dir, 0)) {
            assertThat(store.isComplete(APP, 3)).isTrue();
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Every cell of {@code server} is in its checkpoint's log exactly once and reads back as published. */
    private static void assertExactlyOnce(Path dataDir, TestCheckpoints.Striped c, int server) throws IOException {
        TreeMap<CellKey, StoredCell> expected = c.cellsFor(server);
        Path log = StoreLayout.of(dataDir).cellLog(c.app(), c.checkpointId());
        Map<CellKey, Integer> counts = new TreeMap<>();
        try (InputStream in = Files.newInputStream(log); CellRecordReader reader = new CellRecordReader(in)) {
            for (var h = reader.next(); h.isPresent(); h = reader.next()) {
                CellHeader header = h.get();
                counts.merge(header.key(), 1, Integer::sum);
            }
        }
        assertThat(counts.keySet()).containsExactlyElementsOf(expected.keySet());
        assertThat(counts.values()).allSatisfy(n -> assertThat(n).isOne());
        try (CellStore store = CellStore.openReadOnly(dataDir)) {
            for (var e : expected.entrySet()) {
                assertThat(store.readCell(c.app(), c.checkpointId(), e.getKey().segmentIndex(),
                        e.getKey().cellIndex()).orElseThrow().verified()).isEqualTo(e.getValue());
            }
        }
    }

    private HttpResponse<String> get(URI base, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        return SinkTestSupport.header(r.headers(), name);
    }

    private static int run(String... command) throws IOException, InterruptedException {
        return SinkTestSupport.run(command);
    }

    /** Reads a whole single-partition topic from the beginning, read_committed, accumulating what it polled. */
    private static final class Drain<K, V> implements AutoCloseable {
        private final KafkaConsumer<K, V> consumer;
        private final List<ConsumerRecord<K, V>> records = new ArrayList<>();

        Drain(String topic, Deserializer<K> keys, Deserializer<V> values) {
            Map<String, Object> props = KAFKA.consumerProps("drain-" + topic);
            consumer = new KafkaConsumer<>(props, keys, values);
            TopicPartition tp = new TopicPartition(topic, 0);
            consumer.assign(List.of(tp));
            consumer.seekToBeginning(List.of(tp));
        }

        List<ConsumerRecord<K, V>> poll() {
            consumer.poll(Duration.ofMillis(200)).forEach(records::add);
            return records;
        }

        List<ConsumerRecord<K, V>> records() {
            return records;
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
