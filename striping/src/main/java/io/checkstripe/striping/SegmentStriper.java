package io.checkstripe.striping;

import io.checkstripe.codec.CellLayout;
import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.codec.StripeWorkspace;
import io.checkstripe.core.AppId;
import io.checkstripe.schemas.DeadLetterReason;
import io.checkstripe.schemas.RejectedRecordException;
import io.checkstripe.schemas.avro.CheckpointCommit;
import io.checkstripe.schemas.avro.CheckpointManifest;
import io.checkstripe.schemas.avro.CheckpointSegment;
import io.checkstripe.schemas.avro.StripeUnit;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;

/**
 * Forms what the backup servers store from what a producer publishes: a
 * {@link CheckpointSegment} becomes one stripe of K data and M parity cells (or R copies
 * under {@code MIRROR-R}), each a {@link StripeUnit} routed to backup server
 * {@code (segmentIndex + cellIndex) mod N} ({@link CellLayout#serverOf}); a
 * {@link CheckpointCommit} becomes the {@link CheckpointManifest} every server receives.
 *
 * <p>It holds no Kafka Streams type on purpose: the striper's topology and the producer's
 * local striping (forming the stripes in the publishing process itself) both call it, so a
 * checkpoint striped in either place gives the same cells on the sinks. The cell format itself
 * belongs to the codec's {@link StripeWorkspace}.
 *
 * <p>Checks done here look at one record only (ranges, application id, format version, policy
 * limits, the commit's internal consistency) and fail with a {@link RejectedRecordException}.
 * Whether segments arrive in order and match their commit's counts needs per-application state
 * and is the topology's job. One check joins the two: {@link #manifest} forms a manifest only
 * for the SHA-256 its caller computed over the checkpoint's segments, and refuses a commit that
 * carries another, so that no path writes a manifest that restores to other bytes than it
 * names, nor one that counts as a newer checkpoint without being one.
 *
 * <p><b>Buffers.</b> The striper owns one {@link StripeWorkspace} and reuses it for every
 * segment. In the callback form {@link #stripe(CheckpointSegment, CellConsumer)} each unit's
 * {@code data} wraps that workspace's cell array (position 0, limit cellLength) and is valid
 * only until the callback returns: serialize it (Kafka's {@code send} and Streams'
 * {@code forward} do so before returning) or copy it there. {@link #stripe(CheckpointSegment)}
 * copies every cell and returns units that stay valid.
 *
 * <p><b>Not thread-safe</b>: one instance per stream thread or per producer.
 */
public final class SegmentStriper {

    /** The {@code formatVersion} this striper reads and writes. */
    public static final int FORMAT_VERSION = 1;

    /** Length of a SHA-256 digest. */
    public static final int SHA256_LENGTH = 32;

    private final RedundancyPolicy policy;
    private final String policyName;
    private final int servers;
    private final StripeWorkspace workspace;
    private byte[] scratch = new byte[0];

    /** Receives each formed cell with the index of the backup server that stores it. */
    @FunctionalInterface
    public interface CellConsumer {
        /**
         * @param server the backup server, 0..N-1, which is also the stripes topic partition
         * @param unit   the cell; its {@code data} is valid only during this call
         */
        void accept(int server, StripeUnit unit);
    }

    /**
     * A cell with its backup server.
     *
     * @param server the backup server, 0..N-1 (the stripes topic partition)
     * @param unit   the cell, owning its data
     */
    public record RoutedUnit(int server, StripeUnit unit) {
        /** @throws IllegalArgumentException on a negative server or a missing unit */
        public RoutedUnit {
            if (server < 0 || unit == null) {
                throw new IllegalArgumentException("need a server >= 0 and a unit, got server " + server
                        + " and unit " + unit);
            }
        }
    }

    /**
     * @param policy  how every segment is striped
     * @param servers N, the number of backup servers, at least the policy's cells per stripe
     * @throws IllegalArgumentException when there are fewer servers than cells per stripe
     */
    public SegmentStriper(RedundancyPolicy policy, int servers) {
        if (policy == null) {
            throw new IllegalArgumentException("redundancy policy must not be null");
        }
        checkServers(policy, servers);
        this.policy = policy;
        this.policyName = policy.name();
        this.servers = servers;
        this.workspace = new StripeWorkspace(policy);
    }

    /**
     * Checks that {@code servers} backup servers can hold {@code policy}'s stripes.
     *
     * @throws IllegalArgumentException naming both numbers when they cannot
     */
    public static void checkServers(RedundancyPolicy policy, int servers) {
        if (servers < policy.totalCells()) {
            throw new IllegalArgumentException(policy.name() + " puts " + policy.totalCells()
                    + " cells per stripe on distinct backup servers, so it needs at least " + policy.totalCells()
                    + " servers, got " + servers);
        }
    }

    /** The policy every segment is striped with. */
    public RedundancyPolicy policy() {
        return policy;
    }

    /** N, the number of backup servers (and of stripes topic partitions). */
    public int servers() {
        return servers;
    }

    /**
     * Stripes a segment and hands each of its K + M cells, in cell order, to {@code out}.
     *
     * @throws RejectedRecordException when the segment fails a check of {@link #checkSegment}
     */
    public void stripe(CheckpointSegment segment, CellConsumer out) {
        int length = checkSegment(segment);
        ByteBuffer data = segment.getData();
        if (data.hasArray()) {
            workspace.encode(data.array(), data.arrayOffset() + data.position(), length);
        } else {
            if (scratch.length < length) {
                scratch = new byte[length];
            }
            data.duplicate().get(scratch, 0, length);
            workspace.encode(scratch, 0, length);
        }
        int cellLength = workspace.cellLength();
        for (int cell = 0; cell < workspace.cellCount(); cell++) {
            StripeUnit unit = new StripeUnit(FORMAT_VERSION, segment.getAppId(), segment.getCheckpointId(),
                    segment.getSegmentIndex(), segment.getOffset(), length, cell, policyName, servers, cellLength,
                    workspace.crc(cell), ByteBuffer.wrap(workspace.cell(cell), 0, cellLength));
            out.accept(CellLayout.serverOf(segment.getSegmentIndex(), cell, servers), unit);
        }
    }

    /**
     * Stripes a segment into K + M units, in cell order, each owning a copy of its cell.
     *
     * @throws RejectedRecordException when the segment fails a check of {@link #checkSegment}
     */
    public List<RoutedUnit> stripe(CheckpointSegment segment) {
        List<RoutedUnit> units = new ArrayList<>(policy.totalCells());
        stripe(segment, (server, unit) -> {
            ByteBuffer shared = unit.getData();
            unit.setData(ByteBuffer.wrap(Arrays.copyOfRange(shared.array(), shared.position(), shared.limit())));
            units.add(new RoutedUnit(server, unit));
        });
        return units;
    }

    /**
     * The manifest of a committed checkpoint: the commit's facts plus this striper's policy, N
     * and format version, once the commit's SHA-256 is the one of its segments.
     *
     * @param commit         the commit
     * @param segmentsSha256 the SHA-256 the caller computed over the bytes of the checkpoint's
     *                       segments, in order (of no bytes for an empty checkpoint)
     * @throws RejectedRecordException when the commit fails a check of {@link #checkCommit}, or
     *                                 ({@link DeadLetterReason#SHA256_MISMATCH}) carries another SHA-256
     */
    public CheckpointManifest manifest(CheckpointCommit commit, byte[] segmentsSha256) {
        checkCommit(commit);
        byte[] announced = new byte[SHA256_LENGTH];
        commit.getSha256().duplicate().get(announced);
        if (!MessageDigest.isEqual(announced, segmentsSha256)) {
            throw new RejectedRecordException(DeadLetterReason.SHA256_MISMATCH, "commit of "
                    + where(commit.getAppId(), commit.getCheckpointId()) + " carries SHA-256 "
                    + HexFormat.of().formatHex(announced) + " but its " + commit.getSegmentCount()
                    + " segment(s) hash to " + HexFormat.of().formatHex(segmentsSha256));
        }
        return new CheckpointManifest(FORMAT_VERSION, commit.getAppId(), commit.getCheckpointId(), policyName,
                servers, commit.getSegmentCount(), commit.getSegmentSize(), commit.getTotalBytes(),
                commit.getSha256().duplicate(), commit.getCreatedAt(), new HashMap<>(commit.getMetadata()));
    }

    /**
     * The checks on one segment on its own: format version 1, a valid application id,
     * checkpoint id, segment index and offset not negative, 1 or more bytes, no longer than
     * the policy's {@link RedundancyPolicy#maxSegmentLength() maximum segment}.
     *
     * @return the segment's length
     * @throws RejectedRecordException naming the failed check and the values
     */
    public int checkSegment(CheckpointSegment segment) {
        checkFormat(segment.getFormatVersion(), "segment", segment.getAppId(), segment.getCheckpointId());
        String where = where(segment.getAppId(), segment.getCheckpointId()) + " segment " + segment.getSegmentIndex();
        if (segment.getCheckpointId() < 0 || segment.getSegmentIndex() < 0 || segment.getOffset() < 0) {
            throw new RejectedRecordException(DeadLetterReason.INVALID_RECORD, where + " has a negative checkpoint id, "
                    + "segment index or offset (offset " + segment.getOffset() + ")");
        }
        ByteBuffer data = segment.getData();
        int length = data == null ? 0 : data.remaining();
        if (length == 0) {
            throw new RejectedRecordException(DeadLetterReason.INVALID_RECORD, where + " is empty; an empty "
                    + "checkpoint is published as a commit with segmentCount 0 and no segments");
        }
        if (length > policy.maxSegmentLength()) {
            throw new RejectedRecordException(DeadLetterReason.SEGMENT_TOO_LONG, where + " has " + length
                    + " bytes, more than the " + policy.maxSegmentLength() + " one stripe of " + policyName
                    + " holds");
        }
        if (segment.getOffset() > Long.MAX_VALUE - length) {
            throw new RejectedRecordException(DeadLetterReason.INVALID_RECORD, where + " at offset "
                    + segment.getOffset() + " with " + length + " bytes ends beyond the largest offset");
        }
        return length;
    }

    /**
     * The checks on one commit on its own: format version 1, a valid application id, ids and
     * counts not negative, a segment size of at least 1, a 32-byte SHA-256, and a total size
     * that the segment count and size allow (every segment but the last has segmentSize bytes,
     * the last 1 to segmentSize). An empty checkpoint is segmentCount 0 and totalBytes 0; whether
     * the SHA-256 matches the segments is {@link #manifest}'s check.
     *
     * @throws RejectedRecordException naming the failed check and the values
     */
    public void checkCommit(CheckpointCommit commit) {
        checkFormat(commit.getFormatVersion(), "commit", commit.getAppId(), commit.getCheckpointId());
        String where = "commit of " + where(commit.getAppId(), commit.getCheckpointId());
        int count = commit.getSegmentCount();
        int size = commit.getSegmentSize();
        long total = commit.getTotalBytes();
        if (commit.getCheckpointId() < 0 || count < 0 || size < 1 || total < 0) {
            throw new RejectedRecordException(DeadLetterReason.INVALID_RECORD, where + " has an out-of-range field: "
                    + "segmentCount " + count + ", segmentSize " + size + ", totalBytes " + total
                    + " (ids and counts must not be negative, segmentSize must be at least 1)");
        }
        ByteBuffer sha = commit.getSha256();
        if (sha == null || sha.remaining() != SHA256_LENGTH) {
            throw new RejectedRecordException(DeadLetterReason.INVALID_RECORD, where + " carries a SHA-256 of "
                    + (sha == null ? 0 : sha.remaining()) + " bytes, expected " + SHA256_LENGTH);
        }
        if (commit.getMetadata() == null) {
            throw new RejectedRecordException(DeadLetterReason.INVALID_RECORD, where + " has no metadata map");
        }
        long max = (long) count * size;
        long min = count == 0 ? 0 : (long) (count - 1) * size + 1;
        if (total < min || total > max) {
            throw new RejectedRecordException(DeadLetterReason.COMMIT_MISMATCH, where + " announces " + total
                    + " bytes in " + count + " segments of " + size + " bytes, which allows only " + min + " to "
                    + max + " bytes");
        }
    }

    /** The server that stores {@code unit}: {@code (segmentIndex + cellIndex) mod servers}. */
    public static int serverOf(StripeUnit unit) {
        return CellLayout.serverOf(unit.getSegmentIndex(), unit.getCellIndex(), unit.getServers());
    }

    /** The checks on a record that come before its policy: a valid application id and format version 1. */
    static void checkFormat(int formatVersion, String what, String appId, long checkpointId) {
        try {
            AppId.validate(appId);
        } catch (IllegalArgumentException e) {
            throw new RejectedRecordException(DeadLetterReason.INVALID_APP_ID, what + " of checkpoint " + checkpointId
                    + ": " + e.getMessage());
        }
        if (formatVersion != FORMAT_VERSION) {
            throw new RejectedRecordException(DeadLetterReason.UNSUPPORTED_FORMAT_VERSION, what + " of "
                    + where(appId, checkpointId) + " has formatVersion " + formatVersion + "; this striper reads "
                    + FORMAT_VERSION);
        }
    }

    static String where(String appId, long checkpointId) {
        return "application " + appId + " checkpoint " + checkpointId;
    }
}
