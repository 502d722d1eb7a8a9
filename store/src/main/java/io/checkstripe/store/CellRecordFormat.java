package io.checkstripe.store;

import io.checkstripe.codec.Crc32c;
import io.checkstripe.core.AppId;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The encoding of one cell record: a self-describing header protected by its own CRC32C, then the cell's
 * bytes. The same bytes are used in a store's cell logs, on the wire by the sink's read-only HTTP API and by
 * the restorer that parses that stream, so this class is their one owner.
 *
 * <p>Version 1, all integers big-endian:
 * <pre>
 * offset  size  field
 *      0     4  magic 0x4353434C ("CSCL")
 *      4     1  version, 1
 *      5     1  A, length of the application id in bytes (1..128)
 *      6     1  P, length of the policy name in bytes (1..64)
 *      7     1  flags, 0 (readers reject anything else)
 *      8     8  checkpoint id
 *     16     4  segment index
 *     20     8  segment offset
 *     28     4  segment length
 *     32     4  cell index
 *     36     4  servers N
 *     40     4  cell length L
 *     44     4  CRC32C of the L data bytes, computed by the striper (end to end)
 *     48     A  application id, ASCII
 *   48+A     P  canonical policy name, ASCII
 * 48+A+P     4  CRC32C of header bytes [0, 48+A+P)
 * 52+A+P     L  data
 * </pre>
 * A header is therefore {@code 52 + A + P} bytes, at most {@value #MAX_HEADER_LENGTH}. Its CRC covers every
 * header byte before it, so a torn or rotten header is found before any length in it is trusted; the data
 * CRC is the striper's, checked whenever the data is read. Stateless and thread-safe.
 */
public final class CellRecordFormat {

    /** First four bytes of every record, "CSCL". */
    public static final int MAGIC = 0x4353434C;

    /** The only version this class writes and reads. */
    public static final byte VERSION = 1;

    /** Bytes before the application id: everything a reader needs to know the header's length. */
    public static final int PREFIX_LENGTH = 48;

    /** Longest policy name a header can carry. */
    public static final int MAX_POLICY_LENGTH = 64;

    /** Longest header. */
    public static final int MAX_HEADER_LENGTH = PREFIX_LENGTH + AppId.MAX_LENGTH + MAX_POLICY_LENGTH + 4;

    private CellRecordFormat() {
    }

    /** Length of the encoded header. */
    public static int headerLength(CellHeader header) {
        return PREFIX_LENGTH + header.appId().length() + header.policy().length() + 4;
    }

    /** Length of the encoded record, header and data. */
    public static long recordLength(CellHeader header) {
        return headerLength(header) + (long) header.cellLength();
    }

    /** The encoded header in a new buffer, ready to be read. */
    public static ByteBuffer encodeHeader(CellHeader header) {
        byte[] app = header.appId().getBytes(StandardCharsets.US_ASCII);
        byte[] policy = header.policy().getBytes(StandardCharsets.US_ASCII);
        if (policy.length > MAX_POLICY_LENGTH) {
            throw new IllegalArgumentException("policy name " + header.policy() + " is longer than "
                    + MAX_POLICY_LENGTH + " bytes");
        }
        byte[] bytes = new byte[PREFIX_LENGTH + app.length + policy.length + 4];
        ByteBuffer b = ByteBuffer.wrap(bytes);
        b.putInt(MAGIC).put(VERSION).put((byte) app.length).put((byte) policy.length).put((byte) 0)
                .putLong(header.checkpointId()).putInt(header.segmentIndex()).putLong(header.segmentOffset())
                .putInt(header.segmentLength()).putInt(header.cellIndex()).putInt(header.servers())
                .putInt(header.cellLength()).putInt(header.crc32c()).put(app).put(policy);
        b.putInt(Crc32c.of(bytes, 0, b.position()));
        return b.flip();
    }

    /** Puts the whole record into {@code dst}, which must have {@link #recordLength} bytes remaining. */
    public static void write(StoredCell cell, ByteBuffer dst) {
        dst.put(encodeHeader(cell.header())).put(cell.data());
    }

    /** Writes the whole record to {@code out}; does not flush. */
    public static void write(StoredCell cell, OutputStream out) throws IOException {
        ByteBuffer header = encodeHeader(cell.header());
        out.write(header.array(), 0, header.limit());
        out.write(cell.data());
    }

    /**
     * The length of the header that starts with the {@value #PREFIX_LENGTH} bytes at {@code prefix}'s position
     * (which is not moved), after checking the magic, version, flags and name lengths.
     *
     * @throws CorruptRecordException when those bytes cannot start a version-1 header
     */
    public static int headerLength(ByteBuffer prefix) throws CorruptRecordException {
        int p = prefix.position();
        if (prefix.remaining() < PREFIX_LENGTH) {
            throw new CorruptRecordException("record header cut short: " + prefix.remaining() + " of at least "
                    + PREFIX_LENGTH + " bytes");
        }
        int magic = prefix.getInt(p);
        if (magic != MAGIC) {
            throw new CorruptRecordException(String.format("bad record magic %08x, expected %08x", magic, MAGIC));
        }
        int version = prefix.get(p + 4);
        if (version != VERSION) {
            throw new CorruptRecordException("unsupported record version " + version + ", this reader knows " + VERSION);
        }
        int appLength = Byte.toUnsignedInt(prefix.get(p + 5));
        int policyLength = Byte.toUnsignedInt(prefix.get(p + 6));
        int flags = prefix.get(p + 7);
        if (appLength < 1 || appLength > AppId.MAX_LENGTH || policyLength < 1 || policyLength > MAX_POLICY_LENGTH
                || flags != 0) {
            throw new CorruptRecordException("bad record header: application id length " + appLength
                    + ", policy length " + policyLength + ", flags " + flags);
        }
        return PREFIX_LENGTH + appLength + policyLength + 4;
    }

    /**
     * Decodes the header at {@code src}'s position and moves past it.
     *
     * @throws CorruptRecordException when the header is cut short, its CRC does not match or its fields are
     *                                not a valid {@link CellHeader}
     */
    public static CellHeader readHeader(ByteBuffer src) throws CorruptRecordException {
        int length = headerLength(src);
        if (src.remaining() < length) {
            throw new CorruptRecordException("record header cut short: " + src.remaining() + " of " + length + " bytes");
        }
        byte[] bytes = new byte[length];
        src.get(bytes);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        int stored = b.getInt(length - 4);
        int computed = Crc32c.of(bytes, 0, length - 4);
        if (stored != computed) {
            throw new CorruptRecordException("record header CRC32C mismatch: stored " + Crc32c.hex(stored)
                    + ", computed " + Crc32c.hex(computed));
        }
        int appLength = Byte.toUnsignedInt(bytes[5]);
        int policyLength = Byte.toUnsignedInt(bytes[6]);
        String policy = new String(bytes, PREFIX_LENGTH + appLength, policyLength, StandardCharsets.US_ASCII);
        CellHeader header;
        try {
            header = new CellHeader(new String(bytes, PREFIX_LENGTH, appLength, StandardCharsets.US_ASCII),
                    b.getLong(8), b.getInt(16), b.getLong(20), b.getInt(28), b.getInt(32), policy,
                    b.getInt(36), b.getInt(40), b.getInt(44));
        } catch (IllegalArgumentException e) {
            throw new CorruptRecordException("record header not understood: " + e.getMessage(), e);
        }
        if (!header.policy().equals(policy)) {
            // Writers store the canonical name; anything else would make the header's length ambiguous.
            throw new CorruptRecordException("record header not understood: policy name \"" + policy
                    + "\" is not canonical (" + header.policy() + ")");
        }
        return header;
    }
}
