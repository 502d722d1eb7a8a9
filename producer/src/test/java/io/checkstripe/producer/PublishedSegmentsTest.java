package io.checkstripe.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.crypto.CommitSignature;
import io.checkstripe.crypto.KeyFile;
import io.checkstripe.crypto.ProtectionMetadata;
import io.checkstripe.crypto.SegmentCipher;
import io.checkstripe.crypto.SignatureVerdict;
import io.checkstripe.crypto.SignedCheckpoint;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class PublishedSegmentsTest {

    private static final int SEGMENT = 100;
    private static final KeyFile KEYS = KeyFile.generate().rotate();

    private static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void inTheClearTheSegmentsAreTheBytesAndTheSha256Theirs() throws Exception {
        int cases = 0;
        for (int length : new int[] {0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 5 * SEGMENT + 3}) {
            byte[] data = random(length, length);
            PublishedSegments segments = new PublishedSegments(new ByteArrayInputStream(data), new byte[SEGMENT],
                    null, SEGMENT, null, null, "app", 1);
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            while (segments.next()) {
                assertThat(segments.offset()).isEqualTo(joined.size());
                joined.write(segments.buffer(), 0, segments.length());
            }
            assertThat(joined.toByteArray()).isEqualTo(data);
            assertThat(segments.totalBytes()).isEqualTo(length);
            byte[] sha = segments.sha256();
            assertThat(sha).isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
            assertThat(segments.commitMetadata(Map.of("a", "b"), sha, 5, SEGMENT)).isEqualTo(Map.of("a", "b"));
            cases++;
        }
        assertThat(cases).isEqualTo(6);
    }

    @Test
    void emptyStreamHasTheSha256OfNothing() throws Exception {
        PublishedSegments segments = new PublishedSegments(InputStream.nullInputStream(), new byte[SEGMENT], null, SEGMENT,
                null, null, "app", 1);
        assertThat(segments.next()).isFalse();
        assertThat(HexFormat.of().formatHex(segments.sha256()))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void encryptedSegmentsHaveTheConfiguredSizeDecryptAndTheCommitIsSigned() throws Exception {
        int plainSegment = SEGMENT - SegmentCipher.OVERHEAD;
        byte[] data = random(7 * plainSegment + 5, 3);
        SegmentCipher cipher = new SegmentCipher(KEYS);
        PublishedSegments segments = new PublishedSegments(new ByteArrayInputStream(data), new byte[SEGMENT],
                new byte[SEGMENT], SEGMENT, KEYS, cipher, "app", 9);
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        List<Integer> lengths = new ArrayList<>();
        SegmentCipher reader = new SegmentCipher(KEYS);
        byte[] out = new byte[SEGMENT];
        while (segments.next()) {
            lengths.add(segments.length());
            assertThat(segments.offset()).isEqualTo((long) segments.index() * SEGMENT);
            sha.update(segments.buffer(), 0, segments.length());
            int n = reader.decrypt(2, "app", 9, segments.index(), segments.buffer(), 0, segments.length(), out, 0);
            plain.write(out, 0, n);
        }
        assertThat(plain.toByteArray()).isEqualTo(data);
        assertThat(lengths).hasSize(8);
        assertThat(lengths.subList(0, 7)).allMatch(l -> l == SEGMENT);
        assertThat(lengths.get(7)).isEqualTo(5 + SegmentCipher.OVERHEAD);
        assertThat(segments.totalBytes()).isEqualTo(data.length + 8L * SegmentCipher.OVERHEAD);
        byte[] digest = segments.sha256();
        assertThat(digest).isEqualTo(sha.digest());

        Map<String, String> metadata = segments.commitMetadata(Map.of("step", "42"), digest, 1234, SEGMENT);
        assertThat(metadata).containsEntry("step", "42")
                .containsEntry(ProtectionMetadata.CIPHER, SegmentCipher.ALGORITHM)
                .containsEntry(ProtectionMetadata.KEY_ID, "2")
                .containsEntry(ProtectionMetadata.PLAIN_BYTES, Integer.toString(data.length))
                .containsEntry(ProtectionMetadata.PLAIN_SEGMENT_SIZE, Integer.toString(plainSegment))
                .containsKey(ProtectionMetadata.SIGNATURE);
        SignedCheckpoint signed = new SignedCheckpoint("app", 9, 8, segments.totalBytes(), digest, 1234, SEGMENT,
                metadata);
        assertThat(CommitSignature.verify(KEYS.publicKeys(), signed).status())
                .isEqualTo(SignatureVerdict.Status.AUTHENTIC);
    }

    @Test
    void aSegmentTooSmallForTheCipherIsRefused() {
        assertThatThrownBy(() -> PublishedSegments.plainSegmentBytes(SegmentCipher.OVERHEAD, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 29");
        assertThat(PublishedSegments.plainSegmentBytes(SegmentCipher.OVERHEAD, false))
                .isEqualTo(SegmentCipher.OVERHEAD);
    }

    @Test
    void applicationsMayNotSetReservedMetadata() {
        assertThatThrownBy(() -> PublishRequest.of("app").withMetadata(Map.of("checkstripe.signature", "1:AAAA")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved");
    }
}
