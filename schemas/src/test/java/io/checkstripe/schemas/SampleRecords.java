package io.checkstripe.schemas;

import io.checkstripe.schemas.avro.CheckpointAck;
import io.checkstripe.schemas.avro.CheckpointCommit;
import io.checkstripe.schemas.avro.CheckpointManifest;
import io.checkstripe.schemas.avro.CheckpointSegment;
import io.checkstripe.schemas.avro.StripeUnit;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.specific.SpecificRecord;

/** One filled-in instance of every record, every field set, byte fields from a seeded random. */
final class SampleRecords {

    private SampleRecords() {
    }

    static CheckpointSegment segment() {
        return CheckpointSegment.newBuilder().setAppId("billing").setCheckpointId(42).setSegmentIndex(3)
                .setOffset(3L * 1024 * 1024).setData(bytes(1, 1000)).build();
    }

    static CheckpointCommit commit() {
        return CheckpointCommit.newBuilder().setAppId("billing").setCheckpointId(42).setSegmentCount(4)
                .setTotalBytes(3L * 1024 * 1024 + 1000).setSha256(bytes(2, 32)).setCreatedAt(1_700_000_000_000L)
                .setSegmentSize(1024 * 1024).setMetadata(Map.of("host", "node-1", "version", "2.3")).build();
    }

    static StripeUnit stripeUnit() {
        return StripeUnit.newBuilder().setAppId("billing").setCheckpointId(42).setSegmentIndex(3)
                .setSegmentOffset(3L * 1024 * 1024).setSegmentLength(1000).setCellIndex(4).setPolicy("RS-3-2")
                .setServers(5).setCellLength(334).setCrc32c(0xCAFEBABE).setData(bytes(3, 334)).build();
    }

    static CheckpointManifest manifest() {
        return CheckpointManifest.newBuilder().setAppId("billing").setCheckpointId(42).setPolicy("RS-3-2")
                .setServers(5).setSegmentCount(4).setSegmentSize(1024 * 1024).setTotalBytes(3L * 1024 * 1024 + 1000)
                .setSha256(bytes(2, 32)).setCreatedAt(1_700_000_000_000L).setMetadata(Map.of("host", "node-1"))
                .build();
    }

    static CheckpointAck ack() {
        return CheckpointAck.newBuilder().setServerIndex(2).setAppId("billing").setCheckpointId(42)
                .setAckedAt(1_700_000_000_500L).build();
    }

    static List<SpecificRecord> all() {
        return List.of(segment(), commit(), stripeUnit(), manifest(), ack());
    }

    private static ByteBuffer bytes(long seed, int length) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return ByteBuffer.wrap(bytes);
    }
}
