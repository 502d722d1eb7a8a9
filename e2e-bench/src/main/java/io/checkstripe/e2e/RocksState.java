package io.checkstripe.e2e;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.SplittableRandom;

import org.rocksdb.Checkpoint;
import org.rocksdb.FlushOptions;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * A real RocksDB database as an application's state, for the directory checkpoints of the incremental bench: keys
 * {@code key-0000000000} on with {@value #VALUE_BYTES}-byte values that follow from the key alone, so a restored
 * database is checked key by key without keeping a copy. Checkpoints are RocksDB's own ({@link Checkpoint}: hard
 * links to the immutable SST files and a copy of the rest), which is what a Kafka Streams application would
 * publish. Not thread-safe; close it.
 */
final class RocksState implements AutoCloseable {

    /** Bytes of every value. */
    static final int VALUE_BYTES = 1024;

    private static final int BATCH = 1000;

    static {
        RocksDB.loadLibrary();
    }

    private final Options options;
    private final RocksDB db;
    private long keys;

    private RocksState(Options options, RocksDB db) {
        this.options = options;
        this.db = db;
    }

    /** Creates an empty database in {@code dir}. */
    static RocksState create(Path dir) throws RocksDBException {
        Options options = new Options().setCreateIfMissing(true).setErrorIfExists(true);
        try {
            return new RocksState(options, RocksDB.open(options, dir.toString()));
        } catch (RocksDBException | RuntimeException e) {
            options.close();
            throw e;
        }
    }

    /** Writes the next {@code count} keys and flushes them into SST files; the WAL is off, the flush is the write. */
    void append(long count) throws RocksDBException {
        byte[] value = new byte[VALUE_BYTES];
        try (WriteOptions write = new WriteOptions().setDisableWAL(true);
             FlushOptions flush = new FlushOptions().setWaitForFlush(true)) {
            long end = keys + count;
            while (keys < end) {
                try (WriteBatch batch = new WriteBatch()) {
                    for (long n = Math.min(end, keys + BATCH); keys < n; keys++) {
                        batch.put(key(keys), value(keys, value));
                    }
                    db.write(write, batch);
                }
            }
            db.flush(flush);
        }
    }

    /** Compacts everything into the bottom level, so the files stay as they are until new writes come. */
    void settle() throws RocksDBException {
        db.compactRange();
    }

    /** Takes a RocksDB checkpoint into {@code dir}, which must not exist. */
    void checkpoint(Path dir) throws RocksDBException {
        try (Checkpoint checkpoint = Checkpoint.create(db)) {
            checkpoint.createCheckpoint(dir.toString());
        }
    }

    /** Keys written so far. */
    long keys() {
        return keys;
    }

    /**
     * Opens the database in {@code dir} read-only and reads every key back, in order, checking each value and that
     * the keys are exactly {@code 0..expectedKeys-1}; returns the number read.
     *
     * @throws IllegalStateException naming the first key that is missing, extra or holds another value
     */
    static long verify(Path dir, long expectedKeys) throws RocksDBException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("no database at " + dir);
        }
        byte[] expected = new byte[VALUE_BYTES];
        long read = 0;
        try (Options options = new Options();
             RocksDB db = RocksDB.openReadOnly(options, dir.toString());
             RocksIterator it = db.newIterator()) {
            for (it.seekToFirst(); it.isValid(); it.next()) {
                if (read == expectedKeys || !Arrays.equals(it.key(), key(read))) {
                    throw new IllegalStateException("restored database " + dir + ": key "
                            + new String(it.key(), StandardCharsets.US_ASCII) + " where key " + read + " of "
                            + expectedKeys + " was expected");
                }
                if (!Arrays.equals(it.value(), value(read, expected))) {
                    throw new IllegalStateException("restored database " + dir + ": key " + read
                            + " holds another value");
                }
                read++;
            }
            it.status();
        }
        if (read != expectedKeys) {
            throw new IllegalStateException("restored database " + dir + " holds " + read + " keys, not "
                    + expectedKeys);
        }
        return read;
    }

    private static byte[] key(long n) {
        return String.format(Locale.ROOT, "key-%010d", n).getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Key {@code n}'s value, into {@code into}: incompressible like most binary state. The seed is scrambled, since
     * generators seeded {@code n} and {@code n + 1} would give the same stream shifted, which compresses.
     */
    private static byte[] value(long n, byte[] into) {
        new SplittableRandom(new SplittableRandom(n).nextLong()).nextBytes(into);
        ByteBuffer.wrap(into).putLong(n);
        return into;
    }

    @Override
    public void close() {
        try {
            db.close();
        } finally {
            options.close();
        }
    }
}
