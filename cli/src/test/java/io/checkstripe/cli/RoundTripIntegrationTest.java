package io.checkstripe.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import io.checkstripe.testkit.KafkaClusterExtension;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * publish → stripe → sink → restore through the real CLI, byte for byte, for every policy
 * family at the sizes where segmenting goes wrong first (empty, one byte, exactly one segment,
 * one byte over), then with as many sinks stopped as the policy tolerates (a restore still works,
 * a new publish is committed but not protected), and once at 100 MiB.
 */
@Tag("integration")
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class RoundTripIntegrationTest {

    @RegisterExtension
    static final KafkaClusterExtension KAFKA = KafkaClusterExtension.withBrokers(1);

    /** Small segments keep the matrix cheap; the sizes are relative to it. */
    private static final int SEGMENT = 64 * 1024;
    private static final long[] SIZES = {0, 1, SEGMENT, SEGMENT + 1};

    @TempDir
    Path tmp;

    static Stream<Arguments> policies() {
        // N = cells per stripe, and one more for XOR and MIRROR, so some servers hold no cell of a stripe.
        return Stream.of(
                Arguments.of("STRIPE-4", 4),
                Arguments.of("XOR-4-1", 6),
                Arguments.of("RS-3-2", 5),
                Arguments.of("RS-6-3", 9),
                Arguments.of("MIRROR-3", 4));
    }

    @ParameterizedTest(name = "{0} over {1} servers")
    @MethodSource("policies")
    void everySizeComesBackByteForByte(String policy, int servers) throws Exception {
        String name = "rt-" + policy.toLowerCase();
        try (Pipeline pipeline = Pipeline.start(KAFKA.bootstrapServers(), tmp, name, policy, servers)) {
            List<Path> originals = new ArrayList<>();
            for (long size : SIZES) {
                Path file = TestFiles.random(tmp.resolve("size-" + size + ".bin"), size, size * 31 + servers);
                originals.add(file);
                CliRun published = pipeline.publish(app(size), file, "--segment-size", Integer.toString(SEGMENT));
                assertThat(published.exitCode()).as(published.describe()).isZero();
                assertThat(published.out()).as(published.describe())
                        .contains("published " + app(size) + " checkpoint 1: ")
                        .contains(" in " + segments(size) + " segments")
                        .contains("protected on every backup server");
            }
            for (int i = 0; i < SIZES.length; i++) {
                Path restored = tmp.resolve("restored-" + SIZES[i] + ".bin");
                CliRun run = Pipeline.restore(app(SIZES[i]), pipeline.httpSources(), restored);
                assertThat(run.exitCode()).as(run.describe()).isZero();
                assertThat(run.out()).as(run.describe()).contains("restored checkpoint 1 of " + app(SIZES[i]))
                        .contains("cells rebuilt: 0; bad cells: 0");
                assertThat(Files.size(restored)).isEqualTo(SIZES[i]);
                assertThat(Files.mismatch(restored, originals.get(i))).as("first differing byte").isEqualTo(-1L);
            }

            // Then M sinks stop; their addresses no longer answer, and the others' cells rebuild theirs.
            int lost = pipeline.policy().toleratedLosses();
            for (int server = 0; server < lost; server++) {
                pipeline.sink(server).close();
            }
            long size = SIZES[SIZES.length - 1];
            Path restored = tmp.resolve("degraded.bin");
            CliRun run = Pipeline.restore(app(size), pipeline.httpSources(), restored);
            assertThat(run.exitCode()).as(run.describe()).isZero();
            for (int server = 0; server < lost; server++) {
                assertThat(run.out()).as(run.describe()).contains("lost server " + server);
            }
            assertThat(Files.mismatch(restored, originals.get(SIZES.length - 1))).as("first differing byte")
                    .isEqualTo(-1L);

            // A new checkpoint is committed but cannot become protected: exit 5 naming the silent servers.
            if (lost > 0) {
                CliRun unprotected = pipeline.publish("unprotected", originals.get(1), "--segment-size",
                        Integer.toString(SEGMENT), "--protect-timeout", "3");
                assertThat(unprotected.exitCode()).as(unprotected.describe()).isEqualTo(ExitCode.NOT_PROTECTED);
                assertThat(unprotected.errLines()).as(unprotected.describe()).hasSize(1);
                assertThat(unprotected.err()).as(unprotected.describe())
                        .contains("committed, but checkpoint 1 of application unprotected is not protected after ")
                        .contains("servers " + IntStream.range(0, lost).boxed().toList() + " of " + servers
                                + " have not acknowledged it");
            }
        }
    }

    @Test
    void oneHundredMebibytesComeBackByteForByte() throws Exception {
        long size = 100L << 20;
        Path file = TestFiles.random(tmp.resolve("big.bin"), size, 100);
        String expected = TestFiles.sha256(file);
        try (Pipeline pipeline = Pipeline.start(KAFKA.bootstrapServers(), tmp, "rt-big", "RS-3-2", 5)) {
            CliRun published = pipeline.publish("big", file);
            assertThat(published.exitCode()).as(published.describe()).isZero();
            assertThat(published.out()).contains("published big checkpoint 1: 100.0 MiB in 100 segments, sha256 "
                    + expected);
            // Three servers over HTTP, two read from their stores directly.
            List<String> sources = new ArrayList<>(pipeline.httpSources().subList(0, 3));
            sources.addAll(pipeline.directories().subList(3, 5));
            Path restored = tmp.resolve("big-restored.bin");
            CliRun run = Pipeline.restore("big", sources, restored);
            assertThat(run.exitCode()).as(run.describe()).isZero();
            assertThat(Files.size(restored)).isEqualTo(size);
            assertThat(TestFiles.sha256(restored)).isEqualTo(expected);
        }
    }

    private static String app(long size) {
        return "size-" + size;
    }

    private static long segments(long size) {
        return (size + SEGMENT - 1) / SEGMENT;
    }
}
