package io.checkstripe.crypto;

import io.checkstripe.core.AppId;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What an application's signature vouches for: every field of a commit that a manifest repeats, so the same
 * signature verifies at the striper (on the commit), at the sinks and at restore (on the manifest). The
 * signature itself ({@link ProtectionMetadata#SIGNATURE}) is left out of the signed bytes; the metadata,
 * encryption parameters included, is signed. The policy and server count are the striper's choice and are not.
 *
 * @param sha256 the SHA-256 of the bytes as published (the ciphertext when encrypted), 32 bytes
 */
public record SignedCheckpoint(String appId, long checkpointId, int segmentCount, long totalBytes, byte[] sha256,
                               long createdAtMillis, int segmentSize, Map<String, String> metadata) {

    private static final byte[] DOMAIN = "checkstripe-commit-v1\0".getBytes(StandardCharsets.US_ASCII);

    public SignedCheckpoint {
        AppId.validate(appId);
        Objects.requireNonNull(sha256, "sha256");
        if (sha256.length != 32) {
            throw new IllegalArgumentException("sha256 must be 32 bytes, not " + sha256.length);
        }
        sha256 = sha256.clone();
        metadata = Map.copyOf(Objects.requireNonNull(metadata, "metadata"));
    }

    @Override
    public byte[] sha256() {
        return sha256.clone();
    }

    /** This checkpoint with {@code metadata} instead. */
    public SignedCheckpoint withMetadata(Map<String, String> newMetadata) {
        return new SignedCheckpoint(appId, checkpointId, segmentCount, totalBytes, sha256, createdAtMillis, segmentSize,
                newMetadata);
    }

    /** The bytes signed: a domain tag, then every field, then the metadata but the signature, in key order. */
    public byte[] canonicalBytes() {
        try {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
            DataOutputStream out = new DataOutputStream(bytes);
            out.write(DOMAIN);
            writeString(out, appId);
            out.writeLong(checkpointId);
            out.writeInt(segmentCount);
            out.writeLong(totalBytes);
            out.write(sha256);
            out.writeLong(createdAtMillis);
            out.writeInt(segmentSize);
            TreeMap<String, String> sorted = new TreeMap<>(metadata);
            sorted.remove(ProtectionMetadata.SIGNATURE);
            out.writeInt(sorted.size());
            for (Map.Entry<String, String> e : sorted.entrySet()) {
                writeString(out, e.getKey());
                writeString(out, e.getValue());
            }
            out.flush();
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SignedCheckpoint other && Arrays.equals(canonicalBytes(), other.canonicalBytes())
                && Objects.equals(metadata.get(ProtectionMetadata.SIGNATURE),
                        other.metadata.get(ProtectionMetadata.SIGNATURE));
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(canonicalBytes());
    }

    @Override
    public String toString() {
        return "SignedCheckpoint[" + appId + "/" + checkpointId + ", " + segmentCount + " segments, " + totalBytes
                + " bytes]";
    }
}
