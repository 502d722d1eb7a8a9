package io.checkstripe.striping;

import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.codec.StripeWorkspace;
import io.checkstripe.schemas.avro.CheckpointCommit;
import io.checkstripe.schemas.avro.CheckpointSegment;
import io.checkstripe.schemas.avro.StripeUnit;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Test data: segments and commits as a producer would publish them, and decoding of emitted cells. */
public final class Checkpoints {

    private Checkpoints() {
    }

    public static byte[] randomBytes(long seed, int length) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    public static CheckpointSegment segment(String app, long checkpointId, int index, long offset, byte[] data) {
        return new CheckpointSegment(SegmentStriper.FORMAT_VERSION, app, checkpointId, index, offset,
                ByteBuffer.wrap(data), null);
    }

    public static CheckpointCommit commit(String app, long checkpointId, int count, long total, int segmentSize,
                                   byte[] sha256) {
        return new CheckpointCommit(SegmentStriper.FORMAT_VERSION, app, checkpointId, count, total,
                ByteBuffer.wrap(sha256), 1_700_000_000_000L, segmentSize, Map.of("host", "test"), null);
    }

    /** The segments of {@code data} cut every {@code segmentSize} bytes. */
    public static List<CheckpointSegment> segments(String app, long checkpointId, byte[] data, int segmentSize) {
        List<CheckpointSegment> segments = new ArrayList<>();
        for (int offset = 0, index = 0; offset < data.length; offset += segmentSize, index++) {
            byte[] part = Arrays.copyOfRange(data, offset, Math.min(data.length, offset + segmentSize));
            segments.add(segment(app, checkpointId, index, offset, part));
        }
        return segments;
    }

    /** The commit matching {@link #segments}. */
    public static CheckpointCommit commitOf(String app, long checkpointId, byte[] data, int segmentSize) {
        int count = (data.length + segmentSize - 1) / segmentSize;
        return commit(app, checkpointId, count, data.length, segmentSize, sha256(data));
    }

    public static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    public static byte[] bytes(ByteBuffer buffer) {
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }

    /**
     * Rebuilds a segment from the units of its stripe, pretending the cells with indexes in
     * {@code lost} are gone; every loaded cell's CRC is checked.
     */
    public static byte[] decode(RedundancyPolicy policy, List<StripeUnit> stripe, Collection<Integer> lost) {
        StripeWorkspace workspace = new StripeWorkspace(policy);
        int length = stripe.get(0).getSegmentLength();
        workspace.startRestore(length);
        for (StripeUnit unit : stripe) {
            if (!lost.contains(unit.getCellIndex())) {
                byte[] cell = bytes(unit.getData());
                workspace.loadCell(unit.getCellIndex(), cell, 0, cell.length, unit.getCrc32c());
            }
        }
        workspace.decodeDataCells();
        byte[] segment = new byte[length];
        workspace.copySegmentTo(segment, 0);
        return segment;
    }
}
