package io.checkstripe.restore;

import io.checkstripe.crypto.AuthenticationFailedException;
import io.checkstripe.crypto.CommitSignature;
import io.checkstripe.crypto.KeyFile;
import io.checkstripe.crypto.ProtectionMetadata;
import io.checkstripe.crypto.PublicKeys;
import io.checkstripe.crypto.SegmentCipher;
import io.checkstripe.crypto.SignatureVerdict;
import io.checkstripe.store.StoredManifest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;

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
 * <p>Memory: at most {@value #DECRYPT_QUEUE_BYTES} bytes queued for decryption and one ciphertext segment
 * buffer, reused; each plaintext segment is a new array, because the output writes it behind
 * ({@link OutputFile#write}), as a decoded segment is. Not thread-safe; one per restore.
 */
final class CheckpointProtection {

    /** Ciphertext bytes waiting to be decrypted at most. */
    static final long DECRYPT_QUEUE_BYTES = 8L << 20;

    private final StoredManifest manifest;
    private final SegmentCipher cipher;
    private final int keyId;
    private final int signedBy;
    private final long plainBytes;

    private CheckpointProtection(StoredManifest manifest, SegmentCipher cipher, int keyId, int signedBy,
            long plainBytes) {
        this.manifest = manifest;
        this.cipher = cipher;
        this.keyId = keyId;
        this.signedBy = signedBy;
        this.plainBytes = plainBytes;
    }

    /** Checks a manifest's signature against the application's public keys. */
    static SignatureVerdict verify(PublicKeys keys, StoredManifest m) {
        return CommitSignature.verify(keys, m.signedFields());
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
        int signedBy = CommitSignature.signer(metadata).orElseThrow();
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
        OptionalInt signer = CommitSignature.signer(metadata);
        String signed = signer.isPresent() ? "signed by key " + signer.getAsInt()
                : metadata.containsKey(ProtectionMetadata.SIGNATURE) ? "signed (malformed signature)" : "";
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
     * Starts writing the checkpoint's bytes to {@code out}: as they are rebuilt, or, when it is encrypted,
     * decrypted on a thread of its own from {@code pool}, beside the fetch, the hash and the write, so that
     * decryption adds little to a restore's time.
     */
    Writer writer(OutputFile out, ExecutorService pool) {
        return new Writer(out, pool);
    }

    /**
     * Hands rebuilt segments to the output. Not thread-safe: one thread writes, finishes and closes; the
     * decryption runs on its own thread, which alone writes to the output until {@link #finish} returns.
     */
    final class Writer implements AutoCloseable {

        private final OutputFile out;
        private final PieceQueue decrypting;
        /** On the decrypting thread only: the segment being gathered and how much of it has arrived. */
        private byte[] sealed;
        private int sealedLength;
        private int segment;
        private long written;

        private Writer(OutputFile out, ExecutorService pool) {
            this.out = out;
            this.decrypting = cipher == null ? null : PieceQueue.start("decrypting checkpoint "
                    + manifest.appId() + "/" + manifest.checkpointId(), pool, DECRYPT_QUEUE_BYTES, this::decrypt);
        }

        /**
         * Writes a rebuilt segment (in order), or queues it to be decrypted.
         *
         * @throws AuthenticationFailedException when an earlier segment failed its AES-GCM tag
         */
        void write(StripeRebuilder rebuilt) throws IOException {
            if (decrypting == null) {
                rebuilt.forEachPiece(out::write);
                return;
            }
            try {
                rebuilt.forEachPiece(decrypting::add);
            } catch (IOException e) {
                throw authenticity(e);
            }
        }

        /** On the decrypting thread: gathers each ciphertext segment, checks its tag and writes its plaintext. */
        private void decrypt(ByteBuffer[] batch, long bytes) throws IOException {
            if (sealed == null) {
                sealed = new byte[manifest.segmentSize()];
            }
            for (ByteBuffer piece : batch) {
                while (piece.hasRemaining()) {
                    int length = segmentLength(segment);
                    int n = Math.min(length - sealedLength, piece.remaining());
                    piece.get(sealed, sealedLength, n);
                    sealedLength += n;
                    if (sealedLength == length) {
                        byte[] plain = new byte[length - SegmentCipher.OVERHEAD];
                        int got = cipher.decrypt(keyId, manifest.appId(), manifest.checkpointId(), segment, sealed,
                                0, length, plain, 0);
                        out.write(plain, 0, got);
                        written += got;
                        segment++;
                        sealedLength = 0;
                    }
                }
            }
        }

        private int segmentLength(int s) {
            return (int) Math.min(manifest.segmentSize(), manifest.totalBytes() - (long) s * manifest.segmentSize());
        }

        /**
         * Waits until every segment queued is decrypted and written: a restore that fails for another reason
         * first asks whether a segment failed its tag, because that explains the failure (a SHA-256 mismatch
         * found while segments still wait here, say) and is to be fallen back from.
         *
         * @throws AuthenticationFailedException when a segment failed its tag
         */
        void awaitDecrypted() throws IOException {
            if (decrypting == null) {
                return;
            }
            try {
                decrypting.finish();
            } catch (IOException e) {
                throw authenticity(e);
            }
        }

        /**
         * Waits until every segment is written and checks that the plaintext has the signed length.
         *
         * @throws AuthenticationFailedException when a segment failed its tag or the length differs
         */
        void finish() throws IOException {
            awaitDecrypted();
            if (decrypting != null && written != plainBytes) {
                throw new AuthenticationFailedException("checkpoint " + manifest.appId() + "/"
                        + manifest.checkpointId() + " decrypted to " + written + " bytes, its signed metadata says "
                        + plainBytes);
            }
        }

        /** Stops the decryption, if any, dropping what is queued. */
        @Override
        public void close() {
            if (decrypting != null) {
                decrypting.close();
            }
        }
    }

    /** The decrypting thread's failure as it was thrown there, when a tag failed; otherwise {@code e}. */
    private static IOException authenticity(IOException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof AuthenticationFailedException failed) {
                throw failed;
            }
        }
        return e;
    }
}
