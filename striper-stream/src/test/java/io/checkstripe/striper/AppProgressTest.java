package io.checkstripe.striper;

import io.checkstripe.schemas.RejectedRecordException;
import io.checkstripe.striping.Checkpoints;

import static io.checkstripe.striping.Checkpoints.commit;
import static io.checkstripe.striping.Checkpoints.segment;
import static io.checkstripe.striping.Checkpoints.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.schemas.DeadLetterReason;
import java.util.List;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.serialization.Serde;
import org.junit.jupiter.api.Test;

class AppProgressTest {

    @Test
    void followsACheckpointFromItsFirstSegmentToItsCommit() {
        AppProgress progress = AppProgress.NONE
                .onSegment(segment("app", 4, 0, 0, new byte[100]), 100)
                .onSegment(segment("app", 4, 1, 100, new byte[100]), 100)
                .onSegment(segment("app", 4, 2, 200, new byte[30]), 30);
        assertThat(progress).isEqualTo(new AppProgress(-1, 4, 3, 230, 100, 30, false));
        assertThat(progress.onCommit(commit("app", 4, 3, 230, 100, sha256(new byte[230]))))
                .isEqualTo(new AppProgress(4, -1, 0, 0, 0, 0, false));
    }

    @Test
    void remembersASegmentOfTheWrongSizeBeforeTheLast() {
        AppProgress progress = AppProgress.NONE
                .onSegment(segment("app", 1, 0, 0, new byte[100]), 100)
                .onSegment(segment("app", 1, 1, 100, new byte[99]), 99)
                .onSegment(segment("app", 1, 2, 199, new byte[100]), 100);
        assertThat(progress.irregular()).isTrue();
        assertThatThrownBy(() -> progress.onCommit(commit("app", 1, 3, 299, 100, sha256(new byte[299]))))
                .isInstanceOfSatisfying(RejectedRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.COMMIT_MISMATCH));
    }

    @Test
    void rejectsALastSegmentLongerThanTheSegmentSize() {
        AppProgress progress = AppProgress.NONE.onSegment(segment("app", 1, 0, 0, new byte[120]), 120);
        assertThatThrownBy(() -> progress.onCommit(commit("app", 1, 1, 120, 100, sha256(new byte[120]))))
                .isInstanceOfSatisfying(RejectedRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.COMMIT_MISMATCH))
                .hasMessageContaining("last 120");
    }

    @Test
    void refusesSegmentsOlderThanTheCheckpointInProgress() {
        AppProgress progress = AppProgress.NONE.onSegment(segment("app", 9, 0, 0, new byte[10]), 10);
        assertThatThrownBy(() -> progress.onSegment(segment("app", 8, 0, 0, new byte[10]), 10))
                .isInstanceOfSatisfying(RejectedRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.STALE_CHECKPOINT))
                .hasMessageContaining("older than checkpoint 9 in progress");
    }

    @Test
    void storesItselfIn38BytesAndReadsItselfBack() {
        Serde<AppProgress> serde = AppProgress.serde();
        List<AppProgress> values = List.of(AppProgress.NONE, new AppProgress(7, 9, 3, 3_000_000_000L, 1 << 20, 12, true),
                new AppProgress(Long.MAX_VALUE - 1, -1, 0, 0, 0, 0, false));
        for (AppProgress value : values) {
            byte[] bytes = serde.serializer().serialize("changelog", value);
            assertThat(bytes).hasSize(38);
            assertThat(serde.deserializer().deserialize("changelog", bytes)).isEqualTo(value);
        }
        assertThat(serde.serializer().serialize("changelog", null)).isNull();
        assertThat(serde.deserializer().deserialize("changelog", null)).isNull();
    }

    @Test
    void refusesAStoredValueOfAnotherVersionOrLength() {
        Serde<AppProgress> serde = AppProgress.serde();
        byte[] bytes = serde.serializer().serialize("changelog", AppProgress.NONE);
        bytes[0] = 2;
        byte[] otherVersion = bytes;
        assertThatThrownBy(() -> serde.deserializer().deserialize("changelog", otherVersion))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("version 2");
        assertThatThrownBy(() -> serde.deserializer().deserialize("changelog", new byte[5]))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("5 bytes");
    }
}
