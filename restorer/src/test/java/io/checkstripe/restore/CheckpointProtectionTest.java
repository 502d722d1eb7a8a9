package io.checkstripe.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.crypto.AuthenticationFailedException;
import io.checkstripe.crypto.CommitSignature;
import io.checkstripe.crypto.KeyFile;
import io.checkstripe.crypto.ProtectionMetadata;
import io.checkstripe.crypto.SegmentCipher;
import io.checkstripe.store.StoredManifest;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What a restore makes of a manifest's protection metadata, before it reads a cell. */
class CheckpointProtectionTest {

    private static final KeyFile KEYS = KeyFile.generate();
    private static final int SEGMENT = 1000;
    private static final int SEGMENTS = 3;
    private static final long CIPHERTEXT = 2L * SEGMENT + 500;

    /** A manifest of three encrypted segments whose metadata says {@code plainBytes}, signed when asked. */
    private static StoredManifest manifest(long plainBytes, boolean sign) {
        Map<String, String> metadata = new HashMap<>(Map.of("step", "7",
                ProtectionMetadata.CIPHER, SegmentCipher.ALGORITHM, ProtectionMetadata.KEY_ID, "1",
                ProtectionMetadata.PLAIN_BYTES, Long.toString(plainBytes),
                ProtectionMetadata.PLAIN_SEGMENT_SIZE, Integer.toString(SEGMENT - SegmentCipher.OVERHEAD)));
        StoredManifest m = new StoredManifest("app", 4, "RS-3-2", 5, SEGMENTS, SEGMENT, CIPHERTEXT, new byte[32],
                Instant.ofEpochMilli(1_700_000_000_000L), metadata);
        if (!sign) {
            return m;
        }
        return new StoredManifest("app", 4, "RS-3-2", 5, SEGMENTS, SEGMENT, CIPHERTEXT, new byte[32],
                m.createdAt(), CommitSignature.sign(KEYS.newest(), m.signedFields()));
    }

    private static long plainBytes() {
        return CIPHERTEXT - (long) SEGMENTS * SegmentCipher.OVERHEAD;
    }

    @Test
    void anEncryptedCheckpointWithoutAKeyNeedsOne() {
        assertThatThrownBy(() -> CheckpointProtection.of(manifest(plainBytes(), true), Optional.empty()))
                .isInstanceOf(KeyNeededException.class)
                .hasMessage("checkpoint app/4 is encrypted: restore needs its key (--key-file)");
    }

    @Test
    void aSignedEncryptedCheckpointIsDecryptedToItsPlaintextLength() {
        CheckpointProtection p = CheckpointProtection.of(manifest(plainBytes(), true), Optional.of(KEYS));
        assertThat(p.outputBytes()).isEqualTo(plainBytes());
        assertThat(p.report()).isEqualTo(new RestoreReport.Protection(true, 1, 1));
        assertThat(CheckpointProtection.describe(manifest(plainBytes(), true).metadata()))
                .isEqualTo("encrypted (AES-256-GCM, key 1), signed by key 1");
    }

    @Test
    void anUnsignedOrAlteredManifestIsNotAuthentic() {
        assertThatThrownBy(() -> CheckpointProtection.of(manifest(plainBytes(), false), Optional.of(KEYS)))
                .isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("not authentic")
                .hasMessageContaining("no signature");
        StoredManifest signed = manifest(plainBytes(), true);
        Map<String, String> altered = new HashMap<>(signed.metadata());
        altered.put("step", "8");
        StoredManifest changed = new StoredManifest("app", 4, "RS-3-2", 5, SEGMENTS, SEGMENT, CIPHERTEXT,
                new byte[32], signed.createdAt(), altered);
        assertThatThrownBy(() -> CheckpointProtection.of(changed, Optional.of(KEYS)))
                .isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("does not match");
        assertThatThrownBy(() -> CheckpointProtection.of(signed, Optional.of(KeyFile.generate())))
                .isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("not authentic");
    }

    @Test
    void signedParametersThatDoNotFitTheCiphertextAreRefused() {
        assertThatThrownBy(() -> CheckpointProtection.of(manifest(plainBytes() + 1, true), Optional.of(KEYS)))
                .isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("do not fit");
    }

    @Test
    void keysNeverAppearInWhatIsPrinted() {
        String encoded = Base64.getEncoder().encodeToString(KEYS.newest().encryption().getEncoded());
        assertThat(KEYS.toString()).doesNotContain(encoded);
        assertThatThrownBy(() -> CheckpointProtection.of(manifest(plainBytes() + 1, true), Optional.of(KEYS)))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(encoded));
    }
}
