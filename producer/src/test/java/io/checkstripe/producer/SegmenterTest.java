package io.checkstripe.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SegmenterTest {

    private static final int SEGMENT = 64;

    /** What one run of the segmenter produced. */
    private record Cut(List<Integer> lengths, List<Long> offsets, List<Integer> indexes, byte[] joined,
                       int count, long total) {
    }

    private static Cut cut(InputStream in, int segmentBytes) throws IOException {
        Segmenter segmenter = new Segmenter(in, new byte[segmentBytes], segmentBytes);
        List<Integer> lengths = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        List<Integer> indexes = new ArrayList<>();
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        while (segmenter.next()) {
            lengths.add(segmenter.length());
            offsets.add(segmenter.offset());
            indexes.add(segmenter.index());
            joined.write(segmenter.buffer(), 0, segmenter.length());
        }
        assertThat(segmenter.next()).as("stays at the end").isFalse();
        return new Cut(lengths, offsets, indexes, joined.toByteArray(), segmenter.count(), segmenter.totalBytes());
    }

    private static byte[] random(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void everyLengthAroundSegmentBoundariesCutsIntoFullSegmentsAndOneShorterTail() throws Exception {
        int cases = 0;
        for (int length = 0; length <= 3 * SEGMENT + 1; length++) {
            byte[] data = random(length, length);
            Cut cut = cut(new ByteArrayInputStream(data), SEGMENT);

            int expectedCount = (length + SEGMENT - 1) / SEGMENT;
            assertThat(cut.count()).as("segments of %d bytes", length).isEqualTo(expectedCount);
            assertThat(cut.total()).isEqualTo(length);
            for (int i = 0; i < expectedCount; i++) {
                assertThat(cut.indexes().get(i)).isEqualTo(i);
                assertThat(cut.offsets().get(i)).isEqualTo((long) i * SEGMENT);
                int expectedLength = i < expectedCount - 1 ? SEGMENT : length - (expectedCount - 1) * SEGMENT;
                assertThat(cut.lengths().get(i)).as("segment %d of %d bytes", i, length).isEqualTo(expectedLength);
            }
            assertThat(cut.joined()).isEqualTo(data);
            cases++;
        }
        assertThat(cases).isEqualTo(3 * SEGMENT + 2);
    }

    @Test
    void emptyStreamHasNoSegment() throws Exception {
        Cut cut = cut(InputStream.nullInputStream(), SEGMENT);

        assertThat(cut.count()).isZero();
        assertThat(cut.total()).isZero();
    }

    @Test
    void shortReadsOfTheStreamStillGiveFullSegments() throws Exception {
        byte[] data = random(10 * SEGMENT + 7, 42);
        // Returns at most 5 bytes per read, as a socket or pipe may.
        InputStream trickle = new FilterInputStream(new ByteArrayInputStream(data)) {
            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                return super.read(b, off, Math.min(len, 5));
            }
        };

        Cut cut = cut(trickle, SEGMENT);

        assertThat(cut.lengths()).hasSize(11);
        assertThat(cut.lengths().subList(0, 10)).allMatch(length -> length == SEGMENT);
        assertThat(cut.lengths().get(10)).isEqualTo(7);
        assertThat(cut.joined()).isEqualTo(data);
    }

    @Test
    void oneBufferIsReusedForEverySegment() throws Exception {
        byte[] buffer = new byte[SEGMENT];
        Segmenter segmenter = new Segmenter(new ByteArrayInputStream(random(3 * SEGMENT, 7)), buffer, SEGMENT);
        int seen = 0;
        while (segmenter.next()) {
            assertThat(segmenter.buffer()).isSameAs(buffer);
            seen++;
        }
        assertThat(seen).isEqualTo(3);
    }

    @Test
    void refusesABufferShorterThanTheSegment() {
        assertThatThrownBy(() -> new Segmenter(InputStream.nullInputStream(), new byte[10], 11))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("11").hasMessageContaining("10");
        assertThatThrownBy(() -> new Segmenter(InputStream.nullInputStream(), new byte[10], 0))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theStreamsErrorSurfaces() {
        InputStream failing = new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("disk gone");
            }
        };
        Segmenter segmenter = new Segmenter(failing, new byte[SEGMENT], SEGMENT);

        assertThatThrownBy(segmenter::next).isInstanceOf(IOException.class).hasMessage("disk gone");
    }
}
