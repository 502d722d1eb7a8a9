package io.checkstripe.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.schemas.CheckpointKey;
import io.checkstripe.schemas.TopicNames;
import io.checkstripe.schemas.TopicProvisioner;
import io.checkstripe.schemas.Topics;
import io.checkstripe.schemas.avro.CheckpointCommit;
import io.checkstripe.schemas.avro.CheckpointManifest;
import io.checkstripe.schemas.avro.CheckpointSegment;
import io.checkstripe.testkit.KafkaClusterExtension;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.LongStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.StringSerializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Publishing against a real broker: transactions, ids, failures and an unreachable cluster. */
@Tag("integration")
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class CheckpointPublisherIntegrationTest {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = KafkaClusterExtension.withBrokers(1);

    private static final AtomicInteger TOPIC_SET = new AtomicInteger();
    private static final int SEGMENT = 64 * 1024;

    /** Topics of their own for one test, created as the striper creates them. */
    private static TopicNames freshTopics() {
        TopicNames names = TopicNames.defaults().withPrefix("pub" + TOPIC_SET.incrementAndGet() + ".");
        TopicContents.createTopics(KAFKA, names, 3);
        return names;
    }

    private static Map<String, Object> props(TopicNames names, Object... keyValues) {
        Map<String, Object> props = new HashMap<>();
        props.put(PublisherConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrapServers());
        props.put(PublisherConfig.TOPIC_PREFIX_CONFIG, names.checkpoints().substring(0, names.checkpoints().indexOf('.') + 1));
        props.put(PublisherConfig.SEGMENT_BYTES_CONFIG, SEGMENT);
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put((String) keyValues[i], keyValues[i + 1]);
        }
        return props;
    }

    private static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static String sha256(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }

    private static List<SpecificRecord> checkpointRecords(TopicNames names) {
        Topics topics = new PublisherConfig(props(names)).topics();
        List<SpecificRecord> values = new ArrayList<>();
        for (ConsumerRecord<String, byte[]> record : TopicContents.committed(KAFKA, names.checkpoints())) {
            values.add(topics.checkpoints().valueSerde().deserializer().deserialize(record.topic(), record.value()));
        }
        return values;
    }

    private static List<CheckpointCommit> commits(TopicNames names) {
        return checkpointRecords(names).stream().filter(CheckpointCommit.class::isInstance)
                .map(CheckpointCommit.class::cast).toList();
    }

    @Test
    void aFewMebibytesComeBackCommittedInOrderWithTheirCommit(@TempDir Path dir) throws Exception {
        TopicNames names = freshTopics();
        byte[] data = random(3 * 1024 * 1024 + 12_345, 1);
        Path file = dir.resolve("checkpoint.bin");
        Files.write(file, data);
        long before = System.currentTimeMillis();

        PublishResult result;
        try (CheckpointPublisher publisher = new CheckpointPublisher(props(names))) {
            result = publisher.publish(PublishRequest.of("orders").withMetadata(Map.of("version", "4.2")), file);
        }

        int segments = (data.length + SEGMENT - 1) / SEGMENT;
        assertThat(result.appId()).isEqualTo("orders");
        assertThat(result.checkpointId()).isEqualTo(1);
        assertThat(result.segments()).isEqualTo(segments);
        assertThat(result.totalBytes()).isEqualTo(data.length);
        assertThat(result.sha256()).isEqualTo(sha256(data));
        assertThat(result.timeToProtected()).isEmpty();

        List<ConsumerRecord<String, byte[]>> raw = TopicContents.committed(KAFKA, names.checkpoints());
        assertThat(raw).hasSize(segments + 1).allMatch(r -> r.key().equals("orders"))
                .extracting(ConsumerRecord::partition).containsOnly(raw.get(0).partition());
        List<SpecificRecord> records = checkpointRecords(names);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        for (int i = 0; i < segments; i++) {
            CheckpointSegment segment = (CheckpointSegment) records.get(i);
            assertThat(segment.getAppId()).isEqualTo("orders");
            assertThat(segment.getCheckpointId()).isEqualTo(1);
            assertThat(segment.getSegmentIndex()).isEqualTo(i);
            assertThat(segment.getOffset()).isEqualTo((long) i * SEGMENT);
            ByteBuffer bytes = segment.getData();
            joined.write(bytes.array(), bytes.arrayOffset() + bytes.position(), bytes.remaining());
        }
        assertThat(joined.toByteArray()).isEqualTo(data);
        CheckpointCommit commit = (CheckpointCommit) records.get(segments);
        assertThat(commit.getAppId()).isEqualTo("orders");
        assertThat(commit.getCheckpointId()).isEqualTo(1);
        assertThat(commit.getSegmentCount()).isEqualTo(segments);
        assertThat(commit.getTotalBytes()).isEqualTo(data.length);
        assertThat(commit.getSegmentSize()).isEqualTo(SEGMENT);
        assertThat(HexFormat.of().formatHex(commit.getSha256().array())).isEqualTo(sha256(data));
        assertThat(commit.getCreatedAt()).isBetween(before, System.currentTimeMillis());
        assertThat(commit.getMetadata()).containsExactly(Map.entry("version", "4.2"));
    }

    @Test
    void anEmptyCheckpointIsACommitAlone() throws Exception {
        TopicNames names = freshTopics();

        PublishResult result;
        try (CheckpointPublisher publisher = new CheckpointPublisher(props(names))) {
            result = publisher.publish(PublishRequest.of("empty"), InputStream.nullInputStream());
        }

        assertThat(result.segments()).isZero();
        assertThat(result.totalBytes()).isZero();
        assertThat(result.sha256()).isEqualTo(sha256(new byte[0]));
        List<SpecificRecord> records = checkpointRecords(names);
        assertThat(records).hasSize(1);
        CheckpointCommit commit = (CheckpointCommit) records.get(0);
        assertThat(commit.getSegmentCount()).isZero();
        assertThat(commit.getTotalBytes()).isZero();
        assertThat(HexFormat.of().formatHex(commit.getSha256().array())).isEqualTo(sha256(new byte[0]));
    }

    @Test
    void aPublishFailingMidwayLeavesNothingCommittedAndTheNextOneSucceeds() throws Exception {
        TopicNames names = freshTopics();
        byte[] data = random(10 * SEGMENT, 2);
        // Serves three segments and, once they have reached the broker, fails like a disk would.
        InputStream failing = new InputStream() {
            private final InputStream in = new ByteArrayInputStream(data, 0, 3 * SEGMENT);

            @Override
            public int read() throws IOException {
                throw new UnsupportedOperationException("bulk reads only");
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n < 0) {
                    Awaitility.await("three segments in the log").atMost(Duration.ofSeconds(30))
                            .until(() -> TopicContents.uncommitted(KAFKA, names.checkpoints()).size() == 3);
                    throw new IOException("read error after three segments");
                }
                return n;
            }
        };

        try (CheckpointPublisher publisher = new CheckpointPublisher(props(names))) {
            assertThatThrownBy(() -> publisher.publish(PublishRequest.of("flaky"), failing))
                    .isInstanceOf(IOException.class).hasMessage("read error after three segments");

            assertThat(TopicContents.uncommitted(KAFKA, names.checkpoints()))
                    .as("the aborted segments were sent").hasSize(3);
            assertThat(TopicContents.committed(KAFKA, names.checkpoints())).as("but are not visible").isEmpty();
            assertThat(publisher.newestCommitted("flaky")).isEmpty();

            PublishResult next = publisher.publish(PublishRequest.of("flaky"), new ByteArrayInputStream(data));

            assertThat(next.checkpointId()).as("the aborted checkpoint used no id").isEqualTo(1);
            assertThat(next.segments()).isEqualTo(10);
        }
        assertThat(commits(names)).singleElement()
                .satisfies(c -> assertThat(c.getSegmentCount()).isEqualTo(10));
        assertThat(checkpointRecords(names)).hasSize(11);
    }

    @Test
    void aStalledPublishIsFencedAndAbortedByTheNextPublishOfTheSameApp() throws Exception {
        TopicNames names = freshTopics();
        CountDownLatch stalled = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        // Two segments, then hangs as a publisher whose process froze or was killed.
        InputStream hanging = new InputStream() {
            private final InputStream in = new ByteArrayInputStream(random(2 * SEGMENT, 3));

            @Override
            public int read() {
                throw new UnsupportedOperationException("bulk reads only");
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                int n = in.read(b, off, len);
                if (n < 0) {
                    stalled.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return n;
            }
        };
        try (CheckpointPublisher first = new CheckpointPublisher(props(names));
             CheckpointPublisher second = new CheckpointPublisher(props(names))) {
            CompletableFuture<PublishResult> zombie = CompletableFuture.supplyAsync(() -> {
                try {
                    return first.publish(PublishRequest.of("twin"), hanging);
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertThat(stalled.await(60, TimeUnit.SECONDS)).isTrue();

            PublishResult result = second.publish(PublishRequest.of("twin"), new ByteArrayInputStream(new byte[100]));
            release.countDown();

            assertThat(result.checkpointId()).isEqualTo(1);
            assertThat(commits(names)).singleElement()
                    .satisfies(c -> assertThat(c.getTotalBytes()).isEqualTo(100));
            assertThat(checkpointRecords(names)).as("no segment of the fenced publish").hasSize(2);
            assertThatThrownBy(() -> zombie.get(60, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(KafkaException.class)
                    .cause().hasMessageContaining("fenced");
        }
    }

    @Test
    void defaultIdsIncreaseAcrossPublishersAndFollowTheNewestManifest() throws Exception {
        TopicNames names = freshTopics();
        Map<String, Object> props = props(names);
        try (CheckpointPublisher publisher = new CheckpointPublisher(props)) {
            assertThat(publisher.publish(PublishRequest.of("ids"), new ByteArrayInputStream(new byte[10]))
                    .checkpointId()).isEqualTo(1);
            assertThat(publisher.publish(PublishRequest.of("ids"), new ByteArrayInputStream(new byte[10]))
                    .checkpointId()).isEqualTo(2);
        }
        try (CheckpointPublisher another = new CheckpointPublisher(props)) {
            assertThat(another.newestCommitted("ids")).hasValue(2);
            assertThat(another.publish(PublishRequest.of("ids"), new ByteArrayInputStream(new byte[10]))
                    .checkpointId()).as("a new publisher reads the bookkeeping offsets").isEqualTo(3);

            // The striper has striped checkpoint 10 of this application, published by other means.
            writeManifest(names, "ids", 10);
            writeManifest(names, "other-app", 50);

            assertThat(another.newestCommitted("ids")).hasValue(10);
            assertThat(another.publish(PublishRequest.of("ids"), new ByteArrayInputStream(new byte[10]))
                    .checkpointId()).isEqualTo(11);
            assertThat(another.newestCommitted("never-published")).isEmpty();
        }
        // A publisher with another transactional id prefix has no bookkeeping of its own: the manifests alone count.
        Map<String, Object> otherPrefix = new HashMap<>(props);
        otherPrefix.put(PublisherConfig.TRANSACTIONAL_ID_PREFIX_CONFIG, "elsewhere-");
        try (CheckpointPublisher stranger = new CheckpointPublisher(otherPrefix)) {
            assertThat(stranger.newestCommitted("ids")).hasValue(10);
        }
        assertThat(commits(names)).extracting(CheckpointCommit::getCheckpointId).containsExactly(1L, 2L, 3L, 11L);
    }

    @Test
    void backToBackPublishesGetConsecutiveIds() throws Exception {
        TopicNames names = freshTopics();
        List<Long> ids = new ArrayList<>();
        try (CheckpointPublisher publisher = new CheckpointPublisher(props(names))) {
            for (int i = 0; i < 20; i++) {
                ids.add(publisher.publish(PublishRequest.of("rapid"), new ByteArrayInputStream(new byte[i])).checkpointId());
            }
        }
        assertThat(ids).isEqualTo(LongStream.rangeClosed(1, 20).boxed().toList());
    }

    private static void writeManifest(TopicNames names, String appId, long checkpointId) throws Exception {
        Topics topics = new PublisherConfig(props(names)).topics();
        CheckpointManifest manifest = new CheckpointManifest(1, appId, checkpointId, "RS-3-2", 5, 0, SEGMENT, 0L,
                ByteBuffer.wrap(MessageDigest.getInstance("SHA-256").digest()), System.currentTimeMillis(), Map.of());
        try (KafkaProducer<String, CheckpointManifest> producer = new KafkaProducer<>(KAFKA.producerProps(),
                new StringSerializer(), topics.manifests().valueSerde().serializer())) {
            producer.send(new ProducerRecord<>(names.manifests(), new CheckpointKey(appId, checkpointId).toString(),
                    manifest)).get(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void anExplicitIdThatIsNotNewerIsRefusedNamingBothIds() throws Exception {
        TopicNames names = freshTopics();
        try (CheckpointPublisher publisher = new CheckpointPublisher(props(names))) {
            publisher.publish(PublishRequest.of("explicit").withCheckpointId(5), new ByteArrayInputStream(new byte[1]));

            for (long stale : new long[] {5, 3}) {
                assertThatThrownBy(() -> publisher.publish(PublishRequest.of("explicit").withCheckpointId(stale),
                        new ByteArrayInputStream(new byte[1])))
                        .isInstanceOfSatisfying(CheckpointIdNotNewerException.class, e -> {
                            assertThat(e.requested()).isEqualTo(stale);
                            assertThat(e.newestCommitted()).isEqualTo(5);
                        })
                        .hasMessageContaining("checkpoint id " + stale).hasMessageContaining("checkpoint 5");
            }
            assertThat(publisher.publish(PublishRequest.of("explicit").withCheckpointId(9),
                    new ByteArrayInputStream(new byte[1])).checkpointId()).isEqualTo(9);
            assertThat(publisher.publish(PublishRequest.of("explicit"), new ByteArrayInputStream(new byte[1]))
                    .checkpointId()).isEqualTo(10);
        }
        assertThat(commits(names)).extracting(CheckpointCommit::getCheckpointId).containsExactly(5L, 9L, 10L);
        assertThat(TopicContents.uncommitted(KAFKA, names.checkpoints()))
                .as("the refused publishes sent nothing, not even aborted records").hasSize(3 * 2);
    }

    @Test
    void invalidAppIdsAreRefusedBeforeAnythingIsSent() {
        TopicNames names = freshTopics();
        try (CheckpointPublisher publisher = new CheckpointPublisher(props(names))) {
            for (String bad : new String[] {"..", "a/b", "", "spaced out", "x".repeat(129), "caf\u00e9"}) {
                assertThatThrownBy(() -> publisher.publish(PublishRequest.of(bad), new ByteArrayInputStream(new byte[5])))
                        .as("app id %s", bad)
                        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("invalid application id");
                assertThatThrownBy(() -> publisher.newestCommitted(bad)).isInstanceOf(IllegalArgumentException.class);
            }
        }
        assertThat(TopicContents.uncommitted(KAFKA, names.checkpoints())).isEmpty();
    }

    @Test
    void aSegmentTooLargeForTheTopicIsRefusedBeforeSending() throws Exception {
        TopicNames names = TopicNames.defaults().withPrefix("small.");
        // A checkpoints topic with Kafka's default message size limit (about 1 MiB).
        KAFKA.createTopic(names.checkpoints(), 1, 1);
        Map<String, Object> props = props(names, PublisherConfig.SEGMENT_BYTES_CONFIG, 1 << 20);

        try (CheckpointPublisher publisher = new CheckpointPublisher(props)) {
            assertThatThrownBy(() -> publisher.publish(PublishRequest.of("big"), new ByteArrayInputStream(new byte[10])))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("topic small.checkpoints accepts at most")
                    .hasMessageContaining("max.message.bytes");
        }
        assertThat(TopicContents.uncommitted(KAFKA, names.checkpoints())).isEmpty();
    }

    @Test
    void aMissingTopicIsReportedByName() {
        TopicNames names = TopicNames.defaults().withPrefix("absent.");
        try (CheckpointPublisher publisher = new CheckpointPublisher(props(names))) {
            assertThatThrownBy(() -> publisher.publish(PublishRequest.of("lost"), new ByteArrayInputStream(new byte[1])))
                    .isInstanceOf(TopicProvisioner.TopicMismatchException.class)
                    .hasMessageContaining("absent.checkpoints does not exist");
        }
    }

    @Test
    void anUnreachableClusterFailsWithTheDistinctExceptionInBoundedTime() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        for (String bootstrap : new String[] {"localhost:" + closedPort, "no-such-host.invalid:9092"}) {
            Map<String, Object> props = new HashMap<>();
            props.put(PublisherConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
            props.put(PublisherConfig.KAFKA_TIMEOUT_MS_CONFIG, 2000);
            long start = System.nanoTime();

            assertThatThrownBy(() -> {
                try (CheckpointPublisher publisher = new CheckpointPublisher(props)) {
                    publisher.publish(PublishRequest.of("offline"), new ByteArrayInputStream(new byte[1]));
                }
            }).as(bootstrap).isInstanceOfSatisfying(KafkaUnavailableException.class,
                    e -> assertThat(e.bootstrapServers()).isEqualTo(bootstrap))
                    .hasMessageContaining(bootstrap);

            assertThat(Duration.ofNanos(System.nanoTime() - start)).as(bootstrap).isLessThan(Duration.ofSeconds(15));
        }
    }

    @Test
    void newestCommittedWithoutAnyCheckpointIsEmpty() {
        TopicNames names = freshTopics();
        try (CheckpointPublisher publisher = new CheckpointPublisher(props(names))) {
            assertThat(publisher.newestCommitted("nobody")).isEqualTo(OptionalLong.empty());
        }
    }
}
