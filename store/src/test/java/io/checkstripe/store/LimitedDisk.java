package io.checkstripe.store;

import io.checkstripe.core.FileChannels;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;

/**
 * File channels that share a budget of bytes and fail like a full disk ("No space left on device") once it
 * is spent, after writing what still fits, as a real full disk does.
 */
final class LimitedDisk implements FileChannels {

    private long budget;

    LimitedDisk(long budget) {
        this.budget = budget;
    }

    synchronized void budget(long bytes) {
        budget = bytes;
    }

    @Override
    public FileChannel open(Path path, OpenOption... options) throws IOException {
        return new Limited(FileChannel.open(path, options));
    }

    private synchronized int allow(int wanted) throws IOException {
        if (wanted > 0 && budget <= 0) {
            throw new IOException("No space left on device");
        }
        int allowed = (int) Math.min(wanted, budget);
        budget -= allowed;
        return allowed;
    }

    private final class Limited extends ForwardingFileChannel {

        Limited(FileChannel d) {
            super(d);
        }

        private ByteBuffer limited(ByteBuffer src) throws IOException {
            ByteBuffer slice = src.slice();
            slice.limit(allow(src.remaining()));
            return slice;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            int n = d.write(limited(src));
            src.position(src.position() + n);
            return n;
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            int n = d.write(limited(src), position);
            src.position(src.position() + n);
            return n;
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                if (srcs[i].hasRemaining()) {
                    int wanted = srcs[i].remaining();
                    int n = total == 0 ? write(srcs[i]) : writeIfRoom(srcs[i]);
                    total += n;
                    if (n < wanted) {
                        break;
                    }
                }
            }
            return total;
        }

        private int writeIfRoom(ByteBuffer src) throws IOException {
            synchronized (LimitedDisk.this) {
                if (budget <= 0) {
                    return 0;
                }
            }
            return write(src);
        }
    }
}
