package io.checkstripe.striper;

import io.checkstripe.schemas.RejectedRecordException;
import io.checkstripe.striping.Checkpoints;
import io.checkstripe.striping.Sha256State;

import static io.checkstripe.striping.Checkpoints.commit;
import static io.checkstripe.striping.Checkpoints.segment;
import static io.checkstripe.striping.Checkpoints.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.schemas.DeadLetterReason;
import java.nio.ByteBuffer;
import java.util.Arrays;
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
        Sha256State hashed = Sha256State.EMPTY.update(new byte[230], 0, 230);
        assertThat(progress).isEqualTo(new AppProgress(-1, 4, 3, 230, 100, 30, false, hashed));
        assertThat(progress.segmentsSha256(4)).isEqualTo(sha256(new byte[230]));
        assertThat(progress.segmentsSha256(5)).isEqualTo(sha256(new byte[0]));
        assertThat(progress.onCommit(commit("app", 4, 3, 230, 100, sha256(new byte[230]))))
                .isEqualTo(new AppProgress(4, -1, 0, 0, 0, 0, false, Sha256State.EMPTY));
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
    void aLowerCheckpointAbandonsTheOneInProgressWhoseLateRecordsAreThenRefused() {
        AppProgress forged = AppProgress.NONE.onSegment(segment("app", 9, 0, 0, new byte[10]), 10);
        AppProgress own = forged.onSegment(segment("app", 8, 0, 0, new byte[10]), 10);
        assertThat(own.open()).isEqualTo(8);
        assertThatThrownBy(() -> own.onSegment(segment("app", 9, 1, 10, new byte[10]), 10))
                .isInstanceOfSatisfying(RejectedRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.SEGMENT_OUT_OF_ORDER));
        assertThatThrownBy(() -> own.onCommit(commit("app", 9, 1, 10, 10, sha256(new byte[10]))))
                .isInstanceOfSatisfying(RejectedRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.COMMIT_WITHOUT_SEGMENTS));
        assertThat(own.onCommit(commit("app", 8, 1, 10, 10, sha256(new byte[10]))).lastCommitted()).isEqualTo(8);
    }

    /**
     * A task restarting between any two segments resumes from the stored value: hashing on from a value read back
     * gives the checkpoint's SHA-256, whatever the segment lengths (the unfinished 64-byte block included).
     */
    @Test
    void theSha256InProgressSurvivesBeingStoredAfterEverySegment() {
        Serde<AppProgress> serde = AppProgress.serde();
        byte[] data = Checkpoints.randomBytes(9, 1000);
        int[] lengths = {100, 100, 100, 64, 1, 63, 100, 100, 100, 100, 100, 72};
        AppProgress progress = AppProgress.NONE;
        long offset = 0;
        for (int i = 0; i < lengths.length; i++) {
            byte[] part = Arrays.copyOfRange(data, (int) offset, (int) offset + lengths[i]);
            progress = progress.onSegment(segment("app", 2, i, offset, part), part.length);
            offset += part.length;
            byte[] stored = serde.serializer().serialize("changelog", progress);
            assertThat(stored).hasSize(70 + (int) (offset % 64));
            progress = serde.deserializer().deserialize("changelog", stored);
        }
        assertThat(offset).isEqualTo(data.length);
        assertThat(progress.segmentsSha256(2)).isEqualTo(sha256(data));
    }

    @Test
    void readsAValueStoredBeforeTheSha256WasKeptWithoutItsCheckpointInProgress() {
        byte[] version1 = ByteBuffer.allocate(38).put((byte) 1).putLong(6).putLong(7).putInt(2)
                .putLong(200).putInt(100).putInt(100).put((byte) 0).array();
        assertThat(AppProgress.serde().deserializer().deserialize("changelog", version1))
                .isEqualTo(new AppProgress(6, -1, 0, 0, 0, 0, false, Sha256State.EMPTY));
    }

    @Test
    void storesItselfIn70To133BytesAndReadsItselfBack() {
        Serde<AppProgress> serde = AppProgress.serde();
        byte[] data = Checkpoints.randomBytes(1, 3 * 64 + 63);
        List<AppProgress> values = List.of(AppProgress.NONE,
                new AppProgress(7, 9, 3, data.length, 100, 12, true, Sha256State.EMPTY.update(data, 0, data.length)),
                new AppProgress(Long.MAX_VALUE - 1, -1, 0, 0, 0, 0, false, Sha256State.EMPTY));
        for (AppProgress value : values) {
            byte[] bytes = serde.serializer().serialize("changelog", value);
            assertThat(bytes).hasSize(70 + (int) (value.nextOffset() % 64));
            assertThat(serde.deserializer().deserialize("changelog", bytes)).isEqualTo(value);
        }
        assertThat(serde.serializer().serialize("changelog", null)).isNull();
        assertThat(serde.deserializer().deserialize("changelog", null)).isNull();
    }

    @Test
    void refusesAStoredValueOfAnotherVersionOrLength() {
        Serde<AppProgress> serde = AppProgress.serde();
        byte[] bytes = serde.serializer().serialize("changelog", AppProgress.NONE);
        bytes[0] = 3;
        byte[] otherVersion = bytes;
        assertThatThrownBy(() -> serde.deserializer().deserialize("changelog", otherVersion))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("version 3");
        assertThatThrownBy(() -> serde.deserializer().deserialize("changelog", new byte[5]))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("5 bytes");
        byte[] cut = Arrays.copyOf(serde.serializer().serialize("changelog", AppProgress.NONE), 69);
        assertThatThrownBy(() -> serde.deserializer().deserialize("changelog", cut))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("69 bytes; its fields call for 70");
    }
}
