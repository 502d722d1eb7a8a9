package io.checkstripe.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.schemas.CommonConfigs.TopicKey;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommonConfigsTest {

    private static AbstractConfig config(Set<TopicKey> topics, Object... keyValues) {
        ConfigDef def = CommonConfigs.addSchemaRegistry(CommonConfigs.addTopicConfigs(new ConfigDef(), topics))
                .define("bootstrap.servers", ConfigDef.Type.LIST, ConfigDef.Importance.HIGH, "brokers");
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", "k1:9092, k2:9092");
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put((String) keyValues[i], keyValues[i + 1]);
        }
        return new AbstractConfig(def, props, false);
    }

    @Test
    void definesThePrefixAndTheChosenTopicsOnlyEachDocumented() {
        ConfigDef def = CommonConfigs.addTopicConfigs(new ConfigDef(), EnumSet.of(TopicKey.STRIPES,
                TopicKey.DEAD_LETTERS));

        assertThat(def.names()).containsExactlyInAnyOrder("checkstripe.topic.prefix", "checkstripe.topic.stripes",
                "checkstripe.topic.dlq");
        assertThat(def.configKeys().values()).allSatisfy(key -> {
            assertThat(key.documentation).as(key.name).isNotBlank();
            assertThat(key.defaultValue).as(key.name).isEqualTo("");
        });
        assertThat(EnumSet.allOf(TopicKey.class)).extracting(TopicKey::key).containsExactly(
                "checkstripe.topic.checkpoints", "checkstripe.topic.stripes", "checkstripe.topic.manifests",
                "checkstripe.topic.acks", "checkstripe.topic.dlq");
    }

    @Test
    void topicNamesArePrefixedDefaultsWithIndividualNamesAsGiven() {
        assertThat(CommonConfigs.topicNames(config(EnumSet.allOf(TopicKey.class))))
                .isEqualTo(TopicNames.defaults());

        AbstractConfig config = config(EnumSet.allOf(TopicKey.class), "checkstripe.topic.prefix", "prod.",
                "checkstripe.topic.stripes", "cells", "checkstripe.topic.dlq", "shared-dlq");

        assertThat(CommonConfigs.topicNames(config)).isEqualTo(new TopicNames("prod.checkpoints", "cells",
                "prod.checkpoint-manifests", "prod.checkpoint-acks", "shared-dlq"));
    }

    @Test
    void aTopicKeyTheProgramDoesNotDefineIsIgnored() {
        AbstractConfig config = config(EnumSet.of(TopicKey.STRIPES), "checkstripe.topic.stripes", "cells",
                "checkstripe.topic.dlq", "not/used");

        assertThat(CommonConfigs.topicNames(config)).isEqualTo(TopicNames.defaults().withStripes("cells"));
    }

    @Test
    void badOrRepeatedTopicNamesAreAConfigExceptionNamingTheKeys() {
        assertThatThrownBy(() -> CommonConfigs.topicNames(config(EnumSet.allOf(TopicKey.class),
                "checkstripe.topic.manifests", "no/slash")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("checkstripe.topic.prefix").hasMessageContaining("no/slash");
        assertThatThrownBy(() -> CommonConfigs.topicNames(config(EnumSet.allOf(TopicKey.class),
                "checkstripe.topic.checkpoints", "stripes")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("\"stripes\"");
    }

    @Test
    void maxMessageBytesDefaultsToWhatTheProvisionerCreatesAndIsAtLeastOneMebibyte() {
        ConfigDef def = CommonConfigs.addMaxMessageBytes(new ConfigDef());

        assertThat(new AbstractConfig(def, Map.of()).getInt("checkstripe.topic.max.message.bytes"))
                .isEqualTo(TopicProvisioner.Settings.DEFAULT_MAX_MESSAGE_BYTES);
        assertThat(new AbstractConfig(def, Map.of("checkstripe.topic.max.message.bytes", "1048576"))
                .getInt("checkstripe.topic.max.message.bytes")).isEqualTo(1 << 20);
        assertThatThrownBy(() -> new AbstractConfig(def, Map.of("checkstripe.topic.max.message.bytes", "1048575")))
                .isInstanceOf(ConfigException.class).hasMessageContaining("checkstripe.topic.max.message.bytes");
    }

    @Test
    void schemaRegistryUrlSelectsTheRegistryOrNamesTheKey() {
        assertThat(CommonConfigs.schemaRegistry(config(Set.of()))).isSameAs(InMemorySchemaRegistry.embedded());
        assertThat(CommonConfigs.schemaRegistry(config(Set.of(), "schema.registry.url", "mock://common-configs")))
                .isSameAs(InMemorySchemaRegistry.forScope("common-configs"));
        assertThatThrownBy(() -> CommonConfigs.schemaRegistry(config(Set.of(), "schema.registry.url", "ftp://x")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("schema.registry.url").hasMessageContaining("ftp://x");
    }

    @Test
    void clientPropsTakeKnownKeysThenBootstrapThenThePrefixedOnes() {
        AbstractConfig config = config(Set.of(), "security.protocol", "SSL", "linger.ms", "9",
                "max.poll.records", "7", "producer.linger.ms", "50", "consumer.fetch.min.bytes", "1024",
                "checkstripe.topic.prefix", "prod.");

        Map<String, Object> producer = CommonConfigs.clientProps(config, ProducerConfig.configNames(),
                CommonConfigs.PRODUCER_PREFIX);

        assertThat(producer).containsOnly(Map.entry("bootstrap.servers", "k1:9092,k2:9092"),
                Map.entry("security.protocol", "SSL"), Map.entry("linger.ms", "50"));
        assertThat(CommonConfigs.clientProps(config, ConsumerConfig.configNames(), CommonConfigs.CONSUMER_PREFIX))
                .containsOnly(Map.entry("bootstrap.servers", "k1:9092,k2:9092"),
                        Map.entry("security.protocol", "SSL"), Map.entry("max.poll.records", "7"),
                        Map.entry("fetch.min.bytes", "1024"));
    }

    @Test
    void theAppKeysDirectoryIsNoneUnlessSetAndMustBeADirectory(@TempDir Path dir) throws Exception {
        ConfigDef def = CommonConfigs.addAppKeysDir(new ConfigDef());
        assertThat(CommonConfigs.appKeys(new AbstractConfig(def, Map.of(), false)))
                .hasToString("AppKeyDirectory[none]");
        assertThat(CommonConfigs.appKeys(new AbstractConfig(def, Map.of("checkstripe.app.keys.dir", dir.toString()),
                false))).hasToString("AppKeyDirectory[" + dir + "]");
        Path file = Files.createFile(dir.resolve("app.pub"));
        assertThatThrownBy(() -> CommonConfigs.appKeys(new AbstractConfig(def,
                Map.of("checkstripe.app.keys.dir", file.toString()), false)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("checkstripe.app.keys.dir")
                .hasMessageContaining("is not a directory");
    }
}
