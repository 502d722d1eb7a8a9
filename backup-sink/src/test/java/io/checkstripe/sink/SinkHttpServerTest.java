package io.checkstripe.sink;

import io.checkstripe.metrics.Health;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.checkstripe.store.CellKey;
import io.checkstripe.store.CellReadResult;
import io.checkstripe.store.CellRecordReader;
import io.checkstripe.store.CellStore;
import io.checkstripe.store.ManifestFormat;
import io.checkstripe.store.StoredCell;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every endpoint of the HTTP API against a real store and a real server on an ephemeral port. */
class SinkHttpServerTest {

    private static final int SERVER = 1;
    private static final int SERVERS = 3;
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dataDir;

    private CellStore store;
    private SinkHttpServer server;
    private HttpClient client;
    private TestCheckpoints.Striped complete;
    private TestCheckpoints.Striped partial;

    @BeforeEach
    void fill() throws IOException {
        store = CellStore.open(dataDir, SERVER);
        // ledger/5: 12 segments of 3000 bytes, every cell of server 1 and the manifest.
        complete = TestCheckpoints.stripe("ledger", 5, 36_000, 3000, "XOR-2-1", SERVERS, 5);
        TestCheckpoints.fill(store, complete, 0, Integer.MAX_VALUE, true);
        // ledger/6: the cells of segments 0..3 only, no manifest yet.
        partial = TestCheckpoints.stripe("ledger", 6, 36_000, 3000, "XOR-2-1", SERVERS, 6);
        TestCheckpoints.fill(store, partial, 0, 4, false);
        TestCheckpoints.fill(store, TestCheckpoints.stripe("orders", 1, 1000, 1000, "XOR-2-1", SERVERS, 1), 0, 1, true);
        server = SinkHttpServer.serve(store, new InetSocketAddress("127.0.0.1", 0), 2);
        client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterEach
    void close() throws IOException {
        if (server != null) {
            server.close();
        }
        store.close();
    }

    @Test
    void serverReportsIndexFormatAndState() throws Exception {
        HttpResponse<String> r = get("/v1/server");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("serverIndex").asInt()).isEqualTo(SERVER);
        assertThat(body.get("formatVersion").asInt()).isEqualTo(1);
        assertThat(body.get("state").asText()).isEqualTo("RUNNING");
        assertThat(body.has("reason")).isFalse();
        assertThat(server.uri()).isEqualTo(URI.create("http://127.0.0.1:" + server.port()));
    }

    @Test
    void appsAreListedSorted() throws Exception {
        HttpResponse<String> r = get("/v1/apps");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(JSON.readValue(r.body(), String[].class)).containsExactly("ledger", "orders");
    }

    @Test
    void checkpointsSayWhatIsCompleteAndWhatIsExpected() throws Exception {
        HttpResponse<String> r = get("/v1/apps/ledger/checkpoints");
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode list = JSON.readTree(r.body());
        assertThat(list).hasSize(2);
        int expected = complete.cellsFor(SERVER).size();
        assertThat(expected).as("XOR-2-1 over 3 servers puts one cell of each of the 12 stripes on every server")
                .isEqualTo(12);
        JsonNode first = list.get(0);
        assertThat(first.get("checkpointId").asLong()).isEqualTo(5);
        assertThat(first.get("hasManifest").asBoolean()).isTrue();
        assertThat(first.get("complete").asBoolean()).isTrue();
        assertThat(first.get("cells").asInt()).isEqualTo(expected);
        assertThat(first.get("expectedCells").asInt()).isEqualTo(expected);
        JsonNode second = list.get(1);
        assertThat(second.get("checkpointId").asLong()).isEqualTo(6);
        assertThat(second.get("hasManifest").asBoolean()).isFalse();
        assertThat(second.get("complete").asBoolean()).isFalse();
        assertThat(second.get("cells").asInt()).isEqualTo(partial.cellsFor(SERVER).headMap(new CellKey(4, 0)).size());
        assertThat(second.get("expectedCells").isNull()).isTrue();
    }

    @Test
    void manifestIsServedInTheStoreFormat() throws Exception {
        HttpResponse<byte[]> r = getBytes("/v1/apps/ledger/checkpoints/5/manifest");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(ManifestFormat.decode(r.body())).isEqualTo(complete.storedManifest(SERVER));
        assertThat(getBytes("/v1/apps/ledger/checkpoints/6/manifest").statusCode()).isEqualTo(404);
        assertThat(getBytes("/v1/apps/ledger/checkpoints/7/manifest").statusCode()).isEqualTo(404);
    }

    @Test
    void cellsOfARangeAreStreamedInSegmentOrder() throws Exception {
        TreeMap<CellKey, StoredCell> all = complete.cellsFor(SERVER);
        HttpResponse<InputStream> r = getStream("/v1/apps/ledger/checkpoints/5/cells?from=3&to=9");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Transfer-Encoding")).hasValue("chunked");
        List<StoredCell> got = readCells(r.body());
        assertThat(got).containsExactlyElementsOf(all.subMap(new CellKey(3, 0), new CellKey(9, 0)).values());
        assertThat(got).as("one cell of each of the 6 stripes").hasSize(6);
    }

    @Test
    void cellsDefaultToTheWholeCheckpointAndOnlyThosePresent() throws Exception {
        List<StoredCell> whole = readCells(getStream("/v1/apps/ledger/checkpoints/5/cells").body());
        assertThat(whole).containsExactlyElementsOf(complete.cellsFor(SERVER).values());
        List<StoredCell> present = readCells(getStream("/v1/apps/ledger/checkpoints/6/cells?from=2").body());
        assertThat(present).containsExactlyElementsOf(
                partial.cellsFor(SERVER).subMap(new CellKey(2, 0), new CellKey(4, 0)).values());
        assertThat(readCells(getStream("/v1/apps/ledger/checkpoints/5/cells?from=4&to=4").body())).isEmpty();
    }

    @Test
    void oneCellIsServedAsOneRecord() throws Exception {
        StoredCell expected = complete.cellsFor(SERVER).firstEntry().getValue();
        CellKey key = expected.header().key();
        HttpResponse<InputStream> r = getStream("/v1/apps/ledger/checkpoints/5/cells/" + key.segmentIndex() + "/"
                + key.cellIndex());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(readCells(r.body())).containsExactly(expected);
        int otherCell = (key.cellIndex() + 1) % 3;
        assertThat(getBytes("/v1/apps/ledger/checkpoints/5/cells/" + key.segmentIndex() + "/" + otherCell)
                .statusCode()).as("a cell of that stripe stored on another server").isEqualTo(404);
        assertThat(getBytes("/v1/apps/ledger/checkpoints/6/cells/11/0").statusCode()).isEqualTo(404);
    }

    @Test
    void unknownThingsAre404() throws Exception {
        for (String path : List.of("/", "/v1", "/v2/server", "/v1/servers", "/v1/apps/nobody/checkpoints",
                "/v1/apps/ledger/checkpoints/99/cells", "/v1/apps/ledger/checkpoints/5/other",
                "/v1/apps/ledger/checkpoints/5/cells/1", "/v1/apps/ledger/checkpoints/5/cells/1/2/3", "/v1/apps/")) {
            HttpResponse<String> r = get(path);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(JSON.readTree(r.body()).get("error").asText()).as(path).isNotBlank();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/v1/apps/..%2F..%2Fetc/checkpoints", "/v1/apps/../checkpoints", "/v1/apps/a$b/checkpoints",
            "/v1/apps/ledger/checkpoints/-1/manifest", "/v1/apps/ledger/checkpoints/x/manifest",
            "/v1/apps/ledger/checkpoints/99999999999999999999/manifest", "/v1/apps/ledger/checkpoints/05/manifest",
            "/v1/apps/ledger/checkpoints/5/cells?from=9&to=3", "/v1/apps/ledger/checkpoints/5/cells?from=abc",
            "/v1/apps/ledger/checkpoints/5/cells?to=-1", "/v1/apps/ledger/checkpoints/5/cells?from=1&from=2",
            "/v1/apps/ledger/checkpoints/5/cells/x/0", "/v1/apps/ledger/checkpoints/5/cells/0/3000000000"})
    void badIdsAndParametersAre400(String path) throws Exception {
        HttpResponse<String> r = get(path);
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(JSON.readTree(r.body()).get("error").asText()).isNotBlank();
    }

    @Test
    void aTooLongAppIdIs400() throws Exception {
        HttpResponse<String> r = get("/v1/apps/" + "a".repeat(129) + "/checkpoints");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(r.body()).get("error").asText()).contains("invalid application id");
    }

    @ParameterizedTest
    @ValueSource(strings = {"POST", "DELETE", "HEAD"})
    void otherMethodsAre405(String method) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(at("/v1/apps/ledger/checkpoints/5/manifest"))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build();
        HttpResponse<String> r = client.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(405);
        assertThat(r.headers().firstValue("Allow")).hasValue("GET");
        assertThat(store.manifest("ledger", 5)).isPresent();
    }

    @Test
    void aBigCheckpointStreamsWhole() throws Exception {
        // 40 segments of 96 KiB under XOR-2-1: 40 cells of 48 KiB on each server, about 2 MiB in one response.
        TestCheckpoints.Striped big = TestCheckpoints.stripe("big", 1, 40 * 96 * 1024, 96 * 1024, "XOR-2-1", SERVERS, 9);
        TestCheckpoints.fill(store, big, 0, Integer.MAX_VALUE, true);
        List<StoredCell> got = readCells(getStream("/v1/apps/big/checkpoints/1/cells").body());
        assertThat(got).containsExactlyElementsOf(big.cellsFor(SERVER).values());
        assertThat(got.stream().mapToLong(c -> c.data().length).sum()).isGreaterThan(1_900_000);
    }

    @Test
    void withoutAStoreTheStateAndReasonStillAnswerAndReadsAre503() throws Exception {
        SinkHealth stalled = SinkHealth.stalled("the disk holding data directory /x is full");
        try (SinkHttpServer bare = SinkHttpServer.start(new InetSocketAddress("127.0.0.1", 0), 1,
                new SinkHttpServer.Source() {
                    @Override
                    public int serverIndex() {
                        return 4;
                    }

                    @Override
                    public CellStore store() {
                        return null;
                    }

                    @Override
                    public SinkHealth health() {
                        return stalled;
                    }

                    @Override
                    public SinkStats stats() {
                        return new SinkStats(10, 1000, 1, 2, 1, 0, 42);
                    }

                    @Override
                    public PrometheusMeterRegistry registry() {
                        return null;
                    }

                    @Override
                    public Health opsHealth() {
                        return Health.unhealthy("STALLED", stalled.reason(), Map.of("serverIndex", 4));
                    }

                    @Override
                    public ScrubReport scrub() {
                        return null;
                    }

                    @Override
                    public boolean acceptsRepairs() {
                        return true;
                    }

                    @Override
                    public CellStore writableStore() {
                        return null;
                    }

                    @Override
                    public void repaired(String app, long cells, long bytes) {
                        throw new AssertionError("no store, no repair");
                    }
                }, SinkHttpSecurity.none(), System::nanoTime)) {
            HttpResponse<String> health = send(bare.uri().resolve("/health"));
            assertThat(health.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(health.body()).get("reason").asText()).isEqualTo(stalled.reason());
            assertThat(send(bare.uri().resolve("/metrics")).statusCode()).as("no meters, no /metrics").isEqualTo(404);
            HttpResponse<String> status = send(bare.uri().resolve("/v1/server"));
            JsonNode body = JSON.readTree(status.body());
            assertThat(body.get("state").asText()).isEqualTo("STALLED");
            assertThat(body.get("reason").asText()).isEqualTo(stalled.reason());
            assertThat(body.get("serverIndex").asInt()).isEqualTo(4);
            assertThat(body.get("committedOffset").asLong()).isEqualTo(42);
            assertThat(body.get("deadLetters").asLong()).isEqualTo(2);
            HttpResponse<String> apps = send(bare.uri().resolve("/v1/apps"));
            assertThat(apps.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(apps.body()).get("error").asText()).contains("is full");
            HttpResponse<String> repair = client.send(HttpRequest.newBuilder(bare.uri().resolve(
                    "/v1/apps/ledger/checkpoints/5/manifest")).timeout(Duration.ofSeconds(10))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[8])).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(repair.statusCode()).as("a repair without a writable store").isEqualTo(503);
        }
    }

    @Test
    void aReadOnlyStoreCanBeServed() throws Exception {
        server.close();
        server = null;
        try (CellStore readOnly = CellStore.openReadOnly(dataDir);
                SinkHttpServer api = SinkHttpServer.serve(readOnly, new InetSocketAddress("127.0.0.1", 0), 1)) {
            HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(api.uri().resolve(
                    "/v1/apps/ledger/checkpoints/5/cells")).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertThat(readCells(r.body())).containsExactlyElementsOf(complete.cellsFor(SERVER).values());
        }
    }

    private static List<StoredCell> readCells(InputStream in) throws IOException {
        List<StoredCell> cells = new ArrayList<>();
        try (CellRecordReader reader = new CellRecordReader(in)) {
            for (Optional<CellReadResult> c = reader.nextCell(); c.isPresent(); c = reader.nextCell()) {
                cells.add(c.get().verified());
            }
        }
        return cells;
    }

    /** A path as given: URI.resolve would normalise away the ".." segments the tests send. */
    private URI at(String path) {
        return URI.create(server.uri() + path);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send(at(path));
    }

    private HttpResponse<String> send(URI uri) throws Exception {
        return client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<byte[]> getBytes(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(at(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpResponse<InputStream> getStream(String path) throws Exception {
        return client.send(HttpRequest.newBuilder(at(path)).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
    }
}
