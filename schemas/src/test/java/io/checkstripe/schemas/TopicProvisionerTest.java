package io.checkstripe.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.schemas.TopicProvisioner.Settings;
import io.checkstripe.schemas.TopicProvisioner.TopicMismatchException;
import io.checkstripe.schemas.TopicProvisioner.TopicSpec;
import io.checkstripe.testkit.KafkaClusterExtension;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

@Tag("integration")
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TopicProvisionerTest {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = KafkaClusterExtension.withBrokers(1);

    private static TopicProvisioner provisioner() {
        return new TopicProvisioner(KAFKA.admin(), Duration.ofSeconds(30));
    }

    @Test
    void createsEveryTopicWithItsLayoutOnceAndThenAcceptsThem() throws Exception {
        TopicNames names = TopicNames.defaults().withPrefix("layout.");
        List<TopicSpec> specs = TopicProvisioner.specs(names, 5, Settings.defaults());

        assertThat(provisioner().ensure(specs, true)).containsExactlyElementsOf(names.all());
        assertThat(provisioner().ensure(specs, true)).isEmpty();

        Map<String, TopicDescription> topics = KAFKA.admin().describeTopics(names.all()).allTopicNames()
                .get(30, TimeUnit.SECONDS);
        assertThat(topics.get(names.checkpoints()).partitions()).hasSize(6);
        assertThat(topics.get(names.stripes()).partitions()).hasSize(5);
        assertThat(topics.get(names.manifests()).partitions()).hasSize(1);
        assertThat(topics.get(names.acks()).partitions()).hasSize(1);
        assertThat(topics.get(names.deadLetters()).partitions()).hasSize(1);
        assertThat(config(names.manifests()).get("cleanup.policy").value()).isEqualTo("compact");
        assertThat(config(names.stripes()).get("cleanup.policy").value()).isEqualTo("delete");
        assertThat(config(names.stripes()).get("max.message.bytes").value()).isEqualTo(Integer.toString(8 << 20));
        assertThat(config(names.checkpoints()).get("max.message.bytes").value()).isEqualTo(Integer.toString(8 << 20));
        assertThat(config(names.deadLetters()).get("max.message.bytes").value()).isEqualTo(Integer.toString(8 << 20));
    }

    @Test
    void refusesAStripesTopicWithAnotherPartitionCount() {
        TopicNames names = TopicNames.defaults().withPrefix("wrong-count.");
        KAFKA.createTopic(names.stripes(), 3, 1);
        assertThatThrownBy(() -> provisioner().ensure(TopicProvisioner.specs(names, 5, Settings.defaults()), true))
                .isInstanceOfSatisfying(TopicMismatchException.class,
                        e -> assertThat(e.topic()).isEqualTo(names.stripes()))
                .hasMessageStartingWith("topic wrong-count.stripes has 3 partition(s) but needs exactly 5, one per "
                        + "backup server");
    }

    @Test
    void acceptsACheckpointsTopicWithAnyPartitionCount() {
        TopicNames names = TopicNames.defaults().withPrefix("any-count.");
        KAFKA.createTopic(names.checkpoints(), 2, 1);
        assertThat(provisioner().ensure(TopicProvisioner.specs(names, 3, Settings.defaults()), true))
                .doesNotContain(names.checkpoints())
                .hasSize(4);
    }

    @Test
    void refusesAManifestsTopicThatIsNotCompacted() {
        TopicNames names = TopicNames.defaults().withPrefix("not-compacted.");
        KAFKA.createTopic(names.manifests(), 1, 1);
        assertThatThrownBy(() -> provisioner().ensure(TopicProvisioner.specs(names, 3, Settings.defaults()), true))
                .isInstanceOf(TopicMismatchException.class)
                .hasMessageContaining("has cleanup.policy=delete but needs compact");
    }

    @Test
    void reportsAMissingTopicWhenCreationIsOff() {
        TopicNames names = TopicNames.defaults().withPrefix("no-create.");
        assertThatThrownBy(() -> provisioner().ensure(TopicProvisioner.specs(names, 3, Settings.defaults()), false))
                .isInstanceOf(TopicMismatchException.class)
                .hasMessageContaining("topic no-create.checkpoints does not exist and topic creation is off");
    }

    @Test
    void validatesSettingsAndSpecs() {
        assertThatThrownBy(() -> new Settings(0, 1, 1, (short) 1, 1 << 20))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("checkpoints 0");
        assertThatThrownBy(() -> new Settings(1, 1, 1, (short) 0, 1 << 20))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
        assertThatThrownBy(() -> TopicProvisioner.specs(TopicNames.defaults(), 0, Settings.defaults()))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("servers must be at least 1, got 0");
        assertThat(TopicProvisioner.specs(TopicNames.defaults(), 4, Settings.defaults()))
                .filteredOn(TopicSpec::exactPartitions).extracting(TopicSpec::name).containsExactly("stripes");
    }

    private static Config config(String topic) throws Exception {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        return KAFKA.admin().describeConfigs(List.of(resource)).all().get(30, TimeUnit.SECONDS).get(resource);
    }
}
