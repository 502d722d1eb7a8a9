package io.checkstripe.store;

import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.core.AppId;
import io.checkstripe.crypto.SignedCheckpoint;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Objects;

/**
 * What a store keeps about a checkpoint besides its cells: the manifest the striper sends to every server.
 * With it a store knows how many cells it should hold ({@link CellStore#expectedCells}) and a restorer can
 * rebuild and verify the checkpoint from any sufficient set of stores.
 *
 * <p>The SHA-256 is copied in and out; the metadata map is copied into an unmodifiable map. Immutable and
 * thread-safe.
 *
 * @param appId        application id
 * @param checkpointId checkpoint id, not negative
 * @param policy       redundancy policy name, replaced by its canonical form
 * @param servers      number N of backup servers, at least the policy's cells per stripe
 * @param segmentCount number of segments (stripes), not negative
 * @param segmentSize  the producer's segment size in bytes, positive
 * @param totalBytes   checkpoint length, at most {@code segmentCount * segmentSize}
 * @param sha256       SHA-256 of the whole checkpoint, 32 bytes
 * @param createdAt    when the producer finished reading the checkpoint
 * @param metadata     the application's properties, at most {@value #MAX_METADATA_BYTES} bytes of UTF-8 in all
 */
public record StoredManifest(String appId, long checkpointId, String policy, int servers, int segmentCount,
        int segmentSize, long totalBytes, byte[] sha256, Instant createdAt, Map<String, String> metadata) {

    /** Largest total UTF-8 length of the metadata keys and values. */
    public static final int MAX_METADATA_BYTES = 65_535;

    /** @throws IllegalArgumentException naming the first bad field and its value */
    public StoredManifest {
        AppId.validate(appId);
        RedundancyPolicy parsed = RedundancyPolicy.parse(policy);
        policy = parsed.name();
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(createdAt, "createdAt");
        Objects.requireNonNull(metadata, "metadata");
        if (checkpointId < 0) {
            throw new IllegalArgumentException("checkpoint id " + checkpointId + " of " + appId + " is negative");
        }
        if (servers < parsed.totalCells()) {
            throw new IllegalArgumentException("servers " + servers + " is fewer than the " + parsed.totalCells()
                    + " cells per stripe of policy " + policy);
        }
        if (segmentCount < 0) {
            throw new IllegalArgumentException("segment count " + segmentCount + " is negative");
        }
        if (segmentSize <= 0) {
            throw new IllegalArgumentException("segment size " + segmentSize + " is not positive");
        }
        if (totalBytes < 0 || totalBytes > (long) segmentCount * segmentSize) {
            throw new IllegalArgumentException("total bytes " + totalBytes + " does not fit " + segmentCount
                    + " segments of " + segmentSize + " bytes");
        }
        if (sha256.length != 32) {
            throw new IllegalArgumentException("sha256 has " + sha256.length + " bytes, expected 32");
        }
        sha256 = sha256.clone();
        long metadataBytes = 0;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            Objects.requireNonNull(e.getKey(), "metadata key");
            Objects.requireNonNull(e.getValue(), () -> "metadata value of " + e.getKey());
            metadataBytes += e.getKey().getBytes(StandardCharsets.UTF_8).length
                    + e.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
        if (metadataBytes > MAX_METADATA_BYTES) {
            throw new IllegalArgumentException("metadata has " + metadataBytes + " bytes of keys and values, at most "
                    + MAX_METADATA_BYTES + " are kept");
        }
        metadata = Map.copyOf(metadata);
    }

    /**
     * What the application signed, as this manifest repeats it: the fields every holder of the application's public
     * keys checks ({@link io.checkstripe.crypto.CommitSignature#verify}), the sinks before they store a manifest and
     * a restore before it trusts one.
     */
    public SignedCheckpoint signedFields() {
        return new SignedCheckpoint(appId, checkpointId, segmentCount, totalBytes, sha256,
                createdAt.toEpochMilli(), segmentSize, metadata);
    }

    /** A copy of the SHA-256. */
    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof StoredManifest m && appId.equals(m.appId) && checkpointId == m.checkpointId
                && policy.equals(m.policy) && servers == m.servers && segmentCount == m.segmentCount
                && segmentSize == m.segmentSize && totalBytes == m.totalBytes && Arrays.equals(sha256, m.sha256)
                && createdAt.equals(m.createdAt) && metadata.equals(m.metadata);
    }

    @Override
    public int hashCode() {
        return Objects.hash(appId, checkpointId, policy, servers, segmentCount, segmentSize, totalBytes,
                Arrays.hashCode(sha256), createdAt, metadata);
    }

    @Override
    public String toString() {
        return "StoredManifest[" + appId + "/" + checkpointId + " " + policy + " over " + servers + " servers, "
                + segmentCount + " segments of " + segmentSize + " bytes, " + totalBytes + " bytes, sha256 "
                + HexFormat.of().formatHex(sha256) + ", created " + createdAt + ", metadata " + metadata + "]";
    }
}
