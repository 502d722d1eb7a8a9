package io.checkstripe.sink.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
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

    private final class Limited extends FileChannel {
        private final FileChannel d;

        Limited(FileChannel d) {
            this.d = d;
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

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return d.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return d.read(dsts, offset, length);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return d.read(dst, position);
        }

        @Override
        public long position() throws IOException {
            return d.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            d.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return d.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            d.truncate(size);
            return this;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            d.force(metaData);
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return d.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            throw new UnsupportedOperationException("not used by the store");
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            throw new UnsupportedOperationException("not used by the store");
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return d.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return d.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            d.close();
        }
    }
}
