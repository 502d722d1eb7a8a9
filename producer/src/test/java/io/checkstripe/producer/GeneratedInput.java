package io.checkstripe.producer;

import java.io.InputStream;

/**
 * A deterministic pseudo-random stream of any length that holds nothing in memory: the bytes
 * of an xorshift64 sequence, so that a test can publish hundreds of MiB and check the SHA-256
 * by generating the same stream again.
 */
final class GeneratedInput extends InputStream {

    private final long length;
    private long position;
    private long state;
    private long word;

    GeneratedInput(long length, long seed) {
        this.length = length;
        this.state = seed == 0 ? 0x9E3779B97F4A7C15L : seed;
    }

    @Override
    public int read() {
        if (position >= length) {
            return -1;
        }
        return next() & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) {
        if (len == 0) {
            return 0;
        }
        if (position >= length) {
            return -1;
        }
        int n = (int) Math.min(len, length - position);
        for (int i = 0; i < n; i++) {
            b[off + i] = (byte) next();
        }
        return n;
    }

    private int next() {
        if ((position & 7) == 0) {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            word = state;
        }
        int value = (int) (word >>> ((position & 7) * 8));
        position++;
        return value;
    }
}
