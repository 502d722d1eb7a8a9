package io.checkstripe.faults;

import io.checkstripe.store.StoreLayout;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.checkstripe.broker.BrokerProcess;
import io.checkstripe.cli.ExitCode;
import io.checkstripe.codec.Crc32c;
import io.checkstripe.core.AppId;
import io.checkstripe.schemas.InMemorySchemaRegistry;
import io.checkstripe.schemas.Topics;
import io.checkstripe.schemas.avro.CheckpointCommit;
import io.checkstripe.schemas.avro.CheckpointManifest;
import io.checkstripe.schemas.avro.CheckpointSegment;
import io.checkstripe.schemas.avro.StripeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scenarios 11 and 12, bad input: garbage and ill-formed checkpoints written straight to the checkpoints topic
 * (a raw producer for bytes, the project's own serializer for well-formed but wrong records) between checkpoints
 * that the real {@code checkstripe publish} sends; and application ids that would escape a directory, refused by
 * {@code publish} and, when a crafted record carries them past it, by the striper and the sinks. The striper,
 * sinks and publishes are real processes on a broker process, {@code XOR-2-1} over 3 servers.
 */
@Tag("integration")
@Timeout(value = 8, unit = TimeUnit.MINUTES)
@ExtendWith(SeedExtension.class)
class BadInputFaultTest {

    private static final Logger log = LoggerFactory.getLogger(BadInputFaultTest.class);

    private static final int SERVERS = 3;
    private static final int SEGMENT = 64 * 1024;
    private static final Duration WAIT = Duration.ofMinutes(3);
    private static final String REASON = Topics.DLQ_REASON_HEADER;

    @TempDir
    static Path tmp;

    private static BrokerProcess broker;
    private static Pipeline pipeline;
    private static KafkaProbe kafka;
    private static Topics topics;
    private static KafkaProducer<byte[], byte[]> raw;

    @BeforeAll
    static void startPipeline() {
        broker = BrokerProcess.start(tmp.resolve("broker"));
        kafka = new KafkaProbe(broker);
        // Retention keeps all of them: checkpoints 1 and 2 must still restore after 4, 5 and 7 are complete.
        pipeline = new Pipeline(broker, tmp.resolve("pipeline"), "bad.", "XOR-2-1", SERVERS).sinkOptions("--retain", "10");
        pipeline.startStriper("striper");
        pipeline.startSinks();
        topics = new Topics(pipeline.topics(), InMemorySchemaRegistry.embedded());
        Map<String, Object> props = broker.producerProps();
        props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 8 << 20);
        raw = new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    @AfterAll
    static void stop() {
        if (raw != null) {
            raw.close(Duration.ofSeconds(5));
        }
        if (pipeline != null) {
            pipeline.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    // ---------------------------------------------------------------- scenario 11

    @Test
    void garbageAndIllFormedCheckpointsAreRefusedWithTheirReasonWhileGoodOnesRestore(Seed seed) {
        SplittableRandom random = seed.random();
        String app = "bad-input";
        String topic = pipeline.topics().checkpoints();
        Map<String, Path> good = new LinkedHashMap<>();
        /** Every injected value that must land in the dead-letter topic, with the reason it must carry. */
        Map<ByteBuffer, String> refused = new HashMap<>();
        List<String> injected = new ArrayList<>();

        good.put("1", file("good-1", 3L * SEGMENT * 16 + 5, random));
        pipeline.publishProtected(app, good.get("1"), 1);

        // Unreadable values and a tombstone.
        byte[] junk = new byte[100 + random.nextInt(400)];
        random.nextBytes(junk);
        junk[0] = (byte) (1 + random.nextInt(255)); // no Confluent magic byte by chance
        byte[] validSegment = serialize(segment(app, 99, 0, 0, new byte[16]));
        byte[] wrongMagic = validSegment.clone();
        wrongMagic[0] = 1;
        byte[] unknownSchema = validSegment.clone();
        ByteBuffer.wrap(unknownSchema, 1, 4).putInt(0x7ABC0000 | random.nextInt(0xFFFF));
        byte[] empty = new byte[0];
        for (var e : Map.of("random bytes", junk, "wrong magic byte", wrongMagic, "unknown schema id", unknownSchema,
                "empty value", empty).entrySet()) {
            send(topic, app, e.getValue());
            refused.put(ByteBuffer.wrap(e.getValue()), "unreadable");
            injected.add(e.getKey());
        }
        send(topic, app, null);
        injected.add("tombstone");

        // Checkpoint 2: segment 1 twice, segment 3 before segment 2; every good segment once, then a true commit.
        byte[] cp2 = bytes(3 * SEGMENT + 1000, random);
        List<byte[]> seg = segments(app, 2, cp2);
        send(topic, app, seg.get(0));
        send(topic, app, seg.get(1));
        send(topic, app, seg.get(1));
        refused.put(ByteBuffer.wrap(seg.get(1)), "duplicate-segment");
        send(topic, app, seg.get(3));
        refused.put(ByteBuffer.wrap(seg.get(3)), "segment-out-of-order");
        send(topic, app, seg.get(2));
        send(topic, app, seg.get(3));
        send(topic, app, serialize(commit(app, 2, cp2, 4, TestFiles.sha256(cp2))));
        injected.addAll(List.of("duplicate segment", "segments out of order"));
        good.put("2", write("good-2", cp2));

        // Checkpoint 3 never commits: the next publish abandons it.
        byte[] cp3 = bytes(2 * SEGMENT, random);
        segments(app, 3, cp3).forEach(v -> send(topic, app, v));
        injected.add("segments of a checkpoint that never commits");
        good.put("4", file("good-4", 5L * SEGMENT * 16 + 17, random));
        pipeline.publishProtected(app, good.get("4"), 4);

        // Checkpoint 5 commits a SHA-256 that its bytes do not have; checkpoint 6 a segment count it did not send.
        byte[] cp5 = bytes(2 * SEGMENT + 3, random);
        segments(app, 5, cp5).forEach(v -> send(topic, app, v));
        byte[] wrongSha = TestFiles.sha256(cp5);
        wrongSha[random.nextInt(wrongSha.length)] ^= 1;
        byte[] wrongShaCommit = serialize(commit(app, 5, cp5, 3, wrongSha));
        send(topic, app, wrongShaCommit);
        refused.put(ByteBuffer.wrap(wrongShaCommit), "sha256-mismatch");
        byte[] cp6 = bytes(SEGMENT, random);
        send(topic, app, segments(app, 6, cp6).get(0));
        byte[] lyingCommit = serialize(commit(app, 6, cp6, 2, TestFiles.sha256(cp6)));
        send(topic, app, lyingCommit);
        refused.put(ByteBuffer.wrap(lyingCommit), "commit-mismatch");
        injected.addAll(List.of("commit with a wrong SHA-256", "commit with a wrong segment count"));

        good.put("7", file("good-7", 2L * SEGMENT * 16, random));
        pipeline.publishProtected(app, good.get("7"), 7);
        log.info("scenario 11: injected {} between checkpoints {} ({})", injected, good.keySet(), seed);

        // Every refused record is in the dead-letter topic, unchanged, with its reason; nothing else of the app is.
        String dlq = pipeline.topics().deadLetters();
        List<ConsumerRecord<byte[], byte[]>> dead = await("dead letters").atMost(WAIT).until(
                () -> kafka.readCommitted(dlq).stream().filter(r -> app.equals(key(r))).toList(),
                list -> list.size() >= refused.size() + 1);
        Map<String, Integer> reasons = new LinkedHashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : dead) {
            String reason = header(r, REASON);
            reasons.merge(reason, 1, Integer::sum);
            assertThat(header(r, Topics.DLQ_EXCEPTION_HEADER)).as("exception header of a %s dead letter", reason)
                    .isNotBlank();
            assertThat(header(r, Topics.DLQ_TOPIC_HEADER)).isEqualTo(topic);
            if (r.value() == null) {
                assertThat(reason).isEqualTo("null-value");
            } else {
                assertThat(reason).as("reason of dead letter %s", Arrays.toString(Arrays.copyOf(r.value(), 8)))
                        .isEqualTo(refused.get(ByteBuffer.wrap(r.value())));
            }
        }
        assertThat(reasons).as("dead letters by reason").containsExactlyInAnyOrderEntriesOf(Map.of(
                "unreadable", 4, "null-value", 1, "duplicate-segment", 1, "segment-out-of-order", 1,
                "commit-mismatch", 1, "sha256-mismatch", 1));

        pipeline.striper("striper").assertAlive();
        assertThat(pipeline.striper("striper").stderr()).as("the striper names the checkpoints it gave up")
                .contains("checkpoint 3 is abandoned after 2 segment(s)")
                .contains("checkpoint 5 is abandoned after 3 segment(s)")
                .contains("checkpoint 6 is abandoned after 1 segment(s)");
        good.forEach((id, file) -> pipeline.assertRestores(app, Long.parseLong(id), file));

        CheckstripeProcess.Result neverCommitted = pipeline.restore(app, pipeline.restoredFile("cp3"),
                "--checkpoint", "3");
        assertThat(neverCommitted.exitCode()).as("%s", neverCommitted).isEqualTo(ExitCode.UNRECOVERABLE);
        assertThat(neverCommitted.stderr()).contains("checkpoint 3").containsIgnoringCase("manifest");
        CheckstripeProcess.Result lying = pipeline.restore(app, pipeline.restoredFile("cp5"), "--checkpoint", "5");
        assertThat(lying.exitCode()).as("%s", lying).isEqualTo(ExitCode.UNRECOVERABLE);
        assertThat(lying.stderr()).contains("checkpoint 5").containsIgnoringCase("manifest");
        CheckstripeProcess.Result uncommitted = pipeline.restore(app, pipeline.restoredFile("cp6"), "--checkpoint", "6");
        assertThat(uncommitted.exitCode()).as("%s", uncommitted).isEqualTo(ExitCode.UNRECOVERABLE);
        Path newest = pipeline.restoredFile("newest");
        CheckstripeProcess.Result latest = pipeline.restore(app, newest);
        assertThat(latest.exitCode()).as("%s", latest).isZero();
        assertThat(latest.stdout()).contains("restored checkpoint 7 of " + app);
        log.info("scenario 11: dead letters {}; checkpoints {} restore byte-exact; 3, 5 and 6 unrecoverable (exit 2)",
                reasons, good.keySet());
    }

    // ---------------------------------------------------------------- scenario 12

    private static final List<String> BAD_IDS = List.of("../x", "a/b", ".", "..", "", "a".repeat(300),
            "k\u00e4se", "\u65e5\u672c");

    @Test
    void publishRefusesIdsThatAreNoDirectoryNameBeforeSendingAnything() {
        Path file = TestFiles.random(tmp.resolve("small.bin"), 1000, 12);
        String topic = pipeline.topics().checkpoints();
        long before = kafka.written(topic);
        List<CheckstripeProcess> runs = new ArrayList<>();
        for (int i = 0; i < BAD_IDS.size(); i++) {
            List<String> args = new ArrayList<>(List.of("publish"));
            args.addAll(pipeline.kafkaArgs());
            args.addAll(List.of("--app", BAD_IDS.get(i), "--file", file.toString()));
            runs.add(CheckstripeProcess.start("publish-bad-id-" + i, pipeline.dir().resolve("logs"), args));
        }
        try {
            for (int i = 0; i < runs.size(); i++) {
                CheckstripeProcess p = runs.get(i);
                int code = p.waitFor(Duration.ofSeconds(60));
                String id = BAD_IDS.get(i);
                assertThat(code).as("publish --app '%s'\n%s", id, p.diagnostics()).isEqualTo(ExitCode.USAGE);
                assertThat(p.stderr()).as("message for '%s'", id).containsIgnoringCase("application id")
                        .doesNotContain("\tat ");
            }
        } finally {
            runs.forEach(CheckstripeProcess::close);
        }
        assertThat(kafka.written(topic)).as("records written to %s", topic).isEqualTo(before);
    }

    @Test
    void recordsCarryingSuchIdsPastPublishNeverCreateAPathOutsideTheSinksDataDirectory() throws Exception {
        String checkpoints = pipeline.topics().checkpoints();
        String stripes = pipeline.topics().stripes();
        long deadBefore = kafka.readCommitted(pipeline.topics().deadLetters()).size();
        int sent = 0;
        for (String id : BAD_IDS) {
            byte[] data = bytes(SEGMENT, new SplittableRandom(id.hashCode()));
            // Past publish, through the striper: a segment and a commit.
            segments(id, 1, data).forEach(v -> send(checkpoints, id, v));
            send(checkpoints, id, serialize(commit(id, 1, data, 1, TestFiles.sha256(data))));
            sent += 2;
            // Past the striper, straight to every sink: a cell and a manifest of that id.
            for (int server = 0; server < SERVERS; server++) {
                int cellLength = pipeline.policy().cellLength(data.length);
                byte[] cell = Arrays.copyOf(data, cellLength);
                StripeUnit unit = new StripeUnit(1, id, 1L, 0, 0L, data.length, server, pipeline.policy().name(),
                        SERVERS, cellLength, Crc32c.of(cell, 0, cellLength), ByteBuffer.wrap(cell));
                CheckpointManifest manifest = new CheckpointManifest(1, id, 1L, pipeline.policy().name(), SERVERS, 1,
                        SEGMENT, (long) data.length, ByteBuffer.wrap(TestFiles.sha256(data)), 0L, Map.of());
                byte[] key = (id + "/1").getBytes(StandardCharsets.UTF_8);
                raw.send(new ProducerRecord<>(stripes, server, key, stripesValue(unit))).get();
                raw.send(new ProducerRecord<>(stripes, server, key, stripesValue(manifest))).get();
                sent += 2;
            }
        }
        int expected = sent;
        String dlq = pipeline.topics().deadLetters();
        List<ConsumerRecord<byte[], byte[]>> dead = await("every crafted record refused").atMost(WAIT).until(
                () -> kafka.readCommitted(dlq), list -> list.size() - deadBefore >= expected);
        List<ConsumerRecord<byte[], byte[]>> ours = dead.subList((int) deadBefore, dead.size());
        assertThat(ours).as("dead letters of the crafted ids").hasSize(expected)
                .allSatisfy(r -> assertThat(header(r, REASON)).as("reason").isEqualTo("invalid-app-id"));

        // Nothing was created beside the stores, or anywhere outside them, and inside only valid ids.
        Path stores = pipeline.sinkDir(0).getParent();
        try (Stream<Path> list = Files.list(stores)) {
            assertThat(list.map(p -> p.getFileName().toString()).sorted().toList())
                    .containsExactly("server-0", "server-1", "server-2");
        }
        for (Path outside : List.of(stores.resolve("x"), pipeline.dir().resolve("x"), tmp.resolve("x"),
                stores.resolve("a"), pipeline.sinkDir(0).resolve("x"))) {
            assertThat(outside).as("path a crafted id points at").doesNotExist();
        }
        for (int server = 0; server < SERVERS; server++) {
            Path apps = StoreLayout.of(pipeline.sinkDir(server)).appsDir();
            try (Stream<Path> list = Files.list(apps)) {
                assertThat(list.map(p -> p.getFileName().toString()).toList()).as("apps on server %d", server)
                        .allSatisfy(name -> assertThat(AppId.isValid(name)).as(name).isTrue());
            }
            assertThat(Stores.files(pipeline.sinkDir(server))).as("files of server %d", server)
                    .allSatisfy(f -> assertThat(f).matches("(store\\.properties|commit-state\\.[01]|\\.lock"
                            + "|apps/[A-Za-z0-9._-]+/\\d{20}/(cells\\.log|manifest)|quarantine/.*|trash/.*)"));
        }
        log.info("scenario 12: {} crafted records with ids {} refused; no path outside the stores", expected,
                BAD_IDS.stream().map(id -> id.length() > 20 ? id.length() + " chars" : "'" + id + "'").toList());
    }

    // ---------------------------------------------------------------- helpers

    private static void send(String topic, String key, byte[] value) {
        try {
            raw.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value)).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot send to " + topic, e);
        }
    }

    private static byte[] serialize(Object record) {
        @SuppressWarnings("unchecked")
        Serializer<Object> values = (Serializer<Object>) (Serializer<?>) topics.checkpoints().valueSerde().serializer();
        return values.serialize(pipeline.topics().checkpoints(), record);
    }

    private static byte[] stripesValue(Object record) {
        @SuppressWarnings("unchecked")
        Serializer<Object> values = (Serializer<Object>) (Serializer<?>) topics.stripes().valueSerde().serializer();
        return values.serialize(pipeline.topics().stripes(), record);
    }

    private static CheckpointSegment segment(String app, long id, int index, long offset, byte[] data) {
        return new CheckpointSegment(1, app, id, index, offset, ByteBuffer.wrap(data), null);
    }

    /** The checkpoint cut into serialized segments of {@link #SEGMENT} bytes. */
    private static List<byte[]> segments(String app, long id, byte[] checkpoint) {
        List<byte[]> out = new ArrayList<>();
        for (int i = 0, off = 0; off < checkpoint.length; i++, off += SEGMENT) {
            byte[] data = Arrays.copyOfRange(checkpoint, off, Math.min(checkpoint.length, off + SEGMENT));
            out.add(serialize(segment(app, id, i, off, data)));
        }
        return out;
    }

    private static CheckpointCommit commit(String app, long id, byte[] checkpoint, int segments, byte[] sha) {
        return new CheckpointCommit(1, app, id, segments, (long) checkpoint.length, ByteBuffer.wrap(sha),
                System.currentTimeMillis(), SEGMENT, Map.of(), null);
    }

    private static byte[] bytes(int n, SplittableRandom random) {
        byte[] b = new byte[n];
        random.nextBytes(b);
        return b;
    }

    private static Path file(String name, long size, SplittableRandom random) {
        return TestFiles.random(tmp.resolve(name + ".bin"), size, random.nextLong());
    }

    private static Path write(String name, byte[] bytes) {
        try {
            return Files.write(tmp.resolve(name + ".bin"), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String key(ConsumerRecord<byte[], byte[]> r) {
        return r.key() == null ? null : new String(r.key(), StandardCharsets.UTF_8);
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }
}
