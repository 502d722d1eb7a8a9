package io.checkstripe.producer;

import io.checkstripe.crypto.CommitSignature;
import io.checkstripe.crypto.KeyFile;
import io.checkstripe.crypto.ProtectionMetadata;
import io.checkstripe.crypto.SegmentCipher;
import io.checkstripe.crypto.SignedCheckpoint;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.Map;

/**
 * The segments a publish sends and what its commit says about them. Without a key they are the application's
 * bytes as a {@link Segmenter} cuts them. With a key every plaintext segment of {@code segmentBytes - }
 * {@value SegmentCipher#OVERHEAD} bytes is encrypted into a ciphertext segment of exactly {@code segmentBytes}
 * (the last one shorter), so the wire segment size, and a fixed-cell policy's stripe, stay what is configured;
 * and the commit's metadata gets the encryption parameters and the signature of the newest key
 * ({@link ProtectionMetadata}). Either way the segment count, offsets, length and SHA-256 are those of the
 * bytes published, which is what the striper checks and the restorer verifies without the key.
 *
 * <p>Memory: the caller's two buffers, reused for every segment; each ciphertext segment is written into the
 * second one, so encryption costs no allocation per segment. Not thread-safe; one per publish.
 */
final class PublishedSegments {

    private final Segmenter plain;
    private final KeyFile keys;
    private final SegmentCipher cipher;
    private final String appId;
    private final long checkpointId;
    private final byte[] sealed;
    private final MessageDigest sha256 = newSha256();
    private byte[] buffer;
    private int length;
    private long offset;
    private long total;

    /**
     * @param in           the application's bytes; not closed here
     * @param plainBuffer  where plaintext segments are read, at least {@link #plainSegmentBytes} long
     * @param sealedBuffer where ciphertext segments are written, at least {@code segmentBytes} long; unused and
     *                     may be null without a key
     * @param segmentBytes the published segment size
     * @param keys         the application's key file, or null to publish in the clear
     * @param cipher       a cipher over {@code keys}, or null without them
     */
    PublishedSegments(InputStream in, byte[] plainBuffer, byte[] sealedBuffer, int segmentBytes, KeyFile keys,
            SegmentCipher cipher, String appId, long checkpointId) {
        if ((keys == null) != (cipher == null)) {
            throw new IllegalArgumentException("need both a key file and its cipher, or neither");
        }
        this.plain = new Segmenter(in, plainBuffer, plainSegmentBytes(segmentBytes, keys != null));
        this.keys = keys;
        this.cipher = cipher;
        this.appId = appId;
        this.checkpointId = checkpointId;
        this.sealed = sealedBuffer;
        if (cipher != null && (sealedBuffer == null || sealedBuffer.length < segmentBytes)) {
            throw new IllegalArgumentException("encrypting needs a buffer of " + segmentBytes + " bytes");
        }
    }

    /**
     * The plaintext bytes per segment: the segment size, less the cipher's overhead when encrypting.
     *
     * @throws IllegalArgumentException when an encrypted segment would hold no plaintext byte
     */
    static int plainSegmentBytes(int segmentBytes, boolean encrypted) {
        if (!encrypted) {
            return segmentBytes;
        }
        if (segmentBytes <= SegmentCipher.OVERHEAD) {
            throw new IllegalArgumentException("a segment of " + segmentBytes + " bytes cannot hold an encrypted "
                    + "segment: AES-GCM adds " + SegmentCipher.OVERHEAD + " bytes, so use at least "
                    + (SegmentCipher.OVERHEAD + 1));
        }
        return segmentBytes - SegmentCipher.OVERHEAD;
    }

    /**
     * Reads, and with a key encrypts, the next segment.
     *
     * @return false once the stream is exhausted
     */
    boolean next() throws IOException {
        if (!plain.next()) {
            return false;
        }
        offset = total;
        if (cipher == null) {
            buffer = plain.buffer();
            length = plain.length();
        } else {
            buffer = sealed;
            length = cipher.encrypt(appId, checkpointId, plain.index(), plain.buffer(), 0, plain.length(), sealed, 0);
        }
        sha256.update(buffer, 0, length);
        total += length;
        return true;
    }

    /** The buffer holding the current segment, as published, in its first {@link #length()} bytes. */
    byte[] buffer() {
        return buffer;
    }

    int length() {
        return length;
    }

    int index() {
        return plain.index();
    }

    /** Offset of the current segment in the checkpoint as published. */
    long offset() {
        return offset;
    }

    /** Segments so far; the count once {@link #next()} returned false. */
    int count() {
        return plain.count();
    }

    /** Bytes published so far; the checkpoint's length once {@link #next()} returned false. */
    long totalBytes() {
        return total;
    }

    /** SHA-256 of the bytes published; call once, after {@link #next()} returned false. */
    byte[] sha256() {
        return sha256.digest();
    }

    /**
     * The commit's metadata: the application's, and with a key the encryption parameters and the signature
     * over the whole commit (as {@link SignedCheckpoint} defines it).
     */
    Map<String, String> commitMetadata(Map<String, String> application, byte[] sha256, long createdAtMillis,
            int segmentBytes) {
        if (keys == null) {
            return new HashMap<>(application);
        }
        Map<String, String> metadata = new HashMap<>(application);
        metadata.put(ProtectionMetadata.CIPHER, SegmentCipher.ALGORITHM);
        metadata.put(ProtectionMetadata.KEY_ID, Integer.toString(cipher.encryptingKeyId()));
        metadata.put(ProtectionMetadata.PLAIN_BYTES, Long.toString(plain.totalBytes()));
        metadata.put(ProtectionMetadata.PLAIN_SEGMENT_SIZE,
                Integer.toString(plainSegmentBytes(segmentBytes, true)));
        return CommitSignature.sign(keys.newest(), new SignedCheckpoint(appId, checkpointId, count(), total, sha256,
                createdAtMillis, segmentBytes, metadata));
    }

    static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }
}
