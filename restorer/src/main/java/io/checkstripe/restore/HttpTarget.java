package io.checkstripe.restore;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.checkstripe.store.CellKey;
import io.checkstripe.store.CellReadResult;
import io.checkstripe.store.CellRecordFormat;
import io.checkstripe.store.ManifestFormat;
import io.checkstripe.store.StoredCell;
import io.checkstripe.store.StoredManifest;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongPredicate;

/**
 * A running backup server as a {@link RepairTarget}, written through its HTTP API: what the healer rebuilds
 * cells onto while the server's sink keeps consuming. The cells of a checkpoint are spooled to a local file as
 * they are rebuilt and sent only after the checkpoint verified, so a server never receives a cell of a checkpoint
 * that failed; the server appends each one it lacks or holds corrupt, fsyncs, and only then answers.
 * <pre>
 * POST /v1/apps/{app}/checkpoints/{cp}/cells      body: CellRecordFormat records
 *                                                 answer {"appended": N, "bytes": B, "alreadyHeld": M}
 * PUT  /v1/apps/{app}/checkpoints/{cp}/manifest   body: the ManifestFormat bytes; answer {"stored": true|false}
 * </pre>
 * A cell is lacking when the server does not list it, and corrupt when the server's scrub ({@code GET /v1/scrub})
 * reported it and a read of it now still fails its CRC (a copy written since supersedes it); a manifest whose file
 * the scrub found corrupt is offered again on its own ({@link #putManifest}). Thread-safe for
 * reads; one writer per checkpoint at a time.
 */
public final class HttpTarget implements RepairTarget {

    /** The names of spool files, as a glob. */
    public static final String SPOOL_GLOB = "heal-*.cells";

    private final HttpSource server;
    private final Path spoolDir;
    private final Duration writeTimeout;

    /**
     * @param server       the server's API
     * @param spoolDir     where a checkpoint's rebuilt cells wait until it verified (this server's share of one
     *                     checkpoint at most)
     * @param writeTimeout how long one write (its transfer and the server's fsync) may take
     */
    public HttpTarget(HttpSource server, Path spoolDir, Duration writeTimeout) {
        this.server = Objects.requireNonNull(server, "server");
        this.spoolDir = Objects.requireNonNull(spoolDir, "spoolDir");
        this.writeTimeout = Objects.requireNonNull(writeTimeout, "writeTimeout");
    }

    @Override
    public int serverIndex() throws IOException {
        return server.serverIndex();
    }

    @Override
    public String location() {
        return server.location();
    }

    /** The same server as a source to read from, as when another server is repaired. */
    public HttpSource source() {
        return server;
    }

    /** The application ids the server holds checkpoints of. */
    public List<String> apps() throws IOException {
        JsonNode node = server.json("/v1/apps");
        if (!node.isArray()) {
            throw new IOException(location() + "/v1/apps is not a JSON array: " + node);
        }
        List<String> apps = new ArrayList<>();
        node.forEach(a -> apps.add(a.asText()));
        return apps;
    }

    /**
     * Why the server should not be repaired now, or empty when it may: it must take repairs
     * ({@code /v1/server} says {@code "acceptsRepairs": true}), and its {@code /health} answers 200 only while its
     * sink runs and keeps up with its partition. A sink that is behind would receive the same cells from Kafka a
     * moment later, and one that is stalled (its disk full) could not take them.
     */
    public Optional<String> notReady() throws IOException {
        if (!server.json("/v1/server").path("acceptsRepairs").asBoolean(false)) {
            return Optional.of("does not accept repairs: start its sink with --accept-repairs");
        }
        HttpSource.StatusAndBody health = server.probe("/health");
        if (health.status() == 200) {
            return Optional.empty();
        }
        JsonNode body = health.body();
        String state = body == null ? "" : body.path("state").asText("");
        String reason = body == null ? "" : body.path("reason").asText("");
        return Optional.of("health answers HTTP " + health.status() + (state.isEmpty() ? "" : " " + state)
                + (reason.isEmpty() ? "" : ": " + reason));
    }

    /**
     * The checkpoints of {@code app} this server may need cells of: those it does not list as complete with their
     * manifest, and those with a cell its scrub found corrupt that still is. A checkpoint it does not list at all
     * is needed too: the repair finds out from the other servers whether it should hold any of it.
     */
    public LongPredicate needsRepair(String app) throws IOException {
        Set<Long> complete = completeCheckpoints(app);
        Set<Long> rotten = corruptCells(app).keySet();
        return cp -> !complete.contains(cp) || rotten.contains(cp);
    }

    /**
     * The checkpoints of {@code app} the server lists as complete with their manifest: those a repair of another
     * server can be sure were fully written, unlike one still arriving from Kafka.
     */
    public Set<Long> completeCheckpoints(String app) throws IOException {
        Set<Long> complete = new TreeSet<>();
        for (JsonNode entry : server.listing(app)) {
            if (entry.path("complete").asBoolean(false) && entry.path("hasManifest").asBoolean(false)) {
                complete.add(entry.path("checkpointId").asLong());
            }
        }
        return complete;
    }

    @Override
    public boolean holdsComplete(StoredManifest manifest) throws IOException {
        return !needsRepair(manifest.appId()).test(manifest.checkpointId())
                && server.manifest(manifest.appId(), manifest.checkpointId()).filter(manifest::equals).isPresent();
    }

    @Override
    public Writer begin(StoredManifest manifest) throws IOException {
        String app = manifest.appId();
        long cp = manifest.checkpointId();
        Set<CellKey> held = new HashSet<>(server.cellKeys(manifest));
        held.removeAll(corruptCells(app).getOrDefault(cp, Set.of()));
        Files.createDirectories(spoolDir);
        Path spool = Files.createTempFile(spoolDir, "heal-" + app + "-" + cp + "-", ".cells");
        OutputStream out = new BufferedOutputStream(Files.newOutputStream(spool), 64 * 1024);
        String path = "/v1/apps/" + app + "/checkpoints/" + cp;
        return new Writer() {
            private long spooled;

            @Override
            public void offer(StoredCell cell) throws IOException {
                if (!held.contains(cell.header().key())) {
                    CellRecordFormat.write(cell, out);
                    spooled++;
                }
            }

            @Override
            public Written commit() throws IOException {
                out.close();
                Written written = new Written(0, 0);
                if (spooled > 0) {
                    JsonNode answer = server.send("POST", path + "/cells", HttpRequest.BodyPublishers.ofFile(spool),
                            writeTimeout);
                    written = new Written(answer.path("appended").asLong(), answer.path("bytes").asLong());
                }
                putManifest(manifest);
                return written;
            }

            @Override
            public void abort() throws IOException {
                out.close(); // nothing was sent
            }

            @Override
            public void close() throws IOException {
                out.close();
                Files.deleteIfExists(spool);
            }
        };
    }

    /**
     * The checkpoints of {@code app} whose manifest file the server's last scrub found corrupt. The server
     * answers from the copy it read before the rot, so only a rewrite ({@link #putManifest}) tells whether the
     * file still is: a finding that is stale costs one small request.
     */
    public Set<Long> corruptManifests(String app) throws IOException {
        Set<Long> corrupt = new TreeSet<>();
        for (JsonNode finding : scrubFindings()) {
            if (finding.path("kind").asText().equals("corrupt-manifest") && finding.path("app").asText().equals(app)) {
                corrupt.add(finding.path("checkpointId").asLong());
            }
        }
        return corrupt;
    }

    /**
     * Offers the server a manifest; it stores it (durably) when it lacks it or its file is missing or corrupt.
     *
     * @return whether the server stored it
     */
    public boolean putManifest(StoredManifest manifest) throws IOException {
        return server.send("PUT", "/v1/apps/" + manifest.appId() + "/checkpoints/" + manifest.checkpointId()
                + "/manifest", HttpRequest.BodyPublishers.ofByteArray(ManifestFormat.encode(manifest)), writeTimeout)
                .path("stored").asBoolean();
    }

    /** The findings of the server's last scrub pass; none when it does not scrub. */
    private JsonNode scrubFindings() throws IOException {
        HttpSource.StatusAndBody scrub = server.probe("/v1/scrub");
        if (scrub.status() != 200 || scrub.body() == null) {
            return JsonNodeFactory.instance.arrayNode();
        }
        return scrub.body().path("lastPass").path("findings");
    }

    /** Cells of {@code app} the server's last scrub found corrupt and that still fail their CRC, by checkpoint. */
    private Map<Long, Set<CellKey>> corruptCells(String app) throws IOException {
        Map<Long, Set<CellKey>> corrupt = new TreeMap<>();
        for (JsonNode finding : scrubFindings()) {
            if (!finding.path("kind").asText().equals("corrupt-cell") || !finding.path("app").asText().equals(app)) {
                continue;
            }
            long cp = finding.path("checkpointId").asLong();
            int segment = finding.path("segment").asInt();
            int cell = finding.path("cell").asInt();
            Optional<CellReadResult> now = server.cell(app, cp, segment, cell);
            if (now.isPresent() && !now.get().intact()) {
                corrupt.computeIfAbsent(cp, k -> new HashSet<>()).add(new CellKey(segment, cell));
            }
        }
        return corrupt;
    }

    @Override
    public String toString() {
        return "backup server at " + location();
    }
}
