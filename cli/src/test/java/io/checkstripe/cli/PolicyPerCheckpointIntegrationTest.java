package io.checkstripe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.striper.StriperConfig;
import io.checkstripe.testkit.KafkaClusterExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One striper, nine sinks, a policy per checkpoint through the real CLI: RS-3-2 (the default), RS-6-3 and
 * MIRROR-3 each come back byte for byte with as many servers lost as that policy tolerates; a policy the
 * striper does not allow, and one needing more servers than there are, exit 9 at once while the striper
 * goes on; and a checkpoint striped in the publisher with a policy of its own.
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class PolicyPerCheckpointIntegrationTest {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = KafkaClusterExtension.withBrokers(1);

    private static final int SERVERS = 9;
    private static final int SEGMENT = 64 * 1024;

    @TempDir
    Path tmp;

    @Test
    void eachCheckpointIsProtectedAsItsPolicySaysAndRefusalsExitRejected() throws Exception {
        Map<String, Object> striper = Map.of(StriperConfig.ALLOWED_POLICIES_CONFIG, "RS-3-2,RS-6-3,MIRROR-3,RS-10-4");
        try (Pipeline pipeline = Pipeline.start(KAFKA.bootstrapServers(), tmp, "pol", "RS-3-2", SERVERS, striper)) {
            int restored = 0;
            for (String policy : List.of("RS-3-2", "RS-6-3", "MIRROR-3")) {
                Path file = TestFiles.random(tmp.resolve(policy + ".bin"), 3L * SEGMENT + 17, policy.hashCode());
                String app = "app-" + policy.toLowerCase();
                CliRun published = pipeline.publish(app, file, "--segment-size", Integer.toString(SEGMENT),
                        "--policy", policy);
                assertThat(published.exitCode()).as(published.describe()).isZero();
                assertThat(published.out()).as(published.describe()).contains("protected on every backup server");
                restoreWithLosses(pipeline, app, file, RedundancyPolicy.parse(policy));
                restored++;
            }
            assertThat(restored).isEqualTo(3);

            Path small = TestFiles.random(tmp.resolve("small.bin"), 1000, 7);
            CliRun refused = pipeline.publish("greedy", small, "--policy", "RS-4-2", "--output", "json");
            assertThat(refused.exitCode()).as(refused.describe()).isEqualTo(ExitCode.REJECTED);
            assertThat(refused.elapsed()).as("refused, not timed out").isLessThan(Duration.ofSeconds(75));
            assertThat(refused.errLines()).as(refused.describe()).hasSize(1);
            assertThat(refused.err()).contains("committed, but checkpoint 1 of application greedy was refused "
                    + "(policy-not-allowed): ").contains("asks for policy RS-4-2, which is not among the allowed "
                    + "policies [RS-3-2, RS-6-3, MIRROR-3, RS-10-4]");
            JsonNode error = refused.json();
            assertThat(error.get("exitCode").asInt()).isEqualTo(ExitCode.REJECTED);
            assertThat(error.get("error").asText()).contains("policy-not-allowed");

            CliRun tooWide = pipeline.publish("wide", small, "--policy", "RS-10-4");
            assertThat(tooWide.exitCode()).as(tooWide.describe()).isEqualTo(ExitCode.REJECTED);
            assertThat(tooWide.err()).as(tooWide.describe()).contains("(too-few-servers)")
                    .contains("needs at least 14 servers, got 9").contains("nothing was sent");

            CliRun after = pipeline.publish("greedy", small);
            assertThat(after.exitCode()).as("the striper goes on: " + after.describe()).isZero();

            Path local = TestFiles.random(tmp.resolve("local.bin"), 2L * SEGMENT + 5, 11);
            CliRun striped = pipeline.publish("local", local, "--segment-size", Integer.toString(SEGMENT),
                    "--stripe-locally", "--policy", "MIRROR-3", "--servers", Integer.toString(SERVERS));
            assertThat(striped.exitCode()).as(striped.describe()).isZero();
            restoreWithLosses(pipeline, "local", local, RedundancyPolicy.parse("MIRROR-3"));
        }
    }

    /** Restores {@code app} from every server but the first {@code policy.toleratedLosses()}, byte for byte. */
    private void restoreWithLosses(Pipeline pipeline, String app, Path original, RedundancyPolicy policy)
            throws Exception {
        int lost = policy.toleratedLosses();
        List<String> survivors = pipeline.httpSources().subList(lost, SERVERS);
        Path out = tmp.resolve(app + "-restored.bin");
        CliRun run = Pipeline.restore(app, survivors, out);
        assertThat(run.exitCode()).as(run.describe()).isZero();
        assertThat(run.out()).as(run.describe()).contains("restored checkpoint 1 of " + app);
        assertThat(Files.mismatch(out, original)).as("%s with %d servers lost", policy, lost).isEqualTo(-1L);
    }
}
