package io.checkstripe.sink;

import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.core.CheckpointContent;
import io.checkstripe.schemas.RejectedRecordException;
import io.checkstripe.schemas.avro.CheckpointCommit;
import io.checkstripe.schemas.avro.CheckpointManifest;
import io.checkstripe.schemas.avro.CheckpointSegment;
import io.checkstripe.schemas.avro.StripeUnit;
import io.checkstripe.store.CellKey;
import io.checkstripe.store.CellStore;
import io.checkstripe.store.StoredCell;
import io.checkstripe.store.StoredManifest;
import io.checkstripe.striping.SegmentStriper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

/** Test checkpoints striped by the striper's own {@link SegmentStriper}, as a sink receives them. */
final class TestCheckpoints {

    private TestCheckpoints() {
    }

    /**
     * A striped checkpoint.
     *
     * @param units    every cell, with its server, in segment then cell order
     * @param manifest the manifest every server receives
     */
    record Striped(String app, long checkpointId, int servers, List<SegmentStriper.RoutedUnit> units,
            CheckpointManifest manifest) {

        /** The units stored on {@code server}, in segment order. */
        List<StripeUnit> unitsFor(int server) {
            return units.stream().filter(u -> u.server() == server).map(SegmentStriper.RoutedUnit::unit).toList();
        }

        /** The cells stored on {@code server}, by key. */
        TreeMap<CellKey, StoredCell> cellsFor(int server) {
            TreeMap<CellKey, StoredCell> cells = new TreeMap<>();
            for (StripeUnit u : unitsFor(server)) {
                StoredCell c = cell(u, server);
                cells.put(c.header().key(), c);
            }
            return cells;
        }

        StoredManifest storedManifest(int server) {
            try {
                return StripeRecords.manifest(manifest, server, "test manifest");
            } catch (RejectedRecordException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** A checkpoint of {@code length} seeded random bytes cut into {@code segmentSize}-byte segments. */
    static Striped stripe(String app, long checkpointId, int length, int segmentSize, String policy, int servers,
            long seed) {
        return stripe(app, checkpointId, length, segmentSize, policy, servers, seed, Map.of("host", "test"));
    }

    /**
     * As {@link #stripe(String, long, int, int, String, int, long)}, published as the delta of an incremental
     * checkpoint reading from {@code bases} (the content fields are made up: a sink only reads the bases).
     */
    static Striped incremental(String app, long checkpointId, int length, int segmentSize, String policy,
            int servers, long seed, List<Long> bases) {
        Map<String, String> metadata = new HashMap<>(new CheckpointContent(CheckpointContent.CHUNKED_V1, bases,
                4L * length, "0f".repeat(32), length, CheckpointContent.Type.FILE).toMetadata());
        metadata.put("host", "test");
        return stripe(app, checkpointId, length, segmentSize, policy, servers, seed, metadata);
    }

    private static Striped stripe(String app, long checkpointId, int length, int segmentSize, String policy,
            int servers, long seed, Map<String, String> metadata) {
        byte[] data = new byte[length];
        new Random(seed).nextBytes(data);
        SegmentStriper striper = new SegmentStriper(RedundancyPolicy.parse(policy), servers);
        List<SegmentStriper.RoutedUnit> units = new ArrayList<>();
        int count = 0;
        for (int offset = 0; offset < length; offset += segmentSize, count++) {
            byte[] part = Arrays.copyOfRange(data, offset, Math.min(length, offset + segmentSize));
            units.addAll(striper.stripe(new CheckpointSegment(SegmentStriper.FORMAT_VERSION, app, checkpointId, count,
                    (long) offset, ByteBuffer.wrap(part), null)));
        }
        byte[] sha256 = sha256(data);
        CheckpointCommit commit = new CheckpointCommit(SegmentStriper.FORMAT_VERSION, app, checkpointId, count,
                (long) length, ByteBuffer.wrap(sha256), 1_700_000_000_000L, segmentSize, metadata, null);
        return new Striped(app, checkpointId, servers, List.copyOf(units), striper.manifest(commit, sha256));
    }

    static StoredCell cell(StripeUnit unit, int server) {
        try {
            return StripeRecords.cell(unit, server, "test unit");
        } catch (RejectedRecordException e) {
            throw new AssertionError(e);
        }
    }

    /** Stores {@code server}'s cells of segments [from, to) (and the manifest if asked) and commits. */
    static void fill(CellStore store, Striped c, int fromSegment, int toSegment, boolean withManifest)
            throws IOException {
        for (StripeUnit u : c.unitsFor(store.serverIndex())) {
            if (u.getSegmentIndex() >= fromSegment && u.getSegmentIndex() < toSegment) {
                store.append(cell(u, store.serverIndex()));
            }
        }
        if (withManifest) {
            store.putManifest(c.storedManifest(store.serverIndex()));
        }
        store.commit("test", 1);
    }

    static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
