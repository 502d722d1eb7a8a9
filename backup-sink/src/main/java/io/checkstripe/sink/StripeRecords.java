package io.checkstripe.sink;

import io.checkstripe.codec.CellLayout;
import io.checkstripe.core.AppId;
import io.checkstripe.schemas.DeadLetterReason;
import io.checkstripe.schemas.RejectedRecordException;
import io.checkstripe.schemas.avro.CheckpointManifest;
import io.checkstripe.schemas.avro.StripeUnit;
import io.checkstripe.store.CellHeader;
import io.checkstripe.store.StoredCell;
import io.checkstripe.store.StoredManifest;
import java.nio.ByteBuffer;
import java.time.DateTimeException;
import java.time.Instant;

/**
 * Turns the records of the stripes topic into what the store keeps, checking everything a sink can check on one
 * record: the format version, the application id, the fields against each other, and that the record belongs on
 * this server. Stateless.
 */
final class StripeRecords {

    /** The record {@code formatVersion} this sink reads. */
    static final int FORMAT_VERSION = 1;

    private StripeRecords() {
    }

    /**
     * The cell a stripe unit carries.
     *
     * @param where how a message names the record
     * @throws RejectedRecordException when the unit cannot be stored here
     */
    static StoredCell cell(StripeUnit unit, int serverIndex, String where) throws RejectedRecordException {
        checkFormat(unit.getFormatVersion(), unit.getAppId(), where);
        byte[] data = bytes(unit.getData());
        CellHeader header;
        try {
            header = new CellHeader(unit.getAppId(), unit.getCheckpointId(), unit.getSegmentIndex(),
                    unit.getSegmentOffset(), unit.getSegmentLength(), unit.getCellIndex(), unit.getPolicy(),
                    unit.getServers(), unit.getCellLength(), unit.getCrc32c());
            if (data.length != header.cellLength()) {
                throw new IllegalArgumentException("cell " + header + " carries " + data.length + " bytes of data");
            }
        } catch (IllegalArgumentException e) {
            throw new RejectedRecordException(DeadLetterReason.INVALID_RECORD, "invalid " + where, e);
        }
        int owner = CellLayout.serverOf(header.segmentIndex(), header.cellIndex(), header.servers());
        if (owner != serverIndex) {
            throw new RejectedRecordException(DeadLetterReason.MISROUTED, where + ", " + header + ", belongs on "
                    + "server " + owner + " but reached server " + serverIndex);
        }
        return new StoredCell(header, data);
    }

    /**
     * The manifest a stripes record carries.
     *
     * @param where how a message names the record
     * @throws RejectedRecordException when the manifest cannot be stored here
     */
    static StoredManifest manifest(CheckpointManifest manifest, int serverIndex, String where)
            throws RejectedRecordException {
        checkFormat(manifest.getFormatVersion(), manifest.getAppId(), where);
        StoredManifest m;
        try {
            m = new StoredManifest(manifest.getAppId(), manifest.getCheckpointId(), manifest.getPolicy(),
                    manifest.getServers(), manifest.getSegmentCount(), manifest.getSegmentSize(),
                    manifest.getTotalBytes(), bytes(manifest.getSha256()), Instant.ofEpochMilli(manifest.getCreatedAt()),
                    manifest.getMetadata());
        } catch (IllegalArgumentException | NullPointerException | DateTimeException e) {
            throw new RejectedRecordException(DeadLetterReason.INVALID_RECORD, "invalid " + where, e);
        }
        if (serverIndex >= m.servers()) {
            throw new RejectedRecordException(DeadLetterReason.MISROUTED, where + " of " + m.appId() + "/"
                    + m.checkpointId() + " spreads its cells over " + m.servers() + " servers, which do not include "
                    + "server " + serverIndex);
        }
        return m;
    }

    private static void checkFormat(int formatVersion, String appId, String where) throws RejectedRecordException {
        try {
            AppId.validate(appId);
        } catch (IllegalArgumentException e) {
            throw new RejectedRecordException(DeadLetterReason.INVALID_APP_ID, where, e);
        }
        if (formatVersion != FORMAT_VERSION) {
            throw new RejectedRecordException(DeadLetterReason.UNSUPPORTED_FORMAT_VERSION, where + " of " + appId
                    + " has formatVersion " + formatVersion + "; this sink reads " + FORMAT_VERSION);
        }
    }

    /** The buffer's bytes: its array when it is exactly that (as decoded records' are), else a copy. */
    private static byte[] bytes(ByteBuffer buffer) {
        if (buffer == null) {
            return new byte[0];
        }
        if (buffer.hasArray() && buffer.arrayOffset() == 0 && buffer.position() == 0
                && buffer.remaining() == buffer.array().length) {
            return buffer.array();
        }
        ByteBuffer copy = buffer.duplicate();
        byte[] bytes = new byte[copy.remaining()];
        copy.get(bytes);
        return bytes;
    }
}
