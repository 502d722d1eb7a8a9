package io.checkstripe.crypto;

import java.util.Map;

/**
 * The metadata keys under which a checkpoint's protection travels. A checkpoint's metadata map is carried from
 * the commit into the manifest and every server's store unchanged, so putting the signature and the encryption
 * parameters there protects checkpoints without a new record or store format, and readers that know nothing
 * of keys still read them. Applications may not set keys with the {@link #RESERVED_PREFIX}.
 */
public final class ProtectionMetadata {

    /** Every key checkstripe itself sets starts with this; an application's own keys may not. */
    public static final String RESERVED_PREFIX = "checkstripe.";
    /** {@code <key id>:<base64 Ed25519 signature>} over {@link SignedCheckpoint#canonicalBytes()}. */
    public static final String SIGNATURE = RESERVED_PREFIX + "signature";
    /** The segments' cipher, {@value SegmentCipher#ALGORITHM}; absent when the checkpoint is stored in the clear. */
    public static final String CIPHER = RESERVED_PREFIX + "cipher";
    /** Id of the key (in the application's key file) that encrypted the segments. */
    public static final String KEY_ID = RESERVED_PREFIX + "key-id";
    /** Length of the plaintext, bytes: the restored file's size. */
    public static final String PLAIN_BYTES = RESERVED_PREFIX + "plain-bytes";
    /** Plaintext bytes per segment (every segment but the last); each ciphertext segment is that plus the overhead. */
    public static final String PLAIN_SEGMENT_SIZE = RESERVED_PREFIX + "plain-segment-size";

    private ProtectionMetadata() {
    }

    /** Whether {@code key} is one an application may not set itself. */
    public static boolean isReserved(String key) {
        return key.startsWith(RESERVED_PREFIX);
    }

    /** Whether a checkpoint with this metadata was published encrypted. */
    public static boolean isEncrypted(Map<String, String> metadata) {
        return metadata.containsKey(CIPHER);
    }
}
