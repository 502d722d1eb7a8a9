package io.checkstripe.striper;

import io.checkstripe.crypto.AppKeyDirectory;
import io.checkstripe.schemas.DeadLetterReason;
import io.checkstripe.schemas.DeadLetters;
import io.checkstripe.schemas.ManifestSignatures;
import io.checkstripe.schemas.RejectedRecordException;
import io.checkstripe.schemas.Topics;
import io.checkstripe.schemas.avro.CheckpointCommit;
import io.checkstripe.schemas.avro.CheckpointManifest;
import io.checkstripe.schemas.avro.CheckpointSegment;
import io.checkstripe.striping.PolicyStripers;
import io.checkstripe.striping.SegmentStriper;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import org.apache.avro.specific.SpecificRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The striper's one processor: reads raw records of the checkpoints topic, stripes segments,
 * turns commits into manifests and sends everything it refuses to the dead-letter sink.
 *
 * <p>Values arrive as bytes and are deserialized here, so that garbage cannot stop the job: a
 * record that cannot be read, or that breaks a rule of {@link SegmentStriper} or
 * {@link AppProgress}, is forwarded unchanged (key, value, headers) to the dead-letter sink with
 * the {@code Topics.DLQ_*_HEADER} headers added, logged at WARN, and processing goes on. A
 * refused record never changes the progress store. A commit becomes a manifest only when its
 * SHA-256 is the one of the segments striped for it, hashed as they pass (see {@link AppProgress}):
 * a commit that would otherwise push an application's good checkpoints out of the sinks'
 * retention with bytes that do not restore is refused ({@code sha256-mismatch}). So is one of an
 * application with a public key in the keys directory that its key did not sign
 * ({@code bad-signature}, {@link ManifestSignatures}).
 *
 * <p>Each checkpoint is striped with the policy its segment 0 names, or the default, as
 * {@link PolicyStripers} decides: a checkpoint asking for a policy not allowed, or one needing more
 * servers than there are, has every record refused ({@code policy-not-allowed}, {@code too-few-servers}),
 * and a later segment or the commit naming another policy than segment 0 is refused
 * ({@code policy-mismatch}); other applications and checkpoints go on. The manifest names the
 * checkpoint's own policy.
 *
 * <p>One instance per task, used by one stream thread at a time.
 */
final class StriperProcessor implements Processor<byte[], byte[], Object, Object> {

    private static final Logger log = LoggerFactory.getLogger(StriperProcessor.class);

    private final PolicyStripers stripers;
    private final Deserializer<SpecificRecord> values;
    private final AppKeyDirectory keys;
    private final StriperMetrics metrics;
    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, AppProgress> progress;

    StriperProcessor(PolicyStripers stripers, Deserializer<SpecificRecord> values, AppKeyDirectory keys,
                     StriperMetrics metrics) {
        this.stripers = stripers;
        this.values = values;
        this.keys = keys;
        this.metrics = metrics;
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.progress = context.getStateStore(StriperTopology.PROGRESS_STORE);
    }

    @Override
    public void process(Record<byte[], byte[]> record) {
        String topic = context.recordMetadata().map(RecordMetadata::topic).orElse("");
        try {
            if (record.value() == null) {
                throw new RejectedRecordException(DeadLetterReason.NULL_VALUE, "the value is null; records of the "
                        + "checkpoints topic are segments or commits");
            }
            SpecificRecord value;
            try {
                value = values.deserialize(topic, record.value());
            } catch (RuntimeException e) {
                deadLetter(record, DeadLetterReason.UNREADABLE, e, Map.of());
                return;
            }
            String key = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
            if (value instanceof CheckpointSegment segment) {
                onSegment(record, key, segment);
            } else if (value instanceof CheckpointCommit commit) {
                onCommit(record, key, commit);
            } else {
                throw new RejectedRecordException(DeadLetterReason.UNREADABLE, "the value is a "
                        + (value == null ? "null record" : value.getSchema().getFullName())
                        + ", not a CheckpointSegment or CheckpointCommit");
            }
        } catch (RejectedRecordException e) {
            deadLetter(record, e.reason(), e, e.headers());
        }
    }

    private void onSegment(Record<byte[], byte[]> record, String key, CheckpointSegment segment) {
        SegmentStriper striper = stripers.forSegment(segment);
        striper.checkSegment(segment);
        String appId = segment.getAppId();
        checkKey(key, appId);
        AppProgress before = Objects.requireNonNullElse(progress.get(appId), AppProgress.NONE);
        AppProgress after = before.onSegment(segment, segment.getData().remaining(), striper.policy().name());
        String outKey = Topics.checkpointKey(appId, segment.getCheckpointId());
        int size = segment.getData().remaining();
        long start = System.nanoTime();
        striper.stripe(segment, (server, unit) ->
                context.forward(new Record<>(outKey, unit, record.timestamp()), StriperTopology.STRIPES_SINK));
        metrics.segmentStriped(appId, size, Duration.ofNanos(System.nanoTime() - start));
        progress.put(appId, after);
        if (before.inProgress() && before.open() != after.open()) {
            log.warn("application {} started checkpoint {} before committing checkpoint {}; checkpoint {} is "
                    + "abandoned after {} segment(s)", appId, after.open(), before.open(), before.open(),
                    before.nextSegment());
        }
    }

    private void onCommit(Record<byte[], byte[]> record, String key, CheckpointCommit commit) {
        SegmentStriper striper = stripers.forCommit(commit);
        striper.checkCommit(commit);
        String appId = commit.getAppId();
        checkKey(key, appId);
        AppProgress before = Objects.requireNonNullElse(progress.get(appId), AppProgress.NONE);
        AppProgress after = before.onCommit(commit, striper.policy().name());
        CheckpointManifest manifest = striper.manifest(commit, before.segmentsSha256(commit.getCheckpointId()));
        ManifestSignatures.verify(keys, manifest);
        String outKey = Topics.checkpointKey(appId, commit.getCheckpointId());
        Record<Object, Object> out = new Record<>(outKey, manifest, record.timestamp());
        context.forward(out, StriperTopology.STRIPES_SINK);
        context.forward(out, StriperTopology.MANIFESTS_SINK);
        progress.put(appId, after);
        metrics.checkpointStriped(appId);
        // A complete checkpoint is what a publisher waits on: commit it now rather than at the next
        // commit.interval.ms tick, which only batches the segments of checkpoints still in flight.
        context.commit();
        if (before.inProgress() && before.open() != commit.getCheckpointId()) {
            log.warn("application {} committed checkpoint {} before committing checkpoint {}; checkpoint {} is "
                    + "abandoned after {} segment(s)", appId, commit.getCheckpointId(), before.open(), before.open(),
                    before.nextSegment());
        }
        log.debug("application {} checkpoint {} committed: {} segment(s), {} bytes, {}", appId,
                commit.getCheckpointId(), commit.getSegmentCount(), commit.getTotalBytes(), manifest.getPolicy());
    }

    private static void checkKey(String key, String appId) {
        if (!appId.equals(key)) {
            throw new RejectedRecordException(DeadLetterReason.KEY_MISMATCH, "record of application " + appId
                    + " has key " + (key == null ? "null" : "\"" + abbreviate(key) + "\"")
                    + "; the key must be the application id so that its records stay in one partition, in order");
        }
    }

    private void deadLetter(Record<byte[], byte[]> record, DeadLetterReason reason, Exception cause,
                            Map<String, String> facts) {
        RecordMetadata where = context.recordMetadata().orElse(null);
        String topic = where == null ? "" : where.topic();
        int partition = where == null ? -1 : where.partition();
        long offset = where == null ? -1 : where.offset();
        String exception = cause.getClass().getName() + ": " + cause.getMessage();
        Headers headers = DeadLetters.headers(record.headers(), reason, topic, partition, offset, exception, facts);
        context.forward(new Record<Object, Object>(record.key(), record.value(), record.timestamp(), headers),
                StriperTopology.DLQ_SINK);
        metrics.deadLetter(reason);
        log.warn("record {}-{}@{} sent to the dead-letter topic: {}: {}", topic, partition, offset, reason,
                cause.getMessage());
    }

    /** The key for a message: printable ASCII kept, anything else as '?', cut after 64 characters. */
    private static String abbreviate(String text) {
        StringBuilder shown = new StringBuilder();
        text.codePoints().limit(64).forEach(c -> shown.append(c >= 0x20 && c < 0x7f ? (char) c : '?'));
        return text.codePointCount(0, text.length()) > 64 ? shown + "..." : shown.toString();
    }
}
