package io.checkstripe.chunking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkIndexTest {

    @TempDir
    Path dir;

    static ChunkIndex sample() {
        ChunkIds ids = ChunkIds.sha256();
        Map<ChunkId, ChunkLocation> locations = new HashMap<>();
        for (int i = 0; i < 50; i++) {
            byte[] chunk = TestContent.random(100 + i, i);
            boolean compressed = i % 3 == 0;
            locations.put(ids.of(chunk, 0, chunk.length),
                    new ChunkLocation(i < 20 ? 4 : 6, 200L * i, compressed ? 50 : 100 + i, 100 + i, compressed));
        }
        return new ChunkIndex(6, ids.keyId(), locations, new HashMap<>(Map.of(4L, 4000L, 6L, 20_000L, 5L, 10L)));
    }

    @Test
    void roundTripsThroughAFileAndLeavesNoTempFile() throws Exception {
        ChunkIndex index = sample();
        Path file = dir.resolve("sub").resolve("chunk.index");
        index.write(file);
        index.write(file);
        ChunkIndex read = ChunkIndex.read(file);
        assertThat(read.baseCheckpointId()).isEqualTo(6);
        assertThat(read.keyId()).isEqualTo("plain");
        assertThat(read.size()).isEqualTo(50);
        assertThat(read.deltaLengths()).isEqualTo(index.deltaLengths());
        byte[] chunk = TestContent.random(107, 7);
        ChunkId id = ChunkIds.sha256().of(chunk, 0, chunk.length);
        assertThat(read.find(id)).isEqualTo(index.find(id)).isPresent();
        assertThat(Files.list(file.getParent())).containsExactly(file);
    }

    @Test
    void liveShareIsTheShareOfASourcesChunkBytesTheIndexReferences() {
        ChunkIndex index = sample();
        // source 4: chunks 0..19, seven of them compressed to 50 bytes, the rest 100 + i bytes
        long referenced = 0;
        for (int i = 0; i < 20; i++) {
            referenced += i % 3 == 0 ? 50 : 100 + i;
        }
        assertThat(index.liveShare(4)).isEqualTo(referenced / 4000.0);
        assertThat(index.liveShare(5)).isZero();
        assertThat(index.liveShare(77)).isZero();
    }

    @Test
    void corruptionIsDetected() throws Exception {
        Path file = dir.resolve("chunk.index");
        sample().write(file);
        byte[] good = Files.readAllBytes(file);
        int cases = 0;
        for (int i = 0; i < good.length; i += 7) {
            byte[] bad = good.clone();
            bad[i] ^= 0x10;
            Files.write(file, bad);
            assertThatThrownBy(() -> ChunkIndex.read(file)).isInstanceOf(CorruptChunkIndexException.class)
                    .hasMessageContaining(file.toString());
            Files.write(file, Arrays.copyOf(good, i));
            assertThatThrownBy(() -> ChunkIndex.read(file)).isInstanceOf(CorruptChunkIndexException.class);
            cases++;
        }
        assertThat(cases).isEqualTo((good.length + 6) / 7);
        Files.write(file, TestContent.concat(good, new byte[] {0}));
        assertThatThrownBy(() -> ChunkIndex.read(file)).hasMessageContaining("bytes follow the CRC32C");
        good[4] = 9;
        Files.write(file, good);
        assertThatThrownBy(() -> ChunkIndex.read(file)).hasMessageContaining("unsupported version 9");
    }

    @Test
    void anEmptyIndexKnowsNothing() throws Exception {
        ChunkIndex empty = ChunkIndex.empty("hmac-0011223344556677");
        assertThat(empty.baseCheckpointId()).isEqualTo(ChunkIndex.NO_BASE);
        assertThat(empty.size()).isZero();
        Path file = dir.resolve("empty.index");
        empty.write(file);
        assertThat(ChunkIndex.read(file).keyId()).isEqualTo("hmac-0011223344556677");
    }

    @Test
    void aChunkOutsideItsSourceIsRefused() {
        Map<ChunkId, ChunkLocation> locations = Map.of(new ChunkId(1, 2, 3, 4), new ChunkLocation(2, 90, 20, 20, false));
        assertThatThrownBy(() -> new ChunkIndex(2, "plain", locations, Map.of(2L, 100L)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("90..110 of source 2");
    }
}
