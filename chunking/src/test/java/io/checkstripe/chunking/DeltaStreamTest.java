package io.checkstripe.chunking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Encode with {@link DeltaStream}, assemble with {@link DeltaAssembler}, byte for byte. */
class DeltaStreamTest {

    private static final ChunkingConfig SMALL = ChunkingConfig.sized(2048, 8192, 65536);

    @TempDir
    Path dir;

    private final ChunkIds ids = ChunkIds.sha256();
    private final Map<Long, FileChannel> open = new HashMap<>();

    @AfterEach
    void closeChannels() throws IOException {
        for (FileChannel ch : open.values()) {
            ch.close();
        }
    }

    /** Encodes the parts as checkpoint {@code id}, keeps the delta in a file, returns what the stream said. */
    private DeltaSummary publish(ChunkingConfig config, ChunkIndex base, long id, byte[]... parts) throws IOException {
        List<InputStream> streams = new ArrayList<>();
        for (byte[] p : parts) {
            streams.add(new ByteArrayInputStream(p));
        }
        try (DeltaStream delta = new DeltaStream(config, ids, base, id, streams.iterator())) {
            Files.write(delta(id), delta.readAllBytes());
            DeltaSummary summary = delta.summary();
            assertThat(Files.size(delta(id))).isEqualTo(summary.deltaLength());
            assertThat(summary.newRawBytes() + summary.sharedBytes()).isEqualTo(summary.contentBytes());
            return summary;
        }
    }

    private Path delta(long id) {
        return dir.resolve(id + ".delta");
    }

    private FileChannel channel(long id) {
        return open.computeIfAbsent(id, k -> {
            try {
                return FileChannel.open(delta(k));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }

    private byte[] restore(long id) throws IOException {
        Recipe recipe = Recipe.readFrom(channel(id));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        DeltaAssembler.assemble(recipe, id, this::channel, out);
        return out.toByteArray();
    }

    private List<ChunkLocation> entries(long id) throws IOException {
        return Recipe.readFrom(channel(id)).entries();
    }

    @Test
    void randomContentRoundTripsStoredRaw() throws Exception {
        byte[] content = TestContent.random(3_000_000, 1);
        DeltaSummary s = publish(SMALL, ChunkIndex.empty(ids.keyId()), 1, content);
        assertThat(restore(1)).isEqualTo(content);
        assertThat(entries(1)).allMatch(e -> !e.compressed());
        assertThat(s.newStoredBytes()).isEqualTo(content.length);
        assertThat(s.sharedChunks()).isZero();
        assertThat(s.bases()).isEmpty();
        assertThat(s.contentSha256()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(content));
        assertThat(s.index().size()).isEqualTo((int) s.newChunks());
    }

    @Test
    void compressibleContentIsStoredCompressed() throws Exception {
        byte[] content = TestContent.jsonLike(2_000_000, 2);
        DeltaSummary s = publish(SMALL, ChunkIndex.empty(ids.keyId()), 1, content);
        assertThat(restore(1)).isEqualTo(content);
        assertThat(entries(1)).allMatch(ChunkLocation::compressed);
        assertThat(s.newStoredBytes()).isLessThan(content.length / 2);
        DeltaSummary plain = publish(SMALL.withCompression(false), ChunkIndex.empty(ids.keyId()), 2, content);
        assertThat(plain.newStoredBytes()).isEqualTo(content.length);
        assertThat(restore(2)).isEqualTo(content);
    }

    /** 1% of the content rewritten in scattered 4 KiB writes and 100 bytes inserted near the start. */
    @Test
    void aSmallEditSendsASmallDelta() throws Exception {
        byte[] first = TestContent.random(16 << 20, 3);
        DeltaSummary s1 = publish(SMALL, ChunkIndex.empty(ids.keyId()), 1, first);
        SplittableRandom random = new SplittableRandom(4);
        byte[] edited = first.clone();
        int writes = first.length / 100 / 4096;
        for (int i = 0; i < writes; i++) {
            byte[] write = TestContent.random(4096, random.nextLong());
            System.arraycopy(write, 0, edited, random.nextInt(edited.length - 4096), 4096);
        }
        byte[] second = TestContent.concat(Arrays.copyOf(edited, 1000), TestContent.random(100, 5),
                Arrays.copyOfRange(edited, 1000, edited.length));
        DeltaSummary s2 = publish(SMALL, s1.index(), 2, second);
        assertThat(restore(2)).isEqualTo(second);
        assertThat(s2.bases()).containsExactly(1L);
        assertThat(s2.baseCheckpointId()).isEqualTo(1);
        assertThat(s2.deltaLength()).isLessThan(second.length / 10);
        assertThat(s2.sharedBytes()).isGreaterThan(second.length * 8L / 10);
    }

    @Test
    void aChunkRepeatedInOneCheckpointIsStoredOnce() throws Exception {
        byte[] part = TestContent.random(300_000, 6);
        DeltaSummary s = publish(SMALL, ChunkIndex.empty(ids.keyId()), 1, part, part, new byte[0], part);
        assertThat(restore(1)).isEqualTo(TestContent.concat(part, part, part));
        assertThat(s.newRawBytes()).isEqualTo(part.length);
        assertThat(s.sharedBytes()).isEqualTo(2L * part.length);
        assertThat(s.sharedChunks()).isEqualTo(2 * s.newChunks());
        assertThat(s.bases()).isEmpty();
    }

    /**
     * Checkpoint 2 keeps a fifth of checkpoint 1's content: 1's delta is mostly garbage, so checkpoint 3 (the
     * same content again) stores that fifth again instead of keeping 1's delta alive, unless rewriting is off.
     */
    @Test
    void chunksOfASparseBaseDeltaAreSentAgain() throws Exception {
        byte[] kept = TestContent.random(200_000, 7);
        DeltaSummary s1 = publish(SMALL, ChunkIndex.empty(ids.keyId()), 1, kept, TestContent.random(800_000, 8));
        byte[] second = TestContent.concat(kept, TestContent.random(800_000, 9));
        DeltaSummary s2 = publish(SMALL, s1.index(), 2, kept, TestContent.random(800_000, 9));
        assertThat(s2.bases()).containsExactly(1L);
        assertThat(s2.index().liveShare(1)).isBetween(0.15, 0.25);
        assertThat(s2.index().liveShare(2)).isEqualTo(1.0);

        DeltaSummary kept3 = publish(SMALL.withRewriteBelowLiveShare(0), s2.index(), 3, kept, TestContent.random(800_000, 9));
        assertThat(kept3.bases()).containsExactly(1L, 2L);
        assertThat(kept3.newChunks()).isZero();

        DeltaSummary s4 = publish(SMALL, s2.index(), 4, kept, TestContent.random(800_000, 9));
        assertThat(s4.bases()).containsExactly(2L);
        assertThat(s4.newRawBytes()).isEqualTo(kept.length);
        assertThat(s4.index().deltaLengths().keySet()).containsExactlyInAnyOrder(2L, 4L);
        assertThat(restore(4)).isEqualTo(second);
    }

    @Test
    void anIndexOfOtherKeysIsNotUsed() throws Exception {
        byte[] content = TestContent.random(200_000, 10);
        DeltaSummary s1 = publish(SMALL, ChunkIndex.empty(ids.keyId()), 1, content);
        ChunkIds keyed = ChunkIds.hmacSha256(TestContent.random(32, 11));
        assertThat(keyed.keyId()).startsWith("hmac-").isNotEqualTo(ChunkIds.hmacSha256(TestContent.random(32, 12)).keyId());
        try (DeltaStream delta = new DeltaStream(SMALL, keyed, s1.index(), 2, new ByteArrayInputStream(content))) {
            delta.readAllBytes();
            assertThat(delta.summary().baseCheckpointId()).isEqualTo(ChunkIndex.NO_BASE);
            assertThat(delta.summary().sharedChunks()).isZero();
            assertThat(delta.summary().index().keyId()).isEqualTo(keyed.keyId());
        }
    }

    @Test
    void emptyContentIsARecipeAlone() throws Exception {
        DeltaSummary none = publish(SMALL, ChunkIndex.empty(ids.keyId()), 1);
        DeltaSummary empty = publish(SMALL, ChunkIndex.empty(ids.keyId()), 2, new byte[0]);
        for (DeltaSummary s : List.of(none, empty)) {
            assertThat(s.contentBytes()).isZero();
            assertThat(s.recipeOffset()).isZero();
            assertThat(s.contentSha256()).isEqualTo(MessageDigest.getInstance("SHA-256").digest());
            assertThat(s.index().size()).isZero();
        }
        assertThat(restore(1)).isEmpty();
        assertThat(restore(2)).isEmpty();
    }

    /** An index rebuilt while assembling serves the next publish exactly as the publisher's own would. */
    @Test
    void theRestoredIndexEqualsThePublishersIndex() throws Exception {
        byte[] first = TestContent.jsonLike(500_000, 13);
        DeltaSummary s1 = publish(SMALL, ChunkIndex.empty(ids.keyId()), 1, first);
        ChunkIndex restored = DeltaAssembler.assembleAndIndex(Recipe.readFrom(channel(1)), 1, this::channel,
                OutputStream.nullOutputStream(), ChunkIds.sha256());
        assertThat(restored.deltaLengths()).isEqualTo(s1.index().deltaLengths());
        assertThat(restored.size()).isEqualTo(s1.index().size());
        byte[] next = TestContent.concat(first, TestContent.jsonLike(50_000, 14));
        DeltaSummary s2 = publish(SMALL, s1.index(), 2, next);
        DeltaSummary s3 = publish(SMALL, restored, 3, next);
        List<ChunkLocation> renamed = entries(3).stream().map(e -> e.source() != 3 ? e
                : new ChunkLocation(2, e.offset(), e.storedLength(), e.rawLength(), e.compressed())).toList();
        assertThat(renamed).isEqualTo(entries(2));
        assertThat(s3.newStoredBytes()).isEqualTo(s2.newStoredBytes()).isPositive();
        assertThat(Arrays.copyOf(Files.readAllBytes(delta(3)), (int) s3.recipeOffset()))
                .isEqualTo(Arrays.copyOf(Files.readAllBytes(delta(2)), (int) s2.recipeOffset()));
    }

    @Test
    void aRecipeAgainstTheWrongBytesIsCaught() throws Exception {
        byte[] content = TestContent.jsonLike(300_000, 15);
        publish(SMALL, ChunkIndex.empty(ids.keyId()), 1, content);
        Recipe recipe = Recipe.readFrom(channel(1));
        Recipe lying = new Recipe(recipe.contentLength(), new byte[32], recipe.entries());
        assertThatThrownBy(() -> DeltaAssembler.assemble(lying, 1, this::channel, OutputStream.nullOutputStream()))
                .isInstanceOfSatisfying(ContentMismatchException.class, e -> {
                    assertThat(e.expected()).isEqualTo("0".repeat(64));
                    assertThat(e.actual()).isEqualTo(HexFormat.of().formatHex(recipe.contentSha256()));
                });
        // an entry beyond the chunk bytes of its delta
        ChunkLocation last = recipe.entries().get(recipe.entries().size() - 1);
        List<ChunkLocation> beyond = new ArrayList<>(recipe.entries());
        beyond.set(beyond.size() - 1, new ChunkLocation(1, last.offset() + 100, last.storedLength(), last.rawLength(),
                last.compressed()));
        Recipe outside = new Recipe(recipe.contentLength(), recipe.contentSha256(), beyond);
        assertThatThrownBy(() -> DeltaAssembler.assemble(outside, 1, this::channel, OutputStream.nullOutputStream()))
                .isInstanceOf(RecipeFormatException.class).hasMessageContaining("bytes of chunks");
        // a flipped byte inside the first compressed chunk, where the delta's own SHA-256 would have caught it
        closeChannels();
        open.clear();
        try (FileChannel ch = FileChannel.open(delta(1), StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF}), 4);
        }
        assertThatThrownBy(() -> restore(1)).isInstanceOf(ContentMismatchException.class)
                .hasMessageContaining("raw length of entry 0");
    }

    @Test
    void partsAreClosedAndTheSummaryWaitsForTheEnd() throws Exception {
        AtomicInteger closed = new AtomicInteger();
        List<InputStream> parts = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            parts.add(new ByteArrayInputStream(TestContent.random(20_000, i)) {
                @Override
                public void close() {
                    closed.incrementAndGet();
                }
            });
        }
        try (DeltaStream delta = new DeltaStream(SMALL, ids, ChunkIndex.empty(ids.keyId()), 1, parts.iterator())) {
            assertThat(delta.read()).isNotNegative();
            assertThatThrownBy(delta::summary).isInstanceOf(IllegalStateException.class);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int b;
            while ((b = delta.read()) >= 0) {
                out.write(b);
            }
            assertThat(delta.summary().contentBytes()).isEqualTo(60_000);
            assertThat(delta.read(new byte[10], 0, 10)).isEqualTo(-1);
        }
        assertThat(closed).hasValue(3);
        assertThatThrownBy(() -> new DeltaStream(SMALL, ids, ChunkIndex.empty(ids.keyId()), -1, parts.iterator()))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
