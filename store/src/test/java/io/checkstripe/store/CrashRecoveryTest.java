package io.checkstripe.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kills a writing process with SIGKILL at random moments and checks that every committed cell survives
 * exactly once and intact, and that the committed offset never covers a cell that is not there.
 */
class CrashRecoveryTest {

    private static final Logger log = LoggerFactory.getLogger(CrashRecoveryTest.class);
    private static final int ROUNDS = 4;

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aKilledWriterLosesNothingAndDuplicatesNothing() throws Exception {
        long seed = System.nanoTime();
        log.info("CrashRecoveryTest seed {}", seed);
        Random random = new Random(seed);
        Path dataDir = tmp.resolve("data");
        long lastPrinted = 0;
        int rounds = 0;
        for (int round = 0; round < ROUNDS; round++) {
            int killAfter = 1 + random.nextInt(30);
            Path stderr = tmp.resolve("child-" + round + ".err");
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", System.getProperty("java.class.path"), CrashWriter.class.getName(), dataDir.toString(),
                    Long.toString(random.nextLong()))
                    .redirectError(stderr.toFile())
                    .start();
            int commits = 0;
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = out.readLine(); line != null && commits < killAfter; line = out.readLine()) {
                    if (line.startsWith("committed ")) {
                        lastPrinted = Long.parseLong(line.substring("committed ".length()));
                        commits++;
                    }
                }
            } finally {
                child.destroyForcibly();
                child.waitFor();
            }
            assertThat(commits).as("seed %d round %d: the child committed %d times before the kill; its stderr: %s",
                    seed, round, commits, Files.readString(stderr)).isEqualTo(killAfter);
            verify(dataDir, lastPrinted, seed, round);
            rounds++;
        }
        assertThat(rounds).isEqualTo(ROUNDS);
    }

    private static void verify(Path dataDir, long lastPrinted, long seed, int round) throws IOException {
        try (CellStore store = CellStore.open(dataDir, 0)) {
            long committed = store.committedOffset(CrashWriter.SOURCE).orElse(0);
            assertThat(committed).as("seed %d round %d: committed offset", seed, round)
                    .isGreaterThanOrEqualTo(lastPrinted);
            for (long seq = 0; seq < committed; seq++) {
                StoredCell expected = CrashWriter.cell(seq);
                CellHeader h = expected.header();
                CellReadResult got = store.readCell(h.appId(), h.checkpointId(), h.segmentIndex(), h.cellIndex())
                        .orElseThrow(() -> new AssertionError("seed " + seed + ": committed cell missing: " + h));
                assertThat(got.verified()).as("seed %d round %d: %s", seed, round, h).isEqualTo(expected);
            }
            int logs = 0;
            for (String app : store.apps()) {
                for (long cp : store.checkpoints(app)) {
                    Path cellLog = TestCells.logOf(dataDir, app, cp);
                    if (Files.exists(cellLog)) {
                        Map<CellKey, Integer> counts = TestCells.recordCounts(cellLog);
                        assertThat(counts).as("seed %d round %d: records of %s/%d", seed, round, app, cp)
                                .allSatisfy((key, n) -> assertThat(n).isOne());
                        List<CellKey> cells = store.cells(app, cp);
                        assertThat(cells).containsExactlyInAnyOrderElementsOf(counts.keySet());
                        for (CellKey k : cells) {
                            assertThat(store.readCell(app, cp, k.segmentIndex(), k.cellIndex()).orElseThrow()
                                    .intact()).as("seed %d: %s/%d %s", seed, app, cp, k).isTrue();
                        }
                        logs++;
                    }
                }
            }
            assertThat(logs).as("seed %d: cell logs checked", seed).isGreaterThanOrEqualTo(committed > 0 ? 1 : 0);
            try (Stream<Path> quarantined = Files.list(StoreLayout.of(dataDir).quarantineDir())) {
                assertThat(quarantined).as("seed %d: nothing quarantined after a kill", seed).isEmpty();
            }
            log.info("round {}: {} committed cells intact, {} cell logs without duplicates", round, committed, logs);
        }
    }
}
