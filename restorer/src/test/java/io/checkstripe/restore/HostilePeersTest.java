package io.checkstripe.restore;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Sink endpoints that lie, in front of real sinks' APIs: one that answers with another server's cells, one that
 * answers garbage, and one that answers the cells of another application's checkpoint for this one's. Each is a
 * lost server or its cells erasures, named in the report, and the restore writes the right bytes from the others.
 */
class HostilePeersTest {

    private static final String APP = "ledger";
    private static final long SIZE = 200_000;
    private static final int SEGMENT = 20_000;

    @TempDir
    Path tmp;
    private Cluster cluster;
    private final List<HttpServer> liars = new ArrayList<>();

    @BeforeEach
    void setUp() throws IOException {
        cluster = new Cluster(tmp.resolve("servers"), "RS-3-2", 5);
        cluster.write(APP, 1, SIZE, SEGMENT, 11);
        cluster.write("other", 1, SIZE, SEGMENT, 99);
    }

    @AfterEach
    void tearDown() throws Exception {
        liars.forEach(s -> s.stop(0));
        cluster.close();
    }

    private RestoreReport restore(List<String> locations) throws IOException {
        Path out = tmp.resolve("out");
        RestoreReport report = new Restorer(HttpSourceTest.FAST).restore(APP,
                Cluster.sources(locations, HttpSourceTest.FAST), out, OptionalLong.empty());
        assertThat(Files.readAllBytes(out)).isEqualTo(Cluster.bytes(SIZE, 11));
        return report;
    }

    /** Forwards every request to {@code upstream} with its path rewritten; returns the liar's URL. */
    private String proxy(String upstream, UnaryOperator<String> rewrite) throws IOException {
        HttpClient client = HttpClient.newHttpClient();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                URI target = URI.create(upstream + rewrite.apply(exchange.getRequestURI().toString()));
                HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(target).build(),
                        HttpResponse.BodyHandlers.ofInputStream());
                exchange.sendResponseHeaders(r.statusCode(), 0);
                try (InputStream in = r.body(); OutputStream out = exchange.getResponseBody()) {
                    in.transferTo(out);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.start();
        liars.add(server);
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private String garbage() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            try (exchange) {
                byte[] noise = new byte[4096];
                new Random(exchange.getRequestURI().hashCode()).nextBytes(noise);
                exchange.sendResponseHeaders(200, noise.length);
                exchange.getResponseBody().write(noise);
            }
        });
        server.start();
        liars.add(server);
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void anEndpointServingAnotherServersCellsIsThatServerAgainAndItsOwnIsLost() throws IOException {
        List<String> locations = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            locations.add(cluster.serve(i));
        }
        locations.set(1, proxy(cluster.serve(2), p -> p));

        RestoreReport report = restore(locations);

        assertThat(report.warnings()).anySatisfy(w -> assertThat(w).contains(locations.get(1)).contains("server 2"));
        assertThat(report.serversUsed()).doesNotContain(1);
    }

    @Test
    void anEndpointAnsweringGarbageIsUnreachableNamingIt() throws IOException {
        List<String> locations = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            locations.add(i == 3 ? garbage() : cluster.serve(i));
        }

        RestoreReport report = restore(locations);

        assertThat(report.unreachableSources()).singleElement()
                .satisfies(u -> assertThat(u.location()).isEqualTo(locations.get(3)));
        assertThat(report.serversUsed()).containsExactly(0, 1, 2, 4);
    }

    @Test
    void validCellsOfAnotherApplicationAreErasuresNeverOutput() throws IOException {
        List<String> locations = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            locations.add(cluster.serve(i));
        }
        // server 0 lists ledger's checkpoint truly but streams the cells of "other"/1, each with a valid CRC
        locations.set(0, proxy(locations.get(0), p -> p.contains("/cells") ? p.replace("/apps/" + APP + "/",
                "/apps/other/") : p));

        RestoreReport report = restore(locations);

        assertThat(report.cellsRebuilt()).isPositive();
        assertThat(report.badCells()).isNotEmpty().allSatisfy(b -> assertThat(b.server()).isZero());
    }
}
