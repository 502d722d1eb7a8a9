package io.checkstripe.sink;

import io.checkstripe.schemas.RejectedRecordException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.schemas.DeadLetterReason;
import io.checkstripe.schemas.avro.CheckpointManifest;
import io.checkstripe.schemas.avro.StripeUnit;
import io.checkstripe.store.CellReadResult;
import io.checkstripe.store.StoredCell;
import io.checkstripe.store.StoredManifest;
import java.nio.ByteBuffer;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class StripeRecordsTest {

    private static final TestCheckpoints.Striped CHECKPOINT =
            TestCheckpoints.stripe("ledger", 7, 10_000, 4000, "RS-3-2", 5, 7);

    private static StripeUnit unitFor(int server, Consumer<StripeUnit> change) {
        StripeUnit unit = StripeUnit.newBuilder(CHECKPOINT.unitsFor(server).get(0)).build();
        change.accept(unit);
        return unit;
    }

    private static DeadLetterReason rejection(StripeUnit unit, int server) {
        try {
            StripeRecords.cell(unit, server, "unit");
            throw new AssertionError("accepted " + unit);
        } catch (RejectedRecordException e) {
            return e.reason();
        }
    }

    @Test
    void aUnitBecomesTheCellItCarries() throws Exception {
        StripeUnit unit = CHECKPOINT.unitsFor(2).get(1);
        StoredCell cell = StripeRecords.cell(unit, 2, "unit");
        assertThat(cell.header().appId()).isEqualTo("ledger");
        assertThat(cell.header().checkpointId()).isEqualTo(7);
        assertThat(cell.header().segmentIndex()).isEqualTo(unit.getSegmentIndex());
        assertThat(cell.header().cellIndex()).isEqualTo(unit.getCellIndex());
        assertThat(cell.header().policy()).isEqualTo("RS-3-2");
        assertThat(CellReadResult.of(cell).intact()).isTrue();
        assertThat(ByteBuffer.wrap(cell.data())).isEqualTo(unit.getData());
    }

    @Test
    void badUnitsAreRejectedWithTheirReason() {
        assertThat(rejection(unitFor(0, u -> { }), 1)).isEqualTo(DeadLetterReason.MISROUTED);
        assertThat(rejection(unitFor(0, u -> u.setAppId("../etc")), 0)).isEqualTo(DeadLetterReason.INVALID_APP_ID);
        assertThat(rejection(unitFor(0, u -> u.setFormatVersion(2)), 0))
                .isEqualTo(DeadLetterReason.UNSUPPORTED_FORMAT_VERSION);
        assertThat(rejection(unitFor(0, u -> u.setCellLength(u.getCellLength() + 1)), 0))
                .isEqualTo(DeadLetterReason.INVALID_RECORD);
        assertThat(rejection(unitFor(0, u -> u.setData(ByteBuffer.allocate(3))), 0))
                .isEqualTo(DeadLetterReason.INVALID_RECORD);
        assertThat(rejection(unitFor(0, u -> u.setPolicy("RS-9")), 0)).isEqualTo(DeadLetterReason.INVALID_RECORD);
        assertThat(rejection(unitFor(0, u -> u.setServers(2)), 0)).isEqualTo(DeadLetterReason.INVALID_RECORD);
    }

    @Test
    void theRejectionExplainsItselfForTheDeadLetterHeader() {
        RejectedRecordException e = null;
        try {
            StripeRecords.cell(unitFor(0, u -> { }), 3, "stripe unit at offset 12 of stripes-3");
        } catch (RejectedRecordException rejected) {
            e = rejected;
        }
        assertThat(e).isNotNull();
        assertThat(e.describe()).contains(RejectedRecordException.class.getName()).contains("offset 12")
                .contains("belongs on server 0").contains("reached server 3");
    }

    @Test
    void aManifestBecomesTheStoredManifestUnlessThisServerIsOutsideItsN() throws Exception {
        StoredManifest m = StripeRecords.manifest(CHECKPOINT.manifest(), 4, "manifest");
        assertThat(m.servers()).isEqualTo(5);
        assertThat(m.segmentCount()).isEqualTo(3);
        assertThat(m.totalBytes()).isEqualTo(10_000);
        assertThat(m.createdAt().toEpochMilli()).isEqualTo(1_700_000_000_000L);
        assertThat(m.metadata()).containsEntry("host", "test");
        assertThatThrownBy(() -> StripeRecords.manifest(CHECKPOINT.manifest(), 5, "manifest"))
                .isInstanceOfSatisfying(RejectedRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.MISROUTED));
        CheckpointManifest shortSha = CheckpointManifest.newBuilder(CHECKPOINT.manifest())
                .setSha256(ByteBuffer.allocate(5)).build();
        assertThatThrownBy(() -> StripeRecords.manifest(shortSha, 0, "manifest"))
                .isInstanceOfSatisfying(RejectedRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(DeadLetterReason.INVALID_RECORD));
    }
}
