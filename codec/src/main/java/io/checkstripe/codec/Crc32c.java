package io.checkstripe.codec;

import java.util.Objects;
import java.util.zip.CRC32C;

/**
 * CRC32C (Castagnoli) of a cell, the checksum every stored cell carries. Uses
 * {@link java.util.zip.CRC32C}, which the JVM implements with the CPU's CRC instructions.
 *
 * <p>The value is returned as an {@code int} holding the bits of the unsigned 32-bit CRC
 * (use {@link Integer#toUnsignedLong(int)} to print it as a number). Thread-safe and
 * allocation-free after a thread's first call (one reusable {@code CRC32C} per thread).
 */
public final class Crc32c {

    private static final ThreadLocal<CRC32C> CRC = ThreadLocal.withInitial(CRC32C::new);

    private Crc32c() {
    }

    /** The CRC32C of {@code b[off, off + len)}. */
    public static int of(byte[] b, int off, int len) {
        Objects.checkFromIndexSize(off, len, b.length);
        CRC32C crc = CRC.get();
        crc.reset();
        crc.update(b, off, len);
        return (int) crc.getValue();
    }

    /** The CRC as eight hex digits, for messages. */
    public static String hex(int crc) {
        return String.format("%08x", crc);
    }
}
