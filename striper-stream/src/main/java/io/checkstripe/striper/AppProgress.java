package io.checkstripe.striper;

import io.checkstripe.schemas.DeadLetterReason;
import io.checkstripe.schemas.RejectedRecordException;
import io.checkstripe.schemas.avro.CheckpointCommit;
import io.checkstripe.schemas.avro.CheckpointSegment;
import io.checkstripe.striping.SegmentStriper;
import io.checkstripe.striping.Sha256State;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * What the striper remembers about one application between records: the last committed
 * checkpoint and how far the checkpoint in progress has come. The value of the progress store
 * (key: appId); the transitions are pure functions so the rules can be read and tested apart
 * from Kafka Streams.
 *
 * <p>Rules: segments of a checkpoint arrive in order from index 0 at offset 0, each at the
 * offset where the previous one ended; a checkpoint id must be newer than the last committed
 * one; a commit must count the segments and bytes seen,
 * and every segment but the last must have the commit's segment size (the last 1 to that size).
 * The SHA-256 of the segments' bytes, in order, is kept as it grows, so that the commit's can
 * be compared ({@link SegmentStriper#manifest}) once it arrives; it is part of the stored value
 * because a task may restart between any two segments, and it then resumes from this store as
 * of its last committed offset. An empty checkpoint is a commit with segmentCount 0 and no segments. The first segment of
 * another checkpoint while one is in progress abandons it (its producer gave it up; its cells without a manifest are
 * ignored by the sinks); a late segment or commit of the abandoned checkpoint is then refused. The other checkpoint
 * may have a lower id than the abandoned one: only a committed checkpoint's id is a floor, so segments published
 * under an application's id with a high checkpoint id that never commits, or whose commit is refused (a forgery),
 * cannot make the application's own later checkpoints stale. Every segment and the commit of a checkpoint
 * name the policy of its segment 0, which is remembered so that a task restarted mid-checkpoint goes on
 * striping with it.
 *
 * <p><b>Stored format</b> (big-endian): version byte 3, lastCommitted (long, -1 none), open
 * checkpoint (long, -1 none), nextSegment (int), nextOffset (long), firstLength (int), lastLength
 * (int), irregular (byte 0/1), the length of the open checkpoint's policy name (unsigned byte, 0
 * when none is open) and that canonical name in ASCII, then the SHA-256 state: eight chaining
 * words (int) and the {@code nextOffset mod 64} bytes of its unfinished block. Version 2 (no
 * policy) is still read: a striper of that version had one policy, so its open checkpoint gets
 * the striper's default policy ({@link #serde(String)}). Version 1 (the first 38 bytes, no SHA-256
 * state) is still read, with its checkpoint in progress dropped, as the hash of its segments seen
 * is unknown: that checkpoint's remaining segments and its commit are then refused, and its
 * producer publishes it again.
 *
 * @param lastCommitted last committed checkpoint id, -1 before the first
 * @param open          checkpoint in progress, -1 when none
 * @param nextSegment   index the next segment of {@code open} must have (= segments seen)
 * @param nextOffset    offset the next segment must start at (= bytes seen)
 * @param firstLength   length of segment 0 of {@code open}
 * @param lastLength    length of the latest segment of {@code open}
 * @param irregular     whether a segment other than the latest differs from segment 0 in length
 * @param sha256        the SHA-256 in progress over the bytes of {@code open}'s segments seen
 * @param policy        canonical name of {@code open}'s policy, null when none is open
 */
record AppProgress(long lastCommitted, long open, int nextSegment, long nextOffset, int firstLength, int lastLength,
                   boolean irregular, Sha256State sha256, String policy) {

    /** An application never seen. */
    static final AppProgress NONE = new AppProgress(-1, -1, 0, 0, 0, 0, false, Sha256State.EMPTY, null);

    private static final byte VERSION = 3;
    private static final byte VERSION_WITHOUT_POLICY = 2;
    private static final byte VERSION_WITHOUT_SHA256 = 1;
    private static final int FIXED_SIZE = 1 + 8 + 8 + 4 + 8 + 4 + 4 + 1;
    private static final int MAX_POLICY_NAME = 255;

    /** @throws IllegalArgumentException when a checkpoint is open without a policy, or the reverse */
    AppProgress {
        if ((open >= 0) != (policy != null) || (policy != null && policy.length() > MAX_POLICY_NAME)) {
            throw new IllegalArgumentException("checkpoint in progress " + open + " with policy " + policy
                    + ": an open checkpoint has a policy name of at most " + MAX_POLICY_NAME + " characters, "
                    + "none has none");
        }
    }

    /** Whether a checkpoint is in progress. */
    boolean inProgress() {
        return open >= 0;
    }

    /**
     * The progress after accepting {@code segment} of {@code length} bytes, striped with {@code policy}.
     *
     * @param policy the canonical name of the policy the segment's checkpoint resolved to
     * @throws RejectedRecordException when the segment breaks a rule
     */
    AppProgress onSegment(CheckpointSegment segment, int length, String policy) {
        long id = segment.getCheckpointId();
        String where = "segment " + segment.getSegmentIndex() + " of application " + segment.getAppId()
                + " checkpoint " + id;
        checkNotStale(id, where);
        if (id == open) {
            checkPolicy(policy, where);
            if (segment.getSegmentIndex() < nextSegment) {
                throw new RejectedRecordException(DeadLetterReason.DUPLICATE_SEGMENT, where + " was already striped ("
                        + nextSegment + " segment(s) seen)");
            }
            if (segment.getSegmentIndex() > nextSegment) {
                throw new RejectedRecordException(DeadLetterReason.SEGMENT_OUT_OF_ORDER, where + " arrived but segment "
                        + nextSegment + " is next");
            }
            if (segment.getOffset() != nextOffset) {
                throw new RejectedRecordException(DeadLetterReason.SEGMENT_OUT_OF_ORDER, where + " starts at offset "
                        + segment.getOffset() + " but the previous segment ended at " + nextOffset);
            }
            return new AppProgress(lastCommitted, open, nextSegment + 1, nextOffset + length, firstLength, length,
                    irregular || lastLength != firstLength, sha256.update(segment.getData()), this.policy);
        }
        if (segment.getSegmentIndex() != 0 || segment.getOffset() != 0) {
            throw new RejectedRecordException(DeadLetterReason.SEGMENT_OUT_OF_ORDER, where + " at offset "
                    + segment.getOffset() + " arrived before segment 0 at offset 0");
        }
        return new AppProgress(lastCommitted, id, 1, length, length, length, false,
                Sha256State.EMPTY.update(segment.getData()), policy);
    }

    /**
     * The progress after accepting {@code commit}, whose stand-alone checks
     * ({@link SegmentStriper#checkCommit}) have passed.
     *
     * @param policy the canonical name of the policy the commit's checkpoint resolved to
     * @throws RejectedRecordException when the commit disagrees with the segments seen
     */
    AppProgress onCommit(CheckpointCommit commit, String policy) {
        long id = commit.getCheckpointId();
        String where = "commit of application " + commit.getAppId() + " checkpoint " + id;
        checkNotStale(id, where);
        AppProgress committed = new AppProgress(id, -1, 0, 0, 0, 0, false, Sha256State.EMPTY, null);
        if (id != open) {
            if (commit.getSegmentCount() != 0) {
                throw new RejectedRecordException(DeadLetterReason.COMMIT_WITHOUT_SEGMENTS, where + " announces "
                        + commit.getSegmentCount() + " segment(s) but none of them arrived");
            }
            return committed;
        }
        checkPolicy(policy, where);
        if (commit.getSegmentCount() != nextSegment || commit.getTotalBytes() != nextOffset) {
            throw new RejectedRecordException(DeadLetterReason.COMMIT_MISMATCH, where + " announces "
                    + commit.getSegmentCount() + " segment(s) and " + commit.getTotalBytes() + " bytes but "
                    + nextSegment + " segment(s) and " + nextOffset + " bytes arrived");
        }
        int size = commit.getSegmentSize();
        if (irregular || (nextSegment > 1 && firstLength != size) || lastLength > size) {
            throw new RejectedRecordException(DeadLetterReason.COMMIT_MISMATCH, where + " announces segments of " + size
                    + " bytes but the segments seen do not all have that length (first " + firstLength + ", last "
                    + lastLength + (irregular ? ", others differ" : "") + ")");
        }
        return committed;
    }

    /**
     * The SHA-256 of the segments seen of checkpoint {@code checkpointId}: of the open one's
     * segments, or of no bytes for any other (which {@link #onCommit} accepts only when empty).
     */
    byte[] segmentsSha256(long checkpointId) {
        return (checkpointId == open ? sha256 : Sha256State.EMPTY).digest();
    }

    private void checkPolicy(String named, String where) {
        if (!named.equals(policy)) {
            throw new RejectedRecordException(DeadLetterReason.POLICY_MISMATCH, where + " names policy " + named
                    + " but segment 0 of the checkpoint named " + policy);
        }
    }

    private void checkNotStale(long id, String where) {
        if (id <= lastCommitted) {
            throw new RejectedRecordException(DeadLetterReason.STALE_CHECKPOINT, where + " is not newer than the last "
                    + "committed checkpoint " + lastCommitted);
        }
    }

    /**
     * The store's value serde, in the format of the class comment.
     *
     * @param defaultPolicy canonical name of the striper's default policy: that of a checkpoint in progress
     *                      in a version 2 record
     */
    static Serde<AppProgress> serde(String defaultPolicy) {
        Serializer<AppProgress> serializer = (topic, progress) -> {
            if (progress == null) {
                return null;
            }
            byte[] policy = progress.policy == null ? new byte[0] : progress.policy.getBytes(StandardCharsets.US_ASCII);
            ByteBuffer out = ByteBuffer.allocate(FIXED_SIZE + 1 + policy.length + progress.sha256.serializedSize())
                    .put(VERSION).putLong(progress.lastCommitted).putLong(progress.open).putInt(progress.nextSegment)
                    .putLong(progress.nextOffset).putInt(progress.firstLength).putInt(progress.lastLength)
                    .put((byte) (progress.irregular ? 1 : 0)).put((byte) policy.length).put(policy);
            progress.sha256.writeTo(out);
            return out.array();
        };
        Deserializer<AppProgress> deserializer = (topic, bytes) -> {
            if (bytes == null) {
                return null;
            }
            byte version = bytes.length == 0 ? -1 : bytes[0];
            if (bytes.length < FIXED_SIZE || version < VERSION_WITHOUT_SHA256 || version > VERSION) {
                throw new SerializationException("progress record of " + bytes.length + " bytes with version "
                        + (bytes.length == 0 ? "none" : version) + " on " + topic + "; expected version " + VERSION
                        + " (or " + VERSION_WITHOUT_POLICY + " or " + VERSION_WITHOUT_SHA256 + ") of at least "
                        + FIXED_SIZE + " bytes");
            }
            ByteBuffer in = ByteBuffer.wrap(bytes, 1, bytes.length - 1);
            long lastCommitted = in.getLong();
            long open = in.getLong();
            int nextSegment = in.getInt();
            long nextOffset = in.getLong();
            int firstLength = in.getInt();
            int lastLength = in.getInt();
            boolean irregular = in.get() != 0;
            if (version == VERSION_WITHOUT_SHA256) {
                return bytes.length == FIXED_SIZE ? new AppProgress(lastCommitted, -1, 0, 0, 0, 0, false,
                        Sha256State.EMPTY, null) : malformed(topic, bytes.length, FIXED_SIZE);
            }
            String policy = open < 0 ? null : defaultPolicy;
            int policyBytes = 0;
            if (version == VERSION) {
                int length = bytes.length > FIXED_SIZE ? bytes[FIXED_SIZE] & 0xff : 0;
                policyBytes = 1 + length;
                if (bytes.length < FIXED_SIZE + policyBytes || (length == 0) != (open < 0)) {
                    return malformed(topic, bytes.length, FIXED_SIZE + policyBytes);
                }
                in.get();
                byte[] name = new byte[length];
                in.get(name);
                policy = length == 0 ? null : new String(name, StandardCharsets.US_ASCII);
            }
            int size = FIXED_SIZE + policyBytes + Sha256State.CHAINING_BYTES + (int) Math.floorMod(nextOffset, 64L);
            if (bytes.length != size || nextOffset < 0) {
                return malformed(topic, bytes.length, size);
            }
            return new AppProgress(lastCommitted, open, nextSegment, nextOffset, firstLength, lastLength, irregular,
                    Sha256State.readFrom(in, nextOffset), policy);
        };
        return Serdes.serdeFrom(serializer, deserializer);
    }

    private static AppProgress malformed(String topic, int length, int expected) {
        throw new SerializationException("progress record on " + topic + " has " + length + " bytes; its fields "
                + "call for " + expected);
    }
}
