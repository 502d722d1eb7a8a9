package io.checkstripe.chunking;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Seeded content and chunk lists for the tests. */
final class TestContent {

    private TestContent() {
    }

    static byte[] random(int length, long seed) {
        byte[] data = new byte[length];
        new SplittableRandom(seed).nextBytes(data);
        return data;
    }

    /** JSON-like records: repetitive keys, varied numbers, so zstd roughly thirds it. */
    static byte[] jsonLike(int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        StringBuilder out = new StringBuilder(length + 200);
        while (out.length() < length) {
            out.append("{\"id\":").append(random.nextInt(1_000_000)).append(",\"account\":\"acct-")
                    .append(random.nextInt(5000)).append("\",\"balance\":").append(random.nextInt(100_000))
                    .append(".").append(random.nextInt(100)).append(",\"status\":\"")
                    .append(random.nextBoolean() ? "open" : "closed").append("\"}\n");
        }
        byte[] bytes = out.toString().getBytes(StandardCharsets.US_ASCII);
        return java.util.Arrays.copyOf(bytes, length);
    }

    /** The chunks the chunker cuts {@code data} into, as lengths. */
    static List<Integer> chunkLengths(ChunkingConfig config, InputStream in) {
        ContentDefinedChunker chunker = new ContentDefinedChunker(config);
        chunker.startPart(in);
        List<Integer> lengths = new ArrayList<>();
        try {
            while (chunker.next()) {
                lengths.add(chunker.chunkLength());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return lengths;
    }

    static List<Integer> chunkLengths(ChunkingConfig config, byte[] data) {
        return chunkLengths(config, new ByteArrayInputStream(data));
    }

    /** Boundary offsets (the end of each chunk) of lengths. */
    static List<Long> boundaries(List<Integer> lengths) {
        List<Long> ends = new ArrayList<>();
        long end = 0;
        for (int length : lengths) {
            end += length;
            ends.add(end);
        }
        return ends;
    }

    /** A stream that hands out at most {@code step} bytes per read, as a slow socket would. */
    static InputStream trickle(byte[] data, int step) {
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, step));
            }
        };
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }
}
