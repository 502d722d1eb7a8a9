package io.checkstripe.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ManifestFormatTest {

    private static StoredManifest manifest() {
        return new StoredManifest("billing", 42, "XOR-4-1", 6, 3, 1 << 20, 3L * (1 << 20) - 17, new byte[32],
                Instant.ofEpochSecond(1_700_000_000L, 999_999_999), Map.of("host", "db-1", "note", "Grüße"));
    }

    @Test
    void roundTrips() throws CorruptRecordException {
        StoredManifest m = manifest();
        assertThat(ManifestFormat.decode(ManifestFormat.encode(m))).isEqualTo(m);
        StoredManifest empty = new StoredManifest("a", 0, "MIRROR-3", 3, 0, 1, 0, new byte[32], Instant.EPOCH, Map.of());
        assertThat(ManifestFormat.decode(ManifestFormat.encode(empty))).isEqualTo(empty);
    }

    @Test
    void everyFlippedBitAndEveryCutIsDetected() {
        byte[] bytes = ManifestFormat.encode(manifest());
        int cases = 0;
        for (int bit = 0; bit < bytes.length * 8; bit++) {
            byte[] damaged = bytes.clone();
            damaged[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThatThrownBy(() -> ManifestFormat.decode(damaged)).isInstanceOf(CorruptRecordException.class);
            cases++;
        }
        for (int length = 0; length < bytes.length; length++) {
            byte[] cut = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> ManifestFormat.decode(cut)).isInstanceOf(CorruptRecordException.class);
            cases++;
        }
        assertThat(cases).isEqualTo(bytes.length * 9);
    }

    @Test
    void validatesItsFields() {
        assertThatThrownBy(() -> new StoredManifest("a", 1, "RS-3-2", 5, 2, 10, 21, new byte[32], Instant.EPOCH,
                Map.of())).hasMessageContaining("total bytes 21");
        assertThatThrownBy(() -> new StoredManifest("a", 1, "RS-3-2", 5, 2, 10, 20, new byte[31], Instant.EPOCH,
                Map.of())).hasMessageContaining("31 bytes");
        assertThatThrownBy(() -> new StoredManifest("a", 1, "RS-3-2", 4, 2, 10, 20, new byte[32], Instant.EPOCH,
                Map.of())).hasMessageContaining("servers 4");
        assertThatThrownBy(() -> new StoredManifest("a", 1, "RS-3-2", 5, 2, 10, 20, new byte[32], Instant.EPOCH,
                Map.of("k", "x".repeat(StoredManifest.MAX_METADATA_BYTES)))).hasMessageContaining("metadata");
        byte[] sha = new byte[32];
        StoredManifest m = new StoredManifest("a", 1, "rs-3-2", 5, 2, 10, 20, sha, Instant.EPOCH, Map.of());
        sha[0] = 1;
        assertThat(m.sha256()[0]).isZero();
        assertThat(m.policy()).isEqualTo("RS-3-2");
    }
}
