package io.checkstripe.store;

import io.checkstripe.codec.Crc32c;
import io.checkstripe.core.AppId;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * The encoding of a {@link StoredManifest}, as a store keeps it in a checkpoint's {@code manifest} file and
 * as the sink's HTTP API serves it. Self-describing and protected by a CRC32C over all of it.
 *
 * <p>Version 1, all integers big-endian:
 * <pre>
 * offset  size  field
 *      0     4  magic 0x4353434D ("CSCM")
 *      4     1  version, 1
 *      5     1  A, length of the application id (1..128)
 *      6     1  P, length of the policy name (1..64)
 *      7     1  flags, 0
 *      8     8  checkpoint id
 *     16     4  servers N
 *     20     4  segment count
 *     24     4  segment size
 *     28     8  total bytes
 *     36    32  SHA-256 of the checkpoint
 *     68     8  created at, seconds since the epoch
 *     76     4  created at, nanoseconds
 *     80     4  E, number of metadata entries
 *     84     A  application id, ASCII
 *   84+A     P  canonical policy name, ASCII
 *          E×   2-byte length + UTF-8 key, 2-byte length + UTF-8 value, in key order
 *      end-4 4  CRC32C of every byte before it
 * </pre>
 * At most {@value #MAX_LENGTH} bytes. Stateless and thread-safe.
 */
public final class ManifestFormat {

    /** First four bytes, "CSCM". */
    public static final int MAGIC = 0x4353434D;

    /** The only version written and read. */
    public static final byte VERSION = 1;

    /**
     * Longest encoding: fixed fields, names, the metadata's bytes and 4 length bytes per entry (distinct keys
     * within {@link StoredManifest#MAX_METADATA_BYTES} bytes are at most one more than that many).
     */
    public static final int MAX_LENGTH = 88 + AppId.MAX_LENGTH + CellRecordFormat.MAX_POLICY_LENGTH
            + StoredManifest.MAX_METADATA_BYTES + 4 * (StoredManifest.MAX_METADATA_BYTES + 1);

    private static final int FIXED_LENGTH = 84;

    private ManifestFormat() {
    }

    /** The manifest's encoding. */
    public static byte[] encode(StoredManifest m) {
        byte[] app = m.appId().getBytes(StandardCharsets.US_ASCII);
        byte[] policy = m.policy().getBytes(StandardCharsets.US_ASCII);
        Map<String, String> sorted = new TreeMap<>(m.metadata());
        int length = FIXED_LENGTH + app.length + policy.length + 4;
        for (Map.Entry<String, String> e : sorted.entrySet()) {
            length += 4 + utf8(e.getKey()).length + utf8(e.getValue()).length;
        }
        ByteBuffer b = ByteBuffer.allocate(length);
        b.putInt(MAGIC).put(VERSION).put((byte) app.length).put((byte) policy.length).put((byte) 0)
                .putLong(m.checkpointId()).putInt(m.servers()).putInt(m.segmentCount()).putInt(m.segmentSize())
                .putLong(m.totalBytes()).put(m.sha256()).putLong(m.createdAt().getEpochSecond())
                .putInt(m.createdAt().getNano()).putInt(sorted.size()).put(app).put(policy);
        for (Map.Entry<String, String> e : sorted.entrySet()) {
            byte[] key = utf8(e.getKey());
            byte[] value = utf8(e.getValue());
            b.putShort((short) key.length).put(key).putShort((short) value.length).put(value);
        }
        b.putInt(Crc32c.of(b.array(), 0, b.position()));
        return b.array();
    }

    /**
     * Decodes a whole encoding.
     *
     * @throws CorruptRecordException when the bytes are not a valid version-1 manifest
     */
    public static StoredManifest decode(byte[] bytes) throws CorruptRecordException {
        if (bytes.length < FIXED_LENGTH + 4 || bytes.length > MAX_LENGTH) {
            throw new CorruptRecordException("manifest has " + bytes.length + " bytes, expected "
                    + (FIXED_LENGTH + 4) + ".." + MAX_LENGTH);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int stored = b.getInt(bytes.length - 4);
        int computed = Crc32c.of(bytes, 0, bytes.length - 4);
        if (b.getInt(0) != MAGIC || b.get(4) != VERSION) {
            throw new CorruptRecordException(String.format("not a version-%d manifest: magic %08x, version %d",
                    VERSION, b.getInt(0), b.get(4)));
        }
        if (stored != computed) {
            throw new CorruptRecordException("manifest CRC32C mismatch: stored " + Crc32c.hex(stored) + ", computed "
                    + Crc32c.hex(computed));
        }
        try {
            b.position(5);
            int appLength = Byte.toUnsignedInt(b.get());
            int policyLength = Byte.toUnsignedInt(b.get());
            if (b.get() != 0) {
                throw new CorruptRecordException("manifest flags are not 0");
            }
            long checkpointId = b.getLong();
            int servers = b.getInt();
            int segmentCount = b.getInt();
            int segmentSize = b.getInt();
            long totalBytes = b.getLong();
            byte[] sha = new byte[32];
            b.get(sha);
            Instant createdAt = Instant.ofEpochSecond(b.getLong(), b.getInt());
            int entries = b.getInt();
            String app = ascii(b, appLength);
            String policy = ascii(b, policyLength);
            Map<String, String> metadata = new HashMap<>();
            for (int i = 0; i < entries; i++) {
                String key = utf8(b, Short.toUnsignedInt(b.getShort()));
                metadata.put(key, utf8(b, Short.toUnsignedInt(b.getShort())));
            }
            if (b.position() != bytes.length - 4) {
                throw new CorruptRecordException("manifest has " + (bytes.length - 4 - b.position())
                        + " unexpected bytes before its CRC");
            }
            return new StoredManifest(app, checkpointId, policy, servers, segmentCount, segmentSize, totalBytes, sha,
                    createdAt, metadata);
        } catch (BufferUnderflowException | IllegalArgumentException | DateTimeException e) {
            throw new CorruptRecordException("manifest not understood: " + e, e);
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static String ascii(ByteBuffer b, int length) {
        byte[] bytes = new byte[length];
        b.get(bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
    }

    private static String utf8(ByteBuffer b, int length) {
        byte[] bytes = new byte[length];
        b.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
