package io.checkstripe.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.checkstripe.crypto.AppKeyDirectory;
import io.checkstripe.crypto.CommitSignature;
import io.checkstripe.crypto.KeyFile;
import io.checkstripe.store.CellKey;
import io.checkstripe.store.CellRecordFormat;
import io.checkstripe.store.CellStore;
import io.checkstripe.store.ManifestFormat;
import io.checkstripe.store.StoreLayout;
import io.checkstripe.store.StoredCell;
import io.checkstripe.store.StoredManifest;
import io.checkstripe.store.TestCells;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The repair endpoints (POST .../cells, PUT .../manifest) against a real store and a real HTTP server. */
class SinkHttpRepairTest {

    private static final int SERVER = 1;
    private static final int SERVERS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final TestCheckpoints.Striped ledger = TestCheckpoints.stripe("ledger", 5, 36_000, 3000, "XOR-2-1",
            SERVERS, 5);
    private CellStore store;
    private SinkHttpServer server;

    private void serve(boolean acceptRepairs) throws IOException {
        serve(acceptRepairs, AppKeyDirectory.none());
    }

    private void serve(boolean acceptRepairs, AppKeyDirectory appKeys) throws IOException {
        store = CellStore.open(dataDir, SERVER);
        server = SinkHttpServer.serve(store, new InetSocketAddress("127.0.0.1", 0), 2, acceptRepairs,
                SinkHttpSecurity.none(), System::nanoTime, appKeys);
    }

    @AfterEach
    void close() throws IOException {
        if (server != null) {
            server.close();
        }
        if (store != null) {
            store.close();
        }
    }

    @Test
    void writesAreRefusedUnlessTheSinkAcceptsRepairs() throws Exception {
        serve(false);
        HttpResponse<String> cells = post("/v1/apps/ledger/checkpoints/5/cells", records(cellsOf(SERVER).values()));
        HttpResponse<String> manifest = put("/v1/apps/ledger/checkpoints/5/manifest", manifestBytes());
        assertThat(cells.statusCode()).isEqualTo(403);
        assertThat(manifest.statusCode()).isEqualTo(403);
        assertThat(error(cells)).contains("--accept-repairs");
        assertThat(store.checkpoints("ledger")).isEmpty();
    }

    @Test
    void aRepairAppendsWhatTheStoreLacksDurablyAndNothingTwice() throws Exception {
        serve(true);
        TreeMap<CellKey, StoredCell> cells = cellsOf(SERVER);
        StoredCell first = cells.firstEntry().getValue();
        store.append(first);
        store.commit(Map.of());

        JsonNode answer = JSON.readTree(ok(post("/v1/apps/ledger/checkpoints/5/cells", records(cells.values()))));
        assertThat(answer.get("appended").asLong()).isEqualTo(cells.size() - 1);
        assertThat(answer.get("alreadyHeld").asLong()).isEqualTo(1);
        assertThat(answer.get("bytes").asLong()).isEqualTo(cells.values().stream().skip(1)
                .mapToLong(c -> c.data().length).sum());
        assertThat(JSON.readTree(ok(put("/v1/apps/ledger/checkpoints/5/manifest", manifestBytes())))
                .get("stored").asBoolean()).isTrue();

        JsonNode again = JSON.readTree(ok(post("/v1/apps/ledger/checkpoints/5/cells", records(cells.values()))));
        assertThat(again.get("appended").asLong()).isZero();
        assertThat(again.get("alreadyHeld").asLong()).isEqualTo(cells.size());
        assertThat(JSON.readTree(ok(put("/v1/apps/ledger/checkpoints/5/manifest", manifestBytes())))
                .get("stored").asBoolean()).isFalse();

        // What the answers promised is on disk: a store opened afresh (after the lock is released) holds it all.
        server.close();
        server = null;
        store.close();
        store = CellStore.openReadOnly(dataDir);
        assertThat(store.isComplete("ledger", 5)).isTrue();
        assertThat(TestCells.recordCounts(StoreLayout.of(dataDir).cellLog("ledger", 5)).values()).containsOnly(1);
    }

    @Test
    void aCellThatDoesNotBelongIsRefusedAndWhatCameBeforeItIsKept() throws Exception {
        serve(true);
        StoredCell mine = cellsOf(SERVER).firstEntry().getValue();
        StoredCell foreign = cellsOf(SERVER + 1).firstEntry().getValue();
        HttpResponse<String> r = post("/v1/apps/ledger/checkpoints/5/cells", records(List.of(mine, foreign)));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(error(r)).contains("belongs on server " + (SERVER + 1));
        assertThat(store.cells("ledger", 5)).containsExactly(mine.header().key());

        HttpResponse<String> wrongCheckpoint = post("/v1/apps/ledger/checkpoints/6/cells", records(List.of(mine)));
        assertThat(wrongCheckpoint.statusCode()).isEqualTo(400);
        assertThat(error(wrongCheckpoint)).contains("is not of ledger/6");
    }

    @Test
    void aCellWhoseDataFailsItsCrcIsRefused() throws Exception {
        serve(true);
        StoredCell good = cellsOf(SERVER).firstEntry().getValue();
        byte[] flipped = good.data().clone();
        flipped[7] ^= 0x10;
        HttpResponse<String> r = post("/v1/apps/ledger/checkpoints/5/cells",
                records(List.of(new StoredCell(good.header(), flipped))));
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(store.cells("ledger", 5)).isEmpty();
    }

    @Test
    void aManifestOfAnotherCheckpointOrUnreadableIsRefused() throws Exception {
        serve(true);
        assertThat(put("/v1/apps/ledger/checkpoints/6/manifest", manifestBytes()).statusCode()).isEqualTo(400);
        byte[] broken = manifestBytes();
        broken[broken.length - 1] ^= 1;
        assertThat(put("/v1/apps/ledger/checkpoints/5/manifest", broken).statusCode()).isEqualTo(400);
        assertThat(store.manifest("ledger", 5)).isEmpty();
    }


    @Test
    void aManifestOfAKeyedApplicationIsStoredOnlyWithItsSignature() throws Exception {
        KeyFile keys = KeyFile.generate();
        Path keysDir = Files.createDirectories(dataDir.resolveSibling(dataDir.getFileName() + "-keys"));
        Path keyFile = keysDir.resolve("secret").resolve("ledger.key");
        Files.createDirectories(keyFile.getParent());
        keys.write(keyFile, false);
        Files.copy(KeyFile.publicFile(keyFile), keysDir.resolve("ledger" + AppKeyDirectory.SUFFIX));
        serve(true, AppKeyDirectory.of(keysDir));

        HttpResponse<String> unsigned = put("/v1/apps/ledger/checkpoints/5/manifest", manifestBytes());
        assertThat(unsigned.statusCode()).isEqualTo(422);
        assertThat(error(unsigned)).contains("no signature, but the application has a registered key");
        assertThat(store.manifest("ledger", 5)).isEmpty();

        StoredManifest m = ledger.storedManifest(SERVER);
        StoredManifest signed = new StoredManifest(m.appId(), m.checkpointId(), m.policy(), m.servers(),
                m.segmentCount(), m.segmentSize(), m.totalBytes(), m.sha256(), m.createdAt(),
                CommitSignature.sign(keys.newest(), m.signedFields()));
        assertThat(JSON.readTree(ok(put("/v1/apps/ledger/checkpoints/5/manifest", ManifestFormat.encode(signed))))
                .get("stored").asBoolean()).isTrue();
        assertThat(store.manifest("ledger", 5)).isPresent();
    }

    private TreeMap<CellKey, StoredCell> cellsOf(int server) {
        return ledger.cellsFor(server);
    }

    private byte[] manifestBytes() {
        return ManifestFormat.encode(ledger.storedManifest(SERVER));
    }

    private static byte[] records(Collection<StoredCell> cells) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (StoredCell c : cells) {
            CellRecordFormat.write(c, out);
        }
        return out.toByteArray();
    }

    private HttpResponse<String> post(String path, byte[] body) throws Exception {
        return send("POST", path, body);
    }

    private HttpResponse<String> put(String path, byte[] body) throws Exception {
        return send("PUT", path, body);
    }

    private HttpResponse<String> send(String method, String path, byte[] body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(server.uri() + path)).timeout(Duration.ofSeconds(10))
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body)).build();
        return client.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String ok(HttpResponse<String> r) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return r.body();
    }

    private static String error(HttpResponse<String> r) throws IOException {
        return JSON.readTree(r.body()).get("error").asText();
    }
}
