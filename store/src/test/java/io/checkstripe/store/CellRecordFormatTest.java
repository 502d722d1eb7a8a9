package io.checkstripe.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.codec.CorruptCellException;
import io.checkstripe.codec.Crc32c;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CellRecordFormatTest {

    private static List<StoredCell> cells() {
        List<StoredCell> cells = new ArrayList<>();
        for (int s = 0; s < 6; s++) {
            cells.add(TestCells.cell("app-1", 7, "RS-3-2", 5, 2, s, s * 1000 + 1, 11));
        }
        cells.add(TestCells.cell("app-1", 7, "RS-3-2", 5, 2, 6, 0, 11));
        return cells;
    }

    private static byte[] encode(List<StoredCell> cells) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (StoredCell c : cells) {
            CellRecordFormat.write(c, out);
        }
        return out.toByteArray();
    }

    @Test
    void streamAndBufferEncodingsAgreeAndReadBack() throws IOException {
        List<StoredCell> cells = cells();
        byte[] streamed = encode(cells);
        long total = cells.stream().mapToLong(c -> CellRecordFormat.recordLength(c.header())).sum();
        ByteBuffer buffer = ByteBuffer.allocate((int) total);
        cells.forEach(c -> CellRecordFormat.write(c, buffer));
        assertThat(buffer.array()).isEqualTo(streamed);

        List<StoredCell> read = new ArrayList<>();
        try (CellRecordReader r = new CellRecordReader(new ByteArrayInputStream(streamed))) {
            for (Optional<CellReadResult> c = r.nextCell(); c.isPresent(); c = r.nextCell()) {
                assertThat(c.get().intact()).isTrue();
                read.add(c.get().verified());
            }
            assertThat(r.position()).isEqualTo(total);
        }
        assertThat(read).isEqualTo(cells);
    }

    @Test
    void headerLengthFollowsTheNames() {
        CellHeader h = cells().get(0).header();
        assertThat(CellRecordFormat.headerLength(h)).isEqualTo(52 + "app-1".length() + "RS-3-2".length());
        assertThat(CellRecordFormat.recordLength(h)).isEqualTo(CellRecordFormat.headerLength(h) + (long) h.cellLength());
        assertThat(CellRecordFormat.encodeHeader(h).remaining()).isEqualTo(CellRecordFormat.headerLength(h));
    }

    @Test
    void readerReadsDataIntoTheCallersBufferAndSkipsUnreadData() throws IOException {
        List<StoredCell> cells = cells();
        byte[] buffer = new byte[10_000];
        try (CellRecordReader r = new CellRecordReader(new ByteArrayInputStream(encode(cells)))) {
            for (int i = 0; i < cells.size(); i++) {
                CellHeader h = r.next().orElseThrow();
                assertThat(h).isEqualTo(cells.get(i).header());
                if (i % 2 == 0) {
                    int crc = r.readData(buffer, 100);
                    assertThat(crc).isEqualTo(h.crc32c());
                    assertThat(Arrays.copyOfRange(buffer, 100, 100 + h.cellLength())).isEqualTo(cells.get(i).data());
                }
            }
            assertThat(r.next()).isEmpty();
        }
    }

    @Test
    void readerReadsTheCurrentCellOnceAndOnlyAfterItsHeader() throws IOException {
        List<StoredCell> cells = cells();
        try (CellRecordReader r = new CellRecordReader(new ByteArrayInputStream(encode(cells)))) {
            assertThatThrownBy(r::readCell).isInstanceOf(IllegalStateException.class);
            r.next().orElseThrow();
            CellReadResult first = r.readCell();
            assertThat(first.verified()).isEqualTo(cells.get(0));
            assertThat(first.computedCrc32c()).isEqualTo(cells.get(0).header().crc32c());
            assertThatThrownBy(r::readCell).isInstanceOf(IllegalStateException.class);
            r.next().orElseThrow();
            assertThat(r.readCell().verified()).isEqualTo(cells.get(1));
        }
    }

    @Test
    void everyFlippedHeaderBitIsDetected() throws IOException {
        StoredCell cell = cells().get(1);
        byte[] record = encode(List.of(cell));
        int headerBits = CellRecordFormat.headerLength(cell.header()) * 8;
        int detected = 0;
        for (int bit = 0; bit < headerBits; bit++) {
            byte[] damaged = record.clone();
            damaged[bit / 8] ^= (byte) (1 << (bit % 8));
            try (CellRecordReader r = new CellRecordReader(new ByteArrayInputStream(damaged))) {
                assertThatThrownBy(r::next).isInstanceOf(CorruptRecordException.class);
                detected++;
            }
        }
        assertThat(detected).isEqualTo(headerBits).isEqualTo((52 + 5 + 6) * 8);
    }

    @Test
    void aFlippedDataBitIsReportedWithBothCrcs() throws IOException {
        StoredCell cell = cells().get(2);
        byte[] record = encode(List.of(cell));
        record[record.length - 10] ^= 0x20;
        try (CellRecordReader r = new CellRecordReader(new ByteArrayInputStream(record))) {
            CellReadResult result = r.nextCell().orElseThrow();
            assertThat(result.intact()).isFalse();
            assertThat(result.computedCrc32c()).isNotEqualTo(cell.header().crc32c());
            assertThatThrownBy(result::verified).isInstanceOfSatisfying(CorruptCellException.class, e -> {
                assertThat(e.storedCrc()).isEqualTo(cell.header().crc32c());
                assertThat(e.computedCrc()).isEqualTo(result.computedCrc32c());
            });
        }
    }

    @Test
    void aStreamCutAnywhereInsideARecordIsCorrupt() throws IOException {
        StoredCell cell = cells().get(1);
        byte[] record = encode(List.of(cell));
        int cuts = 0;
        for (int length = 1; length < record.length; length++) {
            try (CellRecordReader r = new CellRecordReader(new ByteArrayInputStream(record, 0, length))) {
                assertThatThrownBy(r::nextCell).as("cut at %d", length).isInstanceOf(CorruptRecordException.class)
                        .hasMessageContaining("ends inside");
                cuts++;
            }
        }
        assertThat(cuts).isEqualTo(record.length - 1);
    }

    @Test
    void theReaderIsUnusableAfterACorruptHeader() throws IOException {
        byte[] records = encode(cells());
        records[0] ^= 1;
        try (CellRecordReader r = new CellRecordReader(new ByteArrayInputStream(records))) {
            assertThatThrownBy(r::next).hasMessageContaining("magic");
            assertThatThrownBy(r::next).hasMessageContaining("unusable");
        }
    }

    @Test
    void aNonCanonicalPolicyNameIsNotUnderstood() throws IOException {
        CellHeader h = cells().get(0).header();
        byte[] header = CellRecordFormat.encodeHeader(h).array();
        int policyAt = 48 + h.appId().length();
        System.arraycopy("rs-3-2".getBytes(StandardCharsets.US_ASCII), 0, header, policyAt, 6);
        ByteBuffer.wrap(header).putInt(header.length - 4, Crc32c.of(header, 0, header.length - 4));
        assertThatThrownBy(() -> CellRecordFormat.readHeader(ByteBuffer.wrap(header)))
                .isInstanceOf(CorruptRecordException.class).hasMessageContaining("not canonical");
    }

    @Test
    void anotherVersionIsRejected() {
        byte[] header = CellRecordFormat.encodeHeader(cells().get(0).header()).array();
        header[4] = 2;
        assertThatThrownBy(() -> CellRecordFormat.readHeader(ByteBuffer.wrap(header)))
                .isInstanceOf(CorruptRecordException.class).hasMessageContaining("version 2");
    }

    @Test
    void headersValidateTheirFields() {
        assertThat(new CellHeader("a", 1, 0, 0, 10, 0, "rs-3-2", 5, 4, 0).policy()).isEqualTo("RS-3-2");
        assertThatThrownBy(() -> new CellHeader("../x", 1, 0, 0, 10, 0, "RS-3-2", 5, 4, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("../x");
        assertThatThrownBy(() -> new CellHeader("a", -1, 0, 0, 10, 0, "RS-3-2", 5, 4, 0))
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> new CellHeader("a", 1, -2, 0, 10, 0, "RS-3-2", 5, 4, 0))
                .hasMessageContaining("segment index -2");
        assertThatThrownBy(() -> new CellHeader("a", 1, 0, 0, 10, 5, "RS-3-2", 5, 4, 0))
                .hasMessageContaining("cell index 5");
        assertThatThrownBy(() -> new CellHeader("a", 1, 0, 0, 10, 0, "RS-3-2", 4, 4, 0))
                .hasMessageContaining("servers 4");
        assertThatThrownBy(() -> new CellHeader("a", 1, 0, 0, 10, 0, "RS-3-2", 5, 3, 0))
                .hasMessageContaining("cell length 3");
        assertThatThrownBy(() -> new CellHeader("a", 1, 0, 0, 10, 0, "RS-0-2", 5, 4, 0))
                .hasMessageContaining("RS-0-2");
        CellHeader h = new CellHeader("a", 1, 0, 0, 10, 0, "RS-3-2", 5, 4, 0);
        assertThatThrownBy(() -> new StoredCell(h, new byte[3])).hasMessageContaining("3 bytes of data, expected 4");
    }
}
