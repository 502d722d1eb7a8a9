package io.checkstripe.restore;

import io.checkstripe.store.CellHeader;
import io.checkstripe.store.CellKey;
import io.checkstripe.store.CellRecordFormat;
import io.checkstripe.store.CellRecordReader;
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

/** Deliberate damage to cell logs, as Kafka's LogSegmentTest damages segments. */
final class Damage {

    /** Where one record lies in a log. */
    record Record(long position, int headerLength, int cellLength) {
        long dataPosition() {
            return position + headerLength;
        }

        long length() {
            return headerLength + (long) cellLength;
        }
    }

    private Damage() {
    }

    /** Every record of a log, by key, in file order. */
    static Map<CellKey, Record> records(Path log) throws IOException {
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

    static void flipBit(Path file, long position, int bit) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.allocate(1);
            ch.read(b, position);
            b.put(0, (byte) (b.get(0) ^ (1 << bit)));
            b.rewind();
            ch.write(b, position);
        }
    }

    static void zero(Path file, long position, int length) throws IOException {
        write(file, position, new byte[length]);
    }

    static void truncate(Path file, long length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ch.truncate(length);
        }
    }

    static byte[] read(Path file, long position, int length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer b = ByteBuffer.allocate(length);
            while (b.hasRemaining() && ch.read(b, position + b.position()) > 0) {
                // read on
            }
            return b.array();
        }
    }

    static void write(Path file, long position, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                ch.write(b, position + b.position());
            }
        }
    }
}
