package io.checkstripe.striper;

import io.checkstripe.schemas.RejectedRecordException;
import io.checkstripe.striping.Checkpoints;
import io.checkstripe.striping.Sha256State;

import static io.checkstripe.striping.Checkpoints.bytes;
import static io.checkstripe.striping.Checkpoints.commit;
import static io.checkstripe.striping.Checkpoints.commitOf;
import static io.checkstripe.striping.Checkpoints.randomBytes;
import static io.checkstripe.striping.Checkpoints.segment;
import static io.checkstripe.striping.Checkpoints.segments;
import static io.checkstripe.striping.Checkpoints.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.crypto.AppKeyDirectory;
import io.checkstripe.crypto.CommitSignature;
import io.checkstripe.crypto.KeyFile;
import io.checkstripe.crypto.SignedCheckpoint;
import io.checkstripe.schemas.Topics;
import io.checkstripe.schemas.avro.CheckpointCommit;
import io.checkstripe.schemas.avro.CheckpointManifest;
import io.checkstripe.schemas.avro.CheckpointSegment;
import io.checkstripe.schemas.avro.StripeUnit;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The production topology under {@link TopologyTestDriver}, with an isolated in-memory schema
 * registry. The driver keeps no partition on output records (TestRecord has none and it offers
 * one partition per topic), so routing is asserted here through the unit's own fields and the
 * {@link StripesPartitioner}, and on real partitions in {@link StriperIntegrationTest}.
 */
class StriperTopologyTest {

    private static final String APP = "billing-7";
    private static final int POLICY_SERVERS = 9;
    private static final int POLICY_SEGMENT = 600;

    @TempDir
    Path stateDir;

    private TopologyTestDriver driver;
    private StriperConfig config;
    private Topics topics;
    private TestInputTopic<String, SpecificRecord> checkpoints;
    private TestInputTopic<byte[], byte[]> rawCheckpoints;
    private TestOutputTopic<String, SpecificRecord> stripes;
    private TestOutputTopic<String, CheckpointManifest> manifests;
    private TestOutputTopic<byte[], byte[]> deadLetters;
    private long nextOffset;

    @AfterEach
    void closeDriver() {
        if (driver != null) {
            driver.close();
        }
    }

    private void start(String policy, int servers) {
        start(policy, servers, Map.of());
    }

    private void start(String policy, int servers, Map<String, Object> extra) {
        Map<String, Object> props = new HashMap<>(extra);
        props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        props.put(StriperConfig.POLICY_CONFIG, policy);
        props.put(StriperConfig.SERVERS_CONFIG, servers);
        props.put(StriperConfig.SCHEMA_REGISTRY_URL_CONFIG, "mock://striper-topology-" + UUID.randomUUID());
        config = new StriperConfig(props);
        topics = config.topics();
        Properties streamsProps = config.streamsProperties();
        streamsProps.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        driver = new TopologyTestDriver(StriperTopology.buildTopology(config), streamsProps);
        checkpoints = driver.createInputTopic(topics.names().checkpoints(), new StringSerializer(),
                topics.checkpoints().valueSerde().serializer());
        rawCheckpoints = driver.createInputTopic(topics.names().checkpoints(), new ByteArraySerializer(),
                new ByteArraySerializer());
        stripes = driver.createOutputTopic(topics.names().stripes(), new StringDeserializer(),
                topics.stripes().valueSerde().deserializer());
        manifests = driver.createOutputTopic(topics.names().manifests(), new StringDeserializer(),
                topics.manifests().valueSerde().deserializer());
        deadLetters = driver.createOutputTopic(topics.names().deadLetters(), new ByteArrayDeserializer(),
                new ByteArrayDeserializer());
        nextOffset = 0;
    }

    /** Pipes a record with the app id as key; returns its offset on the checkpoints topic. */
    private long pipe(SpecificRecord value) {
        return pipe(value instanceof CheckpointSegment s ? s.getAppId() : ((CheckpointCommit) value).getAppId(),
                value);
    }

    private long pipe(String key, SpecificRecord value) {
        checkpoints.pipeInput(key, value);
        return nextOffset++;
    }

    private long pipeRaw(byte[] key, byte[] value) {
        rawCheckpoints.pipeInput(key, value);
        return nextOffset++;
    }

    @ParameterizedTest(name = "{0} on {1} servers")
    @CsvSource({"STRIPE-4, 4", "XOR-4-1, 5", "XOR-4-1, 7", "RS-3-2, 5", "RS-3-2, 6", "RS-6-3, 9", "MIRROR-3, 3",
            "MIRROR-3, 4"})
    void stripesACheckpointRoutesEveryCellAndFansTheManifestOut(String policyName, int servers) {
        start(policyName, servers);
        RedundancyPolicy policy = config.policy();
        int segmentSize = 1000;
        // 2N + 1 segments: every segment index modulo N occurs, the last one short.
        byte[] data = randomBytes(servers, segmentSize * 2 * servers + 357);
        List<CheckpointSegment> segments = segments(APP, 12, data, segmentSize);
        segments.forEach(this::pipe);
        pipe(commitOf(APP, 12, data, segmentSize));

        List<TestRecord<String, SpecificRecord>> out = stripes.readRecordsToList();
        int cells = segments.size() * policy.totalCells();
        assertThat(out).hasSize(cells + servers);
        assertThat(out).extracting(TestRecord::key).containsOnly(Topics.checkpointKey(APP, 12));
        StripesPartitioner partitioner = new StripesPartitioner(servers);
        int routed = 0;
        for (int s = 0; s < segments.size(); s++) {
            List<StripeUnit> stripe = new ArrayList<>();
            for (int j = 0; j < policy.totalCells(); j++) {
                StripeUnit unit = (StripeUnit) out.get(s * policy.totalCells() + j).value();
                assertThat(unit.getSegmentIndex()).isEqualTo(s);
                assertThat(unit.getCellIndex()).isEqualTo(j);
                assertThat(unit.getSegmentOffset()).isEqualTo((long) s * segmentSize);
                assertThat(unit.getPolicy()).isEqualTo(policy.name());
                assertThat(unit.getServers()).isEqualTo(servers);
                assertThat(partitioner.partitions(topics.names().stripes(), APP + "/12", unit, servers))
                        .contains(Set.of((s + j) % servers));
                stripe.add(unit);
                routed++;
            }
            // Lose the first M cells (data cells whenever M > 0) and rebuild.
            List<Integer> lost = IntStream.range(0, policy.parityCells()).boxed().toList();
            assertThat(Checkpoints.decode(policy, stripe, lost)).isEqualTo(bytes(segments.get(s).getData()));
        }
        assertThat(routed).isEqualTo(cells);

        List<SpecificRecord> fanOut = out.subList(cells, out.size()).stream().map(TestRecord::value).toList();
        assertThat(fanOut).hasSize(servers).allSatisfy(value -> assertThat(value).isInstanceOf(CheckpointManifest.class));
        CheckpointManifest manifest = (CheckpointManifest) fanOut.get(0);
        assertThat(fanOut).containsOnly(manifest);
        assertThat(partitioner.partitions(topics.names().stripes(), APP + "/12", manifest, servers))
                .contains(IntStream.range(0, servers).boxed().collect(Collectors.toSet()));
        assertThat(manifest.getSegmentCount()).isEqualTo(segments.size());
        assertThat(manifest.getTotalBytes()).isEqualTo(data.length);
        assertThat(manifest.getSegmentSize()).isEqualTo(segmentSize);
        assertThat(manifest.getPolicy()).isEqualTo(policy.name());
        assertThat(manifest.getServers()).isEqualTo(servers);
        assertThat(bytes(manifest.getSha256())).isEqualTo(sha256(data));

        List<TestRecord<String, CheckpointManifest>> compacted = manifests.readRecordsToList();
        assertThat(compacted).hasSize(1);
        assertThat(compacted.get(0).key()).isEqualTo(APP + "/12");
        assertThat(compacted.get(0).value()).isEqualTo(manifest);
        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(progress(APP)).isEqualTo(new AppProgress(12, -1, 0, 0, 0, 0, false, Sha256State.EMPTY, null));
    }

    @Test
    void zeroPadsTheLastDataCellAndRecordsTheTrueLengthAndCrc() {
        start("RS-3-2", 5);
        byte[] data = randomBytes(1, 1000);
        pipe(segment(APP, 1, 0, 0, data));
        List<StripeUnit> units = stripes.readValuesToList().stream().map(StripeUnit.class::cast).toList();
        assertThat(units).hasSize(5).allSatisfy(unit -> {
            assertThat(unit.getSegmentLength()).isEqualTo(1000);
            assertThat(unit.getCellLength()).isEqualTo(334);
            assertThat(unit.getData().remaining()).isEqualTo(334);
            byte[] cell = bytes(unit.getData());
            assertThat(unit.getCrc32c()).isEqualTo(io.checkstripe.codec.Crc32c.of(cell, 0, cell.length));
        });
        byte[] last = bytes(units.get(2).getData());
        assertThat(java.util.Arrays.copyOfRange(last, 332, 334)).containsOnly(0);
        assertThat(java.util.Arrays.copyOf(last, 332)).isEqualTo(java.util.Arrays.copyOfRange(data, 668, 1000));
    }

    @Test
    void acceptsAnEmptyCheckpointAsACommitOfNoSegments() {
        start("RS-3-2", 5);
        pipe(commit(APP, 3, 0, 0, 1 << 20, sha256(new byte[0])));
        List<SpecificRecord> out = stripes.readValuesToList();
        assertThat(out).hasSize(5).allSatisfy(value -> assertThat(value).isInstanceOf(CheckpointManifest.class));
        assertThat(manifests.readValue().getSegmentCount()).isZero();
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void sendsUnreadableRecordsToTheDeadLetterTopicWithTheirBytesAndWhy() {
        start("RS-3-2", 5);
        byte[] key = APP.getBytes(StandardCharsets.UTF_8);
        byte[] garbage = "definitely not avro".getBytes(StandardCharsets.UTF_8);
        byte[] wrongMagic = {1, 0, 0, 0, 1, 2, 3};
        byte[] unknownId = {0, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xfe, 2, 4, 6};
        byte[] truncated = {0, 0, 1};
        byte[] badBody = validSegmentBytes();
        badBody = java.util.Arrays.copyOf(badBody, badBody.length - 3);

        assertDeadLetter(pipeRaw(key, garbage), key, garbage, "unreadable", "SerializationException",
                "unknown magic byte");
        assertDeadLetter(pipeRaw(key, wrongMagic), key, wrongMagic, "unreadable", "SerializationException",
                "unknown magic byte 0x01");
        assertDeadLetter(pipeRaw(key, unknownId), key, unknownId, "unreadable", "SerializationException",
                "unknown schema id");
        assertDeadLetter(pipeRaw(key, new byte[0]), key, new byte[0], "unreadable", "SerializationException",
                "empty value");
        assertDeadLetter(pipeRaw(key, truncated), key, truncated, "unreadable", "SerializationException",
                "truncated");
        assertDeadLetter(pipeRaw(key, badBody), key, badBody, "unreadable", "SerializationException", "schema id");
        assertDeadLetter(pipeRaw(key, null), key, null, "null-value", "RejectedRecordException", "value is null");
        assertDeadLetter(pipeRaw(null, null), null, null, "null-value", "RejectedRecordException", "value is null");
        assertThat(stripes.isEmpty()).isTrue();
    }

    @Test
    void sendsSegmentsThatBreakARuleToTheDeadLetterTopic() {
        start("RS-3-2", 5);
        assertRejected(pipe("no/slash", segment("no/slash", 1, 0, 0, new byte[10])), "invalid-app-id", "no/slash");
        assertRejected(pipe(new CheckpointSegment(2, APP, 1L, 0, 0L, java.nio.ByteBuffer.allocate(5), null)),
                "unsupported-format-version", "formatVersion 2");
        assertRejected(pipe("other-app", segment(APP, 1, 0, 0, new byte[10])), "key-mismatch",
                "has key \"other-app\"");
        assertRejected(pipe(segment(APP, 1, 0, -1, new byte[10])), "invalid-record", "offset -1");
        assertRejected(pipe(segment(APP, 1, 0, 0, new byte[0])), "invalid-record", "is empty");
        assertRejected(pipe(segment(APP, 1, 1, 100, new byte[10])), "segment-out-of-order",
                "before segment 0 at offset 0");
        assertThat(stripes.isEmpty()).isTrue();
        assertThat(progress(APP)).isNull();
    }

    @Test
    void rejectsSegmentsLongerThanTheFixedCellPolicyAllows() {
        start("RS-3-2-1k", 5);
        assertRejected(pipe(segment(APP, 1, 0, 0, new byte[3 * 1024 + 1])), "segment-too-long", "3073 bytes");
        pipe(segment(APP, 1, 0, 0, new byte[3 * 1024]));
        assertThat(stripes.readValuesToList()).hasSize(5);
    }

    @Test
    void rejectsDuplicateAndOutOfOrderSegments() {
        start("XOR-4-1", 5);
        pipe(segment(APP, 1, 0, 0, new byte[100]));
        assertRejected(pipe(segment(APP, 1, 0, 0, new byte[100])), "duplicate-segment", "already striped");
        assertRejected(pipe(segment(APP, 1, 2, 200, new byte[100])), "segment-out-of-order", "segment 1 is next");
        assertRejected(pipe(segment(APP, 1, 1, 150, new byte[100])), "segment-out-of-order",
                "starts at offset 150 but the previous segment ended at 100");
        pipe(segment(APP, 1, 1, 100, new byte[50]));
        pipe(commit(APP, 1, 2, 150, 100, sha256(new byte[150])));
        assertThat(stripes.readValuesToList()).hasSize(2 * 5 + 5);
        assertThat(manifests.readValue().getTotalBytes()).isEqualTo(150);
    }

    @Test
    void rejectsCheckpointsNotNewerThanTheLastCommittedOne() {
        start("RS-3-2", 5);
        publish(5, randomBytes(5, 300), 100);
        stripes.readRecordsToList();
        manifests.readRecordsToList();
        assertRejected(pipe(segment(APP, 5, 0, 0, new byte[10])), "stale-checkpoint",
                "not newer than the last committed checkpoint 5");
        assertRejected(pipe(segment(APP, 4, 0, 0, new byte[10])), "stale-checkpoint", "checkpoint 4");
        assertRejected(pipe(commit(APP, 5, 0, 0, 100, sha256(new byte[0]))), "stale-checkpoint",
                "checkpoint 5");
        // Another application is independent.
        pipe(commit("other", 1, 0, 0, 100, sha256(new byte[0])));
        assertThat(manifests.readValuesToList()).hasSize(1);
    }

    @Test
    void rejectsCommitsThatDisagreeWithTheSegmentsSeen() {
        start("RS-3-2", 5);
        pipe(segment(APP, 1, 0, 0, new byte[100]));
        pipe(segment(APP, 1, 1, 100, new byte[40]));
        byte[] sha = sha256(new byte[140]);
        assertRejected(pipe(commit(APP, 1, 3, 240, 100, sha)), "commit-mismatch",
                "announces 3 segment(s) and 240 bytes but 2 segment(s) and 140 bytes arrived");
        assertRejected(pipe(commit(APP, 1, 2, 150, 100, sha)), "commit-mismatch", "150 bytes");
        assertRejected(pipe(commit(APP, 1, 2, 140, 120, sha)), "commit-mismatch", "segments of 120 bytes");
        assertRejected(pipe(commit(APP, 2, 1, 10, 100, sha)), "commit-without-segments",
                "announces 1 segment(s) but none of them arrived");
        assertThat(manifests.isEmpty()).isTrue();
        pipe(commit(APP, 1, 2, 140, 100, sha));
        assertThat(manifests.readValue().getCheckpointId()).isEqualTo(1);
    }

    @Test
    void rejectsACommitWhoseSegmentsWereNotAllOfTheSegmentSize() {
        start("RS-3-2", 5);
        pipe(segment(APP, 1, 0, 0, new byte[100]));
        pipe(segment(APP, 1, 1, 100, new byte[60]));
        pipe(segment(APP, 1, 2, 160, new byte[100]));
        assertRejected(pipe(commit(APP, 1, 3, 260, 100, sha256(new byte[260]))), "commit-mismatch",
                "others differ");
    }

    @Test
    void aNewCheckpointAbandonsTheUncommittedOneWhoseLateCommitIsThenStale() {
        start("RS-3-2", 5);
        pipe(segment(APP, 1, 0, 0, new byte[100]));
        byte[] data = randomBytes(2, 250);
        publish(2, data, 100);
        assertThat(manifests.readValuesToList()).extracting(CheckpointManifest::getCheckpointId).containsExactly(2L);
        assertRejected(pipe(commit(APP, 1, 1, 100, 100, sha256(new byte[100]))), "stale-checkpoint",
                "not newer than the last committed checkpoint 2");
        assertThat(progress(APP)).isEqualTo(new AppProgress(2, -1, 0, 0, 0, 0, false, Sha256State.EMPTY, null));
    }

    @Test
    void deadLettersACommitWhoseSha256IsNotItsSegmentsAndEmitsNoManifest() {
        start("RS-3-2", 5);
        byte[] good = randomBytes(30, 450);
        publish(1, good, 100);
        assertThat(manifests.readValuesToList()).extracting(CheckpointManifest::getCheckpointId).containsExactly(1L);
        stripes.readRecordsToList();

        // Newer checkpoints whose commit carries the SHA-256 of other bytes: whole, totals right, hash wrong.
        byte[] forged = randomBytes(31, 450);
        segments(APP, 2, forged, 100).forEach(this::pipe);
        byte[] other = sha256(randomBytes(32, 450));
        long offset = pipe(commit(APP, 2, 5, 450, 100, other));
        assertRejected(offset, "sha256-mismatch", "commit of application " + APP + " checkpoint 2 carries SHA-256 "
                + HexFormat.of().formatHex(other) + " but its 5 segment(s) hash to "
                + HexFormat.of().formatHex(sha256(forged)));
        assertRejected(pipe(commit(APP, 3, 0, 0, 100, other)), "sha256-mismatch", "0 segment(s) hash to");

        // No manifest anywhere: the cells of checkpoint 2 stay without one, so no sink counts it complete.
        assertThat(manifests.isEmpty()).isTrue();
        assertThat(stripes.readValuesToList()).hasSize(5 * 5)
                .allSatisfy(value -> assertThat(value).isInstanceOf(StripeUnit.class));
        assertThat(progress(APP).lastCommitted()).isEqualTo(1);
        assertThat(progress(APP).open()).isEqualTo(2);

        // The application's next good checkpoint still goes through.
        byte[] next = randomBytes(33, 120);
        publish(4, next, 100);
        assertThat(manifests.readValuesToList()).singleElement()
                .satisfies(m -> assertThat(bytes(m.getSha256())).isEqualTo(sha256(next)));
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    /**
     * A task that restarts between two segments restores its progress from the changelog and goes on from its last
     * committed offset; the SHA-256 it resumes is the stored one. {@code TopologyTestDriver} does not restore stores,
     * so the new driver's store is given the last changelog value, as Kafka Streams' restore would.
     */
    @ParameterizedTest(name = "restart after {0} segment(s)")
    @CsvSource({"1", "3", "6"})
    void aRestartMidCheckpointResumesTheSha256FromTheChangelog(int before) {
        start("RS-3-2", 5);
        String changelog = config.streamsProperties().getProperty(StreamsConfig.APPLICATION_ID_CONFIG) + "-"
                + StriperTopology.PROGRESS_STORE + "-changelog";
        TestOutputTopic<String, byte[]> progressLog = driver.createOutputTopic(changelog, new StringDeserializer(),
                new ByteArrayDeserializer());
        // 1000-byte segments: 1000 mod 64 = 40, so the restart falls inside a SHA-256 block.
        byte[] data = randomBytes(before, 6_500);
        List<CheckpointSegment> segments = segments(APP, 8, data, 1000);
        segments.subList(0, before).forEach(this::pipe);
        List<TestRecord<String, byte[]>> logged = progressLog.readRecordsToList();
        byte[] stored = logged.get(logged.size() - 1).value();

        driver.close();
        start("RS-3-2", 5);
        KeyValueStore<String, AppProgress> store = driver.getKeyValueStore(StriperTopology.PROGRESS_STORE);
        store.put(APP, AppProgress.serde("RS-3-2").deserializer().deserialize(changelog, stored));
        segments.subList(before, segments.size()).forEach(this::pipe);
        pipe(commitOf(APP, 8, data, 1000));

        assertThat(deadLetters.isEmpty()).isTrue();
        assertThat(manifests.readValuesToList()).singleElement()
                .satisfies(m -> assertThat(bytes(m.getSha256())).isEqualTo(sha256(data)));
        assertThat(progress(APP)).isEqualTo(new AppProgress(8, -1, 0, 0, 0, 0, false, Sha256State.EMPTY, null));
    }

    @Test
    void deadLettersTheCommitsOfAKeyedApplicationThatItsKeyDidNotSign() throws Exception {
        KeyFile keys = KeyFile.generate();
        Path keysDir = Files.createDirectories(stateDir.resolve("app-keys"));
        Path keyFile = stateDir.resolve("secret").resolve(APP + ".key");
        Files.createDirectories(keyFile.getParent());
        keys.write(keyFile, false);
        Files.copy(KeyFile.publicFile(keyFile), keysDir.resolve(APP + AppKeyDirectory.SUFFIX));
        start("RS-3-2", 5, Map.of(StriperConfig.APP_KEYS_DIR_CONFIG, keysDir.toString()));

        byte[] data = randomBytes(40, 250);
        segments(APP, 1, data, 100).forEach(this::pipe);
        pipe(signed(commitOf(APP, 1, data, 100), keys));
        assertThat(manifests.readValuesToList()).extracting(CheckpointManifest::getCheckpointId).containsExactly(1L);

        // Unsigned, signed by another application's key, and signed but changed since: none becomes a manifest.
        segments(APP, 2, data, 100).forEach(this::pipe);
        assertRejected(pipe(commitOf(APP, 2, data, 100)), "bad-signature",
                "checkpoint 2 of application " + APP + ": no signature, but the application has a registered key");
        assertRejected(pipe(signed(commitOf(APP, 2, data, 100), KeyFile.generate())), "bad-signature",
                "signature by key 1 does not match the checkpoint");
        CheckpointCommit changed = signed(commitOf(APP, 2, data, 100), keys);
        changed.getMetadata().put("host", "elsewhere");
        assertRejected(pipe(changed), "bad-signature", "does not match the checkpoint");
        assertThat(manifests.isEmpty()).isTrue();
        assertThat(progress(APP).lastCommitted()).isEqualTo(1);

        // Its own signature passes; an application without a key is checked as before.
        pipe(signed(commitOf(APP, 2, data, 100), keys));
        pipe(commit("unkeyed", 1, 0, 0, 100, sha256(new byte[0])));
        assertThat(manifests.readValuesToList()).extracting(CheckpointManifest::getAppId)
                .containsExactly(APP, "unkeyed");
        assertThat(deadLetters.isEmpty()).isTrue();

        // A forged checkpoint with a far higher id, refused at its commit, and another left open forever: neither
        // makes the application's own next checkpoints stale.
        segments(APP, 1_000_000, data, 100).forEach(this::pipe);
        assertRejected(pipe(commitOf(APP, 1_000_000, data, 100)), "bad-signature", "no signature");
        segments(APP, 3, data, 100).forEach(this::pipe);
        pipe(signed(commitOf(APP, 3, data, 100), keys));
        segments(APP, 2_000_000, data, 100).forEach(this::pipe);
        segments(APP, 4, data, 100).forEach(this::pipe);
        pipe(signed(commitOf(APP, 4, data, 100), keys));
        assertThat(manifests.readValuesToList()).extracting(CheckpointManifest::getCheckpointId)
                .containsExactly(3L, 4L);
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    /** {@code commit} with its metadata signed by {@code keys}' newest key, as a keyed publisher sends it. */
    private static CheckpointCommit signed(CheckpointCommit commit, KeyFile keys) {
        SignedCheckpoint fields = new SignedCheckpoint(commit.getAppId(), commit.getCheckpointId(),
                commit.getSegmentCount(), commit.getTotalBytes(), bytes(commit.getSha256()), commit.getCreatedAt(),
                commit.getSegmentSize(), commit.getMetadata());
        commit.setMetadata(new HashMap<>(CommitSignature.sign(keys.newest(), fields)));
        return commit;
    }

    @Test
    void keepsStripingGoodRecordsAfterBadOnes() {
        start("RS-6-3", 9);
        byte[] data = randomBytes(77, 12_345);
        List<CheckpointSegment> segments = segments(APP, 40, data, 4096);
        byte[] key = APP.getBytes(StandardCharsets.UTF_8);
        int rejected = 0;
        for (CheckpointSegment segment : segments) {
            pipeRaw(key, new byte[] {42});
            pipe(segment);
            pipe(segment);
            pipe(segment("../etc", 40, 0, 0, new byte[1]));
            rejected += 3;
        }
        pipeRaw(key, null);
        pipe(commitOf(APP, 40, data, 4096));
        rejected++;

        assertThat(deadLetters.readRecordsToList()).hasSize(rejected);
        List<StripeUnit> units = stripes.readValuesToList().stream()
                .filter(StripeUnit.class::isInstance).map(StripeUnit.class::cast).toList();
        assertThat(units).hasSize(segments.size() * 9);
        byte[] rebuilt = new byte[data.length];
        for (int s = 0; s < segments.size(); s++) {
            List<StripeUnit> stripe = units.subList(s * 9, (s + 1) * 9);
            byte[] segment = Checkpoints.decode(config.policy(), stripe, List.of(1, 4, 7));
            System.arraycopy(segment, 0, rebuilt, (int) stripe.get(0).getSegmentOffset(), segment.length);
        }
        assertThat(rebuilt).isEqualTo(data);
        assertThat(manifests.readValue().getTotalBytes()).isEqualTo(data.length);
    }

    private void publish(long checkpointId, byte[] data, int segmentSize) {
        segments(APP, checkpointId, data, segmentSize).forEach(this::pipe);
        pipe(commitOf(APP, checkpointId, data, segmentSize));
    }

    @Test
    void eachCheckpointIsStripedWithItsOwnPolicyAndItsManifestSaysWhich() {
        startWithPolicies();
        Map<String, Integer> cellsPerStripe = Map.of("RS-3-2", 5, "RS-6-3", 9, "MIRROR-3", 3);
        int checked = 0;
        for (String requested : new String[] {null, "rs-6-3", "MIRROR-3"}) {
            String app = "app-" + checked;
            int segments = publishWithPolicy(app, 1, requested, 3);
            String policy = requested == null ? "RS-3-2" : requested.toUpperCase();

            List<SpecificRecord> out = stripes.readValuesToList();
            List<StripeUnit> units = out.stream().filter(StripeUnit.class::isInstance).map(StripeUnit.class::cast)
                    .toList();
            assertThat(units).hasSize(segments * cellsPerStripe.get(policy))
                    .allSatisfy(unit -> assertThat(unit.getPolicy()).isEqualTo(policy));
            CheckpointManifest manifest = manifests.readValue();
            assertThat(manifest.getPolicy()).isEqualTo(policy);
            assertThat(manifest.getServers()).isEqualTo(POLICY_SERVERS);
            checked++;
        }
        assertThat(checked).isEqualTo(3);
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void everyRecordOfACheckpointAskingForAPolicyNotAllowedIsRefusedAndOthersGoOn() {
        startWithPolicies();
        int records = publishWithPolicy("greedy", 1, "RS-4-2", 2) + 1;

        List<TestRecord<byte[], byte[]>> letters = deadLetters.readRecordsToList();
        assertThat(letters).hasSize(records).allSatisfy(letter -> {
            assertThat(letterHeader(letter, Topics.DLQ_REASON_HEADER)).isEqualTo("policy-not-allowed");
            assertThat(letterHeader(letter, Topics.DLQ_POLICY_HEADER)).isEqualTo("RS-4-2");
            assertThat(letterHeader(letter, Topics.DLQ_ALLOWED_POLICIES_HEADER)).isEqualTo("RS-3-2,RS-6-3,MIRROR-3,RS-10-4");
            assertThat(letterHeader(letter, Topics.DLQ_EXCEPTION_HEADER))
                    .contains("application greedy checkpoint 1").contains("asks for policy RS-4-2");
        });
        assertThat(stripes.isEmpty()).isTrue();
        assertThat(progress("greedy")).isNull();

        publishWithPolicy("greedy", 2, "RS-6-3", 2);
        assertThat(manifests.readValue().getPolicy()).as("the application's next checkpoint").isEqualTo("RS-6-3");
        publishWithPolicy("other", 1, null, 1);
        assertThat(manifests.readValue().getPolicy()).isEqualTo("RS-3-2");
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void aCheckpointNeedingMoreServersThanThereAreIsRefusedNamingBoth() {
        startWithPolicies();
        int records = publishWithPolicy("wide", 1, "RS-10-4", 2) + 1;

        List<TestRecord<byte[], byte[]>> letters = deadLetters.readRecordsToList();
        assertThat(letters).hasSize(records).allSatisfy(letter -> {
            assertThat(letterHeader(letter, Topics.DLQ_REASON_HEADER)).isEqualTo("too-few-servers");
            assertThat(letterHeader(letter, Topics.DLQ_POLICY_HEADER)).isEqualTo("RS-10-4");
            assertThat(letterHeader(letter, Topics.DLQ_SERVERS_HEADER)).isEqualTo("9");
            assertThat(letterHeader(letter, Topics.DLQ_EXCEPTION_HEADER)).contains("needs at least 14 servers, got 9");
        });
        assertThat(stripes.isEmpty()).isTrue();
    }

    @Test
    void aSegmentOrCommitNamingAnotherPolicyThanSegmentZeroIsRefused() {
        startWithPolicies();
        byte[] data = randomBytes(5, POLICY_SEGMENT * 3);
        List<CheckpointSegment> parts = segments("mixed", 1, data, POLICY_SEGMENT);
        parts.forEach(s -> s.setPolicy("RS-6-3"));
        parts.get(1).setPolicy("MIRROR-3");
        pipe("mixed", parts.get(0));
        pipe("mixed", parts.get(1));
        assertThat(letterHeader(deadLetters.readRecord(), Topics.DLQ_REASON_HEADER)).isEqualTo("policy-mismatch");

        parts.get(1).setPolicy("RS-6-3");
        parts.subList(1, 3).forEach(s -> pipe("mixed", s));
        CheckpointCommit commit = commitOf("mixed", 1, data, POLICY_SEGMENT);
        pipe("mixed", commit);
        assertThat(letterHeader(deadLetters.readRecord(), Topics.DLQ_REASON_HEADER)).as("a commit without the policy")
                .isEqualTo("policy-mismatch");

        commit.setPolicy("rs-6-3");
        pipe("mixed", commit);
        assertThat(manifests.readValue().getPolicy()).isEqualTo("RS-6-3");
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    @Test
    void theDefaultPolicyMustBeAllowed() {
        assertThatThrownBy(() -> start("RS-3-2", 9, Map.of(StriperConfig.ALLOWED_POLICIES_CONFIG, "RS-6-3,MIRROR-3")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(StriperConfig.ALLOWED_POLICIES_CONFIG)
                .hasMessageContaining("the default policy RS-3-2 must be among the allowed policies [RS-6-3, MIRROR-3]");
    }

    /** Publishes {@code segmentCount} segments and the commit, all naming {@code policy}; returns the segments. */
    private int publishWithPolicy(String app, long checkpointId, String policy, int segmentCount) {
        byte[] data = randomBytes(checkpointId, POLICY_SEGMENT * segmentCount - 7);
        List<CheckpointSegment> parts = segments(app, checkpointId, data, POLICY_SEGMENT);
        parts.forEach(segment -> {
            segment.setPolicy(policy);
            pipe(app, segment);
        });
        CheckpointCommit commit = commitOf(app, checkpointId, data, POLICY_SEGMENT);
        commit.setPolicy(policy);
        pipe(app, commit);
        return parts.size();
    }

    /** RS-3-2 by default; RS-6-3, MIRROR-3 and RS-10-4 allowed; 9 servers, so RS-10-4 needs more than there are. */
    private void startWithPolicies() {
        start("RS-3-2", POLICY_SERVERS, Map.of(StriperConfig.ALLOWED_POLICIES_CONFIG, "RS-3-2,rs-6-3,MIRROR-3,RS-10-4"));
    }

    private static String letterHeader(TestRecord<byte[], byte[]> letter, String name) {
        return header(new RecordHeaders(letter.headers().toArray()), name);
    }

    private byte[] validSegmentBytes() {
        return topics.checkpoints().valueSerde().serializer()
                .serialize(topics.names().checkpoints(), segment(APP, 1, 0, 0, new byte[20]));
    }

    private AppProgress progress(String app) {
        KeyValueStore<String, AppProgress> store = driver.getKeyValueStore(StriperTopology.PROGRESS_STORE);
        return store.get(app);
    }

    private void assertRejected(long offset, String reason, String messagePart) {
        TestRecord<byte[], byte[]> letter = deadLetters.readRecord();
        assertHeaders(letter, offset, reason, RejectedRecordException.class.getName(), messagePart);
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    private void assertDeadLetter(long offset, byte[] key, byte[] value, String reason, String exceptionClass,
                                  String messagePart) {
        TestRecord<byte[], byte[]> letter = deadLetters.readRecord();
        assertThat(letter.key()).isEqualTo(key);
        assertThat(letter.value()).isEqualTo(value);
        assertHeaders(letter, offset, reason, exceptionClass, messagePart);
        assertThat(deadLetters.isEmpty()).isTrue();
    }

    private void assertHeaders(TestRecord<byte[], byte[]> letter, long offset, String reason, String exceptionClass,
                               String messagePart) {
        RecordHeaders headers = new RecordHeaders(letter.headers().toArray());
        assertThat(header(headers, Topics.DLQ_REASON_HEADER)).isEqualTo(reason);
        assertThat(header(headers, Topics.DLQ_TOPIC_HEADER)).isEqualTo(topics.names().checkpoints());
        assertThat(header(headers, Topics.DLQ_PARTITION_HEADER)).isEqualTo("0");
        assertThat(header(headers, Topics.DLQ_OFFSET_HEADER)).isEqualTo(Long.toString(offset));
        assertThat(header(headers, Topics.DLQ_EXCEPTION_HEADER)).contains(exceptionClass).contains(messagePart);
    }

    private static String header(RecordHeaders headers, String name) {
        return Optional.ofNullable(headers.lastHeader(name)).map(Header::value)
                .map(v -> new String(v, StandardCharsets.UTF_8)).orElse(null);
    }
}
