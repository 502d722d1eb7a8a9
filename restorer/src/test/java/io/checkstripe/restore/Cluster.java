package io.checkstripe.restore;

import io.checkstripe.codec.CellLayout;
import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.codec.StripeWorkspace;
import io.checkstripe.core.CheckpointContent;
import io.checkstripe.sink.SinkHttpSecurity;
import io.checkstripe.sink.SinkHttpServer;
import io.checkstripe.store.CellHeader;
import io.checkstripe.store.CellStore;
import io.checkstripe.store.StoreLayout;
import io.checkstripe.store.StoredCell;
import io.checkstripe.store.StoredManifest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Test fixture: N backup servers as store directories under one root, filled the way the striper and the
 * sinks fill them (StripeWorkspace cells, CellStore appends, a manifest per server, a durable commit), with
 * checkpoint bytes generated from a seed so a test can regenerate what it expects. Not thread-safe.
 */
public final class Cluster implements AutoCloseable {

    /** Changes the bytes a server stores for one cell (the CRC is computed over what is stored). */
    @FunctionalInterface
    interface Tamper {
        byte[] apply(int server, int segment, int cell, byte[] data);
    }

    /** What was written: the manifest and the SHA-256 of the checkpoint's bytes. */
    public record Written(StoredManifest manifest, byte[] sha256) {
    }

    final Path root;
    final String policy;
    final int servers;
    private final List<SinkHttpServer> httpServers = new ArrayList<>();
    private final List<CellStore> servedStores = new ArrayList<>();
    private final Map<Integer, CellStore> writable = new HashMap<>();
    private final Map<Integer, SinkHttpServer> writableHttp = new HashMap<>();

    public Cluster(Path root, String policy, int servers) {
        this.root = root;
        this.policy = RedundancyPolicy.parse(policy).name();
        this.servers = servers;
    }

    public Path dir(int server) {
        return root.resolve("server-" + server);
    }

    /** The data directories of every server, as source locations. */
    List<String> locations() {
        return IntStream.range(0, servers).mapToObj(i -> dir(i).toString()).toList();
    }

    /** Sources for every server's directory. */
    List<CellSource> sources() {
        return sources(locations());
    }

    static List<CellSource> sources(List<String> locations) {
        return sources(locations, RestoreOptions.defaults());
    }

    static List<CellSource> sources(List<String> locations, RestoreOptions options) {
        return locations.stream().map(l -> CellSource.open(l, options)).toList();
    }

    /** Sources for every server's directory except {@code lost}. */
    List<CellSource> sourcesWithout(Set<Integer> lost) {
        return sources(IntStream.range(0, servers).filter(i -> !lost.contains(i)).mapToObj(i -> dir(i).toString())
                .toList());
    }

    public Written write(String app, long cp, long size, int segmentSize, long seed) throws IOException {
        return write(app, cp, size, segmentSize, seed, null, null, Map.of());
    }

    /**
     * Writes a checkpoint as the delta of a chunked one reading from {@code bases}, its content described by
     * made-up figures: {@code 4 * size} content bytes of which {@code size} are new.
     */
    public Written writeIncremental(String app, long cp, long size, int segmentSize, long seed, List<Long> bases)
            throws IOException {
        return write(app, cp, size, segmentSize, seed, null, null, new CheckpointContent(CheckpointContent.CHUNKED_V1,
                bases, 4 * size, "0f".repeat(32), size, CheckpointContent.Type.FILE).toMetadata());
    }

    Written write(String app, long cp, long size, int segmentSize, long seed, Tamper tamper, byte[] manifestSha)
            throws IOException {
        return write(app, cp, size, segmentSize, seed, tamper, manifestSha, Map.of());
    }

    /**
     * Writes a checkpoint of {@code size} seeded bytes into every server's store.
     *
     * @param tamper      changes what a server stores for a cell, or null
     * @param manifestSha the SHA-256 the manifest claims instead of the real one, or null
     * @param metadata    the manifest's metadata besides the seed
     */
    private Written write(String app, long cp, long size, int segmentSize, long seed, Tamper tamper,
            byte[] manifestSha, Map<String, String> metadata) throws IOException {
        RedundancyPolicy p = RedundancyPolicy.parse(policy);
        int segmentCount = (int) ((size + segmentSize - 1) / segmentSize);
        MessageDigest sha = CheckpointRebuild.sha256();
        StripeWorkspace ws = new StripeWorkspace(p, segmentSize);
        List<CellStore> stores = new ArrayList<>();
        try {
            for (int i = 0; i < servers; i++) {
                stores.add(CellStore.open(dir(i), i));
            }
            try (InputStream data = data(size, seed)) {
                byte[] segment = new byte[segmentSize];
                for (int s = 0; s < segmentCount; s++) {
                    int length = (int) Math.min(segmentSize, size - (long) s * segmentSize);
                    data.readNBytes(segment, 0, length);
                    sha.update(segment, 0, length);
                    ws.encode(segment, 0, length);
                    for (int j = 0; j < ws.cellCount(); j++) {
                        int server = CellLayout.serverOf(s, j, servers);
                        byte[] cell = Arrays.copyOf(ws.cell(j), ws.cellLength());
                        int crc = ws.crc(j);
                        if (tamper != null) {
                            byte[] changed = tamper.apply(server, s, j, cell);
                            if (changed != cell) {
                                cell = changed;
                                crc = io.checkstripe.codec.Crc32c.of(cell, 0, cell.length);
                            }
                        }
                        stores.get(server).append(new StoredCell(new CellHeader(app, cp, s, (long) s * segmentSize,
                                length, j, policy, servers, cell.length, crc), cell));
                    }
                }
            }
            byte[] digest = sha.digest();
            Map<String, String> all = new HashMap<>(metadata);
            all.put("seed", Long.toString(seed));
            StoredManifest m = new StoredManifest(app, cp, policy, servers, segmentCount, segmentSize, size,
                    manifestSha != null ? manifestSha : digest, Instant.ofEpochSecond(1_700_000_000L + cp), all);
            for (CellStore store : stores) {
                store.putManifest(m);
                store.commit(Map.of());
            }
            return new Written(m, digest);
        } finally {
            for (CellStore store : stores) {
                store.close();
            }
        }
    }

    /** The checkpoint bytes for {@code seed}, generated segment-independently so any size streams. */
    static InputStream data(long size, long seed) {
        return new InputStream() {
            private final Random random = new Random(seed);
            private final byte[] block = new byte[8192];
            private int blockPos = block.length;
            private long left = size;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (left == 0) {
                    return -1;
                }
                if (blockPos == block.length) {
                    random.nextBytes(block);
                    blockPos = 0;
                }
                int n = (int) Math.min(Math.min(len, block.length - blockPos), left);
                System.arraycopy(block, blockPos, b, off, n);
                blockPos += n;
                left -= n;
                return n;
            }
        };
    }

    public static byte[] bytes(long size, long seed) {
        try (InputStream in = data(size, seed)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Serves server {@code server}'s store through the sink's real HTTP API; closed with the cluster. */
    public String serve(int server) throws IOException {
        CellStore store = CellStore.openReadOnly(dir(server));
        servedStores.add(store);
        SinkHttpServer http = SinkHttpServer.serve(store, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 2);
        httpServers.add(http);
        return http.uri().toString();
    }

    /** Serves server {@code server}'s store through the sink's real HTTP API protected by {@code security}. */
    public String serve(int server, SinkHttpSecurity security) throws IOException {
        CellStore store = CellStore.openReadOnly(dir(server));
        servedStores.add(store);
        SinkHttpServer http = SinkHttpServer.serve(store, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 2,
                false, security);
        httpServers.add(http);
        return http.uri().toString();
    }

    /**
     * Serves server {@code server}'s store, opened for writing, through the sink's real HTTP API taking repairs,
     * as a sink started with {@code --accept-repairs} does; closed with the cluster.
     */
    public String serveWritable(int server) throws IOException {
        CellStore store = CellStore.open(dir(server), server);
        servedStores.add(store);
        SinkHttpServer http = SinkHttpServer.serve(store, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 2,
                true);
        httpServers.add(http);
        writable.put(server, store);
        writableHttp.put(server, http);
        return http.uri().toString();
    }

    /** The store {@link #serveWritable} opened for server {@code server}. */
    public CellStore servedStore(int server) {
        return writable.get(server);
    }

    /** Stops serving server {@code server} ({@link #serveWritable}): its URL then refuses connections. */
    public void stopServing(int server) {
        SinkHttpServer http = writableHttp.remove(server);
        httpServers.remove(http);
        http.close();
    }

    /** The paths of the store of one server. */
    public StoreLayout layout(int server) {
        return StoreLayout.of(dir(server));
    }

    /** The log of one checkpoint on one server. */
    public Path log(int server, String app, long cp) {
        return layout(server).cellLog(app, cp);
    }

    public void deleteServer(int server) throws IOException {
        try (var files = Files.walk(dir(server))) {
            for (Path p : files.sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList()) {
                Files.delete(p);
            }
        }
    }

    @Override
    public void close() throws IOException {
        httpServers.forEach(SinkHttpServer::close);
        for (CellStore s : servedStores) {
            s.close();
        }
    }
}
