package io.checkstripe.sink;

import io.checkstripe.codec.CorruptCellException;
import io.checkstripe.core.CheckpointContent;
import io.checkstripe.core.DiskFullException;
import io.checkstripe.crypto.AppKeyDirectory;
import io.checkstripe.metrics.Health;
import io.checkstripe.metrics.ProcessMetrics;
import io.checkstripe.schemas.CheckpointKey;
import io.checkstripe.schemas.DeadLetterReason;
import io.checkstripe.schemas.DeadLetters;
import io.checkstripe.schemas.KafkaRefusals;
import io.checkstripe.schemas.ManifestSignatures;
import io.checkstripe.schemas.RejectedRecordException;
import io.checkstripe.schemas.SchemaRegistryException;
import io.checkstripe.schemas.Topics;
import io.checkstripe.schemas.avro.CheckpointAck;
import io.checkstripe.schemas.avro.CheckpointManifest;
import io.checkstripe.schemas.avro.StripeUnit;
import io.checkstripe.store.CellStore;
import io.checkstripe.store.CheckpointConflictException;
import io.checkstripe.store.CommitTiming;
import io.checkstripe.store.StoredCell;
import io.checkstripe.store.StoredManifest;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.kafka.KafkaClientMetrics;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Queue;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.Metric;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One backup server: consumes its partition of the stripes topic into its {@link CellStore}, acknowledges the
 * checkpoints it holds durably, keeps the newest R complete checkpoints per application, and serves the store
 * over the read-only {@link SinkHttpServer} API.
 *
 * <h2>Exactly once on disk</h2>
 * The sink {@code assign()}s partition I (its server index) of the stripes topic, reads {@code read_committed},
 * and keeps its position in the store, never in Kafka: on start it seeks to the store's committed offset for the
 * source {@code <stripes topic>-I} (the beginning when there is none). Every polled batch is appended (cells as
 * {@link StoredCell}s, manifests as {@link StoredManifest}s), then committed with {@code commit(source, last + 1)},
 * which forces the data before it records the offset. The offset is therefore never ahead of durable data, and
 * the store's appends are idempotent, so a crash at any instant neither loses nor duplicates a cell.
 *
 * <h2>Bad records</h2>
 * A record the sink cannot store (unreadable bytes, a tombstone, an unknown format version, an invalid application
 * id, inconsistent fields, a cell routed to another server, a CRC mismatch, a conflict with what the store holds,
 * a manifest of an application with a public key in {@link SinkConfig#appKeys()} that its key did not sign)
 * goes to the dead-letter topic as it came, with the {@code Topics.DLQ_*_HEADER} headers (reason: a
 * {@link DeadLetterReason} code), and is skipped; the batch's offset is committed only after Kafka acknowledged the
 * dead letters. A crash between the two sends the same dead letter again after the restart.
 *
 * <h2>Acknowledgements and retention</h2>
 * After a commit, every checkpoint the batch touched that is complete in the store (manifest and every cell this
 * server should hold) is acknowledged once per run with a {@link CheckpointAck} on the acks topic (key
 * {@code appId/checkpointId}), from a separate thread so that a slow acks topic never holds up the cells; a failed
 * send is retried with backoff. On start the retained complete checkpoints of every application are acknowledged
 * as well, since the previous run may have stopped between a commit and its acknowledgement: acks can repeat
 * across runs, which is harmless, but not within one. The same pass applies {@link Retention}: older checkpoints
 * are deleted once R newer ones are complete here, except those a kept incremental checkpoint reads from.
 *
 * <p>An incremental checkpoint (one whose manifest lists bases, {@link CheckpointContent}) restores only with
 * its bases, so it is acknowledged only once every one of them is complete here too; until then the sink warns
 * once, naming the missing bases, and the publisher, missing this server's ack, reports the checkpoint unprotected
 * and publishes in full next time. A repair through the HTTP API (the healer's) makes the sink pass over the
 * application again, so a checkpoint held back this way is acknowledged as soon as its bases are repaired.
 *
 * <h2>Failures</h2>
 * When the store fails (a full disk, an I/O error), Kafka refuses a dead letter or the schema registry cannot be
 * reached, the sink stops consuming, logs
 * one error naming the data directory and the cause, and reports {@link SinkHealth.State#STALLED} with the reason.
 * Its offset stays at the last durable batch. It then retries with a doubling backoff: it closes the store, opens
 * it again (recovery cuts a torn tail), seeks back to the committed offset and goes on, so it catches up without
 * loss once space is freed. While the store cannot be reopened, the HTTP API reads a read-only view of it. When
 * Kafka has not answered a fetch for {@link SinkConfig#healthBrokerTimeout()}, the sink reports STALLED too
 * (broker unreachable) until it does. Kafka refusing the sink's principal (an authentication failure, or a missing
 * ACL to read the stripes or write an acknowledgement or a dead letter) is not retried, since only an operator can
 * fix it: the sink reports FAILED and stops, and {@link #run()} throws with the refusal as its cause.
 *
 * <h2>Watching it</h2>
 * {@link #metrics()} ({@code GET /metrics}) holds the sink's meters ({@link SinkMetrics}), its Kafka clients' and
 * its JVM's; {@link #opsHealth()} ({@code GET /health}) says whether it does its job; a {@link Scrubber} CRC-checks
 * the store in the background and {@link #scrubReport()} ({@code GET /v1/scrub}) says what it found.
 *
 * <p>{@link #start()} and {@link #close()} are for in-JVM use (the demo, tests); {@link #run()} blocks until
 * {@link #close()} for a CLI. The Kafka clients come from a {@link SinkClientSupplier}, Kafka's own unless the
 * constructor is given another, so that the loop can be tested on mock clients without a broker. Thread-safe;
 * the consumer is used by the sink's own thread only.
 */
public final class BackupSink implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(BackupSink.class);

    /** How long {@link #close()} waits for the sink thread to finish its batch. */
    public static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);


    private static final Duration PARTITIONS_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration PRODUCER_CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final SinkConfig config;
    private final int serverIndex;
    private final Path dataDir;
    private final Topics topics;
    private final TopicPartition partition;
    private final String sourceKey;
    private final Deserializer<SpecificRecord> stripesDeserializer;
    private final Serializer<CheckpointAck> ackSerializer;
    private final Serializer<String> keySerializer;
    private final SinkClientSupplier clients;
    private final AppKeyDirectory appKeys;

    private final CountDownLatch closing = new CountDownLatch(1);
    private final CountDownLatch stopped = new CountDownLatch(1);
    /** Checkpoints acknowledged (or being acknowledged) in this run. */
    private final Set<CheckpointKey> acked = ConcurrentHashMap.newKeySet();
    /** Complete checkpoints not acknowledged for want of their bases, warned about once per run. */
    private final Set<CheckpointKey> heldBack = ConcurrentHashMap.newKeySet();
    /** Per application, what the last retention pass kept only as bases, for the HTTP listing. */
    private final Map<String, NavigableSet<Long>> keptAsBases = new ConcurrentHashMap<>();
    /** Applications a repair wrote to, for the sink thread to pass over again (acks held back, retention). */
    private final Queue<String> repairedApps = new ConcurrentLinkedQueue<>();

    private final PrometheusMeterRegistry registry;
    private final SinkMetrics metrics;
    /** When the sink last had nothing of its partition that was not durable in its store. */
    private volatile long caughtUpNanos = System.nanoTime();
    /** When the consumer last received a fetch response from Kafka. */
    private volatile long fetchedNanos = System.nanoTime();
    /** The consumer's count of fetch responses, found at the first look; null when the client has none. */
    private Metric fetches;
    private double fetchesSeen = -1;
    private List<KafkaClientMetrics> clientMetrics = new ArrayList<>();

    private volatile SinkHealth health = SinkHealth.of(SinkHealth.State.STARTING);
    /** The writable store; null while the sink is reopening it. Written by the sink thread only after start. */
    private volatile CellStore store;
    /** A read-only view for the HTTP API while {@link #store} is null. */
    private volatile CellStore readOnlyView;
    private volatile Throwable fatal;
    /** Kafka refusing an acknowledgement, for the sink thread to stop on. */
    private volatile RuntimeException ackRefused;

    private Consumer<byte[], byte[]> consumer;
    private Producer<byte[], byte[]> producer;
    private ScheduledExecutorService ackSender;
    private SinkHttpServer http;
    private Scrubber scrubber;
    private Thread thread;
    private boolean started;
    private boolean closed;

    /** A sink for {@code config} on Kafka's own clients; nothing is opened before {@link #start()}. */
    public BackupSink(SinkConfig config) {
        this(config, DefaultSinkClientSupplier.INSTANCE);
    }

    /**
     * A sink for {@code config} on the clients {@code clients} makes (in {@link #start()}, which also closes them
     * when it fails; {@link #close()} closes them otherwise); nothing is opened before {@link #start()}.
     */
    public BackupSink(SinkConfig config, SinkClientSupplier clients) {
        this.config = Objects.requireNonNull(config, "config");
        this.clients = Objects.requireNonNull(clients, "clients");
        this.serverIndex = config.serverIndex();
        this.dataDir = config.dataDir().toAbsolutePath().normalize();
        this.topics = config.topics();
        this.partition = new TopicPartition(topics.names().stripes(), serverIndex);
        this.sourceKey = partition.toString();
        this.stripesDeserializer = topics.stripes().valueSerde().deserializer();
        this.ackSerializer = topics.acks().valueSerde().serializer();
        this.keySerializer = topics.acks().keySerde().serializer();
        this.appKeys = config.appKeys();
        this.registry = ProcessMetrics.registry(Tags.of("server", Integer.toString(serverIndex)));
        this.metrics = new SinkMetrics(registry, dataDir.toFile(), () -> health.state());
    }

    /**
     * Opens the store, starts the HTTP API and the sink thread, and returns.
     *
     * @throws IOException              when the store cannot be opened (locked by another sink, not a store, I/O
     *                                  error) or the HTTP address cannot be bound
     * @throws org.apache.kafka.common.config.ConfigException when a TLS or token file of the HTTP API is
     *                                  unreadable or malformed
     * @throws IllegalArgumentException when the data directory belongs to another server index
     * @throws IllegalStateException    when already started or closed
     */
    public synchronized void start() throws IOException {
        if (started || closed) {
            throw new IllegalStateException(closed ? "the backup sink is closed" : "the backup sink is already started");
        }
        started = true;
        InetSocketAddress address = config.httpAddress();
        SinkHttpSecurity security = address == null ? null : config.httpSecurity();
        store = CellStore.open(dataDir, serverIndex);
        try {
            if (address != null) {
                warnIfExposed(address, security);
                http = SinkHttpServer.start(address, config.httpThreads(), new HttpSource(), security, System::nanoTime);
            }
            producer = clients.getProducer(config.producerProperties());
            consumer = clients.getConsumer(config.consumerProperties());
            consumer.assign(List.of(partition));
            clientMetrics = List.of(new KafkaClientMetrics(consumer), new KafkaClientMetrics(producer));
            clientMetrics.forEach(m -> m.bindTo(registry));
            ackSender = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "checkstripe-sink-" + serverIndex + "-acks");
                t.setDaemon(true);
                return t;
            });
            thread = new Thread(this::loop, "checkstripe-sink-" + serverIndex);
            thread.start();
            if (config.scrubBytesPerSecond() > 0) {
                scrubber = new Scrubber(serverIndex, () -> store, config.scrubBytesPerSecond(), config.scrubInterval(),
                        metrics);
                scrubber.start();
            }
        } catch (IOException | RuntimeException e) {
            closed = true;
            shutDown();
            closeQuietly(consumer);
            closeStore();
            throw e;
        }
        log.info("backup server {} started: {} -> {}{}", serverIndex, sourceKey, dataDir,
                http == null ? ", no HTTP API" : ", HTTP API on " + http.uri());
    }

    /** Warns when the API is reachable from other hosts without TLS and authentication. */
    private void warnIfExposed(InetSocketAddress address, SinkHttpSecurity security) {
        if (address.getAddress() != null && address.getAddress().isLoopbackAddress()) {
            return;
        }
        if (!security.authenticates()) {
            log.warn("backup server {}: the HTTP API listens on {}, reachable from other hosts, without "
                    + "authentication: anyone who reaches it can read{} its cells; set {} and {} (see the security "
                    + "guide)", serverIndex, address, config.httpRepairs() ? " and write" : "",
                    SinkConfig.HTTP_AUTH_TOKEN_FILE_CONFIG, SinkConfig.HTTP_TLS_CERTIFICATE_FILE_CONFIG);
        } else if (!security.tls()) {
            log.warn("backup server {}: the HTTP API listens on {}, reachable from other hosts, without TLS: its "
                    + "token crosses the network in the clear; set {} and {}", serverIndex, address,
                    SinkConfig.HTTP_TLS_CERTIFICATE_FILE_CONFIG, SinkConfig.HTTP_TLS_KEY_FILE_CONFIG);
        }
    }

    /**
     * Starts (unless started) and blocks until {@link #close()} is called or the sink fails beyond retrying.
     *
     * @throws IOException           as {@link #start()} does
     * @throws IllegalStateException when the sink stopped after an error it cannot retry
     * @throws InterruptedException  when the waiting thread is interrupted (the sink keeps running)
     */
    public void run() throws IOException, InterruptedException {
        synchronized (this) {
            if (!started && !closed) {
                start();
            }
        }
        stopped.await();
        Throwable failure = fatal;
        if (failure != null) {
            throw new IllegalStateException("backup server " + serverIndex + " stopped: " + failure, failure);
        }
    }

    /** The sink's state, with the reason when it is stalled. */
    public SinkHealth health() {
        return health;
    }

    /** The counters since start. */
    public SinkStats stats() {
        return metrics.stats();
    }

    /** What the background scrub found; disabled when {@code checkstripe.scrub.rate.mb} is 0. */
    public ScrubReport scrubReport() {
        Scrubber s = scrubber;
        return s != null ? s.report() : new ScrubReport(false, 0, config.scrubInterval().toSeconds(), 0, false, null);
    }

    /** The registry of the sink's meters and of its JVM's, which {@code GET /metrics} serves. */
    public PrometheusMeterRegistry metrics() {
        return registry;
    }

    /**
     * What {@code GET /health} answers: healthy only while the sink runs and has not been behind its partition
     * for longer than {@link SinkConfig#healthMaxBehind()}; otherwise the state and why.
     */
    public Health opsHealth() {
        SinkHealth h = health;
        long lag = metrics.lag();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("serverIndex", serverIndex);
        details.put("committedOffset", metrics.committedOffset());
        details.put("endOffset", metrics.endOffset());
        details.put("lag", lag);
        details.put("since", h.since().toString());
        String state = h.state().name();
        return switch (h.state()) {
            case RUNNING -> {
                Duration behind = Duration.ofNanos(System.nanoTime() - caughtUpNanos);
                yield lag > 0 && behind.compareTo(config.healthMaxBehind()) > 0
                        ? Health.unhealthy(state, lag + " records of " + sourceKey + " not yet durable here, behind for "
                                + behind.toSeconds() + " s (more than " + config.healthMaxBehind().toSeconds() + " s)",
                                details)
                        : Health.healthy(state, details);
            }
            case STARTING -> Health.unhealthy(state, "opening the store and connecting to Kafka", details);
            case STOPPED -> Health.unhealthy(state, "the sink is closed", details);
            case STALLED, FAILED -> Health.unhealthy(state, h.reason(), details);
        };
    }

    /** The HTTP API's bound port, or -1 when it is off or not started. */
    public synchronized int httpPort() {
        return http == null ? -1 : http.port();
    }

    /** The HTTP API's {@code http://host:port}, or null when it is off or not started. */
    public synchronized URI httpUri() {
        return http == null ? null : http.uri();
    }

    /** The backup server index. */
    public int serverIndex() {
        return serverIndex;
    }

    /** The store's directory, absolute. */
    public Path dataDir() {
        return dataDir;
    }

    /** The configuration it runs with. */
    public SinkConfig config() {
        return config;
    }

    /**
     * Stops consuming after the batch in hand (whose offset is committed only if its data is durable), stops the
     * HTTP API, sends the acknowledgements already queued and closes the store; idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        closing.countDown();
        try {
            shutDown();
        } finally {
            health = SinkHealth.of(SinkHealth.State.STOPPED);
            stopped.countDown();
            log.info("backup server {} stopped", serverIndex);
        }
    }

    private void shutDown() {
        if (scrubber != null) {
            scrubber.close();
        }
        if (consumer != null) {
            consumer.wakeup();
        }
        if (http != null) {
            http.close();
        }
        if (thread != null && thread != Thread.currentThread()) {
            try {
                thread.join(CLOSE_TIMEOUT.toMillis());
                if (thread.isAlive()) {
                    log.warn("backup server {}: the sink thread did not stop within {}", serverIndex, CLOSE_TIMEOUT);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (ackSender != null) {
            ackSender.shutdownNow();
        }
        if (producer != null) {
            producer.close(PRODUCER_CLOSE_TIMEOUT);
        }
        clientMetrics.forEach(KafkaClientMetrics::close);
    }

    // ---------------------------------------------------------------- the sink thread

    private void loop() {
        Duration backoff = config.retryBackoff();
        boolean resumed = false;
        try {
            while (!isClosing()) {
                try {
                    if (ackRefused != null) {
                        throw ackRefused;
                    }
                    if (!resumed) {
                        resume();
                        resumed = true;
                    }
                    ConsumerRecords<byte[], byte[]> records = consumer.poll(config.pollTimeout());
                    boolean healthy;
                    if (!records.isEmpty()) {
                        processBatch(records.records(partition));
                        healthy = true;
                    } else {
                        // After a stall, only a committed batch or having caught up proves the store works again.
                        healthy = health.state() == SinkHealth.State.STARTING || caughtUp();
                    }
                    for (String app = repairedApps.poll(); app != null; app = repairedApps.poll()) {
                        housekeep(app);
                    }
                    healthy &= kafkaAnswers();
                    if (healthy && health.state() != SinkHealth.State.RUNNING) {
                        recovered();
                    }
                    if (health.state() == SinkHealth.State.RUNNING) {
                        backoff = config.retryBackoff();
                    }
                } catch (WakeupException e) {
                    // close() woke the consumer: the loop condition ends the loop
                } catch (InterruptedException e) {
                    throw e;
                } catch (Exception e) {
                    if (isClosing()) {
                        break;
                    }
                    if (KafkaRefusals.causedByRefusal(e)) {
                        throw new IllegalStateException("Kafka refused backup server " + serverIndex + ": " + e, e);
                    }
                    stall(e, backoff);
                    resumed = false;
                    if (closing.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
                        break;
                    }
                    backoff = min(backoff.multipliedBy(2), config.retryBackoffMax());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            fatal = t;
            health = SinkHealth.failed(t.toString());
            log.error("backup server {} failed and stopped consuming {}", serverIndex, sourceKey, t);
        } finally {
            closeQuietly(consumer);
            closeStore();
            closeReadOnlyView();
            if (fatal != null) {
                stopped.countDown();
            }
        }
    }

    /** (Re)opens the store if needed, seeks to its committed offset and acks and prunes what it holds. */
    private void resume() throws IOException {
        if (store == null) {
            store = CellStore.open(dataDir, serverIndex);
            closeReadOnlyView();
        }
        checkPartitionExists();
        OptionalLong committed = store.committedOffset(sourceKey);
        if (committed.isPresent()) {
            consumer.seek(partition, committed.getAsLong());
            metrics.resumedAt(committed.getAsLong());
        } else {
            consumer.seekToBeginning(List.of(partition));
        }
        if (health.state() != SinkHealth.State.STALLED) {
            log.info("backup server {} consuming {} from {}", serverIndex, sourceKey,
                    committed.isPresent() ? "offset " + committed.getAsLong() : "the beginning");
        }
        for (String app : store.apps()) {
            housekeep(app);
        }
    }

    private void checkPartitionExists() {
        List<PartitionInfo> partitions;
        try {
            partitions = consumer.partitionsFor(partition.topic(), PARTITIONS_TIMEOUT);
        } catch (TimeoutException e) {
            log.info("backup server {}: Kafka did not describe topic {} within {}; consuming anyway", serverIndex,
                    partition.topic(), PARTITIONS_TIMEOUT);
            return;
        }
        if (partitions == null || partitions.isEmpty()) {
            log.info("backup server {}: topic {} does not exist yet; waiting for it", serverIndex, partition.topic());
        } else if (partitions.size() <= serverIndex) {
            throw new IllegalStateException("topic " + partition.topic() + " has " + partitions.size()
                    + " partitions, one per backup server, so there is no partition for server index " + serverIndex
                    + ": check --server-index and the number of servers the striper runs with");
        }
    }

    private boolean caughtUp() {
        OptionalLong lag = consumer.currentLag(partition);
        return lag.isPresent() && lag.getAsLong() == 0;
    }

    /**
     * Updates the partition's end offset and the time of the last fetch response, and reports the sink STALLED
     * (broker unreachable) once Kafka has not answered for {@link SinkConfig#healthBrokerTimeout()}. Returns
     * whether Kafka answers.
     */
    private boolean kafkaAnswers() {
        long now = System.nanoTime();
        // Every record polled so far is processed and committed: below the position, nothing is left to store.
        long position = consumer.position(partition);
        metrics.durableThrough(position);
        OptionalLong lag = consumer.currentLag(partition);
        if (lag.isPresent()) {
            metrics.endOffset(position + lag.getAsLong());
        }
        if (metrics.lag() == 0) {
            caughtUpNanos = now;
        }
        if (fetches == null) {
            fetches = consumer.metrics().entrySet().stream()
                    .filter(e -> e.getKey().name().equals("fetch-total")
                            && e.getKey().group().equals("consumer-fetch-manager-metrics"))
                    .map(Map.Entry::getValue).findFirst().orElse(null);
            if (fetches == null) {
                return true; // a client without Kafka's metrics (a mock): nothing to judge by
            }
        }
        double seen = ((Number) fetches.metricValue()).doubleValue();
        if (seen != fetchesSeen) {
            fetchesSeen = seen;
            fetchedNanos = now;
            return true;
        }
        Duration silent = Duration.ofNanos(now - fetchedNanos);
        if (silent.compareTo(config.healthBrokerTimeout()) <= 0) {
            return true;
        }
        String reason = "broker unreachable: no fetch response from Kafka (" + config.consumerProperties()
                .get(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG) + ") for " + silent.toSeconds() + " s";
        if (health.state() != SinkHealth.State.STALLED) {
            log.error("backup server {} stopped consuming {}: {}; it goes on as soon as Kafka answers", serverIndex,
                    sourceKey, reason);
            health = SinkHealth.stalled(reason);
        }
        return false;
    }

    private void processBatch(List<ConsumerRecord<byte[], byte[]>> records)
            throws IOException, InterruptedException, DeadLetterFailedException {
        if (records.isEmpty()) {
            return;
        }
        CellStore s = store;
        Set<CheckpointKey> touched = new LinkedHashSet<>();
        List<Future<RecordMetadata>> sent = new ArrayList<>();
        List<DeadLetterReason> reasons = new ArrayList<>();
        long cells = 0;
        long bytes = 0;
        long manifests = 0;
        long next = -1;
        for (ConsumerRecord<byte[], byte[]> record : records) {
            try {
                SpecificRecord value = decode(record);
                if (value instanceof StripeUnit unit) {
                    StoredCell cell = StripeRecords.cell(unit, serverIndex, "stripe unit at offset "
                            + record.offset() + " of " + sourceKey);
                    touched.add(new CheckpointKey(unit.getAppId(), unit.getCheckpointId()));
                    if (append(s, cell)) {
                        cells++;
                        bytes += cell.data().length;
                    }
                } else if (value instanceof CheckpointManifest manifest) {
                    StoredManifest m = StripeRecords.manifest(manifest, serverIndex, "manifest at offset "
                            + record.offset() + " of " + sourceKey);
                    ManifestSignatures.verify(appKeys, manifest);
                    touched.add(new CheckpointKey(m.appId(), m.checkpointId()));
                    if (put(s, m)) {
                        manifests++;
                    }
                } else {
                    throw new RejectedRecordException(DeadLetterReason.UNREADABLE, "value is a "
                            + value.getClass().getName() + ", neither a StripeUnit nor a CheckpointManifest");
                }
            } catch (RejectedRecordException e) {
                sent.add(deadLetter(record, e));
                reasons.add(e.reason());
            }
            next = record.offset() + 1;
        }
        awaitDeadLetters(sent);
        CommitTiming timing = s.commit(sourceKey, next);
        reasons.forEach(metrics::deadLetter);
        for (String app : new TreeSet<>(touched.stream().map(CheckpointKey::appId).toList())) {
            housekeep(app);
        }
        // last, so that whoever sees the offset also sees the batch's acks queued and deletions done
        metrics.committed(cells, bytes, manifests, timing, next);
    }

    private SpecificRecord decode(ConsumerRecord<byte[], byte[]> record) throws RejectedRecordException {
        if (record.value() == null) {
            throw new RejectedRecordException(DeadLetterReason.NULL_VALUE, "null value (tombstone) at offset "
                    + record.offset());
        }
        try {
            return stripesDeserializer.deserialize(record.topic(), record.headers(), record.value());
        } catch (SerializationException e) {
            if (e.getCause() instanceof SchemaRegistryException r && !r.isNotFound()) {
                throw e; // the registry is down, the record may be fine: stall and retry
            }
            throw new RejectedRecordException(DeadLetterReason.UNREADABLE, "unreadable value at offset "
                    + record.offset(), e);
        } catch (RuntimeException e) {
            throw new RejectedRecordException(DeadLetterReason.UNREADABLE, "unreadable value at offset "
                    + record.offset(), e);
        }
    }

    private static boolean append(CellStore s, StoredCell cell) throws IOException, RejectedRecordException {
        try {
            return s.append(cell);
        } catch (CorruptCellException e) {
            throw new RejectedRecordException(DeadLetterReason.CORRUPT_CELL, "cell " + cell.header(), e);
        } catch (CheckpointConflictException e) {
            throw new RejectedRecordException(DeadLetterReason.CONFLICT, "cell " + cell.header(), e);
        }
    }

    private static boolean put(CellStore s, StoredManifest m) throws IOException, RejectedRecordException {
        try {
            return s.putManifest(m);
        } catch (CheckpointConflictException e) {
            throw new RejectedRecordException(DeadLetterReason.CONFLICT, "manifest " + m, e);
        }
    }

    private Future<RecordMetadata> deadLetter(ConsumerRecord<byte[], byte[]> record, RejectedRecordException e)
            throws DeadLetterFailedException {
        String dlq = topics.names().deadLetters();
        log.warn("backup server {}: record at offset {} of {} goes to dead-letter topic {} ({}): {}", serverIndex,
                record.offset(), sourceKey, dlq, e.reason().code(), e.describe());
        Headers headers = DeadLetters.headers(record, e.reason(), e.describe());
        try {
            return producer.send(new ProducerRecord<>(dlq, null, record.timestamp(), record.key(), record.value(),
                    headers));
        } catch (RuntimeException failure) {
            throw new DeadLetterFailedException(dlq, failure);
        }
    }

    private void awaitDeadLetters(List<Future<RecordMetadata>> sent)
            throws InterruptedException, DeadLetterFailedException {
        if (sent.isEmpty()) {
            return;
        }
        producer.flush();
        for (Future<RecordMetadata> f : sent) {
            try {
                f.get();
            } catch (ExecutionException e) {
                throw new DeadLetterFailedException(topics.names().deadLetters(), e.getCause());
            }
        }
    }

    /**
     * Queues the acknowledgements of the complete checkpoints retention keeps (for data already durable), then
     * deletes what retention allows. The ack thread sends them while the deletion runs, so a publisher waiting
     * for one does not also wait for the deletion's fsyncs; an ack may therefore reach Kafka after the
     * deletion, which is harmless: it never names a deleted checkpoint. An incremental checkpoint is acknowledged
     * only once every checkpoint it reads from is complete here too: until then it is held back with one warning,
     * and every later pass over the application (after a batch, a repair, or at start) looks again.
     */
    private void housekeep(String app) throws IOException {
        CellStore s = store;
        NavigableMap<Long, Retention.Held> held = new TreeMap<>();
        for (long cp : s.checkpoints(app)) {
            held.put(cp, held(s, app, cp));
        }
        Retention.Decision decision = Retention.decide(held, config.retain());
        List<Long> expired = decision.expired();
        held.forEach((cp, h) -> {
            CheckpointKey key = new CheckpointKey(app, cp);
            if (h.complete() && !expired.contains(cp) && !acked.contains(key) && basesHere(key, held)
                    && acked.add(key)) {
                sendAck(key, config.retryBackoff());
            }
        });
        for (long cp : expired) {
            if (s.delete(app, cp)) {
                metrics.deleted();
                log.info("backup server {}: deleted {}/{}, {} newer checkpoints being complete here and none kept "
                        + "reading from it", serverIndex, app, cp, config.retain());
            }
            CheckpointKey key = new CheckpointKey(app, cp);
            acked.remove(key);
            heldBack.remove(key);
        }
        keptAsBases.put(app, decision.keptAsBases());
        metrics.holds(app, s.checkpoints(app).size(), s.storedBytes(app), decision.keptAsBases().size());
    }

    /** What retention needs of one checkpoint: complete or not, and the bases its manifest lists. */
    private Retention.Held held(CellStore s, String app, long cp) throws IOException {
        boolean complete = s.isComplete(app, cp);
        Optional<StoredManifest> manifest = s.manifest(app, cp);
        if (manifest.isEmpty()) {
            return Retention.Held.unknownBases(complete);
        }
        try {
            return Retention.Held.of(complete, CheckpointContent.from(cp, manifest.get().metadata())
                    .map(CheckpointContent::bases).orElse(List.of()));
        } catch (IllegalArgumentException e) {
            if (heldBack.add(new CheckpointKey(app, cp))) {
                log.warn("backup server {}: {}/{} has malformed content metadata ({}): it is not acknowledged, and "
                        + "every older checkpoint is kept while it is", serverIndex, app, cp, e.getMessage());
            }
            return Retention.Held.unknownBases(complete);
        }
    }

    /**
     * Whether every checkpoint {@code key} reads from (bases of bases too) is complete here; warns once per run
     * naming the missing ones when not. A checkpoint whose bases are unknown is never acknowledged.
     */
    private boolean basesHere(CheckpointKey key, NavigableMap<Long, Retention.Held> held) {
        Retention.Held h = held.get(key.checkpointId());
        if (h.bases().isEmpty()) {
            return false;
        }
        NavigableSet<Long> bases = CheckpointContent.closeOverBases(List.of(key.checkpointId()),
                id -> held.containsKey(id) ? held.get(id).bases().orElse(List.of()) : List.of());
        List<Long> missing = bases.stream().filter(b -> !held.containsKey(b) || !held.get(b).complete()).toList();
        if (missing.isEmpty()) {
            if (heldBack.remove(key)) {
                log.info("backup server {}: every base of {} is complete here now: acknowledging it", serverIndex,
                        key);
            }
            return true;
        }
        if (heldBack.add(key)) {
            log.warn("backup server {}: not acknowledging {}: it reads from checkpoints {} of {}, which are not "
                    + "complete here; it is acknowledged once they are (a repair can bring them)", serverIndex, key,
                    missing, key.appId());
        }
        return false;
    }

    private void recovered() {
        SinkHealth before = health;
        health = SinkHealth.of(SinkHealth.State.RUNNING);
        if (before.state() == SinkHealth.State.STALLED) {
            log.info("backup server {} resumed consuming {} after {} stalled", serverIndex, sourceKey,
                    Duration.between(before.since(), Instant.now()));
        }
    }

    private void stall(Exception e, Duration backoff) {
        String reason = describe(e);
        SinkHealth before = health;
        if (before.state() != SinkHealth.State.STALLED || !reason.equals(before.reason())) {
            log.error("backup server {} stopped consuming {}: {}. Its committed offset stays at the last durable batch;"
                    + " it retries in {} ms (backing off up to {} ms)", serverIndex, sourceKey, reason, backoff.toMillis(),
                    config.retryBackoffMax().toMillis());
            log.debug("backup server {} stall cause", serverIndex, e);
            health = SinkHealth.stalled(reason);
        } else {
            log.debug("backup server {} still stalled: {}", serverIndex, reason, e);
        }
        if (readOnlyView == null) {
            // Opened before the writable store goes, so that HTTP reads never find neither.
            try {
                readOnlyView = CellStore.openReadOnly(dataDir);
            } catch (IOException | RuntimeException failure) {
                log.debug("backup server {}: no read-only view of {} either: {}", serverIndex, dataDir,
                        failure.toString());
            }
        }
        closeStore();
    }

    /** The one-line reason of a stall: disk full, store failure, dead-letter failure, or anything else. */
    private String describe(Exception e) {
        if (e instanceof IOException) {
            if (DiskFullException.isCauseOf(e)) {
                return "the disk holding data directory " + dataDir + " is full (no space left on device): " + e.getMessage()
                        + "; free space there and the sink catches up by itself";
            }
            return "the cell store in " + dataDir + " failed: " + e.getMessage();
        }
        if (e instanceof DeadLetterFailedException) {
            return e.getMessage();
        }
        if (e instanceof SerializationException) {
            return "cannot decode records: " + e.getMessage();
        }
        return e.toString();
    }

    // ---------------------------------------------------------------- acknowledgements

    private void sendAck(CheckpointKey key, Duration retryIn) {
        try {
            ackSender.execute(() -> publishAck(key, retryIn));
        } catch (RejectedExecutionException e) {
            log.debug("backup server {}: not acknowledging {}, the sink is closing", serverIndex, key);
        }
    }

    private void publishAck(CheckpointKey key, Duration retryIn) {
        String topic = topics.names().acks();
        try {
            CheckpointAck ack = new CheckpointAck(StripeRecords.FORMAT_VERSION, serverIndex, key.appId(), key.checkpointId(),
                    System.currentTimeMillis());
            producer.send(new ProducerRecord<>(topic, keySerializer.serialize(topic, key.toString()),
                    ackSerializer.serialize(topic, ack)), (metadata, e) -> {
                        if (e == null) {
                            metrics.ackSent();
                            log.info("backup server {} acknowledged {}: durable here", serverIndex, key);
                        } else {
                            retryAck(key, retryIn, e);
                        }
                    });
        } catch (RuntimeException e) {
            retryAck(key, retryIn, e);
        }
    }

    private void retryAck(CheckpointKey key, Duration retryIn, Exception e) {
        if (isClosing()) {
            return;
        }
        if (KafkaRefusals.causedByRefusal(e)) {
            ackRefused = e instanceof RuntimeException refusal ? refusal : new IllegalStateException(e);
            return;
        }
        log.warn("backup server {}: cannot acknowledge {} on topic {} ({}); retrying in {} ms", serverIndex, key,
                topics.names().acks(), e.toString(), retryIn.toMillis());
        try {
            ackSender.schedule(() -> publishAck(key, min(retryIn.multipliedBy(2), config.retryBackoffMax())),
                    retryIn.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException closing) {
            log.debug("backup server {}: not retrying the acknowledgement of {}, the sink is closing", serverIndex, key);
        }
    }

    // ---------------------------------------------------------------- helpers

    private boolean isClosing() {
        return closing.getCount() == 0;
    }

    private void closeStore() {
        CellStore s = store;
        store = null;
        if (s != null) {
            try {
                s.close();
            } catch (IOException | RuntimeException e) {
                log.debug("backup server {}: closing the store in {} failed: {}", serverIndex, dataDir, e.toString());
            }
        }
    }

    private void closeReadOnlyView() {
        CellStore view = readOnlyView;
        readOnlyView = null;
        if (view != null) {
            try {
                view.close();
            } catch (IOException e) {
                log.debug("backup server {}: closing the read-only view failed: {}", serverIndex, e.toString());
            }
        }
    }

    private void closeQuietly(Consumer<?, ?> c) {
        if (c != null) {
            try {
                c.close();
            } catch (RuntimeException e) {
                log.debug("backup server {}: closing the consumer failed: {}", serverIndex, e.toString());
            }
        }
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    /** Kafka did not take a dead letter, so the batch's offset cannot move past the record. */
    private static final class DeadLetterFailedException extends Exception {
        private static final long serialVersionUID = 1L;

        DeadLetterFailedException(String topic, Throwable cause) {
            super("cannot write a rejected record to dead-letter topic " + topic + ": " + cause, cause);
        }
    }

    /** What the HTTP API reads. */
    private final class HttpSource implements SinkHttpServer.Source {
        @Override
        public int serverIndex() {
            return serverIndex;
        }

        @Override
        public CellStore store() {
            CellStore s = store;
            return s != null ? s : readOnlyView;
        }

        @Override
        public SinkHealth health() {
            return health;
        }

        @Override
        public SinkStats stats() {
            return BackupSink.this.stats();
        }

        @Override
        public PrometheusMeterRegistry registry() {
            return registry;
        }

        @Override
        public Health opsHealth() {
            return BackupSink.this.opsHealth();
        }

        @Override
        public ScrubReport scrub() {
            return scrubReport();
        }

        @Override
        public boolean acceptsRepairs() {
            return config.httpRepairs();
        }

        @Override
        public AppKeyDirectory appKeys() {
            return appKeys;
        }

        @Override
        public CellStore writableStore() {
            return store;
        }

        @Override
        public Set<Long> keptAsBases(String app) {
            return BackupSink.this.keptAsBases.getOrDefault(app, Collections.emptyNavigableSet());
        }

        @Override
        public void repaired(String app, long cells, long bytes) {
            metrics.repaired(cells, bytes);
            repairedApps.add(app);
        }
    }
}
