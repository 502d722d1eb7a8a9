package io.checkstripe.producer;

import io.checkstripe.archive.DirectoryArchive;
import io.checkstripe.chunking.ChunkIds;
import io.checkstripe.chunking.ChunkIndex;
import io.checkstripe.chunking.DeltaStream;
import io.checkstripe.chunking.DeltaSummary;
import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.core.AppId;
import io.checkstripe.core.CheckpointContent;
import io.checkstripe.crypto.KeyFile;
import io.checkstripe.crypto.SegmentCipher;
import io.checkstripe.schemas.CheckpointKey;
import io.checkstripe.schemas.DeadLetterReason;
import io.checkstripe.schemas.RejectedRecordException;
import io.checkstripe.schemas.Topics;
import io.checkstripe.schemas.avro.CheckpointCommit;
import io.checkstripe.schemas.avro.CheckpointManifest;
import io.checkstripe.schemas.avro.CheckpointSegment;
import io.checkstripe.striping.PolicyStripers;
import io.checkstripe.striping.SegmentStriper;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes checkpoints: streams a file or an {@link InputStream} in bounded memory, cuts it
 * into segments and sends them, then a {@link CheckpointCommit}, in one Kafka transaction per
 * checkpoint, so that {@code read_committed} readers (the striper, the sinks) see a checkpoint
 * whole or not at all.
 *
 * <p><b>Memory.</b> One segment buffer (two when encrypting) is reused for every segment; each record is serialized
 * (copied) before the next segment is read into the buffer, and the producer's
 * {@code buffer.memory} bounds what waits to be sent, so the heap needed does not grow with
 * the checkpoint (the integration tests publish 300 MiB from a 128 MiB heap; a few segments
 * and 32 MiB of producer buffer are what it takes). The SHA-256 is computed while streaming.
 *
 * <p><b>Failures.</b> A publish that fails (the input throws, Kafka refuses a record) aborts
 * its transaction before the exception reaches the caller. A publish that is killed leaves its
 * transaction open; the next publish of the same application aborts it, because the producer's
 * {@code transactional.id} is {@code <checkstripe.transactional.id.prefix><appId>}
 * ({@code checkstripe-publish-<appId>} by default) and {@code initTransactions} with that id
 * fences the dead producer and aborts what it left; otherwise the broker aborts it after
 * {@code transaction.timeout.ms}. Either way nothing of it is ever visible to
 * {@code read_committed} readers. The flip side: two processes publishing the same application
 * at once fence each other, and the older one's publish fails.
 *
 * <p><b>Checkpoint ids</b> increase per application. Without an explicit id a publish takes
 * the one after the application's newest committed checkpoint (1 for the first), found as
 * {@link #newestCommitted(String)} describes; an explicit id that is not newer is refused
 * with a {@link CheckpointIdNotNewerException}. Every publish records its id in a
 * transactional offset commit of the consumer group named like its transactional id, so that
 * record is committed or aborted with the checkpoint. (With Kafka ACLs, the principal needs
 * Write on that transactional id and Read on that group.)
 *
 * <p><b>Local striping</b> ({@value PublisherConfig#STRIPE_LOCALLY_CONFIG}): the
 * producer forms the stripes itself with the striper's {@link SegmentStriper} and writes, in
 * the checkpoint's one transaction, every {@code StripeUnit} to the stripes topic partition of
 * its backup server, then the manifest to every server's partition and to the manifests topic
 * (key {@code appId/checkpointId}), which is what the striper would have written. Nothing is
 * written to the checkpoints topic in that mode.
 *
 * <p><b>Policies.</b> A checkpoint asks for the policy its {@link PublishRequest#policy() request} names, or
 * {@value PublisherConfig#PUBLISH_POLICY_CONFIG}, or neither (the striper's default); its segments and
 * commit carry it. Before anything is sent, a policy with more cells per stripe than the stripes topic has
 * partitions is refused with a {@link CheckpointRejectedException} naming both numbers (when the principal
 * may see that topic), as is, when striping locally, one that {@value PublisherConfig#ALLOWED_POLICIES_CONFIG}
 * does not allow: local striping applies the striper's rules ({@link PolicyStripers}). Whether the striper
 * allows a policy only the striper knows: a publish waiting for protection watches the dead-letter topic
 * ({@link ProtectionWatcher}) and fails at once with a {@link CheckpointRejectedException} when the striper
 * refuses the checkpoint, instead of timing out.
 *
 * <p><b>Encryption and signatures</b> ({@value PublisherConfig#KEY_FILE_CONFIG}, or a {@link KeyFile}
 * given to {@link #CheckpointPublisher(PublisherConfig, KeyFile)}): every segment is encrypted with AES-256-GCM
 * under the key file's newest key before it is sent, and the commit is signed with that key's Ed25519 key, as
 * {@link PublishedSegments} describes. Everything downstream (the striper, local striping, the sinks) sees the
 * ciphertext as the checkpoint: its segments, length and SHA-256. The key file should be the one application's
 * own: the key ids it holds are recorded in each checkpoint, and only that file restores them.
 *
 * <p><b>Errors.</b> {@link IllegalArgumentException} for a caller's mistake (bad application
 * id, an id not newer, a segment size the topic refuses), {@link KafkaUnavailableException}
 * when the cluster does not answer within {@value PublisherConfig#KAFKA_TIMEOUT_MS_CONFIG},
 * {@link NotProtectedException} when a publish waiting for protection times out (the
 * checkpoint is committed then), {@link CheckpointRejectedException} when the checkpoint is refused (before
 * it is sent, or by the striper while waiting for protection), {@link IOException} from the input.
 *
 * <p>Thread-safe: publishes through one publisher run one at a time. It keeps the producer of
 * the application published last, so an application publishing periodically pays
 * {@code initTransactions} once; publishing another application closes it. Waits for
 * protection share one {@link ProtectionWatcher}, started at the first and closed with the
 * publisher.
 */
public final class CheckpointPublisher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CheckpointPublisher.class);
    private static final int FORMAT_VERSION = SegmentStriper.FORMAT_VERSION;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(10);

    private final PublisherConfig config;
    private final Topics topics;
    private final Admin admin;
    private final KeyFile keys;
    private final SegmentCipher cipher;
    private byte[] sealedBuffer;
    private TopicChecks.Facts topicFacts;
    private PolicyStripers localStripers;
    private AppProducer current;
    private ProtectionWatcher watcher;
    private final Set<String> watchedApps = ConcurrentHashMap.newKeySet();
    private byte[] buffer;
    private ChunkIndexes chunkIndexes;
    private boolean closed;

    /**
     * Creates the publisher; it contacts Kafka only when it first publishes. With
     * {@value PublisherConfig#KEY_FILE_CONFIG} it reads that key file now.
     *
     * @throws KafkaUnavailableException when the bootstrap servers cannot even be resolved
     * @throws io.checkstripe.crypto.KeyFileException when the configured key file cannot be read
     */
    public CheckpointPublisher(PublisherConfig config) {
        this(config, config.keyFile().map(KeyFile::read).orElse(null));
    }

    /**
     * Creates a publisher that encrypts and signs every checkpoint with {@code keys} (or, when null, publishes
     * in the clear), whatever {@value PublisherConfig#KEY_FILE_CONFIG} says: for applications that hold their
     * key file elsewhere than in a file of their own.
     *
     * @throws IllegalArgumentException  when the segment size cannot hold an encrypted segment
     * @throws KafkaUnavailableException when the bootstrap servers cannot even be resolved
     */
    public CheckpointPublisher(PublisherConfig config, KeyFile keys) {
        this.config = config;
        this.topics = config.topics();
        this.keys = keys;
        if (keys != null) {
            PublishedSegments.plainSegmentBytes(config.segmentBytes(), true);
        }
        this.cipher = keys == null ? null : new SegmentCipher(keys);
        try {
            this.admin = Admin.create(config.adminProps());
        } catch (KafkaException e) {
            throw new KafkaUnavailableException(config.bootstrapServers(), "cannot create a Kafka Admin client: "
                    + e.getMessage(), e);
        }
    }

    /** A publisher configured by {@code props} (see {@link PublisherConfig}). */
    public CheckpointPublisher(Map<String, ?> props) {
        this(new PublisherConfig(props));
    }

    /** The configuration. */
    public PublisherConfig config() {
        return config;
    }

    /**
     * Publishes the file's bytes as a checkpoint.
     *
     * @throws IOException when the file cannot be read
     * @see #publish(PublishRequest, InputStream)
     */
    public PublishResult publish(PublishRequest request, Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return publish(request, in);
        }
    }

    /**
     * Publishes the stream's bytes, to its end, as a checkpoint; the stream is not closed.
     * Returns once the checkpoint is committed or, with
     * {@link PublishRequest#waitProtected()}, once every backup server acknowledged it.
     *
     * @throws IllegalArgumentException      when the id is not newer ({@link CheckpointIdNotNewerException})
     *     or the segment size does not fit the topic
     * @throws io.checkstripe.schemas.TopicProvisioner.TopicMismatchException when a topic is missing or
     *     has the wrong layout
     * @throws KafkaUnavailableException     when the cluster does not answer in time
     * @throws NotProtectedException         when waiting for protection times out; the
     *     checkpoint is committed ({@link NotProtectedException#committedResult()})
     * @throws CheckpointRejectedException   when the checkpoint's policy is refused before anything is sent,
     *     or the striper refuses the checkpoint while the publish waits for protection (it is committed then,
     *     {@link CheckpointRejectedException#committedResult()})
     * @throws IOException                   when reading the stream fails; nothing was committed
     * @throws KafkaException                when Kafka refuses the publish (fenced by another
     *     publisher of the application, not authorized, ...); nothing was committed
     */
    public synchronized PublishResult publish(PublishRequest request, InputStream in) throws IOException {
        InputStream notClosed = new FilterInputStream(in) {
            @Override
            public void close() {
                // The caller's stream: the caller closes it.
            }
        };
        return config.incremental()
                ? publishContent(request, CheckpointContent.Type.FILE, List.of(notClosed).iterator())
                : publishContent(request, null, List.of(notClosed).iterator());
    }

    /**
     * Publishes a directory tree (regular files, directories, links that stay inside it; with their names,
     * permissions and modification times) as one checkpoint, which {@code restore --out-dir} recreates. The tree is
     * archived in a deterministic order ({@link DirectoryArchive}) and always chunked, each file starting a chunk,
     * so with {@value PublisherConfig#CHUNKING_ENABLED_CONFIG} an unchanged file costs nothing to publish again.
     * Nobody may write to the directory meanwhile (copy or snapshot it first, as a RocksDB checkpoint does).
     *
     * @throws io.checkstripe.archive.UnarchivableFileException naming a link that leaves the directory, a special
     *     file, or a file that changed while it was read; nothing was committed
     * @see #publish(PublishRequest, InputStream) for the other exceptions
     */
    public synchronized PublishResult publishDirectory(PublishRequest request, Path dir) throws IOException {
        DirectoryArchive archive = DirectoryArchive.scan(dir);
        log.info("publishing directory {} of {}: {}", dir, request.appId(), archive.summary());
        return publishContent(request, CheckpointContent.Type.DIRECTORY, archive.parts());
    }

    /**
     * Publishes the parts' bytes, in order: as they are when {@code type} is null, else chunked into a delta
     * ({@link DeltaStream}) that references what the application's previous checkpoint stored, when publishing
     * incrementally.
     */
    private PublishResult publishContent(PublishRequest request, CheckpointContent.Type type,
            Iterator<InputStream> parts) throws IOException {
        ensureOpen();
        long start = System.nanoTime();
        String appId = request.appId();
        if (topicFacts == null) {
            topicFacts = TopicChecks.check(admin, config);
        }
        AppProducer producer = producerFor(appId);
        OptionalLong newest = producer.newestCommitted();
        long checkpointId = CheckpointIds.choose(appId, request.checkpointId(), newest);
        Optional<RedundancyPolicy> policy = checkPolicy(appId, checkpointId, request.policy().or(config::publishPolicy));
        // Started (noting the topics' end) before the commit, so no acknowledgement is missed.
        ProtectionWatcher watching = request.waitProtected() ? watcher(appId) : null;
        DeltaStream delta = null;
        InputStream body;
        if (type == null) {
            body = parts.next();
        } else {
            ChunkIds ids = keys == null ? ChunkIds.sha256() : ChunkIds.hmacSha256(keys.newest().chunkIdKey());
            ChunkIndex base = config.incremental()
                    ? chunkIndexes().base(appId, ids.keyId(), newest, producer.manifested())
                    : ChunkIndex.empty(ids.keyId());
            delta = new DeltaStream(config.chunking(), ids, base, checkpointId, parts);
            body = delta;
        }
        PublishResult result;
        try (InputStream closing = body) {
            DeltaStream encoded = delta;
            result = producer.publish(checkpointId, () -> encoded == null ? request.metadata()
                    : withContent(request.metadata(), content(encoded.summary(), type)), policy, body, start);
        }
        if (delta != null) {
            result = result.withContent(content(delta.summary(), type));
        }
        log.info("committed checkpoint {} of {}{}: {} bytes in {} segments, SHA-256 {}, in {} ms{}", checkpointId,
                appId, keys == null ? "" : " (encrypted and signed with key " + cipher.encryptingKeyId() + ")",
                result.totalBytes(), result.segments(), result.sha256(), result.elapsed().toMillis(),
                delta == null ? "" : "; " + delta.summary());
        if (watching == null) {
            keepIndex(appId, delta);
            return result;
        }
        try {
            if (config.stripeLocally()) {
                watching.awaitProtected(appId, checkpointId, config.servers(), config.protectTimeout());
            } else {
                watching.awaitProtected(appId, checkpointId, config.protectTimeout());
            }
            watching.forget(appId, checkpointId);
        } catch (NotProtectedException e) {
            watching.forget(appId, checkpointId);
            if (delta != null) {
                // A server may lack what the index would reference: the next checkpoint goes in full.
                chunkIndexes().forget(appId);
            }
            throw e.committed(result);
        } catch (CheckpointRejectedException e) {
            watching.forget(appId, checkpointId);
            throw e.committed(result);
        } catch (RuntimeException e) {
            discardWatcher();
            throw e;
        }
        keepIndex(appId, delta);
        Duration protectedAfter = Duration.ofNanos(System.nanoTime() - start);
        log.info("checkpoint {} of {} protected after {} ms", checkpointId, appId, protectedAfter.toMillis());
        return result.withTimeToProtected(protectedAfter);
    }

    /** After a commit: the delta's index becomes the application's base, when publishing incrementally. */
    private void keepIndex(String appId, DeltaStream delta) {
        if (delta != null && config.incremental()) {
            chunkIndexes().save(appId, delta.summary().index());
        }
    }

    private static CheckpointContent content(DeltaSummary summary, CheckpointContent.Type type) {
        return new CheckpointContent(CheckpointContent.CHUNKED_V1, List.copyOf(summary.bases()),
                summary.contentBytes(), HexFormat.of().formatHex(summary.contentSha256()), summary.newRawBytes(), type);
    }

    private static Map<String, String> withContent(Map<String, String> application, CheckpointContent content) {
        Map<String, String> metadata = new HashMap<>(application);
        metadata.putAll(content.toMetadata());
        return metadata;
    }

    /** The chunk indexes of this cluster's applications, found at the first incremental publish. */
    private ChunkIndexes chunkIndexes() {
        if (chunkIndexes == null) {
            String clusterId = KafkaCalls.get(admin.describeCluster().clusterId(), config.kafkaTimeout(),
                    config.bootstrapServers(), "describe the cluster");
            chunkIndexes = new ChunkIndexes(config.chunkIndexDir(), clusterId, topics.names().checkpoints());
        }
        return chunkIndexes;
    }

    /**
     * The policy a checkpoint is striped with here, or asks the striper for, once it passes the checks that
     * can be made before sending: local striping's rules, enough stripes partitions for its cells, a segment
     * that one stripe holds, records that fit the topic.
     *
     * @param requested the request's or the configured policy, if any
     * @return the local policy when striping locally, else {@code requested}
     * @throws CheckpointRejectedException when the policy is not allowed or needs more servers than there are
     * @throws IllegalArgumentException    when a segment or its records do not fit the policy or the topic
     */
    private Optional<RedundancyPolicy> checkPolicy(String appId, long checkpointId,
            Optional<RedundancyPolicy> requested) {
        Optional<RedundancyPolicy> policy = requested;
        if (config.stripeLocally()) {
            if (localStripers == null) {
                localStripers = new PolicyStripers(config.policy().orElseThrow(), config.allowedPolicies(),
                        config.servers());
            }
            try {
                policy = Optional.of(localStripers.resolve(requested.map(RedundancyPolicy::name).orElse(null),
                        "application " + appId + " checkpoint " + checkpointId));
            } catch (RejectedRecordException e) {
                throw new CheckpointRejectedException(appId, checkpointId, e.reason().code(), e.getMessage()
                        + "; nothing was sent");
            }
        } else if (policy.isPresent() && topicFacts.stripesPartitions().isPresent()) {
            OptionalInt partitions = topicFacts.stripesPartitions();
            try {
                SegmentStriper.checkServers(policy.get(), partitions.getAsInt());
            } catch (IllegalArgumentException e) {
                throw new CheckpointRejectedException(appId, checkpointId, DeadLetterReason.TOO_FEW_SERVERS.code(),
                        e.getMessage() + " (the partitions of topic " + topics.names().stripes()
                                + "); nothing was sent");
            }
        }
        policy.filter(p -> config.segmentBytes() > p.maxSegmentLength()).ifPresent(p -> {
            throw new IllegalArgumentException(PublisherConfig.SEGMENT_BYTES_CONFIG + "=" + config.segmentBytes()
                    + " is more than the " + p.maxSegmentLength() + " bytes one stripe of " + p + " holds");
        });
        TopicChecks.checkFits(topicFacts.recordTopic(), topicFacts.maxMessageBytes(), config.segmentBytes(),
                config.stripeLocally() ? policy : Optional.empty());
        return policy;
    }

    /**
     * The publisher's watcher, started at its first wait and kept, remembering only the
     * applications published through this publisher: a wait then costs no new consumer.
     */
    private ProtectionWatcher watcher(String appId) {
        watchedApps.add(appId);
        if (watcher == null) {
            watcher = ProtectionWatcher.start(config, watchedApps::contains);
        }
        return watcher;
    }

    private void discardWatcher() {
        if (watcher != null) {
            try {
                watcher.close();
            } catch (RuntimeException e) {
                log.debug("closing a failed protection watcher", e);
            }
            watcher = null;
        }
    }

    /**
     * The application's newest committed checkpoint id, or empty when it has none: the larger
     * of the id recorded by the bookkeeping offset commit of its publishes (exact at once, but
     * expired by Kafka after {@code offsets.retention.minutes} without a publish) and the
     * highest id among its manifests on the compacted manifests topic (written by the striper
     * shortly after each commit, kept forever). Read-only; while a publish of the application
     * is under way elsewhere the answer may already be stale.
     *
     * @throws IllegalArgumentException  when the application id is invalid
     * @throws KafkaUnavailableException when the cluster does not answer in time
     */
    public OptionalLong newestCommitted(String appId) {
        AppId.validate(appId);
        return NewestCommitted.find(config, appId);
    }

    private AppProducer producerFor(String appId) {
        if (current != null && current.appId.equals(appId)) {
            return current;
        }
        if (current != null) {
            current.close(CLOSE_TIMEOUT);
            current = null;
        }
        current = new AppProducer(appId);
        return current;
    }

    private byte[] segmentBuffer() {
        if (buffer == null || buffer.length != config.segmentBytes()) {
            buffer = new byte[config.segmentBytes()];
        }
        return buffer;
    }

    /** Where ciphertext segments are written: a second buffer, only when encrypting. */
    private byte[] sealedBuffer() {
        if (keys != null && (sealedBuffer == null || sealedBuffer.length != config.segmentBytes())) {
            sealedBuffer = new byte[config.segmentBytes()];
        }
        return sealedBuffer;
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException("this CheckpointPublisher is closed");
        }
    }

    /** Closes the producer and the Admin client; an unfinished publish's transaction is aborted. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        discardWatcher();
        if (current != null) {
            current.close(CLOSE_TIMEOUT);
            current = null;
        }
        admin.close(CLOSE_TIMEOUT);
    }

    /** The transactional producer of one application and how it writes a checkpoint. */
    private final class AppProducer {

        private final String appId;
        private final String transactionalId;
        private final KafkaProducer<String, byte[]> producer;
        private NewestCommitted newest;
        private final AtomicReference<Exception> sendError = new AtomicReference<>();
        private final Callback onSent = (metadata, error) -> {
            if (error != null) {
                sendError.compareAndSet(null, error);
            }
        };

        AppProducer(String appId) {
            this.appId = appId;
            this.transactionalId = config.transactionalId(appId);
            try {
                this.producer = new KafkaProducer<>(config.producerProps(appId), new StringSerializer(),
                        new ByteArraySerializer());
            } catch (KafkaException e) {
                throw new KafkaUnavailableException(config.bootstrapServers(), "cannot create a Kafka producer: "
                        + e.getMessage(), e);
            }
            try {
                // Fences an earlier producer with this transactional id and aborts what it left open.
                producer.initTransactions();
            } catch (RuntimeException e) {
                producer.close(Duration.ZERO);
                if (KafkaCalls.isTimeout(e)) {
                    throw KafkaCalls.unavailable(config.bootstrapServers(), "initialize the transactions of "
                            + transactionalId, config.kafkaTimeout(), e);
                }
                throw e;
            }
            log.debug("producer {} ready", transactionalId);
        }

        /**
         * @param metadata the commit's metadata, asked for once the stream has been read to its end
         * @param policy   the policy the records name (empty: the striper's default); with local striping, the one
         *                 the stripes are formed with
         */
        PublishResult publish(long checkpointId, Supplier<Map<String, String>> metadata,
                Optional<RedundancyPolicy> policy, InputStream in, long start) throws IOException {
            sendError.set(null);
            producer.beginTransaction();
            try {
                String policyName = policy.map(RedundancyPolicy::name).orElse(null);
                Writer writer = config.stripeLocally()
                        ? new StripingWriter(checkpointId, localStripers.striper(policy.orElseThrow()))
                        : new SegmentWriter();
                PublishedSegments segments = new PublishedSegments(in, segmentBuffer(), sealedBuffer(),
                        config.segmentBytes(), keys, cipher, appId, checkpointId);
                while (segments.next()) {
                    writer.segment(new CheckpointSegment(FORMAT_VERSION, appId, checkpointId, segments.index(),
                            segments.offset(), ByteBuffer.wrap(segments.buffer(), 0, segments.length()), policyName));
                    throwIfSendFailed();
                }
                byte[] sha256 = segments.sha256();
                long createdAt = System.currentTimeMillis();
                CheckpointCommit commit = new CheckpointCommit(FORMAT_VERSION, appId, checkpointId, segments.count(),
                        segments.totalBytes(), ByteBuffer.wrap(sha256), createdAt, config.segmentBytes(),
                        segments.commitMetadata(metadata.get(), sha256, createdAt, config.segmentBytes()), policyName);
                Future<RecordMetadata> last = writer.commit(commit, sha256);
                producer.flush();
                throwIfSendFailed();
                RecordMetadata lastRecord = last.get();
                // The id's bookkeeping record, committed or aborted together with the checkpoint.
                producer.sendOffsetsToTransaction(
                        Map.of(new TopicPartition(lastRecord.topic(), lastRecord.partition()),
                                new OffsetAndMetadata(lastRecord.offset() + 1, CheckpointIds.metadata(checkpointId))),
                        new ConsumerGroupMetadata(transactionalId));
                producer.commitTransaction();
                return new PublishResult(appId, checkpointId, segments.count(), segments.totalBytes(),
                        HexFormat.of().formatHex(sha256), Duration.ofNanos(System.nanoTime() - start),
                        Optional.empty(), Optional.empty());
            } catch (IOException | RuntimeException | Error e) {
                abort(checkpointId, e);
                throw failure(checkpointId, e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abort(checkpointId, e);
                throw new InterruptException("interrupted while publishing checkpoint " + checkpointId + " of "
                        + appId, e);
            } catch (ExecutionException e) {
                abort(checkpointId, e);
                throw failure(checkpointId, e.getCause());
            }
        }

        private void throwIfSendFailed() {
            Exception error = sendError.get();
            if (error != null) {
                throw new KafkaException("Kafka refused a record of " + appId + ": " + error.getMessage(), error);
            }
        }

        /** Aborts the open transaction; when that fails too, drops this producer so the next publish starts afresh. */
        private void abort(long checkpointId, Throwable cause) {
            try {
                producer.abortTransaction();
                log.warn("aborted checkpoint {} of {}: {}", checkpointId, appId, cause.toString());
            } catch (RuntimeException e) {
                log.warn("cannot abort checkpoint {} of {} after {}; the next publish of {} or the transaction "
                        + "timeout aborts it: {}", checkpointId, appId, cause.toString(), appId, e.toString());
                cause.addSuppressed(e);
                discard();
            }
        }

        /** The exception to throw for {@code error}: Kafka's timeouts become {@link KafkaUnavailableException}. */
        private RuntimeException failure(long checkpointId, Throwable error) throws IOException {
            String what = "publish checkpoint " + checkpointId + " of " + appId;
            if (KafkaCalls.isTimeout(error)) {
                return KafkaCalls.unavailable(config.bootstrapServers(), what + " (it may or may not have been "
                        + "committed if the commit itself timed out)", config.kafkaTimeout(), error);
            }
            if (KafkaCalls.causedBy(error, ProducerFencedException.class)
                    || KafkaCalls.causedBy(error, InvalidProducerEpochException.class)) {
                return new KafkaException("cannot " + what + ": another publisher of " + appId + " (transactional.id "
                        + transactionalId + ") started since; this one is fenced off", error);
            }
            if (error instanceof IOException io) {
                throw io;
            }
            if (error instanceof Error fatal) {
                throw fatal;
            }
            return error instanceof RuntimeException runtime ? runtime : new KafkaException("cannot " + what, error);
        }

        /** The application's newest committed id, by this producer's own lookup (made at the first call). */
        OptionalLong newestCommitted() {
            if (newest == null) {
                newest = new NewestCommitted(config, appId);
            }
            return newest.find();
        }

        /** The application's newest checkpoint with a manifest, as the last {@link #newestCommitted()} found. */
        OptionalLong manifested() {
            return newest == null ? OptionalLong.empty() : newest.manifested();
        }

        private void discard() {
            if (current == this) {
                current = null;
            }
            closeLookup();
            producer.close(Duration.ZERO);
        }

        void close(Duration timeout) {
            closeLookup();
            producer.close(timeout);
        }

        private void closeLookup() {
            if (newest != null) {
                newest.close();
                newest = null;
            }
        }

        /** Where a checkpoint's segments and commit go. */
        private interface Writer {
            void segment(CheckpointSegment segment);

            /**
             * Sends the commit's records; returns the last one's future, whose position records the id.
             *
             * @param segmentsSha256 the SHA-256 this publisher computed over the segments it wrote
             */
            Future<RecordMetadata> commit(CheckpointCommit commit, byte[] segmentsSha256);
        }

        /** The striper's path: segments and commit to the checkpoints topic, key appId. */
        private final class SegmentWriter implements Writer {
            private final String topic = topics.names().checkpoints();
            private final Serializer<Object> values = erase(topics.checkpoints().valueSerde().serializer());

            @Override
            public void segment(CheckpointSegment segment) {
                producer.send(new ProducerRecord<>(topic, appId, values.serialize(topic, segment)), onSent);
            }

            /** The striper compares the commit's SHA-256 with the segments' itself. */
            @Override
            public Future<RecordMetadata> commit(CheckpointCommit commit, byte[] segmentsSha256) {
                return producer.send(new ProducerRecord<>(topic, appId, values.serialize(topic, commit)), onSent);
            }
        }

        /**
         * Local striping: units to their servers' stripes partitions, the manifest to every
         * server's partition and to the manifests topic, key appId/checkpointId.
         */
        private final class StripingWriter implements Writer {
            private final String stripesTopic = topics.names().stripes();
            private final String manifestsTopic = topics.names().manifests();
            private final Serializer<Object> stripes = erase(topics.stripes().valueSerde().serializer());
            private final Serializer<CheckpointManifest> manifests = topics.manifests().valueSerde().serializer();
            private final SegmentStriper striper;
            private final String key;

            StripingWriter(long checkpointId, SegmentStriper striper) {
                this.key = new CheckpointKey(appId, checkpointId).toString();
                this.striper = striper;
            }

            @Override
            public void segment(CheckpointSegment segment) {
                // The unit's data is the striper's reused cell buffer: serialized here, before the next cell.
                striper.stripe(segment, (server, unit) -> producer.send(new ProducerRecord<>(stripesTopic, server, key,
                        stripes.serialize(stripesTopic, unit)), onSent));
            }

            @Override
            public Future<RecordMetadata> commit(CheckpointCommit commit, byte[] segmentsSha256) {
                CheckpointManifest manifest = striper.manifest(commit, segmentsSha256);
                byte[] onStripes = stripes.serialize(stripesTopic, manifest);
                for (int server = 0; server < striper.servers(); server++) {
                    producer.send(new ProducerRecord<>(stripesTopic, server, key, onStripes), onSent);
                }
                return producer.send(new ProducerRecord<>(manifestsTopic, key,
                        manifests.serialize(manifestsTopic, manifest)), onSent);
            }
        }
    }

    /** A union topic's serializer takes any of its records; its type parameter says only SpecificRecord. */
    @SuppressWarnings("unchecked")
    private static Serializer<Object> erase(Serializer<?> serializer) {
        return (Serializer<Object>) serializer;
    }
}
