package io.checkstripe.faults;

import io.checkstripe.store.StoreLayout;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

import io.checkstripe.codec.CellLayout;
import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.store.CellHeader;
import io.checkstripe.store.CellKey;
import io.checkstripe.store.CellReadResult;
import io.checkstripe.store.CellRecordFormat;
import io.checkstripe.store.CellRecordReader;

/**
 * Reads a sink's store the way an auditor would, straight from its files ({@code apps/APP/CHECKPOINT/cells.log},
 * the layout {@code CellStore} documents), without the store's own index: to prove that every cell a server
 * should hold is there exactly once and intact, and to find the byte ranges of cells to damage on purpose.
 */
final class Stores {

    private Stores() {
    }

    /** One record of a cell log: where it starts, its header, and whether its data matches the header's CRC. */
    record LogRecord(long position, int headerLength, CellHeader header, boolean intact) {
        CellKey key() {
            return header.key();
        }

        long dataPosition() {
            return position + headerLength;
        }
    }

    static Path checkpointDir(Path dataDir, String app, long checkpointId) {
        return StoreLayout.of(dataDir).checkpointDir(app, checkpointId);
    }

    static Path cellLog(Path dataDir, String app, long checkpointId) {
        return StoreLayout.of(dataDir).cellLog(app, checkpointId);
    }

    /** Bytes in the checkpoint's cell log, 0 when it does not exist (yet). */
    static long logSize(Path dataDir, String app, long checkpointId) {
        try {
            Path log = cellLog(dataDir, app, checkpointId);
            return Files.exists(log) ? Files.size(log) : 0;
        } catch (IOException e) {
            return 0; // deleted or replaced while we looked
        }
    }

    /** Every record of the checkpoint's cell log, in file order; fails on a log that is not whole records. */
    static List<LogRecord> records(Path dataDir, String app, long checkpointId) {
        Path log = cellLog(dataDir, app, checkpointId);
        List<LogRecord> records = new ArrayList<>();
        try (CellRecordReader reader = new CellRecordReader(new BufferedInputStream(Files.newInputStream(log), 1 << 16))) {
            while (true) {
                long position = reader.position();
                var cell = reader.nextCell();
                if (cell.isEmpty()) {
                    return records;
                }
                CellReadResult result = cell.get();
                CellHeader header = result.cell().header();
                records.add(new LogRecord(position, CellRecordFormat.headerLength(header), header, result.intact()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + log, e);
        }
    }

    /** The cells server {@code server} holds of a checkpoint of {@code segments} stripes under the layout. */
    static Set<CellKey> expectedCells(int server, int servers, RedundancyPolicy policy, int segments) {
        Set<CellKey> keys = new TreeSet<>();
        for (int s = 0; s < segments; s++) {
            int cell = CellLayout.cellOn(s, server, servers, policy.totalCells());
            if (cell >= 0) {
                keys.add(new CellKey(s, cell));
            }
        }
        return keys;
    }

    /**
     * Asserts that the server's log of the checkpoint holds every cell the layout gives it exactly once, each of
     * the checkpoint, intact, and nothing else. Returns the number of cells checked.
     */
    static int assertExactlyOnce(Path dataDir, int server, int servers, RedundancyPolicy policy, String app,
                                 long checkpointId, int segments) {
        List<LogRecord> records = records(dataDir, app, checkpointId);
        Map<CellKey, Integer> counts = new TreeMap<>();
        for (LogRecord r : records) {
            assertThat(r.header().appId()).as("app of %s in %s", r, dataDir).isEqualTo(app);
            assertThat(r.header().checkpointId()).as("checkpoint of %s in %s", r, dataDir).isEqualTo(checkpointId);
            assertThat(r.intact()).as("data CRC of %s in %s", r, dataDir).isTrue();
            counts.merge(r.key(), 1, Integer::sum);
        }
        Set<CellKey> expected = expectedCells(server, servers, policy, segments);
        assertThat(counts.keySet()).as("cells of %s/%d on server %d (%s)", app, checkpointId, server, dataDir)
                .containsExactlyElementsOf(expected);
        assertThat(counts).as("cells stored more than once on server %d", server)
                .allSatisfy((key, n) -> assertThat(n).as("copies of %s", key).isOne());
        return records.size();
    }

    /** Every regular file under {@code root}, relative to it, sorted. */
    static List<String> files(Path root) {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + root, e);
        }
    }
}
