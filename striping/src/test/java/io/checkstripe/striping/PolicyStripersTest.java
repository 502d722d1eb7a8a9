package io.checkstripe.striping;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.schemas.DeadLetterReason;
import io.checkstripe.schemas.RejectedRecordException;
import io.checkstripe.schemas.Topics;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyStripersTest {

    private static final RedundancyPolicy RS_3_2 = RedundancyPolicy.parse("RS-3-2");

    private static PolicyStripers stripers(String... allowed) {
        return new PolicyStripers(RS_3_2, PolicyStripers.allowed(RS_3_2, List.of(allowed)), 9);
    }

    @Test
    void noRequestIsTheDefaultAndNamesAreComparedCanonically() {
        PolicyStripers stripers = stripers("RS-3-2", "rs-6-3", "MIRROR-3", "RS-6-3");

        assertThat(stripers.allowedNames()).containsExactly("RS-3-2", "RS-6-3", "MIRROR-3");
        assertThat(stripers.resolve(null, "x")).isEqualTo(RS_3_2);
        assertThat(stripers.resolve("rs-6-3", "x").name()).isEqualTo("RS-6-3");
        assertThat(stripers.striper(stripers.resolve("MIRROR-3", "x")).policy().name()).isEqualTo("MIRROR-3");
        assertThat(stripers.striper(RS_3_2)).isSameAs(stripers.striper(RedundancyPolicy.parse("rs-3-2")));
    }

    @Test
    void anEmptyListAllowsOnlyTheDefault() {
        assertThat(PolicyStripers.allowed(RS_3_2, List.of())).containsExactly(RS_3_2);
        assertThatThrownBy(() -> stripers().resolve("RS-6-3", "application a checkpoint 1"))
                .isInstanceOfSatisfying(RejectedRecordException.class, e -> {
                    assertThat(e.reason()).isEqualTo(DeadLetterReason.POLICY_NOT_ALLOWED);
                    assertThat(e.headers()).containsExactly(Map.entry(Topics.DLQ_POLICY_HEADER, "RS-6-3"),
                            Map.entry(Topics.DLQ_ALLOWED_POLICIES_HEADER, "RS-3-2"));
                })
                .hasMessage("application a checkpoint 1 asks for policy RS-6-3, which is not among the allowed "
                        + "policies [RS-3-2]");
    }

    @Test
    void theDefaultMustBeAllowed() {
        assertThatThrownBy(() -> PolicyStripers.allowed(RS_3_2, List.of("RS-6-3", "MIRROR-3")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the default policy RS-3-2 must be among the allowed policies [RS-6-3, MIRROR-3]");
        assertThatThrownBy(() -> PolicyStripers.allowed(RS_3_2, List.of("RS-3-2", "RS-0-0")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aPolicyNeedingMoreServersThanThereAreIsRefusedNamingBoth() {
        assertThatThrownBy(() -> stripers("RS-3-2", "RS-10-4").resolve("RS-10-4", "application a checkpoint 2"))
                .isInstanceOfSatisfying(RejectedRecordException.class, e -> {
                    assertThat(e.reason()).isEqualTo(DeadLetterReason.TOO_FEW_SERVERS);
                    assertThat(e.headers()).containsEntry(Topics.DLQ_SERVERS_HEADER, "9");
                })
                .hasMessageContaining("needs at least 14 servers, got 9");
    }

    @Test
    void aNameThatDoesNotParseIsAnInvalidRecord() {
        assertThatThrownBy(() -> stripers().resolve("RS-banana", "application a checkpoint 3"))
                .isInstanceOfSatisfying(RejectedRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.INVALID_RECORD))
                .hasMessageContaining("RS-banana");
    }
}
