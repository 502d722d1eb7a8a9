package io.checkstripe.bench;

import io.checkstripe.codec.CellLayout;
import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.codec.StripeWorkspace;
import io.checkstripe.restore.CellSource;
import io.checkstripe.restore.DirectorySource;
import io.checkstripe.restore.RestoreOptions;
import io.checkstripe.restore.RestoreReport;
import io.checkstripe.restore.Restorer;
import io.checkstripe.store.CellHeader;
import io.checkstripe.store.CellRecordReader;
import io.checkstripe.store.CellStore;
import io.checkstripe.store.StoreLayout;
import io.checkstripe.store.StoredCell;
import io.checkstripe.store.StoredManifest;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A restore from backup servers' stores (issue 5: at least 0.8x a plain read healthy, 0.5x with M servers
 * lost), beside the baselines on the same files, in one run.
 *
 * <p>Setup writes one checkpoint of {@code size} seeded bytes in 1 MiB segments (the producer's default) into
 * one store directory per server, through the sink's store API ({@link CellStore#append}, a manifest on every
 * server, a durable commit), cutting cells with the codec's {@link StripeWorkspace} and placing them with
 * {@link CellLayout}, as the striper and the sinks do. N is the policy's cells per stripe (5 for RS-3-2, 3 for
 * MIRROR-3). The files stay in the page cache, so what is measured is the CPU and the output's write and
 * fsync, not the stores' disk.
 *
 * <ul>
 *   <li>{@code restoreHealthy}, {@code restoreDegraded}: {@link Restorer#restore} from every server's
 *       directory, and from all but servers 0..M-1, to a file, verified and forced as at failover.</li>
 *   <li>{@code plainRead}, {@code plainReadSurvivors}: a buffered sequential read (1 MiB buffer) of the same
 *       servers' cell logs, one after the other, as {@code checkstripe bench} measures it.</li>
 *   <li>{@code plainCopy}: the work a restore cannot avoid: read every server's cell log sequentially, write the
 *       data cells' bytes to their place in the output file, force it. No CRC, no SHA-256, no rename.</li>
 * </ul>
 *
 * <p>Every operation is one whole restore or read. The {@code checkpointBytes} counter adds the checkpoint's
 * size per operation, and JMH reports it per second: read {@code :checkpointBytes} as checkpoint bytes per
 * second (the primary score is operations per second), and {@code :cpuNanos} as the cores kept busy. The
 * output file is deleted after every operation, by an invocation-level teardown; JMH then times each call alone, so the deletion is not counted. The restorer's
 * classes are warmed by the warm-up iterations, as in a long-lived process; a fresh {@code checkstripe restore}
 * JVM pays its JIT warm-up on top.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 4, time = 3)
@Measurement(iterations = 8, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xms1g", "-Xmx1g"})
public class RestoreBenchmark {

    static final String APP = "bench-app";
    static final long CHECKPOINT = 7;
    static final int SEGMENT = 1 << 20;

    /** The servers' stores, written once per trial, and the output path. */
    @State(Scope.Benchmark)
    public static class Stores {
        @Param({"RS-3-2", "MIRROR-3"})
        public String policy;

        @Param({"67108864", "268435456"})
        public long size;

        /**
         * Where the restored (or copied) file goes; empty for beside the stores. {@code -p outputDir=/dev/shm}
         * takes the disk out: the output's fsync is then free, and what is left is the CPU's work.
         */
        @Param({""})
        public String outputDir;

        RedundancyPolicy parsed;
        Path root;
        Path out;
        List<Path> dirs;

        @Setup(Level.Trial)
        public void write() throws IOException {
            parsed = RedundancyPolicy.parse(policy);
            root = Files.createTempDirectory("restore-bench");
            out = (outputDir.isEmpty() ? root : Path.of(outputDir)).resolve("restored-" + ProcessHandle.current().pid());
            int n = parsed.totalCells();
            dirs = IntStream.range(0, n).mapToObj(i -> root.resolve("server-" + i)).toList();
            writeCheckpoint(parsed, dirs, size);
        }

        @TearDown(Level.Invocation)
        public void deleteOutput() throws IOException {
            Files.deleteIfExists(out);
        }

        @TearDown(Level.Trial)
        public void deleteStores() throws IOException {
            try (Stream<Path> paths = Files.walk(root)) {
                paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.delete(p);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }

        List<Path> survivors() {
            return dirs.subList(parsed.toleratedLosses(), dirs.size());
        }
    }

    /**
     * Checkpoint bytes handled, and the CPU time the whole JVM spent meanwhile (all threads, GC and JIT
     * included), both reported by JMH per second: {@code cpuNanos} per second is the number of cores kept
     * busy, and {@code cpuNanos / checkpointBytes} the CPU cost of a byte.
     */
    @State(Scope.Thread)
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    public static class Bytes {
        private static final com.sun.management.OperatingSystemMXBean OS =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

        public long checkpointBytes;
        public long cpuNanos;

        static long cpuNow() {
            return OS.getProcessCpuTime();
        }

        void count(long size, long cpuAtStart) {
            checkpointBytes += size;
            cpuNanos += cpuNow() - cpuAtStart;
        }
    }

    @Benchmark
    public RestoreReport restoreHealthy(Stores s, Bytes bytes) throws IOException {
        return restore(s, s.dirs, bytes);
    }

    @Benchmark
    public RestoreReport restoreDegraded(Stores s, Bytes bytes) throws IOException {
        return restore(s, s.survivors(), bytes);
    }

    @Benchmark
    public long plainRead(Stores s, Bytes bytes) throws IOException {
        return read(s, s.dirs, bytes);
    }

    @Benchmark
    public long plainReadSurvivors(Stores s, Bytes bytes) throws IOException {
        return read(s, s.survivors(), bytes);
    }

    @Benchmark
    public long plainCopy(Stores s, Bytes bytes) throws IOException {
        long cpu = Bytes.cpuNow();
        int k = s.parsed.dataCells();
        byte[] data = new byte[s.parsed.cellLength(SEGMENT)];
        long written = 0;
        try (FileChannel out = FileChannel.open(s.out, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            for (Path dir : s.dirs) {
                try (CellRecordReader reader = new CellRecordReader(new BufferedInputStream(
                        Files.newInputStream(cellLog(dir)), 1 << 20))) {
                    for (var h = reader.next(); h.isPresent(); h = reader.next()) {
                        CellHeader header = h.get();
                        int j = header.cellIndex();
                        if (j >= k) {
                            continue;
                        }
                        int cellLength = header.cellLength();
                        int start = j * cellLength;
                        int length = Math.min(cellLength, header.segmentLength() - start);
                        if (length <= 0) {
                            continue;
                        }
                        reader.readData(data, 0);
                        ByteBuffer buffer = ByteBuffer.wrap(data, 0, length);
                        long position = header.segmentOffset() + start;
                        while (buffer.hasRemaining()) {
                            position += out.write(buffer, position);
                        }
                        written += length;
                    }
                }
            }
            out.force(true);
        }
        if (written != s.size) {
            throw new IllegalStateException("copied " + written + " bytes of a " + s.size + "-byte checkpoint");
        }
        bytes.count(s.size, cpu);
        return written;
    }

    private static RestoreReport restore(Stores s, List<Path> dirs, Bytes bytes) throws IOException {
        long cpu = Bytes.cpuNow();
        List<CellSource> sources = new ArrayList<>();
        for (Path dir : dirs) {
            sources.add(new DirectorySource(dir));
        }
        RestoreReport report;
        try {
            report = new Restorer(RestoreOptions.defaults()).restore(APP, sources, s.out, OptionalLong.of(CHECKPOINT));
        } finally {
            for (CellSource source : sources) {
                source.close();
            }
        }
        if (report.bytes() != s.size) {
            throw new IllegalStateException("restored " + report.bytes() + " bytes of a " + s.size + "-byte checkpoint");
        }
        bytes.count(s.size, cpu);
        return report;
    }

    private static long read(Stores s, List<Path> dirs, Bytes bytes) throws IOException {
        long cpu = Bytes.cpuNow();
        byte[] buffer = new byte[1 << 20];
        long total = 0;
        for (Path dir : dirs) {
            try (InputStream in = Files.newInputStream(cellLog(dir))) {
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    total += n;
                }
            }
        }
        bytes.count(s.size, cpu);
        return total;
    }

    /** The benchmark checkpoint's cell log in the store in {@code dataDir} ({@link StoreLayout}), which must exist. */
    static Path cellLog(Path dataDir) throws IOException {
        Path log = StoreLayout.of(dataDir).cellLog(APP, CHECKPOINT);
        if (!Files.isRegularFile(log)) {
            throw new IOException("no cell log " + log + ": has the store layout changed?");
        }
        return log;
    }

    /**
     * Writes {@code size} seeded bytes as checkpoint {@link #CHECKPOINT} of {@link #APP} into one store per
     * directory (directory i is server i), with its manifest on every server.
     */
    static void writeCheckpoint(RedundancyPolicy policy, List<Path> dirs, long size) throws IOException {
        int servers = dirs.size();
        int segmentCount = (int) ((size + SEGMENT - 1) / SEGMENT);
        MessageDigest sha = sha256();
        StripeWorkspace ws = new StripeWorkspace(policy, SEGMENT);
        SplittableRandom random = new SplittableRandom(42);
        byte[] segment = new byte[SEGMENT];
        List<CellStore> stores = new ArrayList<>();
        try {
            for (int i = 0; i < servers; i++) {
                stores.add(CellStore.open(dirs.get(i), i));
            }
            for (int s = 0; s < segmentCount; s++) {
                int length = (int) Math.min(SEGMENT, size - (long) s * SEGMENT);
                random.nextBytes(segment);
                sha.update(segment, 0, length);
                ws.encode(segment, 0, length);
                for (int j = 0; j < ws.cellCount(); j++) {
                    byte[] cell = Arrays.copyOf(ws.cell(j), ws.cellLength());
                    stores.get(CellLayout.serverOf(s, j, servers)).append(new StoredCell(new CellHeader(APP, CHECKPOINT,
                            s, (long) s * SEGMENT, length, j, policy.name(), servers, cell.length, ws.crc(j)), cell));
                }
            }
            StoredManifest m = new StoredManifest(APP, CHECKPOINT, policy.name(), servers, segmentCount, SEGMENT, size,
                    sha.digest(), Instant.ofEpochSecond(1_700_000_000L), Map.of());
            for (CellStore store : stores) {
                store.putManifest(m);
                store.commit(Map.of());
            }
        } finally {
            for (CellStore store : stores) {
                store.close();
            }
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }
}
