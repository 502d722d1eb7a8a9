package io.checkstripe.archive;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One file's content as an archive part: opened on the first read (so a list of parts holds no open file),
 * closed after the last byte, never through a link. It delivers exactly the size the file was listed with
 * and, before returning the last bytes' count, checks that the file neither grew nor changed its mtime;
 * otherwise it throws {@link UnarchivableFileException} rather than let a wrong entry through. Not
 * thread-safe.
 */
final class FileContent extends InputStream {

    private final Path file;
    private final ArchiveEntry entry;
    private SeekableByteChannel channel;
    private long remaining;
    private boolean finished;

    FileContent(Path file, ArchiveEntry entry) {
        this.file = file;
        this.entry = entry;
        this.remaining = entry.size();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (finished) {
            return -1;
        }
        if (len == 0) {
            return 0;
        }
        if (channel == null) {
            channel = Files.newByteChannel(file, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        }
        int n = channel.read(ByteBuffer.wrap(b, off, (int) Math.min(len, remaining)));
        if (n < 0) {
            close();
            throw changed("it shrank to " + (entry.size() - remaining) + " bytes while being read");
        }
        remaining -= n;
        if (remaining == 0) {
            checkUnchanged();
        }
        return n;
    }

    @Override
    public void close() throws IOException {
        finished = true;
        if (channel != null) {
            channel.close();
            channel = null;
        }
    }

    private void checkUnchanged() throws IOException {
        try {
            if (channel.read(ByteBuffer.allocate(1)) >= 0) {
                throw changed("it grew while being read");
            }
            long mtime = Files.getLastModifiedTime(file, LinkOption.NOFOLLOW_LINKS).toMillis();
            if (mtime != entry.modifiedMillis()) {
                throw changed("it was modified while being read");
            }
        } finally {
            close();
        }
    }

    private UnarchivableFileException changed(String what) {
        return new UnarchivableFileException(file, UnarchivableFileException.Reason.CHANGED_WHILE_READING,
                what + " (listed with " + entry.size() + " bytes)");
    }
}
