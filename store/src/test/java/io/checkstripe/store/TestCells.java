package io.checkstripe.store;

import io.checkstripe.codec.CellLayout;
import io.checkstripe.codec.Crc32c;
import io.checkstripe.codec.RedundancyPolicy;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;

/** Builds test cells and manifests, and reads back what a log holds; {@link FileDamage} damages files. */
public final class TestCells {

    private TestCells() {
    }

    /** The cell server {@code server} holds of stripe {@code segment}, with seeded random bytes. */
    static StoredCell cell(String app, long cp, String policy, int servers, int server, int segment, int segmentLength,
            long seed) {
        RedundancyPolicy p = RedundancyPolicy.parse(policy);
        int cellIndex = CellLayout.cellOn(segment, server, servers, p.totalCells());
        if (cellIndex < 0) {
            throw new IllegalArgumentException("server " + server + " holds no cell of stripe " + segment);
        }
        byte[] data = new byte[p.cellLength(segmentLength)];
        new Random(seed * 31 + segment).nextBytes(data);
        return new StoredCell(new CellHeader(app, cp, segment, (long) segment * segmentLength, segmentLength, cellIndex,
                policy, servers, data.length, Crc32c.of(data, 0, data.length)), data);
    }

    static StoredManifest manifest(String app, long cp, String policy, int servers, int segmentCount, int segmentSize) {
        byte[] sha = new byte[32];
        new Random(cp).nextBytes(sha);
        return new StoredManifest(app, cp, policy, servers, segmentCount, segmentSize,
                (long) segmentCount * segmentSize, sha, Instant.ofEpochSecond(1_700_000_000L, 123_456_789),
                Map.of("app.version", "1.2.3"));
    }

    static Path logOf(Path dataDir, String app, long cp) {
        return StoreLayout.of(dataDir).cellLog(app, cp);
    }

    /** Start position of every record in a log, read with the public reader. */
    static List<Long> recordPositions(Path log) throws IOException {
        List<Long> positions = new ArrayList<>();
        try (CellRecordReader r = new CellRecordReader(new BufferedInputStream(Files.newInputStream(log)))) {
            long at = r.position();
            while (r.next().isPresent()) {
                positions.add(at);
                r.skipData();
                at = r.position();
            }
        }
        return positions;
    }

    /** How many records of each key a whole log holds. */
    public static Map<CellKey, Integer> recordCounts(Path log) throws IOException {
        Map<CellKey, Integer> counts = new HashMap<>();
        try (InputStream in = new BufferedInputStream(Files.newInputStream(log));
                CellRecordReader r = new CellRecordReader(in)) {
            for (Optional<CellHeader> h = r.next(); h.isPresent(); h = r.next()) {
                counts.merge(h.get().key(), 1, Integer::sum);
            }
        }
        return counts;
    }
}
