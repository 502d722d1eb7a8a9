package io.checkstripe.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.core.tls.BearerToken;
import io.checkstripe.core.tls.KeyMaterial;
import io.checkstripe.core.tls.TlsContexts;
import io.checkstripe.core.tls.TrustMaterial;
import io.checkstripe.sink.SinkHttpSecurity;
import io.checkstripe.testkit.TestPki;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restores from sinks on HTTPS that require a bearer token or a client certificate, through the sinks' real API:
 * the right credentials restore byte-exact; a sink that refuses them is lost as unauthorized, naming it, and the
 * others rebuild its cells or the restore stops naming every refusing sink; a client that does not trust the sink's
 * CA or lacks the client certificate sink requires reports TLS failed and the option that fixes it.
 */
class SecureSourcesTest {

    private static final String APP = "ledger";
    private static final long SIZE = 300_000;
    private static final int SEGMENT = 30_000;

    @TempDir
    Path tmp;
    private Cluster cluster;
    private TestPki pki;
    private SSLContext serverTls;
    private BearerToken token;
    private BearerToken otherToken;

    @BeforeEach
    void setUp() throws IOException {
        cluster = new Cluster(tmp.resolve("servers"), "RS-3-2", 5);
        cluster.write(APP, 1, SIZE, SEGMENT, 11);
        pki = TestPki.create(tmp.resolve("pki"), "ca");
        TestPki.Issued cert = pki.server("sink");
        serverTls = TlsContexts.server(KeyMaterial.pem(cert.certPem(), cert.keyPem()), null);
        token = BearerToken.read(Files.writeString(tmp.resolve("token"), "a-token-of-the-sinks-0123456789"));
        otherToken = BearerToken.read(Files.writeString(tmp.resolve("other-token"), "another-token-9876543210"));
    }

    @AfterEach
    void tearDown() throws Exception {
        cluster.close();
    }

    private RestoreOptions options(HttpCredentials credentials) {
        return HttpSourceTest.FAST.withCredentials(credentials);
    }

    private RestoreReport restore(List<String> locations, HttpCredentials credentials) throws IOException {
        Path out = tmp.resolve("out");
        RestoreReport report = new Restorer(options(credentials)).restore(APP,
                Cluster.sources(locations, options(credentials)), out, OptionalLong.empty());
        assertThat(Files.readAllBytes(out)).isEqualTo(Cluster.bytes(SIZE, 11));
        return report;
    }

    /** Serves server i on HTTPS, with {@code otherToken} for those in {@code refusing}, {@code token} otherwise. */
    private List<String> serveAll(List<Integer> refusing) throws IOException {
        List<String> locations = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            locations.add(cluster.serve(i, SinkHttpSecurity.of(serverTls, false,
                    refusing.contains(i) ? otherToken : token)));
        }
        return locations;
    }

    @Test
    void theRightTokenOverHttpsRestoresByteExact() throws IOException {
        List<String> locations = serveAll(List.of());
        assertThat(locations).allSatisfy(l -> assertThat(l).startsWith("https://"));

        RestoreReport report = restore(locations, HttpCredentials.of(TrustMaterial.pem(pki.caCertPem()), null, token));

        assertThat(report.serversUsed()).containsExactly(0, 1, 2, 3, 4);
        assertThat(report.unreachableSources()).isEmpty();
    }

    @Test
    void aSinkThatRefusesTheTokenIsLostAsUnauthorizedAndTheOthersRebuildIt() throws IOException {
        List<String> locations = serveAll(List.of(1));

        RestoreReport report = restore(locations, HttpCredentials.of(TrustMaterial.pem(pki.caCertPem()), null, token));

        assertThat(report.unreachableSources()).singleElement().satisfies(u -> {
            assertThat(u.location()).isEqualTo(locations.get(1));
            assertThat(u.reason()).startsWith("unauthorized (401)").contains(locations.get(1))
                    .contains("--token-file").doesNotContain("a-token-of-the-sinks");
        });
        assertThat(report.serversUsed()).containsExactly(0, 2, 3, 4);
        assertThat(report.cellsRebuilt()).isPositive();
    }

    @Test
    void withoutATokenEverySinkIsUnauthorizedAndTheRestoreStopsNamingThem() throws IOException {
        List<String> locations = serveAll(List.of());
        Path out = tmp.resolve("out");
        RestoreOptions noToken = options(HttpCredentials.of(TrustMaterial.pem(pki.caCertPem()), null, null));

        assertThatThrownBy(() -> new Restorer(noToken).restore(APP, Cluster.sources(locations, noToken), out,
                OptionalLong.empty())).isInstanceOf(UnrecoverableCheckpointException.class)
                .hasMessageContaining("unauthorized (401)").hasMessageContaining(locations.get(0))
                .hasMessageContaining("no token was given");
        assertThat(out).doesNotExist();
    }

    @Test
    void aClientThatDoesNotTrustTheSinksCaReportsTlsFailed() throws IOException {
        String location = cluster.serve(0, SinkHttpSecurity.of(serverTls, false, token));
        TestPki other = TestPki.create(tmp.resolve("other"), "other-ca");
        try (HttpSource source = new HttpSource(URI.create(location),
                options(HttpCredentials.of(TrustMaterial.pem(other.caCertPem()), null, token)))) {
            assertThatThrownBy(source::serverIndex).isInstanceOfSatisfying(SinkAccessException.class,
                    e -> assertThat(e.kind()).isEqualTo(SinkAccessException.Kind.TLS))
                    .hasMessageStartingWith("TLS failed: " + location).hasMessageContaining("--ca-file");
        }
    }

    @Test
    void mutualTlsNeedsTheClientCertificate() throws IOException {
        TestPki.Issued restorer = pki.client("restorer");
        TestPki.Issued sinkCert = pki.server("sink-mtls");
        SSLContext mutual = TlsContexts.server(KeyMaterial.pem(sinkCert.certPem(), sinkCert.keyPem()),
                TrustMaterial.pem(pki.caCertPem()));
        String location = cluster.serve(0, SinkHttpSecurity.of(mutual, true, null));
        TrustMaterial trust = TrustMaterial.pem(pki.caCertPem());

        try (HttpSource with = new HttpSource(URI.create(location), options(HttpCredentials.of(trust,
                KeyMaterial.pem(restorer.certPem(), restorer.keyPem()), null)))) {
            assertThat(with.serverIndex()).isZero();
        }
        try (HttpSource without = new HttpSource(URI.create(location), options(HttpCredentials.of(trust, null,
                null)))) {
            assertThatThrownBy(without::serverIndex).isInstanceOf(IOException.class).hasMessageContaining(location);
        }
    }
}
