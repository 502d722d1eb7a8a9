package io.checkstripe.chunking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecipeTest {

    @TempDir
    Path dir;

    /** Runs from three sources, a compressed entry in each, and a jump back to an earlier source. */
    static Recipe sample() {
        List<ChunkLocation> entries = new ArrayList<>();
        long offset = 0;
        for (int i = 0; i < 40; i++) {
            boolean compressed = i % 7 == 3;
            int raw = 1000 + i;
            int stored = compressed ? 400 + i : raw;
            entries.add(new ChunkLocation(i < 10 ? 3 : i < 30 ? 9 : 12, offset, stored, raw, compressed));
            offset += stored;
        }
        entries.add(new ChunkLocation(3, 0, 1000, 1000, false));
        long length = entries.stream().mapToLong(ChunkLocation::rawLength).sum();
        return new Recipe(length, TestContent.random(32, 1), entries);
    }

    @Test
    void roundTripsAndNamesItsBases() {
        Recipe recipe = sample();
        assertThat(Recipe.parse(recipe.toBytes())).isEqualTo(recipe);
        assertThat(recipe.bases(12)).containsExactly(3L, 9L);
        assertThat(recipe.bases(99)).containsExactly(3L, 9L, 12L);
    }

    @Test
    void contiguousEntriesOfOneSourceCostAFewBytesEach() {
        List<ChunkLocation> entries = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            entries.add(new ChunkLocation(7, (long) i * 1_048_576, 1_048_576, 1_048_576, false));
        }
        Recipe recipe = new Recipe(10_000L * 1_048_576, new byte[32], entries);
        assertThat(recipe.toBytes().length).isLessThan(10_000 * 4);
        assertThat(Recipe.parse(recipe.toBytes())).isEqualTo(recipe);
    }

    @Test
    void emptyContentHasAnEmptyRecipe() {
        Recipe recipe = new Recipe(0, new byte[32], List.of());
        assertThat(Recipe.parse(recipe.toBytes())).isEqualTo(recipe);
        assertThat(recipe.bases(1)).isEmpty();
    }

    @Test
    void everyFlippedBitAndEveryTruncationIsRefused() {
        byte[] bytes = sample().toBytes();
        int cases = 0;
        for (int i = 0; i < bytes.length; i++) {
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = bytes.clone();
                bad[i] ^= (byte) (1 << bit);
                assertThatThrownBy(() -> Recipe.parse(bad)).isInstanceOf(RecipeFormatException.class);
                cases++;
            }
            byte[] truncated = Arrays.copyOf(bytes, i);
            assertThatThrownBy(() -> Recipe.parse(truncated)).isInstanceOf(RecipeFormatException.class);
            cases++;
        }
        assertThat(cases).isEqualTo(9 * bytes.length);
    }

    @Test
    void garbageIsRefusedWithAReason() {
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 1000; i++) {
            byte[] garbage = TestContent.random(random.nextInt(200), random.nextLong());
            assertThatThrownBy(() -> Recipe.parse(garbage)).isInstanceOf(RecipeFormatException.class)
                    .hasMessageFindingMatch("magic|shorter");
        }
        byte[] wrongVersion = sample().toBytes();
        wrongVersion[4] = 2;
        assertThatThrownBy(() -> Recipe.parse(wrongVersion)).hasMessageContaining("unsupported recipe version 2");
    }

    /** A body whose CRC is right but whose entries lie: each check names what is wrong. */
    @Test
    void validlyFramedLiesAreRefused() {
        Recipe recipe = sample();
        ByteArrayOutputStream plain = new ByteArrayOutputStream();
        Varints.write(plain, recipe.contentLength() + 1);
        plain.writeBytes(new byte[32]);
        Varints.write(plain, 0);
        assertThatThrownBy(() -> Recipe.parse(frame(plain.toByteArray())))
                .isInstanceOf(RecipeFormatException.class).hasMessageContaining("content length is " + (recipe.contentLength() + 1));
        ByteArrayOutputStream huge = new ByteArrayOutputStream();
        Varints.write(huge, 0);
        huge.writeBytes(new byte[32]);
        Varints.write(huge, 1L << 40);
        assertThatThrownBy(() -> Recipe.parse(frame(huge.toByteArray())))
                .isInstanceOf(RecipeFormatException.class).hasMessageContaining("the entry count");
    }

    @Test
    void theTrailerLocatesTheRecipeAndIsChecked() throws Exception {
        Recipe recipe = sample();
        byte[] chunks = TestContent.random(500, 9);
        byte[] recipeBytes = recipe.toBytes();
        Path delta = dir.resolve("delta");
        Files.write(delta, TestContent.concat(chunks, recipeBytes,
                new DeltaTrailer(chunks.length, recipeBytes.length).toBytes()));
        try (SeekableByteChannel ch = Files.newByteChannel(delta)) {
            assertThat(Recipe.readFrom(ch)).isEqualTo(recipe);
        }
        Files.write(delta, new byte[] {1, 2, 3});
        try (SeekableByteChannel ch = Files.newByteChannel(delta)) {
            assertThatThrownBy(() -> Recipe.readFrom(ch)).isInstanceOf(RecipeFormatException.class)
                    .hasMessageContaining("shorter than its 16-byte trailer");
        }
        Files.write(delta, TestContent.concat(chunks, recipeBytes, new DeltaTrailer(chunks.length + 1, recipeBytes.length).toBytes()));
        try (SeekableByteChannel ch = Files.newByteChannel(delta)) {
            assertThatThrownBy(() -> Recipe.readFrom(ch)).isInstanceOf(RecipeFormatException.class)
                    .hasMessageContaining("does not end at the trailer");
        }
        try (SeekableByteChannel ch = Files.newByteChannel(delta, StandardOpenOption.WRITE)) {
            ch.position(ch.size() - 1).write(ByteBuffer.wrap(new byte[] {'X'}));
        }
        try (SeekableByteChannel ch = Files.newByteChannel(delta)) {
            assertThatThrownBy(() -> Recipe.readFrom(ch)).isInstanceOf(RecipeFormatException.class)
                    .hasMessageContaining("not CSDT");
        }
    }

    /** A version-1 recipe around {@code body}, uncompressed, with a valid CRC. */
    private static byte[] frame(byte[] body) {
        ByteBuffer out = ByteBuffer.allocate(Recipe.HEADER_LENGTH + body.length + Recipe.CRC_LENGTH);
        out.putInt(Recipe.MAGIC).put((byte) Recipe.VERSION).put((byte) 0).putInt(body.length).putInt(body.length).put(body);
        CRC32C crc = new CRC32C();
        crc.update(out.array(), 0, out.position());
        out.putInt((int) crc.getValue());
        return out.array();
    }
}
