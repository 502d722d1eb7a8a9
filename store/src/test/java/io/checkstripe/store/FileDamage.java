package io.checkstripe.store;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Deliberate damage to a store's files, as Kafka's {@code LogSegmentTest} damages segments: flip a bit, zero
 * or overwrite a range, cut a file short, and find where each record of a cell log lies so a test can aim.
 * Shared by the store's tests and the restorer's (this module's test jar). Stateless.
 */
public final class FileDamage {

    /** Where one record lies in a cell log. */
    public record Record(long position, int headerLength, int cellLength) {

        /** Where the record's cell data starts. */
        public long dataPosition() {
            return position + headerLength;
        }

        /** The record's length in the file, header and data. */
        public long length() {
            return headerLength + (long) cellLength;
        }
    }

    private FileDamage() {
    }

    /** Every record of a cell log, by key (the last one of a key), in file order. */
    public static Map<CellKey, Record> records(Path log) throws IOException {
        Map<CellKey, Record> records = new LinkedHashMap<>();
        try (CellRecordReader r = new CellRecordReader(new BufferedInputStream(Files.newInputStream(log)))) {
            long at = r.position();
            for (Optional<CellHeader> h = r.next(); h.isPresent(); h = r.next()) {
                records.put(h.get().key(), new Record(at, CellRecordFormat.headerLength(h.get()), h.get().cellLength()));
                r.skipData();
                at = r.position();
            }
        }
        return records;
    }

    /** Flips bit {@code bit} (0-7) of the byte at {@code position}. */
    public static void flipBit(Path file, long position, int bit) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, position);
            b.put(0, (byte) (b.get(0) ^ (1 << bit)));
            b.rewind();
            ch.write(b, position);
        }
    }

    /** Overwrites {@code length} bytes at {@code position} with zeros. */
    public static void zero(Path file, long position, int length) throws IOException {
        write(file, position, new byte[length]);
    }

    /** Cuts the file to {@code length} bytes, as a torn write leaves it. */
    public static void truncate(Path file, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(length);
        }
    }

    /** The {@code length} bytes at {@code position} (zeros past the end of the file). */
    public static byte[] read(Path file, long position, int length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(length);
            while (b.hasRemaining() && ch.read(b, position + b.position()) > 0) {
                // read on
            }
            return b.array();
        }
    }

    /** Overwrites the bytes at {@code position} with {@code bytes}. */
    public static void write(Path file, long position, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b, position + b.position());
            }
        }
    }
}
