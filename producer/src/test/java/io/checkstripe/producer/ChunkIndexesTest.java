package io.checkstripe.producer;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkstripe.chunking.ChunkIds;
import io.checkstripe.chunking.ChunkIndex;
import io.checkstripe.chunking.ChunkingConfig;
import io.checkstripe.chunking.DeltaStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChunkIndexesTest {

    private static final String APP = "ledger";

    @TempDir
    Path dir;

    private ChunkIndexes indexes;
    private ChunkIndex saved;

    @BeforeEach
    void keepTheIndexOfCheckpointSeven() throws IOException {
        indexes = new ChunkIndexes(dir, "cluster-a", "checkpoints");
        byte[] content = new byte[200_000];
        new Random(1).nextBytes(content);
        try (DeltaStream delta = new DeltaStream(ChunkingConfig.sized(1024, 4096, 16384), ChunkIds.sha256(),
                ChunkIndex.empty(ChunkIds.PLAIN), 7, new ByteArrayInputStream(content))) {
            delta.transferTo(OutputStream.nullOutputStream());
            saved = delta.summary().index();
        }
        indexes.save(APP, saved);
    }

    @Test
    void theIndexOfTheNewestManifestedCheckpointIsTheBase() {
        ChunkIndex base = indexes.base(APP, ChunkIds.PLAIN, OptionalLong.of(7), OptionalLong.of(7));
        assertThat(base.baseCheckpointId()).isEqualTo(7);
        assertThat(base.size()).isEqualTo(saved.size()).isPositive();
        assertThat(indexes.file(APP)).isEqualTo(dir.resolve("cluster-a/checkpoints/ledger.chunks"));
    }

    @Test
    void anyOtherStateMeansAFullPublish() throws IOException {
        assertThat(indexes.base(APP, ChunkIds.PLAIN, OptionalLong.of(8), OptionalLong.of(8)).baseCheckpointId())
                .as("another publisher published since").isEqualTo(ChunkIndex.NO_BASE);
        assertThat(indexes.base(APP, ChunkIds.PLAIN, OptionalLong.of(7), OptionalLong.of(6)).baseCheckpointId())
                .as("not striped yet, or refused").isEqualTo(ChunkIndex.NO_BASE);
        assertThat(indexes.base(APP, ChunkIds.PLAIN, OptionalLong.empty(), OptionalLong.empty()).baseCheckpointId())
                .as("nothing committed").isEqualTo(ChunkIndex.NO_BASE);
        assertThat(indexes.base(APP, "hmac-0123456789abcdef", OptionalLong.of(7), OptionalLong.of(7)).keyId())
                .as("another key").isEqualTo("hmac-0123456789abcdef");
        assertThat(new ChunkIndexes(dir, "cluster-b", "checkpoints")
                .base(APP, ChunkIds.PLAIN, OptionalLong.of(7), OptionalLong.of(7)).baseCheckpointId())
                .as("another cluster").isEqualTo(ChunkIndex.NO_BASE);

        byte[] bytes = Files.readAllBytes(indexes.file(APP));
        bytes[bytes.length / 2] ^= 1;
        Files.write(indexes.file(APP), bytes);
        assertThat(indexes.base(APP, ChunkIds.PLAIN, OptionalLong.of(7), OptionalLong.of(7)).baseCheckpointId())
                .as("corrupt").isEqualTo(ChunkIndex.NO_BASE);
    }

    @Test
    void aForgottenIndexIsGone() {
        indexes.forget(APP);
        assertThat(indexes.file(APP)).doesNotExist();
        assertThat(indexes.base(APP, ChunkIds.PLAIN, OptionalLong.of(7), OptionalLong.of(7)).baseCheckpointId())
                .isEqualTo(ChunkIndex.NO_BASE);
    }
}
