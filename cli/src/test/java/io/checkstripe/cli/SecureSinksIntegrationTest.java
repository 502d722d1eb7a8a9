package io.checkstripe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.checkstripe.sink.SinkConfig;
import io.checkstripe.testkit.KafkaClusterExtension;
import io.checkstripe.testkit.TestPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Restores through the real CLI from real sinks (a real broker and striper) whose HTTP API runs on HTTPS with a
 * bearer token: the right CA and token restore byte-exact while a sink that refuses the token is reported
 * unauthorized, naming it, in text and JSON; without the token, or trusting another CA, the restore exits 2
 * naming why; a sink given a token file it cannot read refuses to start with exit code 1.
 */
@Tag("integration")
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class SecureSinksIntegrationTest {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = KafkaClusterExtension.withBrokers(1);

    private static final String APP = "ledger";
    private static final int SERVERS = 5;
    private static final int REFUSING = 4;
    private static final String TOKEN = "the-sinks-token-0123456789abcdef";

    @TempDir
    static Path tmp;

    private static Pipeline pipeline;
    private static TestPki pki;
    private static Path tokenFile;
    private static Path checkpoint;

    @BeforeAll
    static void publishThroughSecureSinks() throws Exception {
        pki = TestPki.create(tmp.resolve("pki"), "ca");
        tokenFile = Files.writeString(tmp.resolve("token"), TOKEN + "\n");
        Path otherToken = Files.writeString(tmp.resolve("other-token"), "another-token-fedcba9876543210\n");
        pipeline = Pipeline.start(KAFKA.bootstrapServers(), tmp, "secure", "RS-3-2", SERVERS);
        for (int i = 0; i < SERVERS; i++) {
            TestPki.Issued cert = pki.server("sink-" + i);
            Map<String, Object> tls = new HashMap<>();
            tls.put(SinkConfig.HTTP_TLS_CERTIFICATE_FILE_CONFIG, cert.certPem().toString());
            tls.put(SinkConfig.HTTP_TLS_KEY_FILE_CONFIG, cert.keyPem().toString());
            tls.put(SinkConfig.HTTP_AUTH_TOKEN_FILE_CONFIG, (i == REFUSING ? otherToken : tokenFile).toString());
            pipeline.startSink(i, tls);
        }
        checkpoint = TestFiles.random(tmp.resolve("checkpoint.bin"), 5L * 64 * 1024 + 77, 5);
        CliRun run = pipeline.publish(APP, checkpoint, "--segment-size", Integer.toString(64 * 1024));
        assertThat(run.exitCode()).as(run.describe()).isZero();
    }

    @AfterAll
    static void stop() {
        if (pipeline != null) {
            pipeline.close();
        }
    }

    @Test
    void theRightCaAndTokenRestoreAndTheRefusingSinkIsNamedUnauthorized() throws Exception {
        List<String> sources = pipeline.httpSources();
        assertThat(sources).allSatisfy(s -> assertThat(s).startsWith("https://"));
        Path out = tmp.resolve("restored.bin");

        CliRun run = Pipeline.restore(APP, sources, out, "--ca-file", pki.caCertPem().toString(), "--token-file",
                tokenFile.toString());

        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(Files.mismatch(out, checkpoint)).as("first differing byte").isEqualTo(-1L);
        assertThat(run.out() + run.err()).contains("unauthorized (401)").contains(sources.get(REFUSING))
                .doesNotContain(TOKEN);

        CliRun json = Pipeline.restore(APP, sources, tmp.resolve("restored-2.bin"), "--ca-file",
                pki.caCertPem().toString(), "--token-file", tokenFile.toString(), "--output", "json");
        assertThat(json.exitCode()).as(json.describe()).isZero();
        JsonNode unreachable = new ObjectMapper().readTree(json.out()).get("unreachableSources");
        assertThat(unreachable).hasSize(1);
        assertThat(unreachable.get(0).get("location").asText()).isEqualTo(sources.get(REFUSING));
        assertThat(unreachable.get(0).get("reason").asText()).startsWith("unauthorized (401)");

        CliRun status = Pipeline.status(APP, sources, "--ca-file", pki.caCertPem().toString(), "--token-file",
                tokenFile.toString());
        assertThat(status.out() + status.err()).as(status.describe()).contains("unauthorized (401)")
                .contains(sources.get(REFUSING));
    }

    @Test
    void withoutTheTokenTheRestoreExits2NamingEverySinkUnauthorized() {
        List<String> sources = pipeline.httpSources();
        Path out = tmp.resolve("no-token.bin");

        CliRun run = Pipeline.restore(APP, sources, out, "--ca-file", pki.caCertPem().toString());

        assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.UNRECOVERABLE);
        assertThat(run.out() + run.err()).contains("unauthorized (401)").contains(sources.get(0))
                .contains("--token-file");
        assertThat(out).doesNotExist();
    }

    @Test
    void trustingAnotherCaTheRestoreExits2SayingTlsFailed() {
        TestPki other = TestPki.create(tmp.resolve("other-pki"), "other-ca");
        Path out = tmp.resolve("wrong-ca.bin");

        CliRun run = Pipeline.restore(APP, pipeline.httpSources(), out, "--ca-file", other.caCertPem().toString(),
                "--token-file", tokenFile.toString());

        assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.UNRECOVERABLE);
        assertThat(run.out() + run.err()).contains("TLS failed").contains(pipeline.httpSources().get(0));
        assertThat(out).doesNotExist();
    }

    @Test
    void aSinkWhoseTokenFileIsMissingRefusesToStart() {
        CliRun run = CliRun.of("sink", "--bootstrap-server", KAFKA.bootstrapServers(), "--server-index", "0",
                "--data-dir", tmp.resolve("never").toString(), "--http-port", "0", "--http-token-file",
                tmp.resolve("absent-token").toString());

        assertThat(run.exitCode()).as(run.describe()).isEqualTo(ExitCode.USAGE);
        assertThat(run.err()).contains(SinkConfig.HTTP_AUTH_TOKEN_FILE_CONFIG).contains("no such file");
    }
}
