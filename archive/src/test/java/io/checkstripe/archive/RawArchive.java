package io.checkstripe.archive;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Archive bytes written by hand, field by field, apart from {@link ArchiveFormat}: hostile archives the
 * writer would never produce, and the known answer the writer must match.
 */
final class RawArchive {

    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final DataOutputStream out = new DataOutputStream(bytes);
    private long entries;
    private long fileBytes;

    /** Starts with a header: magic "CSAR", version 1, root mode 0755, root mtime 0. */
    RawArchive() {
        raw(() -> {
            out.write(new byte[] {'C', 'S', 'A', 'R', 1});
            out.writeShort(0755);
            out.writeLong(0);
        });
    }

    /** Starts with nothing, for a bad header. */
    static RawArchive empty(int... header) {
        RawArchive a = new RawArchive();
        a.bytes.reset();
        return a.bytes(header);
    }

    RawArchive dir(String path) {
        return entry(1, path, 0755, 0L);
    }

    RawArchive file(String path, String content) {
        entry(2, path, 0644, 0L);
        byte[] b = content.getBytes(UTF_8);
        raw(() -> {
            out.writeLong(b.length);
            out.write(b);
        });
        fileBytes += b.length;
        return this;
    }

    RawArchive link(String path, String target) {
        entry(3, path, 0777, 0L);
        return string(target);
    }

    /** An entry's type, path, mode and mtime, without what follows them. */
    RawArchive entry(int type, String path, int mode, long mtime) {
        entries++;
        raw(() -> out.writeByte(type));
        string(path);
        return raw(() -> {
            out.writeShort(mode);
            out.writeLong(mtime);
        });
    }

    /** A u16 length and UTF-8 bytes. */
    RawArchive string(String s) {
        byte[] b = s.getBytes(UTF_8);
        return raw(() -> {
            out.writeShort(b.length);
            out.write(b);
        });
    }

    /** The end record with the counts of what was written. */
    RawArchive end() {
        return end(entries, fileBytes);
    }

    RawArchive end(long entryCount, long totalBytes) {
        return raw(() -> {
            out.writeByte(0);
            out.writeLong(entryCount);
            out.writeLong(totalBytes);
        });
    }

    RawArchive bytes(int... values) {
        for (int v : values) {
            bytes.write(v);
        }
        return this;
    }

    RawArchive u16(int v) {
        return raw(() -> out.writeShort(v));
    }

    RawArchive i64(long v) {
        return raw(() -> out.writeLong(v));
    }

    byte[] toByteArray() {
        return bytes.toByteArray();
    }

    private interface Write {
        void run() throws IOException;
    }

    private RawArchive raw(Write w) {
        try {
            w.run();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }
}
