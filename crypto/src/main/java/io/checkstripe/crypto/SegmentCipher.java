package io.checkstripe.crypto;

import io.checkstripe.core.AppId;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Objects;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;

/**
 * AES-256-GCM encryption of one checkpoint segment at a time, so encryption streams like publishing does.
 * A ciphertext segment is a fresh random 12-byte nonce, then the encrypted bytes, then the 16-byte tag
 * ({@value #OVERHEAD} bytes more than the plaintext). The associated data binds the key id, the application id,
 * the checkpoint id and the segment index: a segment moved to another position, checkpoint or application, or
 * replayed from an older checkpoint, fails its tag. Dropped or reordered segments are caught by the signed
 * SHA-256 of the whole ciphertext.
 *
 * <p>How the JDK's AES-GCM is called decides how soon it is fast, because HotSpot uses its AES and GHASH
 * intrinsics only from callers it has compiled, after many calls: with one call per 1 MiB segment on byte arrays a
 * process that only decrypts (a {@code checkstripe restore} at failover) stayed below 100 MB/s for as long as it
 * was measured (512 MiB, JDK 17). So encryption is fed {@value #CHUNK} bytes per call, and decryption, which the
 * JDK does at once at the end of a message whatever the calls, goes through two direct buffers, whose code path
 * reaches GB/s within the first hundred MB (docs/PERFORMANCE.md). The bytes are the same either way.
 *
 * <p>Random 96-bit nonces keep the chance of a repeat negligible for up to 2^32 segments per key (4 PiB at
 * 1 MiB segments); rotate keys well before that. Not thread-safe: it reuses one {@link Cipher} and, to decrypt,
 * two direct buffers of the largest segment's size.
 */
public final class SegmentCipher {

    /** The only algorithm, as recorded in {@link ProtectionMetadata#CIPHER}. */
    public static final String ALGORITHM = "AES-256-GCM";
    /** Bytes of nonce. */
    public static final int NONCE_LENGTH = 12;
    /** Bytes of authentication tag. */
    public static final int TAG_LENGTH = 16;
    /** How much longer a ciphertext segment is than its plaintext. */
    public static final int OVERHEAD = NONCE_LENGTH + TAG_LENGTH;

    /** Bytes handed to the JDK's cipher per call. */
    static final int CHUNK = 4096;

    private static final byte[] DOMAIN = "checkstripe-segment-v1\0".getBytes(StandardCharsets.US_ASCII);

    private final KeyFile keys;
    private final Cipher cipher;
    private final SecureRandom random = new SecureRandom();
    private final byte[] nonce = new byte[NONCE_LENGTH];
    /** Decryption's input and output, outside the heap, grown to the largest segment seen. */
    private ByteBuffer sealedIn = ByteBuffer.allocateDirect(0);
    private ByteBuffer plainOut = ByteBuffer.allocateDirect(0);

    /** A cipher that encrypts with the newest key of {@code keys} and decrypts with any of them. */
    public SegmentCipher(KeyFile keys) {
        this.keys = Objects.requireNonNull(keys, "keys");
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no AES-GCM", e);
        }
    }

    /** The id of the key {@link #encrypt} uses. */
    public int encryptingKeyId() {
        return keys.newest().id();
    }

    /**
     * Encrypts {@code length} bytes of {@code plain} from {@code offset} as segment {@code segmentIndex} of
     * checkpoint {@code checkpointId}, into {@code out} from {@code outOffset}, which must have room for
     * {@code length + OVERHEAD} bytes.
     *
     * @return the ciphertext's length, {@code length + OVERHEAD}
     */
    public int encrypt(String appId, long checkpointId, int segmentIndex, byte[] plain, int offset, int length,
                       byte[] out, int outOffset) {
        AppKey key = keys.newest();
        random.nextBytes(nonce);
        System.arraycopy(nonce, 0, out, outOffset, NONCE_LENGTH);
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key.encryption(), new GCMParameterSpec(TAG_LENGTH * 8, nonce));
            cipher.updateAAD(associatedData(key.id(), appId, checkpointId, segmentIndex));
            return NONCE_LENGTH + inChunks(plain, offset, length, out, outOffset + NONCE_LENGTH);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed", e);
        }
    }

    /**
     * Decrypts a ciphertext segment made by {@link #encrypt} with key {@code keyId} into {@code out} from
     * {@code outOffset} ({@code length - OVERHEAD} bytes).
     *
     * @return the plaintext's length
     * @throws AuthenticationFailedException when the tag fails: altered bytes, or a segment of another position,
     *                                       checkpoint, application or key
     * @throws KeyFileException              when the key file has no key {@code keyId}
     */
    public int decrypt(int keyId, String appId, long checkpointId, int segmentIndex, byte[] ciphertext, int offset,
                       int length, byte[] out, int outOffset) {
        String where = appId + "/" + checkpointId + " segment " + segmentIndex;
        if (length < OVERHEAD) {
            throw new AuthenticationFailedException(where + ": " + length
                    + " bytes is shorter than an encrypted segment can be");
        }
        AppKey key = keys.key(keyId).orElseThrow(() -> new AuthenticationFailedException(where
                + " was encrypted with key " + keyId + ", which the key file does not hold (it has "
                + keys + ")"));
        try {
            cipher.init(Cipher.DECRYPT_MODE, key.encryption(),
                    new GCMParameterSpec(TAG_LENGTH * 8, ciphertext, offset, NONCE_LENGTH));
            cipher.updateAAD(associatedData(keyId, appId, checkpointId, segmentIndex));
            int body = length - NONCE_LENGTH;
            if (sealedIn.capacity() < body) {
                sealedIn = ByteBuffer.allocateDirect(body);
                plainOut = ByteBuffer.allocateDirect(body);
            }
            sealedIn.clear();
            sealedIn.put(ciphertext, offset + NONCE_LENGTH, body).flip();
            plainOut.clear();
            int n = cipher.doFinal(sealedIn, plainOut);
            plainOut.flip().get(out, outOffset, n);
            return n;
        } catch (AEADBadTagException e) {
            throw new AuthenticationFailedException(where + " fails authentication: altered, misplaced, "
                    + "or not encrypted with this application's key " + keyId);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption failed", e);
        }
    }

    /** Runs the initialized cipher over {@code in[offset, offset + length)}, {@link #CHUNK} bytes per call. */
    private int inChunks(byte[] in, int offset, int length, byte[] out, int outOffset)
            throws GeneralSecurityException {
        int written = 0;
        int end = offset + length;
        int at = offset;
        for (; end - at > CHUNK; at += CHUNK) {
            written += cipher.update(in, at, CHUNK, out, outOffset + written);
        }
        return written + cipher.doFinal(in, at, end - at, out, outOffset + written);
    }

    private static byte[] associatedData(int keyId, String appId, long checkpointId, int segmentIndex) {
        byte[] app = AppId.validate(appId).getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(DOMAIN.length + 4 + 1 + app.length + 8 + 4).put(DOMAIN).putInt(keyId)
                .put((byte) app.length).put(app).putLong(checkpointId).putInt(segmentIndex).array();
    }
}
