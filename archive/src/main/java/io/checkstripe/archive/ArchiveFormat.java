package io.checkstripe.archive;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.DataOutputStream;
import java.io.IOException;

/**
 * The archive format's constants and encoder; {@link ArchiveReader} is its decoder. Big-endian throughout:
 *
 * <pre>
 * header   magic "CSAR" (4 bytes), version u8 = 1, root mode u16, root mtime i64
 * entry    type u8 (1 directory, 2 file, 3 symbolic link), path length u16, path (UTF-8),
 *          mode u16, mtime i64,
 *          file: size i64, then size bytes of content
 *          link: target length u16, target (UTF-8)
 * end      type u8 = 0, entry count i64, total file bytes i64; then the stream ends
 * </pre>
 *
 * Modes are permission bits ({@code rwxrwxrwx}); mtimes are milliseconds since the epoch. Entries come in
 * {@link ArchivePaths#compare} order, so one tree has one encoding. Nothing here checks integrity: the whole
 * stream's SHA-256 is checked by whoever transports it. Stateless and thread-safe.
 */
final class ArchiveFormat {

    /** "CSAR": checkstripe archive. */
    static final int MAGIC = 0x43534152;
    static final int VERSION = 1;
    static final int END = 0;

    private ArchiveFormat() {
    }

    /** The header of an archive whose root directory has {@code rootMode} and {@code rootModifiedMillis}. */
    static void writeHeader(DataOutputStream out, int rootMode, long rootModifiedMillis) throws IOException {
        out.writeInt(MAGIC);
        out.writeByte(VERSION);
        out.writeShort(rootMode);
        out.writeLong(rootModifiedMillis);
    }

    /** {@code entry}'s record up to, not including, a file's content. */
    static void writeEntry(DataOutputStream out, ArchiveEntry entry) throws IOException {
        out.writeByte(entry.type().code());
        writeString(out, entry.path());
        out.writeShort(entry.mode());
        out.writeLong(entry.modifiedMillis());
        switch (entry.type()) {
            case FILE -> out.writeLong(entry.size());
            case SYMLINK -> writeString(out, entry.target());
            case DIRECTORY -> { }
        }
    }

    /** The end record of an archive with {@code summary}'s entries. */
    static void writeEnd(DataOutputStream out, ArchiveSummary summary) throws IOException {
        out.writeByte(END);
        out.writeLong(summary.entries());
        out.writeLong(summary.fileBytes());
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] utf8 = s.getBytes(UTF_8);
        out.writeShort(utf8.length);
        out.write(utf8);
    }
}
