package io.checkstripe.producer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class CheckpointIdsTest {

    @Test
    void defaultIsOneForAFirstCheckpointAndOneMoreThanTheNewestAfter() {
        assertThat(CheckpointIds.choose("app", OptionalLong.empty(), OptionalLong.empty())).isEqualTo(1);
        assertThat(CheckpointIds.choose("app", OptionalLong.empty(), OptionalLong.of(0))).isEqualTo(1);
        assertThat(CheckpointIds.choose("app", OptionalLong.empty(), OptionalLong.of(41))).isEqualTo(42);
    }

    @Test
    void explicitIdMustBeNewerThanTheNewestCommitted() {
        assertThat(CheckpointIds.choose("app", OptionalLong.of(0), OptionalLong.empty())).isZero();
        assertThat(CheckpointIds.choose("app", OptionalLong.of(100), OptionalLong.of(7))).isEqualTo(100);

        for (long requested : new long[] {7, 6, 0}) {
            assertThatThrownBy(() -> CheckpointIds.choose("app", OptionalLong.of(requested), OptionalLong.of(7)))
                    .isInstanceOfSatisfying(CheckpointIdNotNewerException.class, e -> {
                        assertThat(e.requested()).isEqualTo(requested);
                        assertThat(e.newestCommitted()).isEqualTo(7);
                        assertThat(e.appId()).isEqualTo("app");
                    })
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("checkpoint id " + requested)
                    .hasMessageContaining("newest committed checkpoint 7")
                    .hasMessageContaining("none to get 8");
        }
    }

    @Test
    void noIdFollowsTheLargest() {
        assertThatThrownBy(() -> CheckpointIds.choose("app", OptionalLong.empty(), OptionalLong.of(Long.MAX_VALUE)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(Long.toString(Long.MAX_VALUE));
    }

    @Test
    void bookkeepingMetadataRoundTripsAndForeignMetadataIsIgnored() {
        for (long id : new long[] {0, 1, 12345, Long.MAX_VALUE}) {
            assertThat(CheckpointIds.parseMetadata(CheckpointIds.metadata(id))).hasValue(id);
        }
        assertThat(CheckpointIds.metadata(9)).isEqualTo("checkpointId=9");
        for (String foreign : new String[] {null, "", "9", "checkpointId=", "checkpointId=x", "checkpointId=-3",
                "other=5"}) {
            assertThat(CheckpointIds.parseMetadata(foreign)).as("metadata %s", foreign).isEmpty();
        }
    }

    @Test
    void maxTakesTheLargerPresentId() {
        assertThat(CheckpointIds.max(OptionalLong.empty(), OptionalLong.empty())).isEmpty();
        assertThat(CheckpointIds.max(OptionalLong.of(3), OptionalLong.empty())).hasValue(3);
        assertThat(CheckpointIds.max(OptionalLong.empty(), OptionalLong.of(4))).hasValue(4);
        assertThat(CheckpointIds.max(OptionalLong.of(3), OptionalLong.of(4))).hasValue(4);
        assertThat(CheckpointIds.max(OptionalLong.of(5), OptionalLong.of(4))).hasValue(5);
    }
}
