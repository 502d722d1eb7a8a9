package io.checkstripe.striper;

import io.checkstripe.striping.Checkpoints;
import io.checkstripe.striping.SegmentStriper;

import static io.checkstripe.striping.Checkpoints.commit;
import static io.checkstripe.striping.Checkpoints.randomBytes;
import static io.checkstripe.striping.Checkpoints.segment;
import static io.checkstripe.striping.Checkpoints.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.schemas.avro.CheckpointAck;
import io.checkstripe.schemas.avro.CheckpointManifest;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class StripesPartitionerTest {

    @ParameterizedTest(name = "{0} on {1} servers")
    @CsvSource({"STRIPE-4, 4", "XOR-4-1, 5", "RS-3-2, 5", "RS-3-2, 7", "RS-6-3, 9", "MIRROR-3, 3", "MIRROR-3, 6"})
    void sendsEachCellToItsServersPartition(String policyName, int servers) {
        RedundancyPolicy policy = RedundancyPolicy.parse(policyName);
        SegmentStriper striper = new SegmentStriper(policy, servers);
        StripesPartitioner partitioner = new StripesPartitioner(servers);
        int[] cellsPerServer = new int[servers];
        int segments = 4 * servers;
        for (int s = 0; s < segments; s++) {
            int segmentIndex = s;
            striper.stripe(segment("app", 3, s, 64L * s, randomBytes(s, 64)), (server, unit) -> {
                int expected = (segmentIndex + unit.getCellIndex()) % servers;
                assertThat(partitioner.partitions("stripes", "app/3", unit, servers)).contains(Set.of(expected));
                assertThat(server).isEqualTo(expected);
                cellsPerServer[expected]++;
            });
        }
        // The rotation spreads cells evenly: over a multiple of N stripes every server gets the same share.
        assertThat(IntStream.of(cellsPerServer).boxed().collect(Collectors.toSet()))
                .containsExactly(segments * policy.totalCells() / servers);
    }

    @Test
    void sendsAManifestToEveryPartition() {
        CheckpointManifest manifest = new SegmentStriper(RedundancyPolicy.parse("RS-3-2"), 7)
                .manifest(commit("app", 3, 0, 0, 10, sha256(new byte[0])), sha256(new byte[0]));
        assertThat(new StripesPartitioner(7).partitions("stripes", "app/3", manifest, 7))
                .contains(Set.of(0, 1, 2, 3, 4, 5, 6));
    }

    @Test
    void refusesRecordsThatDoNotBelongOnTheStripesTopic() {
        assertThatThrownBy(() -> new StripesPartitioner(3).partitions("stripes", "k", new CheckpointAck(), 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("CheckpointAck");
        assertThatThrownBy(() -> new StripesPartitioner(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("servers must be at least 1, got 0");
    }
}
