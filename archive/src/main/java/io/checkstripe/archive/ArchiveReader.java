package io.checkstripe.archive;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes an archive stream ({@link ArchiveFormat}) and refuses, with an {@link ArchiveFormatException}, every
 * stream that is not one a {@link DirectoryArchive} could have written: a bad header, truncation anywhere,
 * over-long or malformed fields, unsafe paths, entries out of order, duplicated or below anything but a
 * directory, links that could reach outside the root, end-record counts that differ from the entries, and
 * bytes after the end record. It reads the stream to its end, so a digest over the stream covers every byte.
 *
 * <p>Memory grows with the number of entries (their paths and types), never with the content. Not
 * thread-safe.
 */
final class ArchiveReader {

    /** The root directory's attributes, from the header. */
    record Header(int rootMode, long rootModifiedMillis) {
    }

    private static final int COPY_BUFFER = 64 * 1024;

    private final InputStream in;
    private final Map<String, EntryType> types = new HashMap<>();
    private final List<ArchiveEntry> links = new ArrayList<>();
    private long offset;
    private String previous;
    private ArchiveSummary summary = new ArchiveSummary(0, 0, 0, 0);
    private ArchiveEntry unreadContent;

    ArchiveReader(InputStream in) {
        this.in = new BufferedInputStream(in, COPY_BUFFER);
    }

    /** Receives a file's content as it is read. */
    @FunctionalInterface
    interface ContentSink {
        void write(byte[] b, int off, int len) throws IOException;
    }

    Header readHeader() throws IOException {
        int magic = (int) readNumber(4, "the magic number", null);
        if (magic != ArchiveFormat.MAGIC) {
            throw refuse(null, "not a checkstripe archive (magic 0x" + Integer.toHexString(magic) + ")");
        }
        int version = (int) readNumber(1, "the version", null);
        if (version != ArchiveFormat.VERSION) {
            throw refuse(null, "format version " + version + ", this reader knows only " + ArchiveFormat.VERSION);
        }
        return new Header(readMode(null), readNumber(8, "the root's mtime", null));
    }

    /**
     * The next entry, or null after the end record (checked against the entries, and followed by the
     * stream's end). A file's content is read with {@link #readContent} before the next call, or skipped.
     */
    ArchiveEntry next() throws IOException {
        if (unreadContent != null) {
            readContent(unreadContent, (b, off, len) -> { });
        }
        int code = (int) readNumber(1, "the next entry's type (or the end record)", null);
        if (code == ArchiveFormat.END) {
            readEnd();
            return null;
        }
        EntryType type = EntryType.ofCode(code);
        if (type == null) {
            throw refuse(null, "unknown entry type " + code
                    + (previous == null ? " in the first entry" : " after the entry '" + previous + "'"));
        }
        String path = readString("a path", null);
        String problem = ArchivePaths.pathProblem(path);
        if (problem != null) {
            throw refuse(path, problem);
        }
        checkPlace(path);
        int mode = readMode(path);
        long mtime = readNumber(8, "the mtime", path);
        long size = 0;
        String target = null;
        if (type == EntryType.FILE) {
            size = readNumber(8, "the file size", path);
            if (size < 0) {
                throw refuse(path, "negative file size " + size);
            }
        } else if (type == EntryType.SYMLINK) {
            target = readString("the link target", path);
            String targetProblem = ArchivePaths.targetProblem(target);
            if (targetProblem != null) {
                throw refuse(path, targetProblem);
            }
        }
        ArchiveEntry entry = new ArchiveEntry(type, path, mode, mtime, size, target);
        types.put(path, type);
        if (type == EntryType.SYMLINK) {
            links.add(entry);
        }
        previous = path;
        summary = summary.plus(entry);
        unreadContent = type == EntryType.FILE ? entry : null;
        return entry;
    }

    /** Reads {@code file}'s content, just returned by {@link #next}, into {@code sink}. */
    void readContent(ArchiveEntry file, ContentSink sink) throws IOException {
        if (file != unreadContent) {
            throw new IllegalStateException("content of " + file.path() + " is not the next thing in the stream");
        }
        unreadContent = null;
        byte[] buffer = new byte[(int) Math.min(COPY_BUFFER, Math.max(1, file.size()))];
        long remaining = file.size();
        while (remaining > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, remaining));
            if (n < 0) {
                throw refuse(file.path(), "truncated: stream ends after " + (file.size() - remaining) + " of the "
                        + file.size() + " content bytes");
            }
            offset += n;
            remaining -= n;
            sink.write(buffer, 0, n);
        }
    }

    /** What the entries read so far hold. */
    ArchiveSummary summary() {
        return summary;
    }

    /** The parent must be an earlier directory entry (or the root), and the order strictly increasing. */
    private void checkPlace(String path) {
        if (types.containsKey(path)) {
            throw refuse(path, "duplicate entry");
        }
        int slash = path.lastIndexOf('/');
        if (slash > 0) {
            String parent = path.substring(0, slash);
            EntryType parentType = types.get(parent);
            if (parentType == null) {
                throw refuse(path, "its directory '" + parent + "' has no earlier entry");
            }
            if (parentType != EntryType.DIRECTORY) {
                throw refuse(path, "it lies below '" + parent + "', a " + parentType + ", not a directory");
            }
        }
        if (previous != null && ArchivePaths.compare(previous, path) >= 0) {
            throw refuse(path, "out of order: comes after '" + previous + "'");
        }
    }

    private void readEnd() throws IOException {
        long entries = readNumber(8, "the end record's entry count", null);
        long bytes = readNumber(8, "the end record's byte count", null);
        if (entries != summary.entries() || bytes != summary.fileBytes()) {
            throw refuse(null, "end record states " + entries + " entries and " + bytes + " file bytes, the stream held "
                    + summary.entries() + " and " + summary.fileBytes());
        }
        for (ArchiveEntry link : links) {
            String problem = ArchivePaths.linkProblem(link.path(), link.target(),
                    p -> types.get(p) == EntryType.SYMLINK);
            if (problem != null) {
                throw refuse(link.path(), problem);
            }
        }
        if (in.read() >= 0) {
            throw refuse(null, "bytes after the end record");
        }
    }

    private int readMode(String path) throws IOException {
        int mode = (int) readNumber(2, "the mode", path);
        if ((mode & ~ArchivePaths.MODE_BITS) != 0) {
            throw refuse(path, "mode 0" + Integer.toOctalString(mode) + " has bits other than rwxrwxrwx (0777)");
        }
        return mode;
    }

    private String readString(String what, String path) throws IOException {
        int length = (int) readNumber(2, "the length of " + what, path);
        if (length > ArchivePaths.MAX_PATH_BYTES) {
            throw refuse(path, what + " of " + length + " bytes, longer than " + ArchivePaths.MAX_PATH_BYTES);
        }
        byte[] bytes = new byte[length];
        readFully(bytes, what, path);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw refuse(path, what + " is not valid UTF-8");
        }
    }

    /** A big-endian unsigned number of 1, 2 or 4 bytes, or a signed one of 8. */
    private long readNumber(int bytes, String what, String path) throws IOException {
        byte[] b = new byte[bytes];
        readFully(b, what, path);
        long v = 0;
        for (byte x : b) {
            v = (v << 8) | (x & 0xff);
        }
        return v;
    }

    private void readFully(byte[] b, String what, String path) throws IOException {
        int done = 0;
        while (done < b.length) {
            int n = in.read(b, done, b.length - done);
            if (n < 0) {
                throw refuse(path, "truncated: stream ends inside " + what);
            }
            done += n;
            offset += n;
        }
    }

    private ArchiveFormatException refuse(String path, String problem) {
        return new ArchiveFormatException(offset, path, problem);
    }
}
