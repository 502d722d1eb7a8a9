package io.checkstripe.striper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.schemas.TopicNames;
import io.checkstripe.schemas.TopicProvisioner;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

class StriperConfigTest {

    private static Map<String, Object> minimal() {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", "broker-1:9092,broker-2:9092");
        props.put(StriperConfig.SERVERS_CONFIG, "5");
        return props;
    }

    @Test
    void hasDocumentedDefaults() {
        StriperConfig config = new StriperConfig(minimal());
        assertThat(config.policy()).isEqualTo(RedundancyPolicy.parse("RS-3-2"));
        assertThat(config.servers()).isEqualTo(5);
        assertThat(config.applicationId()).isEqualTo("checkstripe-striper");
        assertThat(config.topicNames()).isEqualTo(TopicNames.defaults());
        assertThat(config.createTopics()).isTrue();
        assertThat(config.topicSettings()).isEqualTo(TopicProvisioner.Settings.defaults());
        Properties streams = config.streamsProperties();
        assertThat(streams).containsEntry(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2)
                .containsEntry(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 100L)
                .containsEntry(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 1)
                .containsEntry(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "broker-1:9092,broker-2:9092")
                .containsEntry("producer.batch.size", 1 << 20)
                .containsEntry("producer.compression.type", "none")
                .containsEntry("producer.max.request.size", 8 << 20)
                .containsEntry("consumer.max.partition.fetch.bytes", 8 << 20)
                .containsEntry(StreamsConfig.REPLICATION_FACTOR_CONFIG, 1);
        assertThat(streams.keySet()).noneMatch(key -> key.toString().startsWith("checkstripe."));
    }

    @Test
    void needsAtLeastAServerPerCellOfTheStripe() {
        Map<String, Object> props = minimal();
        props.put(StriperConfig.POLICY_CONFIG, "RS-6-3");
        assertThatThrownBy(() -> new StriperConfig(props))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("checkstripe.servers")
                .hasMessageContaining("RS-6-3 puts 9 cells per stripe on distinct backup servers, so it needs at "
                        + "least 9 servers, got 5");
    }

    @Test
    void refusesUnknownPoliciesMissingServersAndOtherGuarantees() {
        Map<String, Object> badPolicy = minimal();
        badPolicy.put(StriperConfig.POLICY_CONFIG, "RAID-6");
        assertThatThrownBy(() -> new StriperConfig(badPolicy))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("unknown redundancy policy 'RAID-6'");

        Map<String, Object> noServers = minimal();
        noServers.remove(StriperConfig.SERVERS_CONFIG);
        assertThatThrownBy(() -> new StriperConfig(noServers))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("checkstripe.servers");

        Map<String, Object> atLeastOnce = minimal();
        atLeastOnce.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.AT_LEAST_ONCE);
        assertThatThrownBy(() -> new StriperConfig(atLeastOnce))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("processing.guarantee");

        Map<String, Object> badReplication = minimal();
        badReplication.put(StriperConfig.TOPIC_REPLICATION_FACTOR_CONFIG, "0");
        assertThatThrownBy(() -> new StriperConfig(badReplication))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("-1 (broker default) or at least 1");
    }

    @Test
    void prefixesDefaultTopicNamesAndTakesIndividualNamesAsGiven() {
        Map<String, Object> props = minimal();
        props.put(StriperConfig.TOPIC_PREFIX_CONFIG, "prod.");
        props.put(StriperConfig.TOPIC_STRIPES_CONFIG, "cells");
        StriperConfig config = new StriperConfig(props);
        assertThat(config.topicNames()).isEqualTo(new TopicNames("prod.checkpoints", "cells",
                "prod.checkpoint-manifests", "prod.checkpoint-acks", "prod.checkpoints-dlq"));

        props.put(StriperConfig.TOPIC_DLQ_CONFIG, "bad/name");
        assertThatThrownBy(() -> new StriperConfig(props))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("bad/name");
    }

    @Test
    void passesClientSettingsThroughAndLetsThemOverrideTheTuning() {
        Map<String, Object> props = minimal();
        props.put("security.protocol", "SASL_SSL");
        props.put("producer.linger.ms", "50");
        props.put("replication.factor", "3");
        props.put(StriperConfig.TOPIC_REPLICATION_FACTOR_CONFIG, "-1");
        props.put(StreamsConfig.APPLICATION_ID_CONFIG, "striper-eu");
        props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, "4");
        StriperConfig config = new StriperConfig(props);
        Properties streams = config.streamsProperties();
        assertThat(streams).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry("producer.linger.ms", "50")
                .containsEntry("replication.factor", "3")
                .containsEntry(StreamsConfig.APPLICATION_ID_CONFIG, "striper-eu")
                .containsEntry(StreamsConfig.NUM_STREAM_THREADS_CONFIG, 4);
        assertThat(config.topicSettings().replicationFactor()).isEqualTo((short) -1);
        assertThat(config.adminProperties()).containsEntry("security.protocol", "SASL_SSL")
                .containsEntry(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "broker-1:9092,broker-2:9092");
    }

    @Test
    void documentsEveryKey() {
        assertThat(StriperConfig.configDef().configKeys().values())
                .allSatisfy(key -> assertThat(key.documentation).isNotBlank());
        assertThat(StriperConfig.configDef().names()).contains(StriperConfig.POLICY_CONFIG,
                StriperConfig.SERVERS_CONFIG, StriperConfig.SCHEMA_REGISTRY_URL_CONFIG,
                StriperConfig.TOPIC_PREFIX_CONFIG, StriperConfig.TOPIC_REPLICATION_FACTOR_CONFIG,
                StriperConfig.TOPIC_MAX_MESSAGE_BYTES_CONFIG, StreamsConfig.APPLICATION_ID_CONFIG,
                StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, StreamsConfig.NUM_STREAM_THREADS_CONFIG);
    }
}
