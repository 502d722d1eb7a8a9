package io.checkstripe.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkstripe.codec.RedundancyPolicy;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Byte-exact restores from every server, for each policy and the sizes at segment boundaries. */
class RestoreTest {

    static final int SEGMENT = 64 * 1024;
    static final List<String> POLICIES = List.of("STRIPE-4", "XOR-4-1", "RS-3-2", "RS-6-3", "MIRROR-3");
    static final long[] SIZES = {0, 1, SEGMENT, SEGMENT + 1, 5L * SEGMENT * 16 + 12345};

    static Stream<Arguments> cases() {
        List<Arguments> cases = new ArrayList<>();
        for (String policy : POLICIES) {
            for (long size : SIZES) {
                cases.add(Arguments.of(policy, size));
            }
        }
        assertThat(cases).hasSize(25);
        return cases.stream();
    }

    @Test
    void fixedCellSizePolicyWithALostServer(@TempDir Path tmp) throws IOException {
        int segment = 3 * 64 * 1024; // producers cut K x cell size
        long size = 2L * segment + 4097;
        try (Cluster cluster = new Cluster(tmp.resolve("servers"), "RS-3-2-64k", 6)) {
            cluster.write("app1", 1, size, segment, 4);
            Path out = tmp.resolve("restored.bin");

            RestoreReport report = new Restorer(RestoreOptions.defaults())
                    .restore("app1", cluster.sourcesWithout(java.util.Set.of(0, 5)), out, OptionalLong.empty());

            assertThat(Files.readAllBytes(out)).isEqualTo(Cluster.bytes(size, 4));
            assertThat(report.policy()).isEqualTo("RS-3-2-64k");
            assertThat(report.cellsRebuilt()).isPositive();
        }
    }

    @ParameterizedTest(name = "{0}, {1} bytes")
    @MethodSource("cases")
    void restoresByteExact(String policy, long size, @TempDir Path tmp) throws IOException {
        int servers = RedundancyPolicy.parse(policy).totalCells();
        try (Cluster cluster = new Cluster(tmp.resolve("servers"), policy, servers)) {
            Cluster.Written written = cluster.write("app1", 7, size, SEGMENT, size * 31 + 7);
            Path out = tmp.resolve("restored.bin");

            RestoreReport report = new Restorer(RestoreOptions.defaults())
                    .restore("app1", cluster.sources(), out, OptionalLong.empty());

            assertThat(Files.readAllBytes(out)).isEqualTo(Cluster.bytes(size, size * 31 + 7));
            assertThat(report.checkpointId()).isEqualTo(7);
            assertThat(report.bytes()).isEqualTo(size);
            assertThat(report.sha256()).isEqualTo(HexFormat.of().formatHex(written.sha256()));
            assertThat(report.serversUsed()).hasSize(servers);
            assertThat(report.serversLost()).isEmpty();
            assertThat(report.cellsRebuilt()).isZero();
            assertThat(report.badCells()).isEmpty();
            assertThat(report.policy()).isEqualTo(policy);
            try (Stream<Path> left = Files.list(tmp)) {
                assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("servers",
                        "restored.bin");
            }
        }
    }
}
