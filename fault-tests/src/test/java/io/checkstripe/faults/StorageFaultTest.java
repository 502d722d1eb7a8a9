package io.checkstripe.faults;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import io.checkstripe.broker.BrokerProcess;
import io.checkstripe.cli.ExitCode;
import io.checkstripe.store.CellStore;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scenarios 7, 8 and 10, storage failing: {@code RS-6-3} over 9 backup servers, each a real sink process fed by a
 * real striper process on a broker process. Two checkpoints of the same shape are published and protected once;
 * then every test loses, damages or stalls servers on the way to a restore (the CLI, run in this JVM since nothing
 * kills it) and checks that the result is byte-exact, or that the failure names what was lost.
 *
 * <p>Lost servers are replaced by what an operator meets in practice: a deleted data directory, an HTTP endpoint
 * nothing listens on, an empty directory, or a fresh empty store of the right server. Surviving servers are read
 * from their directories or over their sinks' HTTP API, chosen at random. Damage is done to copies of the stores,
 * so every test starts from the same intact data.
 */
@Tag("integration")
@Timeout(value = 8, unit = TimeUnit.MINUTES)
@ExtendWith(SeedExtension.class)
class StorageFaultTest {

    private static final Logger log = LoggerFactory.getLogger(StorageFaultTest.class);

    private static final String APP = "storage-app";
    private static final int SERVERS = 9;
    private static final int M = 3;
    private static final int SEGMENT = 1 << 20;
    /** Seven stripes, the last one short: 7 cells per server and checkpoint. */
    private static final long SIZE = 6L * SEGMENT + 12_345;
    private static final int SEGMENTS = 7;

    @TempDir
    static Path tmp;

    private static BrokerProcess broker;
    private static Pipeline pipeline;
    private static Path older;
    private static Path newest;
    private static int scratchRuns;

    private enum Loss {
        DELETED_DIRECTORY, UNREACHABLE_HTTP, EMPTY_DIRECTORY, EMPTY_STORE
    }

    @BeforeAll
    static void protectTwoCheckpoints() {
        broker = BrokerProcess.start(tmp.resolve("broker"));
        pipeline = new Pipeline(broker, tmp.resolve("pipeline"), "storage.", "RS-6-3", SERVERS);
        pipeline.startStriper("striper");
        pipeline.startSinks();
        older = TestFiles.random(tmp.resolve("checkpoint-1.bin"), SIZE, 71);
        newest = TestFiles.random(tmp.resolve("checkpoint-2.bin"), SIZE, 72);
        pipeline.publishProtected(APP, older, 1);
        pipeline.publishProtected(APP, newest, 2);
        pipeline.assertExactlyOnce(APP, 2, SIZE, SEGMENT);
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    // ---------------------------------------------------------------- scenario 7

    @Test
    void anyThreeLostServersOfNineStillRestoreByteExact(Seed seed) {
        SplittableRandom random = seed.random();
        List<List<Integer>> combinations = sampleCombinations(random, new int[] {1, 4, 2, 8, 3, 12});
        Map<Loss, Integer> lossesByKind = new LinkedHashMap<>();
        for (List<Integer> lost : combinations) {
            Map<Integer, Loss> kinds = new LinkedHashMap<>();
            lost.forEach(i -> kinds.put(i, Loss.values()[random.nextInt(Loss.values().length)]));
            kinds.values().forEach(k -> lossesByKind.merge(k, 1, Integer::sum));
            List<String> sources = sources(random, kinds);
            Path out = pipeline.restoredFile("lost-" + lost.size());
            TestFiles.createParent(out);
            CheckstripeProcess.Result r = Cli.run(List.of("restore", "--app", APP, "--from", String.join(",", sources),
                    "--out", out.toString(), "--connect-timeout", "1000"));
            String what = "servers " + kinds + " lost, sources " + sources + ", " + seed + ": " + r;
            assertThat(r.exitCode()).as(what).isZero();
            assertThat(r.stdout()).as(what).contains("restored checkpoint 2 of " + APP);
            TestFiles.assertSameBytes(out, newest);
            for (var e : kinds.entrySet()) {
                // A lost source is named: by its location when it is unreadable, by its index when it is a store
                // of that server that holds nothing.
                String named = e.getValue() == Loss.EMPTY_STORE ? "server " + e.getKey() : lostLocation(e.getKey(), e.getValue());
                assertThat(r.stdout()).as("report names lost server %d (%s); %s", e.getKey(), e.getValue(), what)
                        .contains(named);
            }
            TestFiles.deleteQuietly(out);
        }
        log.info("scenario 7: {} restores after losing up to {} of {} servers ({}), all byte-exact", combinations.size(),
                M, SERVERS, lossesByKind);
        assertThat(combinations).hasSizeGreaterThanOrEqualTo(20);
        assertThat(lossesByKind.keySet()).as("every kind of loss was injected").containsExactlyInAnyOrder(Loss.values());
    }

    @Test
    void fourLostServersExitTwoAndTheMessageNamesThem(Seed seed) {
        SplittableRandom random = seed.random();
        List<List<Integer>> combinations = sampleCombinations(random, new int[] {4, 3});
        for (List<Integer> lost : combinations) {
            Map<Integer, Loss> kinds = new LinkedHashMap<>();
            lost.forEach(i -> kinds.put(i, Loss.values()[random.nextInt(Loss.values().length)]));
            List<String> sources = sources(random, kinds);
            Path out = pipeline.restoredFile("lost-4");
            TestFiles.createParent(out);
            CheckstripeProcess.Result r = Cli.run(List.of("restore", "--app", APP, "--from", String.join(",", sources),
                    "--out", out.toString(), "--connect-timeout", "1000"));
            String what = "servers " + kinds + " lost, " + seed + ": " + r;
            assertThat(r.exitCode()).as(what).isEqualTo(ExitCode.UNRECOVERABLE);
            assertThat(r.stderr()).as(what).contains("checkpoint 2 of " + APP + " cannot be rebuilt")
                    .doesNotContain("\tat ");
            for (int server : lost) {
                assertThat(r.stderr()).as("message names lost server %d; %s", server, what)
                        .containsPattern("(lost servers |\\), )" + server + " ");
            }
            assertThat(out).as("nothing is written when the restore fails").doesNotExist();
        }
    }

    // ---------------------------------------------------------------- scenario 8

    /**
     * Three stores rot in one stripe (M = 3, the most RS-6-3 survives): on the first a bit flips in the cell's
     * data and another in the header of another cell; the second's cell log is cut inside that stripe's cell; the
     * third has a zeroed region in it.
     */
    @Test
    void flippedBitsATruncatedLogAndAZeroedRegionAreRebuiltAndReported(Seed seed) throws IOException {
        SplittableRandom random = seed.random();
        Path stores = copyStores();
        List<Integer> damaged = pick(random, 3);
        int a = damaged.get(0);
        int b = damaged.get(1);
        int c = damaged.get(2);
        // The stripe hit on all three: one of the last three on b, so that b's cut costs few cells.
        List<Stores.LogRecord> bLog = Stores.records(store(stores, b), APP, 2);
        int cutAt = bLog.size() - 1 - random.nextInt(3);
        int stripe = bLog.get(cutAt).key().segmentIndex();
        Set<String> expected = new LinkedHashSet<>();

        Stores.LogRecord onA = recordOf(stores, a, stripe);
        flipBits(store(stores, a), onA.dataPosition() + random.nextInt(onA.header().cellLength()), random);
        expected.add(bad(a, onA, "corrupt"));
        List<Stores.LogRecord> others = Stores.records(store(stores, a), APP, 2).stream()
                .filter(r -> r.key().segmentIndex() != stripe).toList();
        Stores.LogRecord headerHit = others.get(random.nextInt(others.size()));
        flipBits(store(stores, a), headerHit.position() + 8 + random.nextInt(24), random);
        expected.add(bad(a, headerHit, "missing"));

        Stores.LogRecord cut = bLog.get(cutAt);
        long cutPosition = cut.position() + 1 + random.nextLong(cut.headerLength() + cut.header().cellLength() - 1);
        truncate(Stores.cellLog(store(stores, b), APP, 2), cutPosition);
        bLog.subList(cutAt, bLog.size()).forEach(r -> expected.add(bad(b, r, "missing")));

        Stores.LogRecord onC = recordOf(stores, c, stripe);
        int zeroFrom = random.nextInt(onC.header().cellLength() / 2);
        int zeroLength = 1 + random.nextInt(onC.header().cellLength() - zeroFrom);
        zero(Stores.cellLog(store(stores, c), APP, 2), onC.dataPosition() + zeroFrom, zeroLength);
        expected.add(bad(c, onC, "corrupt"));

        log.info("scenario 8: stripe {} damaged on servers {} ({}); expected bad cells {}", stripe, damaged, seed,
                expected);
        assertRestoredAndReported(stores, expected, seed);
    }

    /**
     * Two stores swap the bytes of two cells of equal length (each keeps its header, so each is corrupt), and a
     * third holds, in place of one cell, the same cell of the older checkpoint (a stale record).
     */
    @Test
    void swappedCellsAndAStaleCellFromAnOlderCheckpointAreRebuiltAndReported(Seed seed) throws IOException {
        SplittableRandom random = seed.random();
        Path stores = copyStores();
        List<Integer> damaged = pick(random, 3);
        int d = damaged.get(0);
        int e = damaged.get(1);
        int f = damaged.get(2);
        Set<String> expected = new LinkedHashSet<>();

        // Full-length stripes (their cells are all the same length), each where the server holds a data cell: a
        // restore reads every data cell, and the parity of a stripe whose data is intact only when it needs it.
        int stripeD = stripeWithDataCell(random, stores, d, SEGMENTS - 1);
        int stripeE = stripeWithDataCell(random, stores, e, SEGMENTS - 1);
        Stores.LogRecord onD = recordOf(stores, d, stripeD);
        Stores.LogRecord onE = recordOf(stores, e, stripeE);
        byte[] dBytes = read(Stores.cellLog(store(stores, d), APP, 2), onD.dataPosition(), onD.header().cellLength());
        byte[] eBytes = read(Stores.cellLog(store(stores, e), APP, 2), onE.dataPosition(), onE.header().cellLength());
        write(Stores.cellLog(store(stores, d), APP, 2), onD.dataPosition(), eBytes);
        write(Stores.cellLog(store(stores, e), APP, 2), onE.dataPosition(), dBytes);
        expected.add(bad(d, onD, "corrupt"));
        expected.add(bad(e, onE, "corrupt"));

        int stripeF = stripeWithDataCell(random, stores, f, SEGMENTS);
        Stores.LogRecord current = recordOf(stores, f, stripeF);
        Stores.LogRecord stale = Stores.records(store(stores, f), APP, 1).stream()
                .filter(r -> r.key().equals(current.key())).findFirst().orElseThrow();
        byte[] staleRecord = read(Stores.cellLog(store(stores, f), APP, 1), stale.position(),
                stale.headerLength() + stale.header().cellLength());
        write(Stores.cellLog(store(stores, f), APP, 2), current.position(), staleRecord);
        // The store skips a record of another checkpoint when it indexes the log, so the stale cell is reported
        // missing; a reader that got it anyway would call it foreign. Either way it is named and rebuilt.
        expected.add(bad(f, current, "missing|foreign record"));

        log.info("scenario 8: cells swapped between servers {} and {}, stale cell on server {} ({}); expected {}", d, e,
                f, seed, expected);
        assertRestoredAndReported(stores, expected, seed);
    }

    // ---------------------------------------------------------------- scenario 10

    @Test
    void aSourceThatAcceptsButNeverAnswersTimesOutAndCountsAsLost(Seed seed) throws IOException {
        SplittableRandom random = seed.random();
        try (Silent silent = new Silent()) {
            int hung = random.nextInt(SERVERS);
            Map<Integer, String> replaced = Map.of(hung, silent.url());
            List<String> sources = sourcesReplacing(random, replaced);
            for (List<String> timeouts : List.of(List.of("--request-timeout", "1000", "--connect-timeout", "1000"),
                    List.<String>of())) {
                Path out = pipeline.restoredFile("hung");
                TestFiles.createParent(out);
                List<String> args = new ArrayList<>(List.of("restore", "--app", APP, "--from", String.join(",", sources),
                        "--out", out.toString()));
                args.addAll(timeouts);
                CheckstripeProcess.Result r = Cli.run(args);
                String what = "server " + hung + " hangs at " + silent.url() + ", timeouts " + timeouts + ", " + seed
                        + ": " + r;
                assertThat(r.exitCode()).as(what).isZero();
                TestFiles.assertSameBytes(out, newest);
                assertThat(r.stdout()).as(what).contains(silent.url());
                // default request timeout 10 s; with 1 s the whole restore takes a few seconds
                Duration bound = timeouts.isEmpty() ? Duration.ofSeconds(30) : Duration.ofSeconds(10);
                assertThat(r.elapsed()).as(what).isLessThan(bound);
                log.info("scenario 10: restore with server {} silent, timeouts {}: {} ms", hung,
                        timeouts.isEmpty() ? "default" : timeouts, r.elapsed().toMillis());
                TestFiles.deleteQuietly(out);
            }
            assertThat(silent.accepted()).as("the silent source was contacted").isPositive();

        }
        // M silent sources at once: still restorable, each named.
        List<Integer> three = pick(random, M);
        List<Silent> silents = new ArrayList<>();
        try {
            Map<Integer, String> many = new LinkedHashMap<>();
            for (int i : three) {
                Silent s = new Silent();
                silents.add(s);
                many.put(i, s.url());
            }
            Path out = pipeline.restoredFile("hung-3");
            CheckstripeProcess.Result r = Cli.run(List.of("restore", "--app", APP, "--from",
                    String.join(",", sourcesReplacing(random, many)), "--out", out.toString(), "--request-timeout",
                    "1000", "--connect-timeout", "1000"));
            assertThat(r.exitCode()).as("servers %s silent, %s: %s", three, seed, r).isZero();
            TestFiles.assertSameBytes(out, newest);
            assertThat(r.stdout()).contains(many.values());
        } finally {
            for (Silent s : silents) {
                s.close();
            }
        }
    }

    // ---------------------------------------------------------------- helpers

    /** Restore and status over the damaged copies: byte-exact, every damaged cell named, checkpoint 2 degraded. */
    private static void assertRestoredAndReported(Path stores, Set<String> expected, Seed seed) {
        String from = IntStream.range(0, SERVERS).mapToObj(i -> store(stores, i).toString())
                .collect(Collectors.joining(","));
        Path out = pipeline.restoredFile("damaged");
        TestFiles.createParent(out);
        CheckstripeProcess.Result r = Cli.run(List.of("restore", "--app", APP, "--from", from, "--out", out.toString(),
                "--checkpoint", "2"));
        assertThat(r.exitCode()).as("%s: %s", seed, r).isZero();
        TestFiles.assertSameBytes(out, newest);
        expected.forEach(cell -> assertThat(r.stdout()).as("restore reports %s, %s", cell, seed).containsPattern(cell));
        assertThat(r.stdout()).contains("bad cells: " + expected.size());

        CheckstripeProcess.Result status = Cli.run(List.of("status", "--app", APP, "--from", from));
        assertThat(status.exitCode()).as("status of a degraded newest checkpoint: %s", status)
                .isEqualTo(ExitCode.DEGRADED);
        expected.forEach(cell -> assertThat(status.stdout()).as("status shows %s, %s", cell, seed)
                .containsPattern("checkpoint 2: " + cell));
        assertThat(status.stdout()).containsPattern("(?m)^2\\s+DEGRADED\\s")
                .containsPattern("(?m)^1\\s+COMPLETE\\s");
    }

    /** A pattern of the line restore and status print for a bad cell ({@code BadCell.toString()}). */
    private static String bad(int server, Stores.LogRecord r, String kindPattern) {
        return Pattern.quote("server " + server + " segment " + r.key().segmentIndex() + " cell " + r.key().cellIndex()
                + ": ") + "(" + kindPattern + ")";
    }

    /** A random stripe below {@code bound} in which {@code server} holds one of the 6 data cells of RS-6-3. */
    private static int stripeWithDataCell(SplittableRandom random, Path stores, int server, int bound) {
        List<Integer> stripes = new ArrayList<>();
        for (int s = 0; s < bound; s++) {
            if (recordOf(stores, server, s).key().cellIndex() < 6) {
                stripes.add(s);
            }
        }
        return stripes.get(random.nextInt(stripes.size()));
    }

    private static Stores.LogRecord recordOf(Path stores, int server, int stripe) {
        return Stores.records(store(stores, server), APP, 2).stream().filter(r -> r.key().segmentIndex() == stripe)
                .findFirst().orElseThrow();
    }

    /** {@code counts} pairs (size, how many): distinct random combinations of servers of each size. */
    private static List<List<Integer>> sampleCombinations(SplittableRandom random, int[] counts) {
        List<List<Integer>> all = new ArrayList<>();
        for (int k = 0; k < counts.length; k += 2) {
            Set<List<Integer>> chosen = new LinkedHashSet<>();
            while (chosen.size() < counts[k + 1]) {
                chosen.add(List.copyOf(new TreeSet<>(pick(random, counts[k]))));
            }
            all.addAll(chosen);
        }
        return all;
    }

    private static List<Integer> pick(SplittableRandom random, int n) {
        List<Integer> servers = new ArrayList<>(IntStream.range(0, SERVERS).boxed().toList());
        shuffle(servers, random);
        return List.copyOf(servers.subList(0, n));
    }

    private static <T> void shuffle(List<T> list, SplittableRandom random) {
        for (int i = list.size() - 1; i > 0; i--) {
            Collections.swap(list, i, random.nextInt(i + 1));
        }
    }

    /** One source per server, in random order: lost ones as {@code kinds} says, the others as directory or HTTP. */
    private static List<String> sources(SplittableRandom random, Map<Integer, Loss> kinds) {
        Map<Integer, String> replaced = new LinkedHashMap<>();
        kinds.forEach((i, kind) -> replaced.put(i, lostSource(i, kind)));
        return sourcesReplacing(random, replaced);
    }

    private static List<String> sourcesReplacing(SplittableRandom random, Map<Integer, String> replaced) {
        List<String> sources = new ArrayList<>();
        for (int i = 0; i < SERVERS; i++) {
            String own = random.nextBoolean() ? pipeline.sinkDir(i).toString() : pipeline.sink(i).http().toString();
            sources.add(replaced.getOrDefault(i, own));
        }
        shuffle(sources, random);
        return sources;
    }

    private static String lostSource(int server, Loss kind) {
        Path lost = tmp.resolve("lost").resolve(Integer.toString(++scratchRuns));
        try {
            switch (kind) {
                case DELETED_DIRECTORY -> {
                    Path dir = Files.createDirectories(lost.resolve("deleted-" + server));
                    Files.delete(dir);
                    return dir.toString();
                }
                case UNREACHABLE_HTTP -> {
                    return "http://" + deadAddress();
                }
                case EMPTY_DIRECTORY -> {
                    return Files.createDirectories(lost.resolve("empty-" + server)).toString();
                }
                case EMPTY_STORE -> {
                    Path dir = lost.resolve("new-store-" + server);
                    CellStore.open(dir, server).close();
                    return dir.toString();
                }
                default -> throw new IllegalArgumentException(kind.toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String lostLocation(int server, Loss kind) {
        return switch (kind) {
            case UNREACHABLE_HTTP -> "http://127.0.0.1:";
            case DELETED_DIRECTORY -> "deleted-" + server;
            case EMPTY_DIRECTORY -> "empty-" + server;
            case EMPTY_STORE -> "new-store-" + server;
        };
    }

    private static String deadAddress() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return "127.0.0.1:" + s.getLocalPort();
        }
    }

    private static Path store(Path stores, int server) {
        return stores.resolve("server-" + server);
    }

    /** A copy of every server's store, to damage. */
    private static Path copyStores() throws IOException {
        Path copy = tmp.resolve("damaged-" + (++scratchRuns));
        for (int i = 0; i < SERVERS; i++) {
            Path from = pipeline.sinkDir(i);
            Path to = store(copy, i);
            try (Stream<Path> walk = Files.walk(from)) {
                for (Path p : walk.toList()) {
                    Path dest = to.resolve(from.relativize(p).toString());
                    if (Files.isDirectory(p)) {
                        Files.createDirectories(dest);
                    } else if (!p.getFileName().toString().equals(".lock")) {
                        Files.copy(p, dest);
                    }
                }
            }
        }
        return copy;
    }

    private static void flipBits(Path store, long position, SplittableRandom random) throws IOException {
        Path file = Stores.cellLog(store, APP, 2);
        byte[] b = read(file, position, 1);
        b[0] ^= (byte) (1 << random.nextInt(8));
        write(file, position, b);
    }

    private static void truncate(Path file, long length) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(length);
        }
    }

    private static void zero(Path file, long position, int length) throws IOException {
        write(file, position, new byte[length]);
    }

    private static byte[] read(Path file, long position, int length) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
            byte[] b = new byte[length];
            raf.seek(position);
            raf.readFully(b);
            return b;
        }
    }

    private static void write(Path file, long position, byte[] bytes) throws IOException {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.seek(position);
            raf.write(bytes);
        }
    }

    /** A server that accepts every connection and never sends a byte: a hung sink. */
    private static final class Silent implements AutoCloseable {
        private final ServerSocket server;
        private final List<Socket> held = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        Silent() throws IOException {
            server = new ServerSocket(0);
            acceptor = new Thread(() -> {
                while (!server.isClosed()) {
                    try {
                        held.add(server.accept());
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "silent-source");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        String url() {
            return "http://127.0.0.1:" + server.getLocalPort();
        }

        int accepted() {
            return held.size();
        }

        @Override
        public void close() throws IOException {
            server.close();
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
