package io.checkstripe.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.codec.RedundancyPolicy;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.Test;

class TopicChecksTest {

    private static final int OVERHEAD = PublisherConfig.RECORD_OVERHEAD_BYTES;

    @Test
    void aSegmentFitsWhenItAndTheRecordOverheadDo() {
        assertThatCode(() -> TopicChecks.checkFits("cp", 4096 + OVERHEAD, 4096, Optional.empty()))
                .doesNotThrowAnyException();

        assertThatThrownBy(() -> TopicChecks.checkFits("cp", 4096 + OVERHEAD - 1, 4096, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("segment.bytes=4096")
                .hasMessageContaining("topic cp accepts at most " + (4096 + OVERHEAD - 1))
                .hasMessageContaining("at most 4095")
                .hasMessageContaining("max.message.bytes=" + (4096 + OVERHEAD));
    }

    @Test
    void kafkasDefaultLimitDoesNotTakeTheDefaultSegment() {
        // 1048588 is the broker's default message.max.bytes.
        assertThatThrownBy(() -> TopicChecks.checkFits("checkpoints", 1_048_588, 1 << 20, Optional.empty()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most " + (1_048_588 - OVERHEAD));
    }

    @Test
    void withLocalStripingTheRecordsAreCells() {
        RedundancyPolicy rs32 = RedundancyPolicy.parse("RS-3-2");
        int segment = 3 * 10_000;
        assertThatCode(() -> TopicChecks.checkFits("stripes", 10_000 + OVERHEAD, segment, Optional.of(rs32)))
                .doesNotThrowAnyException();

        assertThatThrownBy(() -> TopicChecks.checkFits("stripes", 9_000 + OVERHEAD, segment, Optional.of(rs32)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cells of 10000 bytes under RS-3-2")
                .hasMessageContaining("at most " + 3 * 9_000);
    }

    @Test
    void aPrincipalMissingAnOperationAPublishNeedsIsRefusedNamingIt() {
        Map<String, Set<AclOperation>> needed = Map.of("checkpoints",
                Set.of(AclOperation.WRITE, AclOperation.READ, AclOperation.DESCRIBE_CONFIGS));

        assertThatThrownBy(() -> TopicChecks.checkAuthorized(needed, Map.of("checkpoints",
                Set.of(AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DESCRIBE_CONFIGS))))
                .isInstanceOfSatisfying(TopicAuthorizationException.class,
                        e -> assertThat(e.unauthorizedTopics()).containsExactly("checkpoints"))
                .hasMessage("a publish needs Read, Write, DescribeConfigs on topic checkpoints, and the principal "
                        + "lacks Write");
        assertThatCode(() -> TopicChecks.checkAuthorized(needed, Map.of("checkpoints", Set.of(AclOperation.ALL))))
                .doesNotThrowAnyException();
        assertThatCode(() -> TopicChecks.checkAuthorized(needed, Map.of())).as("not reported by the brokers")
                .doesNotThrowAnyException();
    }

    @Test
    void aFixedCellTooLargeForTheTopicCannotBeHelpedBySmallerSegments() {
        RedundancyPolicy fixed = RedundancyPolicy.parse("RS-3-2-64k");

        assertThatThrownBy(() -> TopicChecks.checkFits("stripes", 32 * 1024, 4096, Optional.of(fixed)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("use a policy with smaller cells");
    }
}
