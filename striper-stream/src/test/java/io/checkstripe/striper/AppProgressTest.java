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

    private static final String P = "RS-3-2";

    @Test
    void followsACheckpointFromItsFirstSegmentToItsCommit() {
        AppProgress progress = AppProgress.NONE
                .onSegment(segment("app", 4, 0, 0, new byte[100]), 100, P)
                .onSegment(segment("app", 4, 1, 100, new byte[100]), 100, P)
                .onSegment(segment("app", 4, 2, 200, new byte[30]), 30, P);
        Sha256State hashed = Sha256State.EMPTY.update(new byte[230], 0, 230);
        assertThat(progress).isEqualTo(new AppProgress(-1, 4, 3, 230, 100, 30, false, hashed, P));
        assertThat(progress.segmentsSha256(4)).isEqualTo(sha256(new byte[230]));
        assertThat(progress.segmentsSha256(5)).isEqualTo(sha256(new byte[0]));
        assertThat(progress.onCommit(commit("app", 4, 3, 230, 100, sha256(new byte[230])), P))
                .isEqualTo(new AppProgress(4, -1, 0, 0, 0, 0, false, Sha256State.EMPTY, null));
    }

    @Test
    void remembersASegmentOfTheWrongSizeBeforeTheLast() {
        AppProgress progress = AppProgress.NONE
                .onSegment(segment("app", 1, 0, 0, new byte[100]), 100, P)
                .onSegment(segment("app", 1, 1, 100, new byte[99]), 99, P)
                .onSegment(segment("app", 1, 2, 199, new byte[100]), 100, P);
        assertThat(progress.irregular()).isTrue();
        assertThatThrownBy(() -> progress.onCommit(commit("app", 1, 3, 299, 100, sha256(new byte[299])), P))
                .isInstanceOfSatisfying(RejectedRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.COMMIT_MISMATCH));
    }

    @Test
    void rejectsALastSegmentLongerThanTheSegmentSize() {
        AppProgress progress = AppProgress.NONE.onSegment(segment("app", 1, 0, 0, new byte[120]), 120, P);
        assertThatThrownBy(() -> progress.onCommit(commit("app", 1, 1, 120, 100, sha256(new byte[120])), P))
                .isInstanceOfSatisfying(RejectedRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.COMMIT_MISMATCH))
                .hasMessageContaining("last 120");
    }

    @Test
    void aLowerCheckpointAbandonsTheOneInProgressWhoseLateRecordsAreThenRefused() {
        AppProgress forged = AppProgress.NONE.onSegment(segment("app", 9, 0, 0, new byte[10]), 10, P);
        AppProgress own = forged.onSegment(segment("app", 8, 0, 0, new byte[10]), 10, P);
        assertThat(own.open()).isEqualTo(8);
        assertThatThrownBy(() -> own.onSegment(segment("app", 9, 1, 10, new byte[10]), 10, P))
                .isInstanceOfSatisfying(RejectedRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.SEGMENT_OUT_OF_ORDER));
        assertThatThrownBy(() -> own.onCommit(commit("app", 9, 1, 10, 10, sha256(new byte[10])), P))
                .isInstanceOfSatisfying(RejectedRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.COMMIT_WITHOUT_SEGMENTS));
        assertThat(own.onCommit(commit("app", 8, 1, 10, 10, sha256(new byte[10])), P).lastCommitted()).isEqualTo(8);
    }

    /**
     * A task restarting between any two segments resumes from the stored value: hashing on from a value read back
     * gives the checkpoint's SHA-256, whatever the segment lengths (the unfinished 64-byte block included).
     */
    @Test
    void theSha256InProgressSurvivesBeingStoredAfterEverySegment() {
        Serde<AppProgress> serde = AppProgress.serde(P);
        byte[] data = Checkpoints.randomBytes(9, 1000);
        int[] lengths = {100, 100, 100, 64, 1, 63, 100, 100, 100, 100, 100, 72};
        AppProgress progress = AppProgress.NONE;
        long offset = 0;
        for (int i = 0; i < lengths.length; i++) {
            byte[] part = Arrays.copyOfRange(data, (int) offset, (int) offset + lengths[i]);
            progress = progress.onSegment(segment("app", 2, i, offset, part), part.length, P);
            offset += part.length;
            byte[] stored = serde.serializer().serialize("changelog", progress);
            assertThat(stored).hasSize(71 + P.length() + (int) (offset % 64));
            progress = serde.deserializer().deserialize("changelog", stored);
        }
        assertThat(offset).isEqualTo(data.length);
        assertThat(progress.segmentsSha256(2)).isEqualTo(sha256(data));
    }

    @Test
    void readsAValueStoredBeforeTheSha256WasKeptWithoutItsCheckpointInProgress() {
        byte[] version1 = ByteBuffer.allocate(38).put((byte) 1).putLong(6).putLong(7).putInt(2)
                .putLong(200).putInt(100).putInt(100).put((byte) 0).array();
        assertThat(AppProgress.serde(P).deserializer().deserialize("changelog", version1))
                .isEqualTo(new AppProgress(6, -1, 0, 0, 0, 0, false, Sha256State.EMPTY, null));
    }

    @Test
    void aSegmentOrCommitNamingAnotherPolicyThanSegmentZeroIsRefused() {
        AppProgress progress = AppProgress.NONE.onSegment(segment("app", 3, 0, 0, new byte[10]), 10, "RS-6-3");

        assertThat(progress.policy()).isEqualTo("RS-6-3");
        assertThatThrownBy(() -> progress.onSegment(segment("app", 3, 1, 10, new byte[10]), 10, P))
                .isInstanceOfSatisfying(RejectedRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.POLICY_MISMATCH))
                .hasMessage("segment 1 of application app checkpoint 3 names policy RS-3-2 but segment 0 of the "
                        + "checkpoint named RS-6-3");
        assertThatThrownBy(() -> progress.onCommit(commit("app", 3, 1, 10, 10, sha256(new byte[10])), "MIRROR-3"))
                .isInstanceOfSatisfying(RejectedRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.POLICY_MISMATCH));
        assertThat(progress.onCommit(commit("app", 3, 1, 10, 10, sha256(new byte[10])), "RS-6-3").policy()).isNull();
    }

    /**
     * A striper upgraded while a checkpoint is in flight reads the version 2 record its changelog holds: that
     * checkpoint was being striped with the one policy a version 2 striper had, its default.
     */
    @Test
    void readsAVersionTwoValueWithTheDefaultPolicyForItsCheckpointInProgress() {
        byte[] data = Checkpoints.randomBytes(3, 70);
        Sha256State hashed = Sha256State.EMPTY.update(data, 0, data.length);
        ByteBuffer version2 = ByteBuffer.allocate(38 + hashed.serializedSize()).put((byte) 2).putLong(4).putLong(5)
                .putInt(1).putLong(70).putInt(70).putInt(70).put((byte) 0);
        hashed.writeTo(version2);
        ByteBuffer idle = ByteBuffer.allocate(38 + Sha256State.EMPTY.serializedSize()).put((byte) 2).putLong(5)
                .putLong(-1).putInt(0).putLong(0).putInt(0).putInt(0).put((byte) 0);
        Sha256State.EMPTY.writeTo(idle);

        Serde<AppProgress> serde = AppProgress.serde("RS-6-3");
        AppProgress read = serde.deserializer().deserialize("changelog", version2.array());

        assertThat(read).isEqualTo(new AppProgress(4, 5, 1, 70, 70, 70, false, hashed, "RS-6-3"));
        assertThat(serde.deserializer().deserialize("changelog", idle.array()))
                .isEqualTo(new AppProgress(5, -1, 0, 0, 0, 0, false, Sha256State.EMPTY, null));
        assertThat(serde.serializer().serialize("changelog", read)[0]).as("written back as version 3").isEqualTo((byte) 3);
        assertThat(read.onSegment(segment("app", 5, 1, 70, new byte[5]), 5, "RS-6-3").nextSegment()).isEqualTo(2);
    }

    @Test
    void storesItselfAndReadsItselfBack() {
        Serde<AppProgress> serde = AppProgress.serde(P);
        byte[] data = Checkpoints.randomBytes(1, 3 * 64 + 63);
        List<AppProgress> values = List.of(AppProgress.NONE,
                new AppProgress(7, 9, 3, data.length, 100, 12, true, Sha256State.EMPTY.update(data, 0, data.length), "MIRROR-3"),
                new AppProgress(Long.MAX_VALUE - 1, -1, 0, 0, 0, 0, false, Sha256State.EMPTY, null));
        for (AppProgress value : values) {
            byte[] bytes = serde.serializer().serialize("changelog", value);
            int policy = value.policy() == null ? 0 : value.policy().length();
            assertThat(bytes).hasSize(71 + policy + (int) (value.nextOffset() % 64));
            assertThat(serde.deserializer().deserialize("changelog", bytes)).isEqualTo(value);
        }
        assertThat(serde.serializer().serialize("changelog", null)).isNull();
        assertThat(serde.deserializer().deserialize("changelog", null)).isNull();
    }

    @Test
    void refusesAStoredValueOfAnotherVersionOrLength() {
        Serde<AppProgress> serde = AppProgress.serde(P);
        byte[] bytes = serde.serializer().serialize("changelog", AppProgress.NONE);
        bytes[0] = 4;
        byte[] otherVersion = bytes;
        assertThatThrownBy(() -> serde.deserializer().deserialize("changelog", otherVersion))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("version 4");
        assertThatThrownBy(() -> serde.deserializer().deserialize("changelog", new byte[5]))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("5 bytes");
        byte[] cut = Arrays.copyOf(serde.serializer().serialize("changelog", AppProgress.NONE), 70);
        assertThatThrownBy(() -> serde.deserializer().deserialize("changelog", cut))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining("70 bytes; its fields call for 71");
        byte[] open = serde.serializer().serialize("changelog",
                AppProgress.NONE.onSegment(segment("app", 1, 0, 0, new byte[64]), 64, P));
        open[38] = 0;
        assertThatThrownBy(() -> serde.deserializer().deserialize("changelog", open))
                .as("an open checkpoint without a policy")
                .isInstanceOf(SerializationException.class);
    }
}
