package io.checkstripe.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.checkstripe.schemas.InMemorySchemaRegistry;
import io.checkstripe.schemas.TopicNames;
import io.checkstripe.schemas.Topics;
import io.checkstripe.schemas.avro.CheckpointAck;
import io.checkstripe.schemas.avro.StripeUnit;
import io.checkstripe.store.CellRecordFormat;
import io.checkstripe.store.CellStore;
import io.checkstripe.store.ManifestFormat;
import io.checkstripe.store.StoredCell;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.awaitility.core.ConditionFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sink's loop on Kafka's mock clients and a real store in a temporary directory: the order in which it makes
 * dead letters, offsets, acknowledgements and deletions happen, where it starts reading, and how it stalls and
 * catches up. What the store holds on disk is read through a read-only view, as another process would see it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BackupSinkLoopTest {

    private static final String APP = "ledger";
    private static final int SERVERS = 3;
    private static final String POLICY = "XOR-2-1";
    private static final TopicNames NAMES = TopicNames.defaults();
    private static final TopicPartition PARTITION = new TopicPartition(NAMES.stripes(), 0);
    private static final String SOURCE = PARTITION.toString();
    private static final byte[] GARBAGE = "not avro at all".getBytes(StandardCharsets.UTF_8);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @TempDir
    Path tmp;

    private final List<AutoCloseable> resources = new ArrayList<>();
    /** On the embedded registry, which a sink with no {@code schema.registry.url} uses too. */
    private final Topics topics = new Topics(NAMES, InMemorySchemaRegistry.embedded());
    private Path dataDir;

    @AfterEach
    void closeAll() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @Test
    void deadLettersAreAcknowledgedBeforeTheCommitAndTheAckFollowsTheDurableCells() throws Exception {
        DeadLetterInFlight run = startWithGarbageAt(2);
        MockSinkClients clients = run.clients();
        long end = run.end();
        BackupSink sink = run.sink();

        ProducerRecord<byte[], byte[]> letter = clients.producer.history().get(0);
        assertThat(letter.topic()).isEqualTo(NAMES.deadLetters());
        assertThat(header(letter, Topics.DLQ_REASON_HEADER)).isEqualTo("unreadable");
        assertThat(header(letter, Topics.DLQ_OFFSET_HEADER)).isEqualTo("2");
        assertThat(run.atSend().get(0).disk().committed()).as("offset on disk when the dead letter went out").isEmpty();
        // Kafka has not answered the dead letter: the sink waits for it, so nothing is committed or acknowledged.
        assertThat(sink.stats().committedOffset()).isEqualTo(-1);
        assertThat(disk().committed()).isEmpty();
        assertThat(clients.producer.history()).hasSize(1);

        clients.producer.completeNext();
        waiting().until(() -> sink.stats().committedOffset() == end);
        assertThat(disk().committed()).hasValue(end);
        waiting().until(() -> clients.producer.history().size() == 2);
        ProducerRecord<byte[], byte[]> ackRecord = clients.producer.history().get(1);
        assertThat(ackRecord.topic()).isEqualTo(NAMES.acks());
        assertThat(new String(ackRecord.key(), StandardCharsets.UTF_8)).isEqualTo(APP + "/1");
        CheckpointAck ack = topics.acks().valueSerde().deserializer().deserialize(NAMES.acks(), ackRecord.value());
        assertThat(ack.getServerIndex()).isZero();
        assertThat(ack.getCheckpointId()).isEqualTo(1);
        assertThat(run.atSend().get(1)).as("the store on disk when the acknowledgement went out")
                .isEqualTo(new Sent(NAMES.acks(), new DiskView(OptionalLong.of(end), Set.of(1L), Set.of(1L))));

        assertThat(sink.stats().acksSent()).as("Kafka has not answered the ack yet").isZero();
        clients.producer.completeNext();
        waiting().until(() -> sink.stats().acksSent() == 1);
        assertThat(sink.stats().deadLetters()).isEqualTo(1);
        assertThat(sink.stats().cellsStored()).isEqualTo(run.checkpoint().unitsFor(0).size());
        assertThat(sink.health().state()).isEqualTo(SinkHealth.State.RUNNING);
    }

    @Test
    void aFailedDeadLetterStallsTheSinkWithoutCommittingAndTheRecordIsSentAgain() throws Exception {
        DeadLetterInFlight run = startWithGarbageAt(1);
        MockSinkClients clients = run.clients();
        long end = run.end();
        BackupSink sink = run.sink();

        clients.producer.errorNext(new RecordTooLargeException("the dead letter is too large"));
        waiting().until(() -> sink.health().state() == SinkHealth.State.STALLED);
        assertThat(sink.health().reason()).contains("dead-letter topic " + NAMES.deadLetters())
                .contains("the dead letter is too large");
        assertThat(sink.stats().committedOffset()).isEqualTo(-1);
        assertThat(disk().committed()).as("the batch is not committed past the record").isEmpty();

        // The retry reads the batch again from the store's offset (none: the beginning) and resends the record.
        // Closing the store on the stall forced the batch's cells and manifest but not its offset, so the resume
        // pass finds the checkpoint complete on disk and acknowledges it before the batch is committed.
        waiting().until(() -> clients.producer.sentTo(NAMES.deadLetters()).size() == 2
                && clients.producer.sentTo(NAMES.acks()).size() == 1);
        assertThat(clients.producer.sentTo(NAMES.deadLetters())).extracting(r -> header(r, Topics.DLQ_OFFSET_HEADER))
                .containsExactly("1", "1");
        assertThat(sink.health().state()).isEqualTo(SinkHealth.State.STALLED);
        assertThat(disk().committed()).isEmpty();
        assertThat(run.atSend()).filteredOn(s -> s.topic().equals(NAMES.acks())).extracting(Sent::disk)
                .as("the store on disk when the acknowledgement went out")
                .containsExactly(new DiskView(OptionalLong.empty(), Set.of(1L), Set.of(1L)));

        completeAll(clients);
        waiting().until(() -> sink.stats().committedOffset() == end);
        waiting().until(() -> sink.health().state() == SinkHealth.State.RUNNING);
        assertThat(disk().committed()).hasValue(end);
        assertThat(sink.stats().deadLetters()).as("the failed attempt is not counted").isEqualTo(1);
        assertThat(clients.producer.sentTo(NAMES.acks())).as("one acknowledgement per run").hasSize(1);
        assertStoredOnce(run.checkpoint());
    }

    @Test
    void kafkaRefusingTheDeadLetterStopsTheSinkInsteadOfRetrying() throws Exception {
        DeadLetterInFlight run = startWithGarbageAt(1);
        MockSinkClients clients = run.clients();
        BackupSink sink = run.sink();

        clients.producer.errorNext(new TopicAuthorizationException(Set.of(NAMES.deadLetters())));
        waiting().until(() -> sink.health().state() == SinkHealth.State.FAILED);

        assertThat(sink.health().reason()).contains("Kafka refused backup server 0", NAMES.deadLetters());
        assertThatThrownBy(sink::run).hasRootCauseInstanceOf(TopicAuthorizationException.class);
        assertThat(clients.producer.sentTo(NAMES.deadLetters())).as("not sent again").hasSize(1);
        assertThat(sink.stats().committedOffset()).isEqualTo(-1);
    }

    @Test
    void startsFromTheOffsetInTheStoreNotFromTheGroup() throws Exception {
        dataDir = tmp.resolve("server-0");
        try (CellStore store = CellStore.open(dataDir, 0)) {
            store.commit(SOURCE, 5);
        }
        MockSinkClients clients = clients(0, true);
        // Offsets 0-4 would all be dead letters, and the group's offset 3 would land among them.
        clients.consumer.append(null, List.of(GARBAGE, GARBAGE, GARBAGE, GARBAGE, GARBAGE));
        clients.consumer.groupCommitted(3);
        TestCheckpoints.Striped c = checkpoint(1);
        long end = clients.consumer.append(key(c), valuesFor(c));
        BackupSink sink = start(clients, Map.of());

        waiting().until(() -> sink.stats().committedOffset() == end);
        assertThat(clients.producer.sentTo(NAMES.deadLetters())).isEmpty();
        assertThat(sink.stats().cellsStored()).isEqualTo(c.unitsFor(0).size());
        assertThat(clients.consumer.assignment()).containsExactly(PARTITION);
        assertThat(clients.consumer.subscription()).isEmpty();
        assertThat(clients.consumer.committed(Set.of(PARTITION)).get(PARTITION).offset())
                .as("the sink commits nothing to the group").isEqualTo(3);
        assertThat(clients.consumerConfig()).containsEntry(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed")
                .containsEntry(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        assertThat(clients.producerConfig()).containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
    }

    @Test
    void aStoreWithNoOffsetStartsFromTheBeginningNotFromTheGroup() throws Exception {
        MockSinkClients clients = clients(7, true);
        TestCheckpoints.Striped c = checkpoint(1);
        long end = clients.consumer.append(key(c), valuesFor(c));
        clients.consumer.groupCommitted(9);
        BackupSink sink = start(clients, Map.of());

        waiting().until(() -> sink.stats().committedOffset() == end);
        assertThat(disk().complete()).containsExactly(1L);
        assertStoredOnce(c);
    }

    @Test
    void retentionDeletesAfterTheCommitWithoutWaitingForTheAcknowledgement() throws Exception {
        MockSinkClients clients = clients(0, false);
        TestCheckpoints.Striped first = checkpoint(1);
        TestCheckpoints.Striped second = checkpoint(2);
        clients.consumer.append(key(first), valuesFor(first));
        BackupSink sink = start(clients, Map.of(SinkConfig.RETAIN_CONFIG, 1));
        waiting().until(() -> clients.producer.sentTo(NAMES.acks()).size() == 1);
        clients.producer.completeNext();

        // Hold the acknowledgement of checkpoint 2 in the acks thread: retention must not wait for it.
        CountDownLatch acksTopicAnswers = new CountDownLatch(1);
        CountDownLatch ackSending = new CountDownLatch(1);
        clients.producer.onSend(r -> {
            if (r.topic().equals(NAMES.acks())) {
                ackSending.countDown();
                awaitQuietly(acksTopicAnswers);
            }
        });
        resources.add(acksTopicAnswers::countDown);
        long end = clients.consumer.append(key(second), valuesFor(second));
        waiting().until(() -> sink.stats().committedOffset() == end);
        assertThat(sink.stats().checkpointsDeleted()).as("deleted by the time the batch counts as done").isEqualTo(1);
        assertThat(disk()).isEqualTo(new DiskView(OptionalLong.of(end), Set.of(2L), Set.of(2L)));
        assertThat(ackSending.await(10, TimeUnit.SECONDS)).as("checkpoint 2's ack was queued before").isTrue();
        assertThat(clients.producer.sentTo(NAMES.acks())).as("and is still being sent").hasSize(1);

        acksTopicAnswers.countDown();
        waiting().until(() -> clients.producer.sentTo(NAMES.acks()).size() == 2);
        assertThat(clients.producer.sentTo(NAMES.acks())).extracting(r -> new String(r.key(), StandardCharsets.UTF_8))
                .containsExactly(APP + "/1", APP + "/2");
    }

    @Test
    void aFullDiskStallsTheSinkWhichCatchesUpOnceSpaceIsBack() throws Exception {
        Path disk = Files.createDirectories(tmp.resolve("small-disk"));
        Assumptions.assumeTrue(SinkTestSupport.run("mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", disk.toString()) == 0,
                "mounting a 1 MiB tmpfs needs root and a mount-capable container");
        resources.add(() -> SinkTestSupport.run("umount", disk.toString()));
        dataDir = disk.resolve("store");
        MockSinkClients clients = clients(0, true);
        // 24 segments of 128 KiB: 24 cells of 64 KiB on server 0, 1.5 MiB that a 1 MiB disk cannot hold.
        TestCheckpoints.Striped c = TestCheckpoints.stripe(APP, 3, 24 * 128 * 1024 - 100, 128 * 1024, POLICY,
                SERVERS, 3);
        long end = clients.consumer.append(key(c), valuesFor(c));
        BackupSink sink = start(clients, Map.of());

        waiting().until(() -> sink.health().state() == SinkHealth.State.STALLED);
        assertThat(sink.health().reason()).contains("is full").contains(dataDir.toString())
                .contains("no space left on device");
        assertThat(sink.stats().committedOffset()).isEqualTo(-1);
        assertThat(clients.producer.history()).as("nothing acknowledged").isEmpty();

        assertThat(SinkTestSupport.run("mount", "-o", "remount,size=64m", disk.toString())).isZero();
        waiting().until(() -> sink.stats().committedOffset() == end);
        waiting().until(() -> sink.health().state() == SinkHealth.State.RUNNING);
        waiting().until(() -> clients.producer.sentTo(NAMES.acks()).size() == 1);
        sink.close();
        assertStoredOnce(c);
    }

    @Test
    void anIncrementalCheckpointIsAcknowledgedOnlyOnceItsBasesAreCompleteHere() throws Exception {
        MockSinkClients clients = clients(0, true);
        TestCheckpoints.Striped base = checkpoint(1);
        TestCheckpoints.Striped delta = incremental(2, List.of(1L));
        TestCheckpoints.Striped full = checkpoint(3);
        clients.consumer.append(key(delta), valuesFor(delta));
        BackupSink sink = start(clients, Map.of(SinkConfig.HTTP_PORT_CONFIG, 0, SinkConfig.HTTP_REPAIRS_CONFIG, true));
        long end = clients.consumer.append(key(full), valuesFor(full));
        waiting().until(() -> sink.stats().committedOffset() == end);
        // Acks go out in the order they were queued: once 3's is out, 2's would have been before it.
        waiting().until(() -> ackedIds(clients).contains(3L));
        assertThat(ackedIds(clients)).as("2 reads from 1, which is not here").containsExactly(3L);
        assertThat(disk().complete()).containsExactlyInAnyOrder(2L, 3L);

        // A healer repairs checkpoint 1 onto the server: the sink looks again and acknowledges 2 at once.
        byte[] cells = records(base.cellsFor(0).values());
        assertThat(send(sink, "POST", "/v1/apps/" + APP + "/checkpoints/1/cells", cells).statusCode()).isEqualTo(200);
        assertThat(ackedIds(clients)).as("1 has no manifest yet").containsExactly(3L);
        assertThat(send(sink, "PUT", "/v1/apps/" + APP + "/checkpoints/1/manifest",
                ManifestFormat.encode(base.storedManifest(0))).statusCode()).isEqualTo(200);
        waiting().until(() -> ackedIds(clients).contains(2L));
        assertThat(ackedIds(clients)).containsExactly(3L, 1L, 2L);
    }

    @Test
    void retentionKeepsTheBasesOfWhatItKeepsAndDeletesThemOnceNothingReadsFromThem() throws Exception {
        MockSinkClients clients = clients(0, true);
        TestCheckpoints.Striped first = checkpoint(1);
        TestCheckpoints.Striped second = incremental(2, List.of(1L));
        TestCheckpoints.Striped third = incremental(3, List.of(1L, 2L));
        clients.consumer.append(key(first), valuesFor(first));
        clients.consumer.append(key(second), valuesFor(second));
        long end = clients.consumer.append(key(third), valuesFor(third));
        BackupSink sink = start(clients, Map.of(SinkConfig.RETAIN_CONFIG, 1, SinkConfig.HTTP_PORT_CONFIG, 0));
        waiting().until(() -> sink.stats().committedOffset() == end);

        assertThat(disk().complete()).as("R = 1 keeps 3 and, as its bases, 1 and 2").containsExactlyInAnyOrder(1L, 2L, 3L);
        assertThat(sink.stats().checkpointsDeleted()).isZero();
        JsonNode listing = new ObjectMapper().readTree(send(sink, "GET", "/v1/apps/" + APP + "/checkpoints", null)
                .body());
        assertThat(listing).extracting(n -> n.get("checkpointId").asLong() + "=" + n.get("keptAsBase").asBoolean())
                .containsExactly("1=true", "2=true", "3=false");
        assertThat(sink.metrics().scrape()).contains("checkstripe_sink_checkpoints_kept_as_base{app=\"" + APP
                + "\",server=\"0\"} 2.0");

        TestCheckpoints.Striped fourth = checkpoint(4);
        long after = clients.consumer.append(key(fourth), valuesFor(fourth));
        waiting().until(() -> sink.stats().committedOffset() == after);
        assertThat(disk().checkpoints()).as("4 reads from nothing: 1, 2 and 3 go together").containsExactly(4L);
        assertThat(sink.stats().checkpointsDeleted()).isEqualTo(3);
    }

    @Test
    void theStartPassKeepsReferencedBasesAndDeletesWhatNothingReadsFrom() throws Exception {
        dataDir = tmp.resolve("server-0");
        // A sink killed after storing 4 but before its retention pass: 1, 2 and 3 are all still here.
        try (CellStore store = CellStore.open(dataDir, 0)) {
            for (TestCheckpoints.Striped c : List.of(checkpoint(1), checkpoint(2), checkpoint(3),
                    incremental(4, List.of(2L)))) {
                TestCheckpoints.fill(store, c, 0, Integer.MAX_VALUE, true);
            }
        }
        MockSinkClients clients = clients(0, true);
        BackupSink sink = start(clients, Map.of(SinkConfig.RETAIN_CONFIG, 1));
        waiting().until(() -> sink.stats().checkpointsDeleted() == 2);
        assertThat(disk().checkpoints()).containsExactlyInAnyOrder(2L, 4L);
        waiting().until(() -> ackedIds(clients).containsAll(List.of(2L, 4L)));
    }

    // ---------------------------------------------------------------- helpers

    /** What a read-only view of the store shows: the committed offset, the checkpoints held and the complete ones. */
    private record DiskView(OptionalLong committed, Set<Long> checkpoints, Set<Long> complete) {
    }

    private DiskView disk() throws IOException {
        try (CellStore view = CellStore.openReadOnly(dataDir)) {
            Set<Long> held = Set.copyOf(view.checkpoints(APP));
            Set<Long> complete = new java.util.HashSet<>();
            for (long cp : held) {
                if (view.isComplete(APP, cp)) {
                    complete.add(cp);
                }
            }
            return new DiskView(view.committedOffset(SOURCE), held, Set.copyOf(complete));
        }
    }

    /** A record sent, with what the store on disk showed as it was sent. */
    private record Sent(String topic, DiskView disk) {
    }

    private List<Sent> recordDiskAtEachSend(MockSinkClients clients) {
        List<Sent> views = new CopyOnWriteArrayList<>();
        clients.producer.onSend(r -> {
            try {
                views.add(new Sent(r.topic(), disk()));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        return views;
    }

    /** A sink started on checkpoint 1 with an unreadable record at {@code offset}, its dead letter unanswered. */
    private record DeadLetterInFlight(MockSinkClients clients, List<Sent> atSend, TestCheckpoints.Striped checkpoint,
            long end, BackupSink sink) {
    }

    private DeadLetterInFlight startWithGarbageAt(int offset) throws IOException {
        MockSinkClients clients = clients(0, false);
        List<Sent> atSend = recordDiskAtEachSend(clients);
        TestCheckpoints.Striped c = checkpoint(1);
        List<byte[]> batch = new ArrayList<>(valuesFor(c));
        batch.add(offset, GARBAGE);
        long end = clients.consumer.append(key(c), batch);
        BackupSink sink = start(clients, Map.of());
        waiting().until(() -> clients.producer.history().size() == 1);
        return new DeadLetterInFlight(clients, atSend, c, end, sink);
    }

    private MockSinkClients clients(long logStart, boolean autoComplete) {
        if (dataDir == null) {
            dataDir = tmp.resolve("server-0");
        }
        return new MockSinkClients(new MockSinkClients.Stripes(PARTITION, SERVERS, logStart),
                new MockSinkClients.Sends(autoComplete));
    }

    private BackupSink start(MockSinkClients clients, Map<String, Object> extra) throws IOException {
        Map<String, Object> props = new HashMap<>();
        props.put("bootstrap.servers", "localhost:9"); // never contacted: the clients are mocks
        props.put(SinkConfig.SERVER_INDEX_CONFIG, 0);
        props.put(SinkConfig.DATA_DIR_CONFIG, dataDir.toString());
        props.put(SinkConfig.HTTP_PORT_CONFIG, SinkConfig.NO_HTTP);
        props.put(SinkConfig.POLL_TIMEOUT_MS_CONFIG, 50);
        props.put(SinkConfig.RETRY_BACKOFF_MS_CONFIG, 10);
        props.put(SinkConfig.RETRY_BACKOFF_MAX_MS_CONFIG, 100);
        props.putAll(extra);
        BackupSink sink = new BackupSink(new SinkConfig(props), clients);
        resources.add(sink);
        sink.start();
        return sink;
    }

    private static TestCheckpoints.Striped checkpoint(long id) {
        return TestCheckpoints.stripe(APP, id, 6 * 4096 - 100, 4096, POLICY, SERVERS, id);
    }

    private static TestCheckpoints.Striped incremental(long id, List<Long> bases) {
        return TestCheckpoints.incremental(APP, id, 6 * 4096 - 100, 4096, POLICY, SERVERS, id, bases);
    }

    /** The checkpoint ids acknowledged so far, in the order the acks were sent. */
    private static List<Long> ackedIds(MockSinkClients clients) {
        return clients.producer.sentTo(NAMES.acks()).stream()
                .map(r -> Long.parseLong(new String(r.key(), StandardCharsets.UTF_8).substring(APP.length() + 1)))
                .toList();
    }

    private static byte[] records(Collection<StoredCell> cells) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (StoredCell c : cells) {
            CellRecordFormat.write(c, out);
        }
        return out.toByteArray();
    }

    /** A request to the sink's HTTP API; {@code body} null for none. */
    private HttpResponse<String> send(BackupSink sink, String method, String path, byte[] body)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(sink.httpUri() + path))
                .timeout(Duration.ofSeconds(10)).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String key(TestCheckpoints.Striped c) {
        return Topics.checkpointKey(c.app(), c.checkpointId());
    }

    /** Server 0's records of {@code c} as the striper publishes them: its cells, then the manifest. */
    private List<byte[]> valuesFor(TestCheckpoints.Striped c) {
        List<byte[]> values = new ArrayList<>();
        for (StripeUnit u : c.unitsFor(0)) {
            values.add(serialize(u));
        }
        values.add(serialize(c.manifest()));
        return values;
    }

    private byte[] serialize(SpecificRecord value) {
        return topics.stripes().valueSerde().serializer().serialize(NAMES.stripes(), value);
    }

    /** Every cell of server 0 is stored once and the checkpoint is complete. */
    private void assertStoredOnce(TestCheckpoints.Striped c) throws IOException {
        try (CellStore view = CellStore.openReadOnly(dataDir)) {
            assertThat(view.cells(APP, c.checkpointId())).containsExactlyElementsOf(c.cellsFor(0).keySet());
            assertThat(view.isComplete(APP, c.checkpointId())).isTrue();
            for (var e : c.cellsFor(0).entrySet()) {
                assertThat(view.readCell(APP, c.checkpointId(), e.getKey().segmentIndex(), e.getKey().cellIndex())
                        .orElseThrow().verified()).isEqualTo(e.getValue());
            }
        }
    }

    private static void completeAll(MockSinkClients clients) {
        while (clients.producer.completeNext()) {
            // each pending send, in order
        }
    }

    private static ConditionFactory waiting() {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String header(ProducerRecord<?, ?> r, String name) {
        return SinkTestSupport.header(r.headers(), name);
    }
}
