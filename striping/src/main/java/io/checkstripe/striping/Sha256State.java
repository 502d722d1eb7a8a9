package io.checkstripe.striping;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A SHA-256 (FIPS 180-4) in progress whose state can be written out and read back: the eight
 * chaining words, the bytes of the unfinished 64-byte block and the count of bytes hashed.
 *
 * <p>Why not {@link java.security.MessageDigest}: the striper verifies each checkpoint's SHA-256
 * over segments that arrive one Kafka record at a time, possibly over several transactions, and a
 * task may restart between any two of them (a crash, a rebalance). Its progress store restores
 * what it knew at the last committed offset, so the hash in progress must be part of that store's
 * value; the JDK's digest cannot export its state. The price is speed: this pure-Java compression
 * runs at a fraction of the JDK's, which uses the processor's SHA instructions where it has them.
 *
 * <p>Immutable: {@link #update} returns a new state, so the progress store's transitions stay pure
 * functions. {@link #digest()} finishes a copy and leaves this state as it was. Thread-safe.
 */
public final class Sha256State {

    /** The state before any byte: the initial hash value of FIPS 180-4 section 5.3.3. */
    public static final Sha256State EMPTY = new Sha256State(new int[] {
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19},
            new byte[0], 0);

    /** Bytes of {@link #writeTo}'s output before the unfinished block: the eight chaining words. */
    public static final int CHAINING_BYTES = 32;

    private static final int BLOCK = 64;
    private static final int ROUNDS = 64;
    private static final int DIRECT_CHUNK = 64 * 1024;
    private static final VarHandle BIG_ENDIAN_INT =
            MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final int[] K = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

    private final int[] chaining;
    private final byte[] pending;
    private final long length;

    private Sha256State(int[] chaining, byte[] pending, long length) {
        this.chaining = chaining;
        this.pending = pending;
        this.length = length;
    }

    /** How many bytes have been hashed. */
    public long length() {
        return length;
    }

    /** The state after also hashing {@code data}'s remaining bytes; {@code data}'s position is not moved. */
    public Sha256State update(ByteBuffer data) {
        if (!data.hasRemaining()) {
            return this;
        }
        if (data.hasArray()) {
            return update(data.array(), data.arrayOffset() + data.position(), data.remaining());
        }
        ByteBuffer rest = data.duplicate();
        byte[] chunk = new byte[Math.min(rest.remaining(), DIRECT_CHUNK)];
        Sha256State state = this;
        while (rest.hasRemaining()) {
            int n = Math.min(rest.remaining(), chunk.length);
            rest.get(chunk, 0, n);
            state = state.update(chunk, 0, n);
        }
        return state;
    }

    /** The state after also hashing {@code bytes[offset, offset + count)}. */
    public Sha256State update(byte[] bytes, int offset, int count) {
        if (offset < 0 || count < 0 || offset > bytes.length - count) {
            throw new IllegalArgumentException("range [" + offset + ", " + offset + " + " + count
                    + ") is outside an array of " + bytes.length + " bytes");
        }
        if (count == 0) {
            return this;
        }
        int[] h = chaining.clone();
        int[] w = new int[ROUNDS];
        int at = offset;
        int end = offset + count;
        int buffered = pending.length;
        if (buffered > 0) {
            int fill = Math.min(BLOCK - buffered, count);
            byte[] block = Arrays.copyOf(pending, BLOCK);
            System.arraycopy(bytes, at, block, buffered, fill);
            at += fill;
            if (buffered + fill < BLOCK) {
                return new Sha256State(h, Arrays.copyOf(block, buffered + fill), length + count);
            }
            compress(h, w, block, 0, 1);
        }
        int blocks = (end - at) / BLOCK;
        compress(h, w, bytes, at, blocks);
        at += blocks * BLOCK;
        return new Sha256State(h, Arrays.copyOfRange(bytes, at, end), length + count);
    }

    /** The SHA-256 of every byte hashed so far (32 bytes); this state is left as it was. */
    public byte[] digest() {
        int[] h = chaining.clone();
        byte[] tail = new byte[pending.length < BLOCK - 8 ? BLOCK : 2 * BLOCK];
        System.arraycopy(pending, 0, tail, 0, pending.length);
        tail[pending.length] = (byte) 0x80;
        putLong(tail, tail.length - 8, length * 8);
        compress(h, new int[ROUNDS], tail, 0, tail.length / BLOCK);
        byte[] out = new byte[CHAINING_BYTES];
        for (int i = 0; i < h.length; i++) {
            BIG_ENDIAN_INT.set(out, 4 * i, h[i]);
        }
        return out;
    }

    /** Bytes {@link #writeTo} writes: the chaining words and the unfinished block. */
    public int serializedSize() {
        return CHAINING_BYTES + pending.length;
    }

    /**
     * Writes the state (without the length, which the caller stores as it sees fit): the eight
     * chaining words big-endian, then the {@code length mod 64} bytes of the unfinished block.
     */
    public void writeTo(ByteBuffer out) {
        for (int word : chaining) {
            out.putInt(word);
        }
        out.put(pending);
    }

    /**
     * Reads what {@link #writeTo} wrote for a state of {@code length} bytes hashed, moving
     * {@code in}'s position past it.
     *
     * @throws IllegalArgumentException when the length is negative or {@code in} has too few bytes
     */
    public static Sha256State readFrom(ByteBuffer in, long length) {
        int buffered = (int) (length % BLOCK);
        if (length < 0 || in.remaining() < CHAINING_BYTES + buffered) {
            throw new IllegalArgumentException("a SHA-256 state of " + length + " bytes hashed needs "
                    + (CHAINING_BYTES + Math.max(buffered, 0)) + " bytes, got " + in.remaining());
        }
        int[] h = new int[8];
        for (int i = 0; i < h.length; i++) {
            h[i] = in.getInt();
        }
        byte[] pending = new byte[buffered];
        in.get(pending);
        return new Sha256State(h, pending, length);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Sha256State that && length == that.length && Arrays.equals(chaining, that.chaining)
                && Arrays.equals(pending, that.pending);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(chaining) + Long.hashCode(length);
    }

    @Override
    public String toString() {
        return "Sha256State[" + length + " bytes]";
    }

    private static void putLong(byte[] bytes, int offset, long value) {
        BIG_ENDIAN_INT.set(bytes, offset, (int) (value >>> 32));
        BIG_ENDIAN_INT.set(bytes, offset + 4, (int) value);
    }

    /** FIPS 180-4 section 6.2.2 over {@code blocks} 64-byte blocks of {@code bytes} from {@code offset}. */
    private static void compress(int[] h, int[] w, byte[] bytes, int offset, int blocks) {
        int h0 = h[0];
        int h1 = h[1];
        int h2 = h[2];
        int h3 = h[3];
        int h4 = h[4];
        int h5 = h[5];
        int h6 = h[6];
        int h7 = h[7];
        for (int block = 0, at = offset; block < blocks; block++, at += BLOCK) {
            for (int t = 0; t < 16; t++) {
                w[t] = (int) BIG_ENDIAN_INT.get(bytes, at + 4 * t);
            }
            for (int t = 16; t < ROUNDS; t++) {
                int w2 = w[t - 2];
                int w15 = w[t - 15];
                int s1 = Integer.rotateRight(w2, 17) ^ Integer.rotateRight(w2, 19) ^ (w2 >>> 10);
                int s0 = Integer.rotateRight(w15, 7) ^ Integer.rotateRight(w15, 18) ^ (w15 >>> 3);
                w[t] = s1 + w[t - 7] + s0 + w[t - 16];
            }
            int a = h0;
            int b = h1;
            int c = h2;
            int d = h3;
            int e = h4;
            int f = h5;
            int g = h6;
            int hh = h7;
            for (int t = 0; t < ROUNDS; t++) {
                // Ch and Maj in their equivalent forms with one operation fewer each.
                int t1 = hh + (Integer.rotateRight(e, 6) ^ Integer.rotateRight(e, 11) ^ Integer.rotateRight(e, 25))
                        + (g ^ (e & (f ^ g))) + K[t] + w[t];
                int t2 = (Integer.rotateRight(a, 2) ^ Integer.rotateRight(a, 13) ^ Integer.rotateRight(a, 22))
                        + ((a & (b | c)) | (b & c));
                hh = g;
                g = f;
                f = e;
                e = d + t1;
                d = c;
                c = b;
                b = a;
                a = t1 + t2;
            }
            h0 += a;
            h1 += b;
            h2 += c;
            h3 += d;
            h4 += e;
            h5 += f;
            h6 += g;
            h7 += hh;
        }
        h[0] = h0;
        h[1] = h1;
        h[2] = h2;
        h[3] = h3;
        h[4] = h4;
        h[5] = h5;
        h[6] = h6;
        h[7] = h7;
    }
}
