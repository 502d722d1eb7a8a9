package io.checkstripe.striper;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.checkstripe.striping.Checkpoints;

import static io.checkstripe.striping.Checkpoints.commitOf;
import static io.checkstripe.striping.Checkpoints.randomBytes;
import static io.checkstripe.striping.Checkpoints.segments;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.processor.api.MockProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.Stores;
import org.junit.jupiter.api.Test;

/**
 * The processor alone, under Kafka Streams' {@link MockProcessorContext}, for what the topology test driver cannot
 * show: when it asks Kafka Streams to commit.
 */
class StriperProcessorTest {

    private static final String APP = "billing-7";

    @Test
    void asksForACommitWhenACheckpointCompletesAndNotBefore() {
        Map<String, Object> props = new HashMap<>();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StriperConfig.POLICY_CONFIG, "RS-3-2");
        props.put(StriperConfig.SERVERS_CONFIG, 5);
        props.put(StriperConfig.SCHEMA_REGISTRY_URL_CONFIG, "mock://striper-processor-" + UUID.randomUUID());
        StriperConfig config = new StriperConfig(props);
        String topic = config.topicNames().checkpoints();
        Serializer<SpecificRecord> values = config.topics().checkpoints().valueSerde().serializer();

        MockProcessorContext<Object, Object> context = new MockProcessorContext<>();
        KeyValueStore<String, AppProgress> store = Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(StriperTopology.PROGRESS_STORE), Serdes.String(), AppProgress.serde("RS-3-2"))
                .withLoggingDisabled().build();
        store.init(context.getStateStoreContext(), store);
        context.addStateStore(store);
        StriperProcessor processor = new StriperProcessor(config.policyStripers(),
                config.topics().checkpoints().valueSerde().deserializer(), config.appKeys(),
                new StriperMetrics(new SimpleMeterRegistry()));
        processor.init(context);

        byte[] data = randomBytes(7, 3000);
        byte[] key = APP.getBytes(StandardCharsets.UTF_8);
        List<? extends SpecificRecord> segments = segments(APP, 1, data, 1024);
        long offset = 0;
        for (SpecificRecord segment : segments) {
            context.setRecordMetadata(topic, 0, offset++);
            processor.process(new Record<>(key, values.serialize(topic, segment), 0L));
        }
        assertThat(context.forwarded()).as("cells of every segment").hasSize(segments.size() * 5);
        assertThat(context.committed()).as("commit requested mid-checkpoint").isFalse();

        context.setRecordMetadata(topic, 0, offset);
        processor.process(new Record<>(key, values.serialize(topic, commitOf(APP, 1, data, 1024)), 0L));
        assertThat(context.forwarded()).as("cells, then the manifest to the stripes and manifests topics")
                .hasSize(segments.size() * 5 + 2);
        assertThat(context.committed()).as("commit requested once the checkpoint is complete").isTrue();
    }
}
