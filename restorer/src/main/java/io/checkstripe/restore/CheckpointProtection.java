package io.checkstripe.restore;

import io.checkstripe.crypto.AuthenticationFailedException;
import io.checkstripe.crypto.CommitSignature;
import io.checkstripe.crypto.KeyFile;
import io.checkstripe.crypto.ProtectionMetadata;
import io.checkstripe.crypto.PublicKeys;
import io.checkstripe.crypto.SegmentCipher;
import io.checkstripe.crypto.SignatureVerdict;
import io.checkstripe.crypto.SignedCheckpoint;
import io.checkstripe.store.StoredManifest;
import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * What a restore does about a checkpoint's protection, which travels in its manifest's metadata
 * ({@link ProtectionMetadata}). With the application's key file the manifest must carry a valid signature of one
 * of its keys, and an encrypted checkpoint's segments are decrypted one by one on their way to the output, each
 * AES-GCM tag checked, the plaintext's length checked against the signed one at the end; the ciphertext's
 * SHA-256 is checked as for any checkpoint. Without a key file a checkpoint in the clear is written as rebuilt
 * and an encrypted one is refused ({@link KeyNeededException}). Failures of authenticity are
 * {@link AuthenticationFailedException}s, which the restorer treats like an unrecoverable checkpoint: refused,
 * reported, and fallen back from.
 *
 * <p>Memory: one ciphertext segment buffer, reused; each plaintext segment is a new array, because the output
 * writes it behind ({@link OutputFile#write}), as a decoded segment is. Not thread-safe; one per restore.
 */
final class CheckpointProtection {

    private final StoredManifest manifest;
    private final SegmentCipher cipher;
    private final int keyId;
    private final int signedBy;
    private final long plainBytes;
    private byte[] sealed;
    private int sealedLength;
    private long written;

    private CheckpointProtection(StoredManifest manifest, SegmentCipher cipher, int keyId, int signedBy,
            long plainBytes) {
        this.manifest = manifest;
        this.cipher = cipher;
        this.keyId = keyId;
        this.signedBy = signedBy;
        this.plainBytes = plainBytes;
    }

    /** What the application signed: the manifest's copy of its commit. */
    static SignedCheckpoint signed(StoredManifest m) {
        return new SignedCheckpoint(m.appId(), m.checkpointId(), m.segmentCount(), m.totalBytes(), m.sha256(),
                m.createdAt().toEpochMilli(), m.segmentSize(), m.metadata());
    }

    /** Checks a manifest's signature against the application's public keys. */
    static SignatureVerdict verify(PublicKeys keys, StoredManifest m) {
        return CommitSignature.verify(keys, signed(m));
    }

    /**
     * How to restore the checkpoint of {@code manifest}.
     *
     * @throws KeyNeededException            when it is encrypted and there is no key file
     * @throws AuthenticationFailedException when there is a key file and the manifest is not signed by one of
     *                                       its keys, or its encryption parameters are not ones a publisher
     *                                       writes
     */
    static CheckpointProtection of(StoredManifest manifest, Optional<KeyFile> keys) {
        Map<String, String> metadata = manifest.metadata();
        boolean encrypted = ProtectionMetadata.isEncrypted(metadata);
        if (keys.isEmpty()) {
            if (encrypted) {
                throw new KeyNeededException(manifest.appId(), manifest.checkpointId());
            }
            return new CheckpointProtection(manifest, null, 0, 0, manifest.totalBytes());
        }
        String where = "checkpoint " + manifest.appId() + "/" + manifest.checkpointId();
        SignatureVerdict verdict = verify(keys.get().publicKeys(), manifest);
        if (!verdict.accepted()) {
            throw new AuthenticationFailedException(where + " is not authentic: " + verdict.reason());
        }
        int signedBy = signer(metadata);
        if (!encrypted) {
            return new CheckpointProtection(manifest, null, 0, signedBy, manifest.totalBytes());
        }
        String cipherName = metadata.get(ProtectionMetadata.CIPHER);
        if (!SegmentCipher.ALGORITHM.equals(cipherName)) {
            throw new AuthenticationFailedException(where + " is encrypted with " + cipherName + ", not "
                    + SegmentCipher.ALGORITHM);
        }
        int keyId = (int) number(where, metadata, ProtectionMetadata.KEY_ID);
        long plain = number(where, metadata, ProtectionMetadata.PLAIN_BYTES);
        long plainSegment = number(where, metadata, ProtectionMetadata.PLAIN_SEGMENT_SIZE);
        long overhead = (long) SegmentCipher.OVERHEAD * manifest.segmentCount();
        if (plainSegment + SegmentCipher.OVERHEAD != manifest.segmentSize()
                || plain + overhead != manifest.totalBytes()) {
            throw new AuthenticationFailedException(where + ": its encryption parameters (" + plain + " bytes in "
                    + "segments of " + plainSegment + ") do not fit its " + manifest.segmentCount() + " encrypted "
                    + "segments of " + manifest.segmentSize() + " bytes, " + manifest.totalBytes() + " in all");
        }
        if (keys.get().key(keyId).isEmpty()) {
            throw new AuthenticationFailedException(where + " was encrypted with key " + keyId + ", which the key "
                    + "file does not hold (it has " + keys.get() + ")");
        }
        return new CheckpointProtection(manifest, new SegmentCipher(keys.get()), keyId, signedBy, plain);
    }

    private static int signer(Map<String, String> metadata) {
        String signature = metadata.get(ProtectionMetadata.SIGNATURE);
        return Integer.parseInt(signature.substring(0, signature.indexOf(':')));
    }

    private static long number(String where, Map<String, String> metadata, String key) {
        String value = metadata.get(key);
        try {
            long n = Long.parseLong(value == null ? "" : value);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new AuthenticationFailedException(where + ": metadata " + key + " is " + (value == null ? "missing"
                : "'" + value + "'") + ", not a number a publisher writes");
    }

    /**
     * What a manifest's metadata says protects the checkpoint, for {@code status}: empty in the clear and
     * unsigned. Nothing is verified here.
     */
    static String describe(Map<String, String> metadata) {
        String signature = metadata.get(ProtectionMetadata.SIGNATURE);
        String signed = signature == null ? "" : "signed by key " + signature.substring(0,
                Math.max(0, signature.indexOf(':')));
        if (!ProtectionMetadata.isEncrypted(metadata)) {
            return signed;
        }
        String encrypted = "encrypted (" + metadata.get(ProtectionMetadata.CIPHER) + ", key "
                + metadata.get(ProtectionMetadata.KEY_ID) + ")";
        return signed.isEmpty() ? encrypted : encrypted + ", " + signed;
    }

    /** The file's bytes: the plaintext's length when encrypted. */
    long outputBytes() {
        return plainBytes;
    }

    /** What the report says about it. */
    RestoreReport.Protection report() {
        return new RestoreReport.Protection(cipher != null, keyId, signedBy);
    }

    /**
     * Writes rebuilt segment {@code stripe} to {@code out}: as it is, or decrypted with its AES-GCM tag checked.
     *
     * @throws AuthenticationFailedException when the tag fails: the segment was altered, moved or replayed
     */
    void write(int stripe, StripeRebuilder rebuilt, OutputFile out) throws IOException {
        if (cipher == null) {
            rebuilt.forEachPiece(out::write);
            return;
        }
        if (sealed == null) {
            sealed = new byte[manifest.segmentSize()];
        }
        sealedLength = 0;
        rebuilt.forEachPiece((bytes, off, len) -> {
            System.arraycopy(bytes, off, sealed, sealedLength, len);
            sealedLength += len;
        });
        byte[] plain = new byte[Math.max(0, sealedLength - SegmentCipher.OVERHEAD)];
        int n = cipher.decrypt(keyId, manifest.appId(), manifest.checkpointId(), stripe, sealed, 0, sealedLength,
                plain, 0);
        written += n;
        out.write(plain, 0, n);
    }

    /**
     * Checks, once every segment was written, that the plaintext has the signed length.
     *
     * @throws AuthenticationFailedException when it does not
     */
    void finish() {
        if (cipher != null && written != plainBytes) {
            throw new AuthenticationFailedException("checkpoint " + manifest.appId() + "/" + manifest.checkpointId()
                    + " decrypted to " + written + " bytes, its signed metadata says " + plainBytes);
        }
    }
}
