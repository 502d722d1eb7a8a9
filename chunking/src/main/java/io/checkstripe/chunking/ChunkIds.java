package io.checkstripe.chunking;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Computes the {@link ChunkId} of a chunk's raw (uncompressed) bytes: SHA-256 for a plain checkpoint,
 * HMAC-SHA-256 under a 32-byte key for an encrypted one. With a key, equal chunks still get equal ids (so
 * deduplication works), but an id reveals nothing about content to anyone without the key: no one can confirm
 * a guess of a chunk's content from its id. Ids never leave the publisher's and restorer's machines anyway
 * (the recipe holds none).
 *
 * <p>{@link #keyId()} names the id space: {@code "plain"}, or {@code "hmac-"} and a fingerprint of the key, so a
 * {@link ChunkIndex} computed under another key is recognised and not used.
 *
 * <p>Reusable and not thread-safe: one instance per stream.
 */
public final class ChunkIds {

    /** The {@link #keyId()} of unkeyed SHA-256 ids. */
    public static final String PLAIN = "plain";

    /** Length of an HMAC key in bytes. */
    public static final int KEY_LENGTH = 32;

    private static final byte[] FINGERPRINT_LABEL = "checkstripe chunk id key".getBytes(StandardCharsets.US_ASCII);

    private final MessageDigest digest;
    private final Mac mac;
    private final String keyId;
    private final byte[] out = new byte[ChunkId.LENGTH];

    private ChunkIds(MessageDigest digest, Mac mac, String keyId) {
        this.digest = digest;
        this.mac = mac;
        this.keyId = keyId;
    }

    /** Ids by SHA-256, for plain checkpoints. */
    public static ChunkIds sha256() {
        return new ChunkIds(sha256Digest(), null, PLAIN);
    }

    /**
     * Ids by HMAC-SHA-256 under {@code key}, for encrypted checkpoints.
     *
     * @throws IllegalArgumentException unless the key has 32 bytes
     */
    public static ChunkIds hmacSha256(byte[] key) {
        Objects.requireNonNull(key, "key");
        if (key.length != KEY_LENGTH) {
            throw new IllegalArgumentException("a chunk id key has " + KEY_LENGTH + " bytes, got " + key.length);
        }
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            byte[] fingerprint = mac.doFinal(FINGERPRINT_LABEL);
            return new ChunkIds(null, mac, "hmac-" + HexFormat.of().formatHex(fingerprint, 0, 8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK lacks HmacSHA256", e);
        }
    }

    /** {@code "plain"}, or {@code "hmac-"} and 16 hex digits that differ from key to key. */
    public String keyId() {
        return keyId;
    }

    /** The id of {@code data[offset, offset + length)}. */
    public ChunkId of(byte[] data, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, data.length);
        try {
            if (mac != null) {
                mac.update(data, offset, length);
                mac.doFinal(out, 0);
            } else {
                digest.update(data, offset, length);
                digest.digest(out, 0, out.length);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot finish a 32-byte digest into a 32-byte buffer", e);
        }
        return ChunkId.of(out);
    }

    static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }
}
