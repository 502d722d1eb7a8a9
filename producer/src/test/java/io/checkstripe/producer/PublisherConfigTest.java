package io.checkstripe.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.chunking.ChunkingConfig;
import io.checkstripe.schemas.SchemaRegistryClientConfigs;
import io.checkstripe.schemas.TopicNames;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;

class PublisherConfigTest {

    private static Map<String, Object> props(Object... keyValues) {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", "localhost:9092");
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put((String) keyValues[i], keyValues[i + 1]);
        }
        return props;
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        PublisherConfig config = new PublisherConfig(props());

        assertThat(config.segmentBytes()).isEqualTo(1_048_576);
        assertThat(config.topics().names()).isEqualTo(TopicNames.defaults());
        assertThat(config.stripeLocally()).isFalse();
        assertThat(config.policy()).isEmpty();
        assertThat(config.servers()).isZero();
        assertThat(config.protectTimeout()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.kafkaTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.transactionalId("app-1")).isEqualTo("checkstripe-publish-app-1");
        assertThat(config.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(config.maxRecordBytes()).isEqualTo(1_048_576 + PublisherConfig.RECORD_OVERHEAD_BYTES);
    }

    @Test
    void bootstrapServersAreRequired() {
        assertThatThrownBy(() -> new PublisherConfig(Map.of()))
                .isInstanceOf(ConfigException.class).hasMessageContaining("bootstrap.servers");
    }

    @Test
    void segmentSizeOutOfRangeIsRefusedNamingTheKey() {
        for (Object bad : new Object[] {0, -1, PublisherConfig.MAX_SEGMENT_BYTES + 1, "lots"}) {
            assertThatThrownBy(() -> new PublisherConfig(props("checkstripe.segment.bytes", bad)))
                    .as("segment.bytes=%s", bad)
                    .isInstanceOf(ConfigException.class).hasMessageContaining("checkstripe.segment.bytes");
        }
        assertThat(new PublisherConfig(props("checkstripe.segment.bytes", "4096")).segmentBytes()).isEqualTo(4096);
    }

    @Test
    void malformedPolicyIsRefusedWithWhatIsAllowed() {
        assertThatThrownBy(() -> new PublisherConfig(props("checkstripe.policy", "RS-3")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("policy").hasMessageContaining("RS-K-M");
    }

    @Test
    void localStripingNeedsAPolicyAndEnoughServers() {
        assertThatThrownBy(() -> new PublisherConfig(props("checkstripe.stripe.locally", true)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("policy");
        assertThatThrownBy(() -> new PublisherConfig(props("checkstripe.stripe.locally", true,
                "checkstripe.policy", "RS-3-2", "checkstripe.servers", 4)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("servers").hasMessageContaining("at least 5").hasMessageContaining("got 4");

        PublisherConfig config = new PublisherConfig(props("checkstripe.stripe.locally", "true",
                "checkstripe.policy", "rs-3-2", "checkstripe.servers", "6"));
        assertThat(config.stripeLocally()).isTrue();
        assertThat(config.policy()).hasValueSatisfying(p -> assertThat(p.name()).isEqualTo("RS-3-2"));
        assertThat(config.servers()).isEqualTo(6);
        // A cell of a 1 MiB segment is ceil(1048576 / 3) bytes.
        assertThat(config.maxRecordBytes()).isEqualTo(349_526 + PublisherConfig.RECORD_OVERHEAD_BYTES);
    }

    @Test
    void aPublishPolicyIsParsedAndLocalStripingAllowsOnlyItsListedPolicies() {
        assertThat(new PublisherConfig(props()).publishPolicy()).isEmpty();
        assertThat(new PublisherConfig(props()).allowedPolicies()).as("the striper decides").isEmpty();
        assertThat(new PublisherConfig(props("checkstripe.publish.policy", "rs-6-3")).publishPolicy())
                .hasValueSatisfying(p -> assertThat(p.name()).isEqualTo("RS-6-3"));
        assertThatThrownBy(() -> new PublisherConfig(props("checkstripe.publish.policy", "RS-banana")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("checkstripe.publish.policy");

        PublisherConfig local = new PublisherConfig(props("checkstripe.stripe.locally", true, "checkstripe.policy",
                "RS-3-2", "checkstripe.servers", 5, "checkstripe.segment.bytes", 3000,
                "checkstripe.allowed.policies", "RS-3-2,MIRROR-3"));
        assertThat(local.allowedPolicies()).extracting(p -> p.name()).containsExactly("RS-3-2", "MIRROR-3");
        assertThat(local.maxRecordBytes()).as("a MIRROR-3 cell is the whole segment")
                .isEqualTo(3000 + PublisherConfig.RECORD_OVERHEAD_BYTES);
        assertThat(new PublisherConfig(props("checkstripe.stripe.locally", true, "checkstripe.policy", "RS-3-2",
                "checkstripe.servers", 5)).allowedPolicies()).extracting(p -> p.name()).containsExactly("RS-3-2");
        assertThatThrownBy(() -> new PublisherConfig(props("checkstripe.stripe.locally", true, "checkstripe.policy",
                "RS-3-2", "checkstripe.servers", 5, "checkstripe.allowed.policies", "MIRROR-3")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("the default policy RS-3-2 must be among the allowed policies [MIRROR-3]");
    }

    @Test
    void aRequestNamesItsPolicyByCanonicalName() {
        assertThat(PublishRequest.of("app").policy()).isEmpty();
        assertThat(PublishRequest.of("app").withPolicy("mirror-3").withWaitProtected(true).policy())
                .hasValueSatisfying(p -> assertThat(p.name()).isEqualTo("MIRROR-3"));
        assertThatThrownBy(() -> PublishRequest.of("app").withPolicy("RS-x")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("RS-x");
    }

    @Test
    void fixedCellPolicySetsTheDefaultSegmentToOneStripe() {
        assertThat(new PublisherConfig(props("checkstripe.policy", "RS-6-3-128k")).segmentBytes())
                .isEqualTo(6 * 128 * 1024);
        assertThat(new PublisherConfig(props("checkstripe.policy", "RS-6-3-128k",
                "checkstripe.segment.bytes", 4096)).segmentBytes())
                .isEqualTo(4096);
        assertThatThrownBy(() -> new PublisherConfig(props("checkstripe.policy", "RS-6-3-128k",
                "checkstripe.segment.bytes", 6 * 131072 + 1)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("checkstripe.segment.bytes").hasMessageContaining(Integer.toString(6 * 131072));
    }

    @Test
    void topicNamesAreConfigurableButMustBeLegalAndDistinct() {
        PublisherConfig config = new PublisherConfig(props("checkstripe.topic.checkpoints", "cp",
                "checkstripe.topic.acks", "ak"));
        assertThat(config.topics().names().checkpoints()).isEqualTo("cp");
        assertThat(config.topics().names().acks()).isEqualTo("ak");

        assertThatThrownBy(() -> new PublisherConfig(props("checkstripe.topic.checkpoints", "stripes")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("\"stripes\"");
        assertThatThrownBy(() -> new PublisherConfig(props("checkstripe.topic.manifests", "no/slash")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("no/slash");
    }

    @Test
    void aPrefixAppliesToEveryTopicNotNamedIndividually() {
        PublisherConfig config = new PublisherConfig(props("checkstripe.topic.prefix", "prod.",
                "checkstripe.topic.stripes", "cells"));

        assertThat(config.topics().names().checkpoints()).isEqualTo("prod.checkpoints");
        assertThat(config.topics().names().stripes()).isEqualTo("cells");
        assertThat(config.topics().names().manifests()).isEqualTo("prod.checkpoint-manifests");
        assertThat(config.topics().names().acks()).isEqualTo("prod.checkpoint-acks");
    }

    @Test
    void badSchemaRegistryUrlIsRefused() {
        assertThatThrownBy(() -> new PublisherConfig(props("schema.registry.url", "ftp://x")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("schema.registry.url")
                .hasMessageContaining("ftp://x");
    }

    @Test
    void producerIsTunedForLargeRecordsAndKeepsWhatPublishingNeeds() {
        PublisherConfig config = new PublisherConfig(props(
                "security.protocol", "SSL",
                "acks", "1",
                "enable.idempotence", "false",
                "max.block.ms", "999999",
                "transactional.id", "mine",
                "compression.type", "lz4",
                "max.request.size", "1000",
                "producer.linger.ms", "50",
                "checkstripe.kafka.timeout.ms", "3000"));

        Map<String, Object> producer = config.producerProps("app");

        assertThat(producer)
                .containsEntry("bootstrap.servers", "localhost:9092")
                .containsEntry("security.protocol", "SSL")
                .containsEntry("transactional.id", "checkstripe-publish-app")
                .containsEntry("enable.idempotence", true)
                .containsEntry("acks", "all")
                .containsEntry("max.block.ms", 3000L)
                .containsEntry("compression.type", "lz4")
                .containsEntry("linger.ms", "50")
                .containsEntry("batch.size", config.maxRecordBytes())
                .containsEntry("max.request.size", config.maxRecordBytes())
                .containsEntry("buffer.memory", 32L << 20)
                .containsEntry("transaction.timeout.ms", 300_000)
                .doesNotContainKeys("checkstripe.segment.bytes", "checkstripe.kafka.timeout.ms", "producer.linger.ms");
        assertThat(new PublisherConfig(props()).producerProps("app"))
                .containsEntry("compression.type", "none")
                .containsEntry("linger.ms", 5);
    }

    @Test
    void largerUserLimitsAreKeptAndBufferMemoryHoldsTwoRecords() {
        PublisherConfig config = new PublisherConfig(props("max.request.size", 50_000_000,
                "checkstripe.segment.bytes", 64 << 20));

        Map<String, Object> producer = config.producerProps("app");

        assertThat(producer).containsEntry("max.request.size", (64 << 20) + PublisherConfig.RECORD_OVERHEAD_BYTES);
        assertThat(new PublisherConfig(props("max.request.size", 200_000_000)).producerProps("app"))
                .containsEntry("max.request.size", 200_000_000);
        assertThat(producer).containsEntry("buffer.memory", 2L * ((64 << 20) + PublisherConfig.RECORD_OVERHEAD_BYTES));
    }

    @Test
    void aGivenBufferMemoryIsKeptButNeverBelowTwoRecords() {
        long twoRecords = 2L * new PublisherConfig(props()).maxRecordBytes();

        assertThat(new PublisherConfig(props("buffer.memory", 8 << 20)).producerProps("app"))
                .containsEntry("buffer.memory", 8L << 20);
        assertThat(new PublisherConfig(props("producer.buffer.memory", 1000)).producerProps("app"))
                .containsEntry("buffer.memory", twoRecords);
    }

    @Test
    void consumersReadCommittedWithoutAGroupWhateverTheUserSays() {
        PublisherConfig config = new PublisherConfig(props("isolation.level", "read_uncommitted", "group.id", "g",
                "sasl.mechanism", "PLAIN", "consumer.client.id", "watcher"));

        assertThat(config.consumerProps())
                .containsEntry("isolation.level", "read_committed")
                .containsEntry("enable.auto.commit", false)
                .containsEntry("allow.auto.create.topics", false)
                .containsEntry("default.api.timeout.ms", 20_000)
                .containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("client.id", "watcher")
                .doesNotContainKey("group.id");
    }

    @Test
    void adminCallsAreBoundedByTheKafkaTimeout() {
        PublisherConfig config = new PublisherConfig(props("checkstripe.kafka.timeout.ms", 1500,
                "ssl.truststore.location", "/t"));

        assertThat(config.adminProps())
                .containsEntry("default.api.timeout.ms", 1500)
                .containsEntry("request.timeout.ms", 1500)
                .containsEntry("ssl.truststore.location", "/t")
                .doesNotContainKey("checkstripe.kafka.timeout.ms");
        assertThatThrownBy(() -> new PublisherConfig(props("checkstripe.kafka.timeout.ms", 10)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("checkstripe.kafka.timeout.ms");
    }

    @Test
    void transactionalIdCarriesAValidAppIdOnly() {
        PublisherConfig config = new PublisherConfig(props("checkstripe.transactional.id.prefix", "prod-"));

        assertThat(config.transactionalId("billing")).isEqualTo("prod-billing");
        assertThatThrownBy(() -> config.transactionalId("../etc"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("../etc");
    }

    @Test
    void chunkingDefaultsToOneMebibyteChunksAndRefusesInconsistentSizes() {
        PublisherConfig config = new PublisherConfig(props());
        assertThat(config.incremental()).isFalse();
        assertThat(config.chunking()).isEqualTo(ChunkingConfig.defaults());
        PublisherConfig small = new PublisherConfig(props("checkstripe.chunking.enabled", true,
                "checkstripe.chunking.min.bytes", 2048, "checkstripe.chunking.avg.bytes", 8192,
                "checkstripe.chunking.max.bytes", 32768, "checkstripe.chunking.compression", false));
        assertThat(small.incremental()).isTrue();
        assertThat(small.chunking()).isEqualTo(ChunkingConfig.sized(2048, 8192, 32768).withCompression(false));
        assertThatThrownBy(() -> new PublisherConfig(props("checkstripe.chunking.avg.bytes", 3000)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("checkstripe.chunking.avg.bytes");
        assertThatThrownBy(() -> new PublisherConfig(props("checkstripe.chunking.min.bytes", 1 << 21,
                "checkstripe.chunking.avg.bytes", 1 << 20)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("checkstripe.chunking.avg.bytes");
    }

    @Test
    void everyKeyIsDocumented() {
        // The registry client's settings are all there; the list below names only its URL among them.
        Set<String> registryClient = SchemaRegistryClientConfigs.define(new ConfigDef()).names();
        assertThat(PublisherConfig.configDef().names()).containsAll(registryClient);
        assertThat(PublisherConfig.configDef().configKeys().values())
                .allSatisfy(key -> assertThat(key.documentation).as(key.name).isNotBlank())
                .filteredOn(key -> key.name.equals(SchemaRegistryClientConfigs.URL_CONFIG)
                        || !registryClient.contains(key.name))
                .extracting(key -> key.name)
                .containsExactlyInAnyOrder("bootstrap.servers", "checkstripe.segment.bytes", "schema.registry.url",
                        "checkstripe.topic.prefix", "checkstripe.topic.checkpoints", "checkstripe.topic.stripes",
                        "checkstripe.topic.manifests", "checkstripe.topic.acks", "checkstripe.topic.dlq",
                        "checkstripe.stripe.locally", "checkstripe.policy", "checkstripe.publish.policy",
                        "checkstripe.allowed.policies", "checkstripe.servers", "checkstripe.protect.timeout.ms",
                        "checkstripe.transactional.id.prefix", "checkstripe.kafka.timeout.ms",
                        "checkstripe.key.file", "checkstripe.chunking.enabled", "checkstripe.chunking.min.bytes",
                        "checkstripe.chunking.avg.bytes", "checkstripe.chunking.max.bytes",
                        "checkstripe.chunking.compression", "checkstripe.chunking.compression.min.saving",
                        "checkstripe.chunking.index.dir");
    }

    @Test
    void anEncryptedSegmentMustHoldAPlaintextByte() {
        assertThatThrownBy(() -> new PublisherConfig(props("checkstripe.key.file", "app.key",
                "checkstripe.segment.bytes", 28)))
                .isInstanceOf(ConfigException.class).hasMessageContaining("checkstripe.segment.bytes")
                .hasMessageContaining("29");
        assertThat(new PublisherConfig(props("checkstripe.key.file", "app.key")).keyFile())
                .contains(Path.of("app.key"));
        assertThat(new PublisherConfig(props()).keyFile()).isEmpty();
    }
}
