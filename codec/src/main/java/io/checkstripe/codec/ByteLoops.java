package io.checkstripe.codec;

/**
 * Plain byte loops shared by the XOR codec and the coefficient-1 terms of Reed-Solomon. Written
 * as simple indexed loops so that C2 vectorizes them.
 */
final class ByteLoops {

    private ByteLoops() {
    }

    /** out = a, or out ^= a. */
    static void xor1(byte[] out, byte[] a, int from, int to, boolean set) {
        if (set) {
            System.arraycopy(a, from, out, from, to - from);
        } else {
            for (int i = from; i < to; i++) {
                out[i] ^= a[i];
            }
        }
    }

    /** out = a ^ b, or out ^= a ^ b. */
    static void xor2(byte[] out, byte[] a, byte[] b, int from, int to, boolean set) {
        if (set) {
            for (int i = from; i < to; i++) {
                out[i] = (byte) (a[i] ^ b[i]);
            }
        } else {
            for (int i = from; i < to; i++) {
                out[i] ^= (byte) (a[i] ^ b[i]);
            }
        }
    }
}
