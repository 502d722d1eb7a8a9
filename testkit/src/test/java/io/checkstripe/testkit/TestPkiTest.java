package io.checkstripe.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.concurrent.CompletableFuture;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TestPkiTest {

    @TempDir
    Path dir;

    @Test
    void serverCertificateIsTrustedThroughTheCaAndRefusedWithoutIt() throws Exception {
        TestPki pki = TestPki.create(dir, "test-ca");
        TestPki.Issued server = pki.server("sink-0");

        assertThat(Files.readString(server.certPem())).startsWith("-----BEGIN CERTIFICATE-----");
        assertThat(Files.readString(server.keyPem())).startsWith("-----BEGIN PRIVATE KEY-----");
        server.certificate().verify(pki.caCertificate().getPublicKey());

        SSLContext serverContext = context(server.keyStore(), null);
        try (SSLServerSocket listener = (SSLServerSocket) serverContext.getServerSocketFactory().createServerSocket(0)) {
            CompletableFuture<Integer> echoed = CompletableFuture.supplyAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept(); InputStream in = s.getInputStream();
                     OutputStream out = s.getOutputStream()) {
                    int b = in.read();
                    out.write(b);
                    return b;
                } catch (Exception e) {
                    return -1;
                }
            });
            try (SSLSocket client = (SSLSocket) context(null, pki.trustStore()).getSocketFactory()
                    .createSocket("localhost", listener.getLocalPort())) {
                client.getOutputStream().write(42);
                assertThat(client.getInputStream().read()).isEqualTo(42);
            }
            assertThat(echoed.get()).isEqualTo(42);

            TestPki other = TestPki.create(dir.resolve("other"), "other-ca");
            CompletableFuture.runAsync(() -> {
                try (SSLSocket s = (SSLSocket) listener.accept()) {
                    s.startHandshake();
                } catch (Exception expected) {
                    // the client does not trust this server
                }
            });
            try (SSLSocket client = (SSLSocket) context(null, other.trustStore()).getSocketFactory()
                    .createSocket("localhost", listener.getLocalPort())) {
                assertThatThrownBy(client::startHandshake).isInstanceOf(SSLHandshakeException.class);
            }
        }
    }

    private static SSLContext context(Path keyStore, Path trustStore) throws Exception {
        KeyManagerFactory kmf = null;
        if (keyStore != null) {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keyStore)) {
                ks.load(in, TestPki.STORE_PASSWORD.toCharArray());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, TestPki.STORE_PASSWORD.toCharArray());
        }
        TrustManagerFactory tmf = null;
        if (trustStore != null) {
            KeyStore ts = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(trustStore)) {
                ts.load(in, TestPki.STORE_PASSWORD.toCharArray());
            }
            tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ts);
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : kmf.getKeyManagers(), tmf == null ? null : tmf.getTrustManagers(), null);
        return context;
    }
}
