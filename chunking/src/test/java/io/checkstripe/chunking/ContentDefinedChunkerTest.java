package io.checkstripe.chunking;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class ContentDefinedChunkerTest {

    private static final ChunkingConfig SMALL = ChunkingConfig.sized(256, 1024, 8192);

    @Property(tries = 200)
    void chunksRespectMinAndMaxAndCoverTheContent(@ForAll @IntRange(min = 0, max = 100_000) int length,
                                                  @ForAll long seed,
                                                  @ForAll @IntRange(min = 0, max = 3) int sizes) {
        ChunkingConfig config = List.of(SMALL, ChunkingConfig.sized(64, 64, 64), ChunkingConfig.sized(64, 128, 4096),
                ChunkingConfig.sized(1024, 4096, 4096)).get(sizes);
        byte[] data = TestContent.random(length, seed);
        List<Integer> lengths = TestContent.chunkLengths(config, data);
        assertThat(lengths.stream().mapToLong(Integer::longValue).sum()).isEqualTo(length);
        for (int i = 0; i < lengths.size(); i++) {
            assertThat(lengths.get(i)).isBetween(i == lengths.size() - 1 ? 1 : config.minSize(), config.maxSize());
        }
    }

    @Property(tries = 100)
    void boundariesDoNotDependOnHowTheStreamIsRead(@ForAll @IntRange(min = 0, max = 40_000) int length,
                                                   @ForAll @IntRange(min = 1, max = 5000) int step,
                                                   @ForAll long seed) {
        byte[] data = TestContent.random(length, seed);
        assertThat(TestContent.chunkLengths(SMALL, TestContent.trickle(data, step)))
                .isEqualTo(TestContent.chunkLengths(SMALL, data));
    }

    /**
     * Insert or delete a few bytes near the start: once the chunker cuts at a boundary the original also has
     * (shifted by the edit), every later boundary is the original's, so every later chunk has the same bytes.
     */
    @Property(tries = 200)
    void boundariesResynchronizeAfterAnEdit(@ForAll long seed,
                                            @ForAll @IntRange(min = 0, max = 2000) int at,
                                            @ForAll @IntRange(min = -16, max = 16) int shift) {
        byte[] original = TestContent.random(120_000, seed);
        byte[] edited = shift >= 0
                ? TestContent.concat(Arrays.copyOf(original, at), TestContent.random(shift, ~seed),
                        Arrays.copyOfRange(original, at, original.length))
                : TestContent.concat(Arrays.copyOf(original, at),
                        Arrays.copyOfRange(original, at - shift, original.length));
        int delta = edited.length - original.length;
        List<Long> before = TestContent.boundaries(TestContent.chunkLengths(SMALL, original));
        List<Long> after = new ArrayList<>();
        for (long end : TestContent.boundaries(TestContent.chunkLengths(SMALL, edited))) {
            after.add(end - delta);
        }
        int editEnd = at + Math.max(0, -shift);
        Long resync = after.stream().filter(b -> b > editEnd && before.contains(b)).findFirst().orElse(null);
        assertThat(resync).as("a shared boundary within 8 maximal chunks of the edit").isNotNull()
                .isLessThan(editEnd + 8L * SMALL.maxSize());
        assertThat(after.subList(after.indexOf(resync), after.size()))
                .isEqualTo(before.subList(before.indexOf(resync), before.size()));
    }

    @Test
    void eachPartStartsAChunkAndAnEmptyPartHasNone() throws Exception {
        byte[] data = TestContent.random(30_000, 5);
        ContentDefinedChunker chunker = new ContentDefinedChunker(SMALL);
        List<Integer> whole = TestContent.chunkLengths(SMALL, data);
        chunker.startPart(new ByteArrayInputStream(new byte[0]));
        assertThat(chunker.next()).isFalse();
        assertThat(chunker.chunkLength()).isZero();
        for (int part = 0; part < 2; part++) {
            chunker.startPart(new ByteArrayInputStream(data));
            List<Integer> lengths = new ArrayList<>();
            while (chunker.next()) {
                lengths.add(chunker.chunkLength());
            }
            assertThat(lengths).isEqualTo(whole);
        }
    }

    /** The gear table and the boundaries it gives are part of the format: a change here is a format change. */
    @Test
    void gearTableAndBoundariesArePinned() {
        long[] gear = ContentDefinedChunker.gearTable(ContentDefinedChunker.GEAR_SEED);
        assertThat(gear).hasSize(256).doesNotHaveDuplicates();
        byte[] data = splitMix64Bytes(64 * 1024, 42);
        assertThat(new long[] {gear[0], gear[1], gear[255]}).containsExactly(GEAR_0, GEAR_1, GEAR_255);
        assertThat(TestContent.chunkLengths(SMALL, data)).containsExactly(PINNED_LENGTHS);
    }

    // SplitMix64's reference outputs for the seed (checked against an independent implementation)
    private static final long GEAR_0 = -415871860130453915L;
    private static final long GEAR_1 = -6501837858052800107L;
    private static final long GEAR_255 = 2918750574547807482L;
    private static final Integer[] PINNED_LENGTHS = {637, 1234, 1314, 1064, 919, 1372, 648, 1068, 1135, 1281, 1426,
        1479, 1368, 1144, 1040, 456, 1078, 1518, 765, 282, 1604, 1214, 1340, 1622, 1217, 1053, 2242, 1902, 1768, 1213,
        1053, 727, 805, 493, 875, 1086, 1034, 1227, 331, 1218, 1229, 1064, 541, 1208, 1367, 1093, 1097, 1082, 1104, 278,
        1383, 1521, 1256, 1712, 1232, 1036, 1123, 958};

    /** Pinned input: blocks of gear tables of successive seeds, so that no JDK change moves it. */
    private static byte[] splitMix64Bytes(int length, long seed) {
        ByteBuffer out = ByteBuffer.allocate(length);
        for (long block = 0; out.remaining() >= Long.BYTES; block++) {
            for (long word : ContentDefinedChunker.gearTable(seed + block)) {
                if (out.remaining() >= Long.BYTES) {
                    out.putLong(word);
                }
            }
        }
        return out.array();
    }
}
