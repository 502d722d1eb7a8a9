package io.checkstripe.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.schemas.avro.CheckpointAck;
import io.checkstripe.schemas.avro.CheckpointManifest;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TopicsTest {

    @Test
    void checkpointKeyIsAppIdSlashCheckpointIdAndParsesBack() {
        String key = Topics.checkpointKey("billing.v2", 1_700_000_000_123L);
        assertThat(key).isEqualTo("billing.v2/1700000000123");
        assertThat(Topics.parseCheckpointKey(key)).isEqualTo(new CheckpointKey("billing.v2", 1_700_000_000_123L));
        assertThat(Topics.parseCheckpointKey("a/0")).isEqualTo(new CheckpointKey("a", 0));
        assertThat(Topics.parseCheckpointKey("a/" + Long.MAX_VALUE).checkpointId()).isEqualTo(Long.MAX_VALUE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "app", "app/", "/7", "a/b/7", "app/x", "app/7x", "app/-1", "app/+7", "app/007",
            "app/99999999999999999999", "../7", "a b/7", "app/ 7"})
    void malformedKeysAreRejectedNamingTheKey(String key) {
        assertThatThrownBy(() -> Topics.parseCheckpointKey(key))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("invalid checkpoint key \"" + key + "\"");
    }

    @Test
    void checkpointKeyRejectsBadPartsNamingThem() {
        assertThatThrownBy(() -> Topics.checkpointKey("a/b", 1)).hasMessageContaining("\"a/b\"");
        assertThatThrownBy(() -> Topics.checkpointKey("app", -5)).hasMessageContaining("-5");
        assertThatThrownBy(() -> Topics.parseCheckpointKey(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void defaultNames() {
        TopicNames names = TopicNames.defaults();
        assertThat(names.all()).containsExactly("checkpoints", "stripes", "checkpoint-manifests", "checkpoint-acks",
                "checkpoints-dlq");
    }

    @Test
    void prefixAndPerNameOverrides() {
        TopicNames names = TopicNames.defaults().withPrefix("prod.").withStripes("cells").withDeadLetters("dead");
        assertThat(names).isEqualTo(new TopicNames("prod.checkpoints", "cells", "prod.checkpoint-manifests",
                "prod.checkpoint-acks", "dead"));
        assertThat(TopicNames.defaults().withCheckpoints("c").withManifests("m").withAcks("k").all())
                .containsExactly("c", "stripes", "m", "k", "checkpoints-dlq");
        assertThat(TopicNames.defaults().checkpoints()).as("defaults unchanged").isEqualTo("checkpoints");
    }

    @Test
    void illegalOrRepeatedNamesAreRejected() {
        assertThatThrownBy(() -> TopicNames.defaults().withStripes("a/b"))
                .hasMessageContaining("invalid stripes topic name \"a/b\"");
        assertThatThrownBy(() -> TopicNames.defaults().withAcks(".."))
                .hasMessageContaining("invalid acks topic name \"..\"");
        assertThatThrownBy(() -> TopicNames.defaults().withPrefix("x".repeat(240)))
                .hasMessageContaining("invalid checkpoints topic name");
        assertThatThrownBy(() -> TopicNames.defaults().withPrefix(null)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TopicNames.defaults().withManifests("stripes"))
                .hasMessageContaining("\"stripes\" is used for two purposes");
    }

    @Test
    void dlqHeaderNames() {
        assertThat(Topics.DLQ_REASON_HEADER).isEqualTo("checkstripe.dlq.reason");
        assertThat(Topics.DLQ_TOPIC_HEADER).isEqualTo("checkstripe.dlq.topic");
        assertThat(Topics.DLQ_PARTITION_HEADER).isEqualTo("checkstripe.dlq.partition");
        assertThat(Topics.DLQ_OFFSET_HEADER).isEqualTo("checkstripe.dlq.offset");
        assertThat(Topics.DLQ_EXCEPTION_HEADER).isEqualTo("checkstripe.dlq.exception");
    }

    @Test
    void everyTopicsSerdesRoundTripItsValuesUnderItsOwnSubject() {
        InMemorySchemaRegistry registry = InMemorySchemaRegistry.forScope("topics-test");
        Topics topics = new Topics(TopicNames.defaults().withPrefix("t."), registry);

        assertThat(roundTrip(topics.checkpoints(), SampleRecords.segment())).isEqualTo(SampleRecords.segment());
        assertThat(roundTrip(topics.checkpoints(), SampleRecords.commit())).isEqualTo(SampleRecords.commit());
        assertThat(roundTrip(topics.stripes(), SampleRecords.stripeUnit())).isEqualTo(SampleRecords.stripeUnit());
        assertThat(roundTrip(topics.stripes(), SampleRecords.manifest())).isEqualTo(SampleRecords.manifest());
        CheckpointManifest manifest = roundTrip(topics.manifests(), SampleRecords.manifest());
        assertThat(manifest).isEqualTo(SampleRecords.manifest());
        CheckpointAck ack = roundTrip(topics.acks(), SampleRecords.ack());
        assertThat(ack).isEqualTo(SampleRecords.ack());
        assertThat(roundTrip(topics.deadLetters(), new byte[] {1, 2, 3})).containsExactly(1, 2, 3);
        Serde<String> keys = topics.stripes().keySerde();
        assertThat(keys.deserializer().deserialize("t.stripes", keys.serializer().serialize("t.stripes", "app/7")))
                .isEqualTo("app/7");

        assertThat(registry.idOf("t.checkpoints-value", CheckstripeSchemas.CHECKPOINTS_TOPIC_VALUE))
                .isEqualTo(InMemorySchemaRegistry.idFor(CheckstripeSchemas.CHECKPOINTS_TOPIC_VALUE));
        assertThat(registry.idOf("t.stripes-value", CheckstripeSchemas.STRIPES_TOPIC_VALUE))
                .isEqualTo(InMemorySchemaRegistry.idFor(CheckstripeSchemas.STRIPES_TOPIC_VALUE));
        assertThat(registry.idOf("t.checkpoint-manifests-value", CheckpointManifest.SCHEMA$))
                .isEqualTo(InMemorySchemaRegistry.idFor(CheckpointManifest.SCHEMA$));
        assertThat(registry.idOf("t.checkpoint-acks-value", CheckpointAck.SCHEMA$))
                .isEqualTo(InMemorySchemaRegistry.idFor(CheckpointAck.SCHEMA$));
    }

    @Test
    void unionTopicValuesComeOutAsTheirGeneratedClasses() {
        Topics topics = new Topics(TopicNames.defaults(), InMemorySchemaRegistry.forScope("topics-union"));
        SpecificRecord value = roundTrip(topics.stripes(), SampleRecords.manifest());
        assertThat(value).isInstanceOf(CheckpointManifest.class);
    }

    @Test
    void defaultsUseTheEmbeddedRegistry() {
        assertThat(Topics.defaults().registry()).isSameAs(InMemorySchemaRegistry.embedded());
        assertThat(Topics.defaults().names()).isEqualTo(TopicNames.defaults());
    }

    private static <K, V> V roundTrip(Topic<K, V> topic, V value) {
        byte[] bytes = topic.valueSerde().serializer().serialize(topic.name(), value);
        return topic.valueSerde().deserializer().deserialize(topic.name(), bytes);
    }
}
