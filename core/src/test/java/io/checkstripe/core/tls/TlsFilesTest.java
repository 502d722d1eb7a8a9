package io.checkstripe.core.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Token files and the messages of PEM files that cannot be used; loading real certificates and keys is tested
 * where a test CA is at hand (the sink's and the restorer's TLS tests).
 */
class TlsFilesTest {

    private static final String TOKEN = "0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    @Test
    void aTokenIsReadWithoutItsNewlineAndMatchedOnlyWhole() throws IOException {
        BearerToken token = BearerToken.read(Files.writeString(dir.resolve("token"), TOKEN + "\n"));
        assertThat(token.matches(TOKEN)).isTrue();
        assertThat(token.matches(TOKEN.substring(1))).isFalse();
        assertThat(token.matches(TOKEN + "0")).isFalse();
        assertThat(token.matches(null)).isFalse();
        assertThat(token.authorization()).isEqualTo("Bearer " + TOKEN);
        assertThat(token.toString()).doesNotContain(TOKEN).contains("token");
    }

    @Test
    void badTokenFilesAreRefusedNamingTheFileNeverQuotingIt() throws IOException {
        assertThatThrownBy(() -> BearerToken.read(dir.resolve("absent"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("absent").hasMessageContaining("no such file");
        assertThatThrownBy(() -> BearerToken.read(Files.writeString(dir.resolve("empty"), "\n")))
                .hasMessageContaining("is empty");
        assertThatThrownBy(() -> BearerToken.read(Files.writeString(dir.resolve("short"), "short-secret")))
                .hasMessageContaining("12 characters").hasMessageNotContaining("short-secret");
        assertThatThrownBy(() -> BearerToken.read(Files.writeString(dir.resolve("spaces"),
                "two words of a secret phrase"))).hasMessageContaining("characters a bearer token cannot have")
                .hasMessageNotContaining("secret phrase");
    }

    @Test
    void pemFilesThatHoldNoUsableCertificateOrKeyAreNamedWithTheFix() throws IOException {
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "hello");
        assertThatThrownBy(() -> TrustMaterial.pem(garbage)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("garbage.pem").hasMessageContaining("no PEM certificate");
        Path broken = Files.writeString(dir.resolve("broken.pem"),
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
        assertThatThrownBy(() -> TrustMaterial.pem(broken)).hasMessageContaining("malformed certificate");
        Path legacy = Files.writeString(dir.resolve("legacy.key"),
                "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
        assertThatThrownBy(() -> KeyMaterial.pem(broken, legacy)).hasMessageContaining("malformed certificate");
        assertThatThrownBy(() -> Pem.privateKey(legacy, "key file")).hasMessageContaining("openssl pkcs8 -topk8");
        Path encrypted = Files.writeString(dir.resolve("encrypted.key"),
                "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertThatThrownBy(() -> Pem.privateKey(encrypted, "key file")).hasMessageContaining("is encrypted");
        assertThatThrownBy(() -> TrustMaterial.trustStore(garbage, "x".toCharArray(), "PKCS12"))
                .hasMessageContaining("trust store").hasMessageContaining("garbage.pem");
    }
}
