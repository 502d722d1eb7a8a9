package io.checkstripe.striper;

import static io.checkstripe.striping.Checkpoints.commitOf;
import static io.checkstripe.striping.Checkpoints.randomBytes;
import static io.checkstripe.striping.Checkpoints.segments;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.schemas.Topics;
import io.checkstripe.schemas.avro.CheckpointCommit;
import io.checkstripe.schemas.avro.CheckpointManifest;
import io.checkstripe.schemas.avro.CheckpointSegment;
import io.checkstripe.schemas.avro.StripeUnit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one striper does with checkpoints that each name a policy, under {@link TopologyTestDriver}: RS-3-2 by
 * default, RS-6-3, MIRROR-3 and RS-10-4 allowed, over 9 servers (so RS-10-4 needs more than there are).
 */
class StriperPolicyTopologyTest {

    private static final int SERVERS = 9;
    private static final int SEGMENT = 600;

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private TestInputTopic<String, SpecificRecord> checkpoints;
    private TestOutputTopic<String, SpecificRecord> stripes;
    private TestOutputTopic<String, CheckpointManifest> manifests;
    private TestOutputTopic<byte[], byte[]> deadLetters;

    @BeforeEach
    void start() {
        Map<String, Object> props = new HashMap<>();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StriperConfig.POLICY_CONFIG, "RS-3-2");
        props.put(StriperConfig.ALLOWED_POLICIES_CONFIG, "RS-3-2,rs-6-3,MIRROR-3,RS-10-4");
        props.put(StriperConfig.SERVERS_CONFIG, SERVERS);
        props.put(StriperConfig.SCHEMA_REGISTRY_URL_CONFIG, "mock://striper-policy-" + UUID.randomUUID());
        StriperConfig config = new StriperConfig(props);
        Topics topics = config.topics();
        Properties streamsProps = config.streamsProperties();
        streamsProps.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(StriperTopology.buildTopology(config), streamsProps);
        checkpoints = driver.createInputTopic(topics.names().checkpoints(), new StringSerializer(),
                topics.checkpoints().valueSerde().serializer());
        stripes = driver.createOutputTopic(topics.names().stripes(), new StringDeserializer(),
                topics.stripes().valueSerde().deserializer());
        manifests = driver.createOutputTopic(topics.names().manifests(), new StringDeserializer(),
                topics.manifests().valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(topics.names().deadLetters(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
    }

    @AfterEach
    void close() {
        driver.close();
    }

    @Test
    void eachCheckpointIsStripedWithItsOwnPolicyAndItsManifestSaysWhich() {
        Map<String, Integer> cellsPerStripe = Map.of("RS-3-2", 5, "RS-6-3", 9, "MIRROR-3", 3);
        int checked = 0;
        for (String requested : new String[] {null, "rs-6-3", "MIRROR-3"}) {
            String app = "app-" + checked;
            int segments = publish(app, 1, requested, 3);
            String policy = requested == null ? "RS-3-2" : requested.toUpperCase();

            List<SpecificRecord> out = stripes.readValuesToList();
            List<StripeUnit> units = out.stream().filter(StripeUnit.class::isInstance).map(StripeUnit.class::cast)
                    .toList();
            assertThat(units).hasSize(segments * cellsPerStripe.get(policy))
                    .allSatisfy(unit -> assertThat(unit.getPolicy()).isEqualTo(policy));
            CheckpointManifest manifest = manifests.readValue();
            assertThat(manifest.getPolicy()).isEqualTo(policy);
            assertThat(manifest.getServers()).isEqualTo(SERVERS);
            checked++;
        }
        assertThat(checked).isEqualTo(3);
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void everyRecordOfACheckpointAskingForAPolicyNotAllowedIsRefusedAndOthersGoOn() {
        int records = publish("greedy", 1, "RS-4-2", 2) + 1;

        List<TestRecord<byte[], byte[]>> letters = deadLetters.readRecordsToList();
        assertThat(letters).hasSize(records).allSatisfy(letter -> {
            assertThat(header(letter, Topics.DLQ_REASON_HEADER)).isEqualTo("policy-not-allowed");
            assertThat(header(letter, Topics.DLQ_POLICY_HEADER)).isEqualTo("RS-4-2");
            assertThat(header(letter, Topics.DLQ_ALLOWED_POLICIES_HEADER)).isEqualTo("RS-3-2,RS-6-3,MIRROR-3,RS-10-4");
            assertThat(header(letter, Topics.DLQ_EXCEPTION_HEADER))
                    .contains("application greedy checkpoint 1").contains("asks for policy RS-4-2");
        });
        assertThat(stripes.isEmpty()).isTrue();
        assertThat(progress("greedy")).isNull();

        publish("greedy", 2, "RS-6-3", 2);
        assertThat(manifests.readValue().getPolicy()).as("the application's next checkpoint").isEqualTo("RS-6-3");
        publish("other", 1, null, 1);
        assertThat(manifests.readValue().getPolicy()).isEqualTo("RS-3-2");
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void aCheckpointNeedingMoreServersThanThereAreIsRefusedNamingBoth() {
        int records = publish("wide", 1, "RS-10-4", 2) + 1;

        List<TestRecord<byte[], byte[]>> letters = deadLetters.readRecordsToList();
        assertThat(letters).hasSize(records).allSatisfy(letter -> {
            assertThat(header(letter, Topics.DLQ_REASON_HEADER)).isEqualTo("too-few-servers");
            assertThat(header(letter, Topics.DLQ_POLICY_HEADER)).isEqualTo("RS-10-4");
            assertThat(header(letter, Topics.DLQ_SERVERS_HEADER)).isEqualTo("9");
            assertThat(header(letter, Topics.DLQ_EXCEPTION_HEADER)).contains("needs at least 14 servers, got 9");
        });
        assertThat(stripes.isEmpty()).isTrue();
    }

    @Test
    void aSegmentOrCommitNamingAnotherPolicyThanSegmentZeroIsRefused() {
        byte[] data = randomBytes(5, SEGMENT * 3);
        List<CheckpointSegment> parts = segments("mixed", 1, data, SEGMENT);
        parts.forEach(s -> s.setPolicy("RS-6-3"));
        parts.get(1).setPolicy("MIRROR-3");
        checkpoints.pipeInput("mixed", parts.get(0));
        checkpoints.pipeInput("mixed", parts.get(1));
        assertThat(header(deadLetters.readRecord(), Topics.DLQ_REASON_HEADER)).isEqualTo("policy-mismatch");

        parts.get(1).setPolicy("RS-6-3");
        parts.subList(1, 3).forEach(s -> checkpoints.pipeInput("mixed", s));
        CheckpointCommit commit = commitOf("mixed", 1, data, SEGMENT);
        checkpoints.pipeInput("mixed", commit);
        assertThat(header(deadLetters.readRecord(), Topics.DLQ_REASON_HEADER)).as("a commit without the policy")
                .isEqualTo("policy-mismatch");

        commit.setPolicy("rs-6-3");
        checkpoints.pipeInput("mixed", commit);
        assertThat(manifests.readValue().getPolicy()).isEqualTo("RS-6-3");
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void theDefaultPolicyMustBeAllowed() {
        Map<String, Object> props = new HashMap<>();
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StriperConfig.POLICY_CONFIG, "RS-3-2");
        props.put(StriperConfig.ALLOWED_POLICIES_CONFIG, "RS-6-3,MIRROR-3");
        props.put(StriperConfig.SERVERS_CONFIG, SERVERS);
        assertThatThrownBy(() -> new StriperConfig(props))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(StriperConfig.ALLOWED_POLICIES_CONFIG)
                .hasMessageContaining("the default policy RS-3-2 must be among the allowed policies [RS-6-3, MIRROR-3]");
    }

    /** Publishes {@code segmentCount} segments and the commit, all naming {@code policy}; returns the segments. */
    private int publish(String app, long checkpointId, String policy, int segmentCount) {
        byte[] data = randomBytes(checkpointId, SEGMENT * segmentCount - 7);
        List<CheckpointSegment> parts = segments(app, checkpointId, data, SEGMENT);
        parts.forEach(segment -> {
            segment.setPolicy(policy);
            checkpoints.pipeInput(app, segment);
        });
        CheckpointCommit commit = commitOf(app, checkpointId, data, SEGMENT);
        commit.setPolicy(policy);
        checkpoints.pipeInput(app, commit);
        return parts.size();
    }

    private AppProgress progress(String app) {
        return driver.<String, AppProgress>getKeyValueStore(StriperTopology.PROGRESS_STORE).get(app);
    }

    private static String header(TestRecord<byte[], byte[]> letter, String name) {
        return Optional.ofNullable(letter.headers().lastHeader(name)).map(Header::value)
                .map(v -> new String(v, StandardCharsets.UTF_8)).orElse(null);
    }
}
