package io.checkstripe.chunking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ChunkingConfigTest {

    @Test
    void defaultsAreOneMebibyteChunksCompressed() {
        ChunkingConfig c = ChunkingConfig.defaults();
        assertThat(c).isEqualTo(new ChunkingConfig(256 << 10, 1 << 20, 4 << 20, true, 0.1, 3, 0.5));
        assertThat(c.withCompression(false).compression()).isFalse();
        assertThat(c.withRewriteBelowLiveShare(0.25).rewriteBelowLiveShare()).isEqualTo(0.25);
    }

    @Test
    void badValuesAreNamed() {
        assertThatThrownBy(() -> ChunkingConfig.sized(32, 64, 128)).hasMessageContaining("min 32");
        assertThatThrownBy(() -> ChunkingConfig.sized(64, 32, 128)).hasMessageContaining("avg 32");
        assertThatThrownBy(() -> ChunkingConfig.sized(64, 128, 128 << 20)).hasMessageContaining("max 134217728");
        assertThatThrownBy(() -> ChunkingConfig.sized(64, 96, 128)).hasMessageContaining("power of two, got 96");
        assertThatThrownBy(() -> new ChunkingConfig(64, 64, 64, true, 1.5, 3, 0.5))
                .hasMessageContaining("minCompressionSaving must be from 0 to 1, got 1.5");
        assertThatThrownBy(() -> new ChunkingConfig(64, 64, 64, true, 0.1, 3, Double.NaN))
                .hasMessageContaining("rewriteBelowLiveShare");
        assertThatThrownBy(() -> new ChunkingConfig(64, 64, 64, true, 0.1, 23, 0.5))
                .hasMessageContaining("compressionLevel must be 1 to 22, got 23");
    }
}
