package io.checkstripe.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.schemas.TopicNames;
import io.checkstripe.schemas.Topics;
import io.checkstripe.schemas.avro.CheckpointManifest;
import io.checkstripe.schemas.avro.StripeUnit;
import io.checkstripe.striper.StriperApp;
import io.checkstripe.striper.StriperConfig;
import io.checkstripe.testkit.KafkaClusterExtension;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.streams.KafkaStreams;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint's policy on real brokers: one striper (RS-3-2 by default; RS-6-3, MIRROR-3 and RS-10-4 allowed;
 * 9 servers) refuses what it does not allow or cannot place, a publisher waiting for protection learns it at
 * once, and the striper goes on serving.
 */
@Tag("integration")
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class PolicyIntegrationTest {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = KafkaClusterExtension.withBrokers(1);

    private static final String PREFIX = "policy.";
    private static final int SERVERS = 9;
    private static final int SEGMENT = 32 * 1024;
    /** Far longer than a refusal may take, so a publish that merely timed out fails the test. */
    private static final long PROTECT_TIMEOUT_MS = 120_000;

    @TempDir
    static Path stateDir;

    private static StriperApp striper;

    @BeforeAll
    static void startStriper() {
        TopicContents.createTopics(KAFKA, TopicNames.defaults().withPrefix(PREFIX), SERVERS);
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", KAFKA.bootstrapServers());
        props.put(StriperConfig.POLICY_CONFIG, "RS-3-2");
        props.put(StriperConfig.ALLOWED_POLICIES_CONFIG, "RS-3-2,RS-6-3,MIRROR-3,RS-10-4");
        props.put(StriperConfig.SERVERS_CONFIG, SERVERS);
        props.put(StriperConfig.TOPIC_PREFIX_CONFIG, PREFIX);
        props.put("application.id", "policy-striper");
        props.put("state.dir", stateDir.toString());
        striper = new StriperApp(new StriperConfig(props));
        striper.start();
        Awaitility.await("striper running").atMost(Duration.ofSeconds(60))
                .until(() -> striper.state() == KafkaStreams.State.RUNNING);
    }

    @AfterAll
    static void stopStriper() {
        if (striper != null) {
            striper.close();
        }
    }

    private static Map<String, Object> props(Object... keyValues) {
        Map<String, Object> props = new HashMap<>();
        props.put(PublisherConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(PublisherConfig.TOPIC_PREFIX_CONFIG, PREFIX);
        props.put(PublisherConfig.SEGMENT_BYTES_CONFIG, SEGMENT);
        props.put(PublisherConfig.PROTECT_TIMEOUT_MS_CONFIG, PROTECT_TIMEOUT_MS);
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put((String) keyValues[i], keyValues[i + 1]);
        }
        return props;
    }

    private static ByteArrayInputStream data(long seed) {
        byte[] bytes = new byte[2 * SEGMENT + 100];
        new Random(seed).nextBytes(bytes);
        return new ByteArrayInputStream(bytes);
    }

    private static Topics topics() {
        return new PublisherConfig(props()).topics();
    }

    /** The manifests of {@code app} on the manifests topic. */
    private static List<CheckpointManifest> manifests(String app) {
        Topics topics = topics();
        return TopicContents.committed(KAFKA, topics.names().manifests()).stream()
                .map(r -> topics.manifests().valueSerde().deserializer().deserialize(r.topic(), r.value()))
                .filter(m -> m.getAppId().equals(app)).toList();
    }

    @Test
    void aPolicyTheStriperDoesNotAllowFailsTheWaitAtOnceAndTheStriperGoesOn() throws Exception {
        long start = System.nanoTime();
        try (CheckpointPublisher publisher = new CheckpointPublisher(props())) {
            assertThatThrownBy(() -> publisher.publish(PublishRequest.of("greedy").withPolicy("RS-4-2")
                    .withWaitProtected(true), data(1)))
                    .isInstanceOfSatisfying(CheckpointRejectedException.class, e -> {
                        assertThat(e.reason()).isEqualTo("policy-not-allowed");
                        assertThat(e.checkpointId()).isEqualTo(1);
                        assertThat(e.committedResult()).isPresent();
                        assertThat(e.detail()).contains("asks for policy RS-4-2, which is not among the allowed "
                                + "policies [RS-3-2, RS-6-3, MIRROR-3, RS-10-4]");
                    })
                    .hasMessageStartingWith("committed, but checkpoint 1 of application greedy was refused "
                            + "(policy-not-allowed): ");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(PROTECT_TIMEOUT_MS / 2));

            publisher.publish(PublishRequest.of("greedy").withPolicy("RS-6-3"), data(2));
        }
        Awaitility.await("the next checkpoint striped with RS-6-3").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500)).until(() -> !manifests("greedy").isEmpty());
        assertThat(manifests("greedy")).singleElement().satisfies(m -> {
            assertThat(m.getCheckpointId()).isEqualTo(2);
            assertThat(m.getPolicy()).isEqualTo("RS-6-3");
        });
        assertThat(striper.state()).isEqualTo(KafkaStreams.State.RUNNING);
    }

    @Test
    void aPolicyNeedingMoreServersIsRefusedBeforeSendingWhenThePartitionsAreVisible() throws Exception {
        int before = TopicContents.committed(KAFKA, topics().names().checkpoints()).size();
        try (CheckpointPublisher publisher = new CheckpointPublisher(props())) {
            assertThatThrownBy(() -> publisher.publish(PublishRequest.of("wide").withPolicy("RS-10-4")
                    .withWaitProtected(true), data(3)))
                    .isInstanceOfSatisfying(CheckpointRejectedException.class, e -> {
                        assertThat(e.reason()).isEqualTo("too-few-servers");
                        assertThat(e.committedResult()).isEmpty();
                    })
                    .hasMessageContaining("needs at least 14 servers, got 9 (the partitions of topic policy.stripes)")
                    .hasMessageEndingWith("nothing was sent");
        }
        assertThat(TopicContents.uncommitted(KAFKA, topics().names().checkpoints())).as("nothing sent").hasSize(before);
    }

    @Test
    void aPolicyNeedingMoreServersIsRefusedByTheStriperWhenThePublisherCannotSeeThePartitions() {
        // The publisher looks for the stripes topic under another name, so only the striper knows N.
        try (CheckpointPublisher publisher = new CheckpointPublisher(props(PublisherConfig.TOPIC_STRIPES_CONFIG,
                "not-visible-stripes"))) {
            assertThatThrownBy(() -> publisher.publish(PublishRequest.of("blind").withPolicy("RS-10-4")
                    .withWaitProtected(true), data(4)))
                    .isInstanceOfSatisfying(CheckpointRejectedException.class, e -> {
                        assertThat(e.reason()).isEqualTo("too-few-servers");
                        assertThat(e.detail()).contains("needs at least 14 servers, got 9");
                        assertThat(e.committedResult()).isPresent();
                    });
        }
    }

    @Test
    void localStripingFormsTheStripesOfTheRequestedPolicyAndRefusesOthersBeforeSending() throws Exception {
        Map<String, Object> local = props(PublisherConfig.STRIPE_LOCALLY_CONFIG, true, PublisherConfig.POLICY_CONFIG,
                "RS-3-2", PublisherConfig.SERVERS_CONFIG, SERVERS, PublisherConfig.ALLOWED_POLICIES_CONFIG,
                "RS-3-2,MIRROR-3");
        try (CheckpointPublisher publisher = new CheckpointPublisher(local)) {
            publisher.publish(PublishRequest.of("mirrored").withPolicy("MIRROR-3"), data(5));
            assertThatThrownBy(() -> publisher.publish(PublishRequest.of("mirrored").withPolicy("RS-6-3"), data(6)))
                    .isInstanceOfSatisfying(CheckpointRejectedException.class,
                            e -> assertThat(e.reason()).isEqualTo("policy-not-allowed"))
                    .hasMessageContaining("asks for policy RS-6-3, which is not among the allowed policies "
                            + "[RS-3-2, MIRROR-3]; nothing was sent");
        }
        Topics topics = topics();
        List<SpecificRecord> written = TopicContents.committed(KAFKA, topics.names().stripes()).stream()
                .map(r -> topics.stripes().valueSerde().deserializer().deserialize(r.topic(), r.value()))
                .filter(v -> v instanceof StripeUnit u ? u.getAppId().equals("mirrored")
                        : ((CheckpointManifest) v).getAppId().equals("mirrored"))
                .toList();
        assertThat(written).filteredOn(StripeUnit.class::isInstance).hasSize(3 * 3)
                .allSatisfy(u -> assertThat(((StripeUnit) u).getPolicy()).isEqualTo("MIRROR-3"));
        assertThat(written).filteredOn(CheckpointManifest.class::isInstance).hasSize(SERVERS)
                .allSatisfy(m -> assertThat(((CheckpointManifest) m).getPolicy()).isEqualTo("MIRROR-3"));
    }
}
