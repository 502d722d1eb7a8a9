package io.checkstripe.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SegmentCipherTest {

    private final KeyFile keys = KeyFile.generate();
    private final byte[] plain = new byte[10_000];

    {
        new Random(1).nextBytes(plain);
    }

    private byte[] encrypt(SegmentCipher cipher, String app, long cp, int segment) {
        byte[] out = new byte[plain.length + SegmentCipher.OVERHEAD + 5];
        int n = cipher.encrypt(app, cp, segment, plain, 0, plain.length, out, 5);
        assertThat(n).isEqualTo(plain.length + SegmentCipher.OVERHEAD);
        return Arrays.copyOfRange(out, 5, 5 + n);
    }

    private byte[] decrypt(SegmentCipher cipher, int keyId, String app, long cp, int segment, byte[] ct) {
        byte[] out = new byte[ct.length];
        int n = cipher.decrypt(keyId, app, cp, segment, ct, 0, ct.length, out, 0);
        return Arrays.copyOf(out, n);
    }

    @Test
    void roundTripsAndUsesAFreshNonceEachTime() {
        SegmentCipher cipher = new SegmentCipher(keys);
        byte[] a = encrypt(cipher, "app", 4, 2);
        byte[] b = encrypt(cipher, "app", 4, 2);
        assertThat(a).isNotEqualTo(b);
        assertThat(decrypt(cipher, 1, "app", 4, 2, a)).isEqualTo(plain);
        assertThat(decrypt(new SegmentCipher(keys), 1, "app", 4, 2, b)).isEqualTo(plain);
    }

    @Test
    void anAlteredOrMisplacedSegmentFailsAuthentication() {
        SegmentCipher cipher = new SegmentCipher(keys);
        byte[] ct = encrypt(cipher, "app", 4, 2);
        byte[] flipped = ct.clone();
        flipped[100] ^= 1;
        assertThatThrownBy(() -> decrypt(cipher, 1, "app", 4, 2, flipped))
                .isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("app/4 segment 2");
        assertThatThrownBy(() -> decrypt(cipher, 1, "app", 4, 3, ct)).isInstanceOf(AuthenticationFailedException.class);
        assertThatThrownBy(() -> decrypt(cipher, 1, "app", 5, 2, ct)).isInstanceOf(AuthenticationFailedException.class);
        assertThatThrownBy(() -> decrypt(cipher, 1, "app2", 4, 2, ct)).isInstanceOf(AuthenticationFailedException.class);
        assertThatThrownBy(() -> decrypt(new SegmentCipher(KeyFile.generate()), 1, "app", 4, 2, ct))
                .isInstanceOf(AuthenticationFailedException.class);
        assertThatThrownBy(() -> decrypt(cipher, 1, "app", 4, 2, Arrays.copyOf(ct, 20)))
                .isInstanceOf(AuthenticationFailedException.class).hasMessageContaining("shorter");
    }

    @Test
    void rotatedKeysDecryptOlderSegmentsAndTheNewestEncrypts() {
        byte[] old = encrypt(new SegmentCipher(keys), "app", 1, 0);
        KeyFile rotated = keys.rotate();
        SegmentCipher cipher = new SegmentCipher(rotated);
        assertThat(cipher.encryptingKeyId()).isEqualTo(2);
        assertThat(decrypt(cipher, 1, "app", 1, 0, old)).isEqualTo(plain);
        byte[] fresh = encrypt(cipher, "app", 2, 0);
        assertThatThrownBy(() -> decrypt(cipher, 1, "app", 2, 0, fresh)).isInstanceOf(AuthenticationFailedException.class);
        assertThat(decrypt(cipher, 2, "app", 2, 0, fresh)).isEqualTo(plain);
        assertThatThrownBy(() -> decrypt(new SegmentCipher(keys), 2, "app", 2, 0, fresh))
                .hasMessageContaining("key 2, which the key file does not hold");
    }

    @Test
    void anEmptySegmentIsJustNonceAndTag() {
        SegmentCipher cipher = new SegmentCipher(keys);
        byte[] out = new byte[SegmentCipher.OVERHEAD];
        assertThat(cipher.encrypt("app", 1, 0, new byte[0], 0, 0, out, 0)).isEqualTo(SegmentCipher.OVERHEAD);
        assertThat(cipher.decrypt(1, "app", 1, 0, out, 0, out.length, new byte[0], 0)).isZero();
    }
}
