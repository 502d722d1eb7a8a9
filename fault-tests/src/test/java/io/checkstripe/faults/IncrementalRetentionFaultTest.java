package io.checkstripe.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.checkstripe.broker.BrokerProcess;
import io.checkstripe.core.CheckpointContent;
import io.checkstripe.schemas.InMemorySchemaRegistry;
import io.checkstripe.schemas.Topics;
import io.checkstripe.schemas.avro.CheckpointCommit;
import io.checkstripe.schemas.avro.CheckpointSegment;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
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
 * Retention of incremental checkpoints while sinks die: a chain of checkpoints whose manifests list bases (as the
 * publisher writes them for chunked content) goes through the real striper to real sinks ({@code --retain 2},
 * {@code XOR-2-1} over 3 servers), and sinks are SIGKILLed at random moments of the checkpoints' arrival and
 * restarted. Each checkpoint reads only from checkpoints retention keeps at the time, as a publisher would. At the
 * end every server holds exactly what retention keeps: the newest R checkpoints and everything they read from
 * (bases of bases too), each complete and every cell intact once; every checkpoint nothing kept reads from is gone.
 */
@Tag("integration")
@Timeout(value = 15, unit = TimeUnit.MINUTES)
@ExtendWith(SeedExtension.class)
class IncrementalRetentionFaultTest {

    private static final Logger log = LoggerFactory.getLogger(IncrementalRetentionFaultTest.class);

    private static final int SERVERS = 3;
    private static final int RETAIN = 2;
    private static final int SEGMENT = 64 * 1024;
    private static final int CHECKPOINTS = 14;
    private static final Duration WAIT = Duration.ofMinutes(3);

    @TempDir
    static Path tmp;

    private static BrokerProcess broker;
    private static Pipeline pipeline;
    private static Topics topics;
    private static KafkaProducer<byte[], byte[]> raw;

    @BeforeAll
    static void startPipeline() {
        broker = BrokerProcess.start(tmp.resolve("broker"));
        pipeline = new Pipeline(broker, tmp.resolve("pipeline"), "increment.", "XOR-2-1", SERVERS)
                .sinkOptions("--retain", Integer.toString(RETAIN));
        pipeline.startStriper("striper");
        pipeline.startSinks();
        topics = new Topics(pipeline.topics(), InMemorySchemaRegistry.embedded());
        raw = new KafkaProducer<>(broker.producerProps(), new ByteArraySerializer(), new ByteArraySerializer());
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

    @Test
    void sharedBasesSurviveSinkKillsAndUnreferencedOnesGoAtTheNextPass(Seed seed) {
        SplittableRandom random = seed.random();
        String app = "chained";
        NavigableMap<Long, List<Long>> bases = new TreeMap<>();
        Map<Long, Integer> sizes = new HashMap<>();
        List<String> kills = new ArrayList<>();
        for (long id = 1; id <= CHECKPOINTS; id++) {
            // What retention keeps before this checkpoint is all it may read from; the last one is full, so that
            // its pass lets go of what only older checkpoints read from.
            NavigableSet<Long> kept = kept(bases);
            List<Long> reads = new ArrayList<>();
            if (id > 1 && id < CHECKPOINTS && random.nextInt(5) > 0) {
                for (long b : kept) {
                    if (random.nextInt(3) > 0) {
                        reads.add(b);
                    }
                }
            }
            bases.put(id, reads);
            int size = SEGMENT * (2 + random.nextInt(5)) - random.nextInt(SEGMENT);
            sizes.put(id, size);
            byte[] data = new byte[size];
            random.nextBytes(data);
            publish(app, id, data, reads);
            if (random.nextInt(3) > 0) {
                Pipeline.Sink victim = pipeline.sink(random.nextInt(SERVERS));
                long threshold = (long) (random.nextDouble() * size / 2);
                long cp = id;
                await("server " + victim.index() + " stores " + threshold + " bytes of " + app + "/" + cp)
                        .atMost(WAIT).pollInterval(Duration.ofMillis(5)).ignoreExceptions()
                        .until(() -> Stores.logSize(victim.dataDir(), app, cp) >= threshold
                                || SinkApi.complete(victim.http(), app, cp));
                victim.kill();
                kills.add(id + "@server " + victim.index());
                victim.start();
            }
        }
        log.info("bases {}; sinks SIGKILLed at {} ({})", bases, kills, seed);

        NavigableSet<Long> kept = kept(bases);
        NavigableSet<Long> keptAsBases = new TreeSet<>(kept.headSet(CHECKPOINTS - RETAIN + 1L, false));
        for (int i = 0; i < SERVERS; i++) {
            Pipeline.Sink sink = pipeline.sink(i);
            await("server " + i + " holds exactly " + kept).atMost(WAIT).pollInterval(Duration.ofMillis(250))
                    .ignoreExceptions().until(() -> listed(sink, app).keySet().equals(kept)
                            && listed(sink, app).values().stream().allMatch(c -> c.path("complete").asBoolean()));
            assertThat(listed(sink, app).entrySet()).filteredOn(e -> e.getValue().path("keptAsBase").asBoolean())
                    .extracting(Map.Entry::getKey).as("kept only as bases on server %d", i)
                    .containsExactlyElementsOf(keptAsBases);
        }
        for (long id : kept) {
            pipeline.assertExactlyOnce(app, id, sizes.get(id), SEGMENT);
        }
        log.info("every server holds {} ({} only as bases), each complete and intact; {} deleted", kept, keptAsBases,
                CHECKPOINTS - kept.size());
    }

    /** What retention keeps once every checkpoint in {@code bases} is complete: the newest R and what they read. */
    private static NavigableSet<Long> kept(NavigableMap<Long, List<Long>> bases) {
        NavigableSet<Long> byAge = new TreeSet<>(bases.descendingKeySet().stream().limit(RETAIN).toList());
        NavigableSet<Long> kept = new TreeSet<>(byAge);
        kept.addAll(CheckpointContent.closeOverBases(byAge, id -> bases.getOrDefault(id, List.of())));
        return kept;
    }

    private static Map<Long, JsonNode> listed(Pipeline.Sink sink, String app) {
        Map<Long, JsonNode> listed = new TreeMap<>();
        SinkApi.checkpoints(sink.http(), app).ifPresent(list -> list.forEach(c ->
                listed.put(c.path("checkpointId").asLong(), c)));
        return listed;
    }

    /** Sends the checkpoint's segments and its commit, as the publisher would, to the checkpoints topic. */
    private static void publish(String app, long id, byte[] data, List<Long> reads) {
        String topic = pipeline.topics().checkpoints();
        int count = 0;
        for (int off = 0; off < data.length; off += SEGMENT, count++) {
            byte[] part = Arrays.copyOfRange(data, off, Math.min(data.length, off + SEGMENT));
            send(topic, app, new CheckpointSegment(1, app, id, count, (long) off, ByteBuffer.wrap(part), null));
        }
        byte[] sha = TestFiles.sha256(data);
        Map<String, String> metadata = new CheckpointContent(CheckpointContent.CHUNKED_V1, reads, 3L * data.length,
                HexFormat.of().formatHex(sha), data.length, CheckpointContent.Type.FILE).toMetadata();
        send(topic, app, new CheckpointCommit(1, app, id, count, (long) data.length, ByteBuffer.wrap(sha),
                System.currentTimeMillis(), SEGMENT, metadata, null));
    }

    private static void send(String topic, String key, Object record) {
        @SuppressWarnings("unchecked")
        Serializer<Object> values = (Serializer<Object>) (Serializer<?>) topics.checkpoints().valueSerde().serializer();
        try {
            raw.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), values.serialize(topic, record)))
                    .get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("cannot send to " + topic, e);
        }
    }
}
