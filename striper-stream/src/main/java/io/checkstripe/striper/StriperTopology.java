package io.checkstripe.striper;

import io.checkstripe.crypto.AppKeyDirectory;
import io.checkstripe.schemas.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Map;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.Stores;

/**
 * The striper's Kafka Streams topology, built apart from any running instance so that
 * {@code TopologyTestDriver} tests exercise exactly what production runs:
 *
 * <pre>
 *  checkpoints (byte[] key and value)
 *      └─ striper processor ── progress store (in memory, changelogged; key appId)
 *            ├─ stripes sink: StripeUnit to its server's partition, CheckpointManifest to every partition
 *            ├─ manifests sink: CheckpointManifest (compacted topic)
 *            └─ dead-letter sink: refused records as they came, reason in headers
 * </pre>
 *
 * <p>The progress store is small (one entry per application) and kept in memory; its changelog
 * topic ({@code <application.id>-checkstripe-progress-changelog}) restores it, and under
 * exactly_once_v2 its updates commit in the same transaction as the cells they describe.
 */
public final class StriperTopology {

    /** The progress store: per application, the last committed checkpoint and the one in progress. */
    public static final String PROGRESS_STORE = "checkstripe-progress";

    /** Node names, stable so that a topology description stays readable across versions. */
    public static final String SOURCE = "checkpoints-source";
    public static final String PROCESSOR = "striper";
    public static final String STRIPES_SINK = "stripes-sink";
    public static final String MANIFESTS_SINK = "manifests-sink";
    public static final String DLQ_SINK = "dead-letter-sink";

    private StriperTopology() {
    }

    /** The topology for {@code config}: its policies, N, topic names and schema registry; meters nowhere. */
    public static Topology buildTopology(StriperConfig config) {
        return buildTopology(config, new SimpleMeterRegistry());
    }

    /** The topology for {@code config}, its meters in {@code registry}. */
    public static Topology buildTopology(StriperConfig config, MeterRegistry registry) {
        StriperMetrics metrics = new StriperMetrics(registry);
        Topics topics = config.topics();
        int servers = config.servers();
        Deserializer<SpecificRecord> values = topics.checkpoints().valueSerde().deserializer();
        AppKeyDirectory keys = config.appKeys();
        StoreBuilder<KeyValueStore<String, AppProgress>> store = Stores
                .keyValueStoreBuilder(Stores.inMemoryKeyValueStore(PROGRESS_STORE), Serdes.String(),
                        AppProgress.serde(config.policy().name()))
                .withLoggingEnabled(Map.of())
                .withCachingDisabled();
        Topology topology = new Topology();
        topology.addSource(SOURCE, new ByteArrayDeserializer(), new ByteArrayDeserializer(),
                topics.names().checkpoints());
        topology.addProcessor(PROCESSOR,
                () -> new StriperProcessor(config.policyStripers(), values, keys, metrics),
                SOURCE);
        topology.addStateStore(store, PROCESSOR);
        topology.addSink(STRIPES_SINK, topics.names().stripes(), topics.stripes().keySerde().serializer(),
                topics.stripes().valueSerde().serializer(), new StripesPartitioner(servers), PROCESSOR);
        topology.addSink(MANIFESTS_SINK, topics.names().manifests(), topics.manifests().keySerde().serializer(),
                topics.manifests().valueSerde().serializer(), PROCESSOR);
        topology.addSink(DLQ_SINK, topics.names().deadLetters(), new ByteArraySerializer(), new ByteArraySerializer(),
                PROCESSOR);
        return topology;
    }
}
