package io.checkstripe.producer;

import java.io.IOException;
import java.io.InputStream;

/**
 * Cuts a stream into segments in one caller-owned buffer: every segment but the last has
 * exactly the segment size, the last 1 to segment size bytes, and an empty stream has no
 * segment. Memory stays at one buffer whatever the stream's length. Hashing is
 * {@link PublishedSegments}' job, because what is published may be the segments encrypted.
 *
 * <p>Not thread-safe; one per publish.
 */
final class Segmenter {

    private final InputStream in;
    private final byte[] buffer;
    private final int segmentBytes;
    private boolean ended;
    private int count;
    private long total;
    private int length;

    /**
     * @param in           the checkpoint's bytes; not closed here
     * @param buffer       where each segment is read to, at least {@code segmentBytes} long
     * @param segmentBytes the segment size, at least 1
     */
    Segmenter(InputStream in, byte[] buffer, int segmentBytes) {
        if (segmentBytes < 1 || buffer.length < segmentBytes) {
            throw new IllegalArgumentException("need a segment size of at least 1 and a buffer at least as long, got "
                    + segmentBytes + " and " + buffer.length);
        }
        this.in = in;
        this.buffer = buffer;
        this.segmentBytes = segmentBytes;
    }

    /**
     * Reads the next segment into the buffer.
     *
     * @return false once the stream is exhausted (no segment was read)
     * @throws IOException from the stream
     */
    boolean next() throws IOException {
        if (ended) {
            return false;
        }
        int n = in.readNBytes(buffer, 0, segmentBytes);
        // readNBytes returns fewer bytes than asked for only at the end of the stream.
        ended = n < segmentBytes;
        if (n == 0) {
            return false;
        }
        if (count == Integer.MAX_VALUE) {
            throw new IllegalArgumentException("checkpoint has more than " + Integer.MAX_VALUE + " segments of "
                    + segmentBytes + " bytes; use a larger segment size");
        }
        length = n;
        count++;
        total += n;
        return true;
    }

    /** The buffer holding the current segment in its first {@link #length()} bytes. */
    byte[] buffer() {
        return buffer;
    }

    /** Length of the current segment. */
    int length() {
        return length;
    }

    /** Index of the current segment. */
    int index() {
        return count - 1;
    }

    /** Offset of the current segment's first byte in the checkpoint. */
    long offset() {
        return total - length;
    }

    /** Segments read so far; the segment count once {@link #next()} returned false. */
    int count() {
        return count;
    }

    /** Bytes read so far; the checkpoint's length once {@link #next()} returned false. */
    long totalBytes() {
        return total;
    }
}
