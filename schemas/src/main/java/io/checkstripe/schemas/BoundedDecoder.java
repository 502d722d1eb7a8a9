package io.checkstripe.schemas;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.apache.avro.util.Utf8;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.Decoder;
import org.apache.avro.io.DecoderFactory;

/**
 * An Avro binary decoder over a byte range that refuses any length or block count larger than
 * the bytes left, before allocating anything.
 *
 * <p>Avro's own decoder allocates a {@code bytes} or {@code string} value of the length it reads
 * and only then finds the input too short; a corrupt length in a record from a topic would make
 * it allocate up to 2 GiB. Every length here is checked against the remaining bytes, so a
 * corrupt body fails with an {@link EOFException} instead. The one cost: an array or map block
 * may not claim more items than bytes remain, which only arrays of {@code null} could need.
 *
 * <p>Not thread-safe; one per datum.
 */
final class BoundedDecoder extends Decoder {

    private final ByteArrayInputStream in;
    private final BinaryDecoder binary;

    BoundedDecoder(byte[] bytes, int offset, int length) {
        this.in = new ByteArrayInputStream(bytes, offset, length);
        this.binary = DecoderFactory.get().directBinaryDecoder(in, null);
    }

    /** Bytes not yet read. */
    int remaining() {
        return in.available();
    }

    private int length(long length, String what) throws IOException {
        if (length < 0) {
            throw new IOException("negative " + what + " length " + length);
        }
        if (length > remaining()) {
            throw new EOFException(what + " of " + length + " bytes but only " + remaining() + " bytes remain");
        }
        return (int) length;
    }

    private long count(long count, String what) throws IOException {
        if (count > remaining()) {
            throw new EOFException(what + " block of " + count + " items but only " + remaining() + " bytes remain");
        }
        return count;
    }

    private byte[] readRaw(String what) throws IOException {
        byte[] bytes = new byte[length(binary.readLong(), what)];
        binary.readFixed(bytes, 0, bytes.length);
        return bytes;
    }

    @Override
    public ByteBuffer readBytes(ByteBuffer old) throws IOException {
        return ByteBuffer.wrap(readRaw("bytes"));
    }

    @Override
    public Utf8 readString(Utf8 old) throws IOException {
        return new Utf8(readRaw("string"));
    }

    @Override
    public String readString() throws IOException {
        return new String(readRaw("string"), StandardCharsets.UTF_8);
    }

    @Override
    public void readFixed(byte[] bytes, int start, int len) throws IOException {
        binary.readFixed(bytes, start, length(len, "fixed"));
    }

    @Override
    public long readArrayStart() throws IOException {
        return count(binary.readArrayStart(), "array");
    }

    @Override
    public long arrayNext() throws IOException {
        return count(binary.arrayNext(), "array");
    }

    @Override
    public long readMapStart() throws IOException {
        return count(binary.readMapStart(), "map");
    }

    @Override
    public long mapNext() throws IOException {
        return count(binary.mapNext(), "map");
    }

    @Override
    public void readNull() throws IOException {
        binary.readNull();
    }

    @Override
    public boolean readBoolean() throws IOException {
        return binary.readBoolean();
    }

    @Override
    public int readInt() throws IOException {
        return binary.readInt();
    }

    @Override
    public long readLong() throws IOException {
        return binary.readLong();
    }

    @Override
    public float readFloat() throws IOException {
        return binary.readFloat();
    }

    @Override
    public double readDouble() throws IOException {
        return binary.readDouble();
    }

    @Override
    public void skipString() throws IOException {
        binary.skipFixed(length(binary.readLong(), "string"));
    }

    @Override
    public void skipBytes() throws IOException {
        binary.skipFixed(length(binary.readLong(), "bytes"));
    }

    @Override
    public void skipFixed(int length) throws IOException {
        binary.skipFixed(length(length, "fixed"));
    }

    @Override
    public int readEnum() throws IOException {
        return binary.readEnum();
    }

    @Override
    public long skipArray() throws IOException {
        return binary.skipArray();
    }

    @Override
    public long skipMap() throws IOException {
        return binary.skipMap();
    }

    @Override
    public int readIndex() throws IOException {
        return binary.readIndex();
    }
}
