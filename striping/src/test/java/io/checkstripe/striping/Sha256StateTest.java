package io.checkstripe.striping;

import static io.checkstripe.striping.Checkpoints.randomBytes;
import static io.checkstripe.striping.Checkpoints.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Sha256StateTest {

    /** FIPS 180-4 examples and NIST's long-message vector. */
    @ParameterizedTest
    @CsvSource({
        "'', e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "abc, ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq, "
                + "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"})
    void knownAnswers(String message, String expected) {
        byte[] bytes = message.getBytes(StandardCharsets.US_ASCII);
        assertThat(hex(Sha256State.EMPTY.update(bytes, 0, bytes.length).digest())).isEqualTo(expected);
    }

    @Test
    void aMillionAsInUnevenPieces() {
        byte[] a = new byte[1_000_000];
        Arrays.fill(a, (byte) 'a');
        Sha256State state = Sha256State.EMPTY;
        for (int at = 0, piece = 1; at < a.length; at += piece, piece = piece * 3 % 997 + 1) {
            state = state.update(a, at, Math.min(piece, a.length - at));
        }
        assertThat(hex(state.digest())).isEqualTo("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
        assertThat(state.length()).isEqualTo(1_000_000);
    }

    /** Every length of unfinished block, written out and read back mid-stream, then finished: as the JDK hashes it. */
    @Test
    void aStateReadBackContinuesAsIfNeverWritten() {
        SplittableRandom random = new SplittableRandom(42);
        int cases = 0;
        for (int first = 0; first < 3 * 64; first++) {
            byte[] data = randomBytes(first, first + 1 + random.nextInt(300));
            Sha256State before = Sha256State.EMPTY.update(data, 0, first);
            ByteBuffer stored = ByteBuffer.allocate(before.serializedSize());
            before.writeTo(stored);
            assertThat(stored.hasRemaining()).isFalse();
            assertThat(stored.capacity()).isEqualTo(Sha256State.CHAINING_BYTES + first % 64);
            Sha256State restored = Sha256State.readFrom(stored.flip(), first);
            assertThat(restored).isEqualTo(before);
            Sha256State after = restored.update(ByteBuffer.wrap(data, first, data.length - first));
            assertThat(after.digest()).isEqualTo(sha256(data));
            cases++;
        }
        assertThat(cases).isEqualTo(192);
    }

    @Test
    void digestLeavesTheStateAsItWasAndUpdateLeavesTheBufferAsItWas() {
        byte[] data = randomBytes(3, 1000);
        ByteBuffer direct = ByteBuffer.allocateDirect(1000).put(data).flip();
        Sha256State half = Sha256State.EMPTY.update(ByteBuffer.wrap(data, 0, 500));
        byte[] halfDigest = half.digest();
        assertThat(half.digest()).isEqualTo(halfDigest).isEqualTo(sha256(Arrays.copyOf(data, 500)));
        assertThat(Sha256State.EMPTY.update(direct).digest()).isEqualTo(sha256(data));
        assertThat(direct.position()).isZero();
        assertThat(direct.remaining()).isEqualTo(1000);
    }

    @Test
    void refusesAShortStoredState() {
        assertThatThrownBy(() -> Sha256State.readFrom(ByteBuffer.allocate(37), 70))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a SHA-256 state of 70 bytes hashed needs 38 bytes, got 37");
        assertThatThrownBy(() -> Sha256State.readFrom(ByteBuffer.allocate(31), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
