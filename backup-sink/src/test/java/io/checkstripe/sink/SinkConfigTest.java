package io.checkstripe.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;

class SinkConfigTest {

    private static Map<String, Object> minimal() {
        Map<String, Object> props = new HashMap<>();
        props.put(SinkConfig.SERVER_INDEX_CONFIG, 2);
        props.put(SinkConfig.DATA_DIR_CONFIG, "/var/lib/checkstripe/2");
        props.put("bootstrap.servers", "k1:9092,k2:9092");
        return props;
    }

    @Test
    void defaultsAreTheDocumentedOnes() {
        SinkConfig c = new SinkConfig(minimal());
        assertThat(c.serverIndex()).isEqualTo(2);
        assertThat(c.dataDir()).isEqualTo(Path.of("/var/lib/checkstripe/2"));
        assertThat(c.retain()).isEqualTo(3);
        assertThat(c.retryBackoff()).isEqualTo(Duration.ofSeconds(1));
        assertThat(c.retryBackoffMax()).isEqualTo(Duration.ofSeconds(30));
        assertThat(c.pollTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(c.httpAddress()).isEqualTo(new InetSocketAddress("127.0.0.1", 0));
        assertThat(c.httpThreads()).isEqualTo(4);
        assertThat(c.topicNames().stripes()).isEqualTo("stripes");
        assertThat(c.topicNames().acks()).isEqualTo("checkpoint-acks");
        assertThat(c.topicNames().deadLetters()).isEqualTo("checkpoints-dlq");
    }

    @Test
    void requiredKeysAreRequired() {
        for (String key : new String[] {SinkConfig.SERVER_INDEX_CONFIG, SinkConfig.DATA_DIR_CONFIG, "bootstrap.servers"}) {
            Map<String, Object> props = minimal();
            props.remove(key);
            assertThatThrownBy(() -> new SinkConfig(props)).as(key).isInstanceOf(ConfigException.class)
                    .hasMessageContaining(key);
        }
        Map<String, Object> empty = minimal();
        empty.put("bootstrap.servers", "");
        assertThatThrownBy(() -> new SinkConfig(empty)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("bootstrap.servers");
    }

    @Test
    void badValuesNameTheKey() {
        Map<String, Object> negative = minimal();
        negative.put(SinkConfig.SERVER_INDEX_CONFIG, -1);
        assertThatThrownBy(() -> new SinkConfig(negative)).hasMessageContaining(SinkConfig.SERVER_INDEX_CONFIG);
        Map<String, Object> retain = minimal();
        retain.put(SinkConfig.RETAIN_CONFIG, 0);
        assertThatThrownBy(() -> new SinkConfig(retain)).hasMessageContaining(SinkConfig.RETAIN_CONFIG);
        Map<String, Object> backoff = minimal();
        backoff.put(SinkConfig.RETRY_BACKOFF_MS_CONFIG, 5000);
        backoff.put(SinkConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 1000);
        assertThatThrownBy(() -> new SinkConfig(backoff)).hasMessageContaining(SinkConfig.RETRY_BACKOFF_MAX_MS_CONFIG);
        Map<String, Object> port = minimal();
        port.put(SinkConfig.HTTP_PORT_CONFIG, 70000);
        assertThatThrownBy(() -> new SinkConfig(port)).hasMessageContaining(SinkConfig.HTTP_PORT_CONFIG);
        Map<String, Object> registry = minimal();
        registry.put(SinkConfig.SCHEMA_REGISTRY_URL_CONFIG, "ftp://nowhere");
        assertThatThrownBy(() -> new SinkConfig(registry)).hasMessageContaining(SinkConfig.SCHEMA_REGISTRY_URL_CONFIG);
        Map<String, Object> topic = minimal();
        topic.put(SinkConfig.TOPIC_STRIPES_CONFIG, "no spaces allowed");
        assertThatThrownBy(() -> new SinkConfig(topic)).hasMessageContaining("topic");
    }

    @Test
    void httpPortMinusOneTurnsTheApiOff() {
        Map<String, Object> props = minimal();
        props.put(SinkConfig.HTTP_PORT_CONFIG, -1);
        assertThat(new SinkConfig(props).httpAddress()).isNull();
        props.put(SinkConfig.HTTP_PORT_CONFIG, "8470");
        props.put(SinkConfig.HTTP_HOST_CONFIG, "0.0.0.0");
        assertThat(new SinkConfig(props).httpAddress()).isEqualTo(new InetSocketAddress("0.0.0.0", 8470));
    }

    @Test
    void topicNamesTakeThePrefixAndOverridesAsTheStriperDoes() {
        Map<String, Object> props = minimal();
        props.put(SinkConfig.TOPIC_PREFIX_CONFIG, "prod.");
        props.put(SinkConfig.TOPIC_DLQ_CONFIG, "shared-dlq");
        SinkConfig c = new SinkConfig(props);
        assertThat(c.topicNames().stripes()).isEqualTo("prod.stripes");
        assertThat(c.topicNames().acks()).isEqualTo("prod.checkpoint-acks");
        assertThat(c.topicNames().deadLetters()).isEqualTo("shared-dlq");
        assertThat(c.topics().stripes().name()).isEqualTo("prod.stripes");
    }

    @Test
    void clientSettingsPassThroughButTheGuaranteesCannotBeOverridden() {
        Map<String, Object> props = minimal();
        props.put("security.protocol", "SASL_SSL");
        props.put("sasl.mechanism", "PLAIN");
        props.put("max.poll.records", "7");
        props.put("consumer.fetch.min.bytes", "1024");
        props.put("producer.linger.ms", "20");
        props.put("isolation.level", "read_uncommitted");
        props.put("enable.auto.commit", "true");
        props.put("allow.auto.create.topics", "true");
        props.put("acks", "1");
        props.put("checkstripe.retain", "5");
        SinkConfig c = new SinkConfig(props);
        Map<String, Object> consumer = c.consumerProperties();
        assertThat(consumer).containsEntry("bootstrap.servers", "k1:9092,k2:9092")
                .containsEntry("security.protocol", "SASL_SSL").containsEntry("sasl.mechanism", "PLAIN")
                .containsEntry("max.poll.records", "7").containsEntry("fetch.min.bytes", "1024")
                .containsEntry("isolation.level", "read_committed").containsEntry("enable.auto.commit", false)
                .containsEntry("auto.offset.reset", "earliest").containsEntry("allow.auto.create.topics", false)
                .containsEntry("max.partition.fetch.bytes", 8 << 20)
                .containsEntry("value.deserializer", ByteArrayDeserializer.class)
                .doesNotContainKeys("linger.ms", "acks", "checkstripe.retain", "producer.linger.ms");
        Map<String, Object> producer = c.producerProperties();
        assertThat(new SinkConfig(minimal()).producerProperties()).as("acknowledgements are sent at once")
                .containsEntry("linger.ms", 0);
        assertThat(producer).containsEntry("security.protocol", "SASL_SSL").containsEntry("linger.ms", "20")
                .containsEntry("acks", "all").containsEntry("enable.idempotence", true)
                .containsEntry("max.request.size", 8 << 20)
                .doesNotContainKeys("max.poll.records", "isolation.level", "fetch.min.bytes", "checkstripe.retain");
    }

    @Test
    void theDefinitionDocumentsEveryKey() {
        assertThat(SinkConfig.configDef().names()).contains(SinkConfig.SERVER_INDEX_CONFIG, SinkConfig.DATA_DIR_CONFIG,
                SinkConfig.HTTP_HOST_CONFIG, SinkConfig.HTTP_PORT_CONFIG, SinkConfig.RETAIN_CONFIG,
                SinkConfig.RETRY_BACKOFF_MS_CONFIG, SinkConfig.RETRY_BACKOFF_MAX_MS_CONFIG,
                SinkConfig.POLL_TIMEOUT_MS_CONFIG, SinkConfig.SCHEMA_REGISTRY_URL_CONFIG, "bootstrap.servers");
        assertThat(SinkConfig.configDef().configKeys().values()).allSatisfy(k -> assertThat(k.documentation).isNotBlank());
    }
}
