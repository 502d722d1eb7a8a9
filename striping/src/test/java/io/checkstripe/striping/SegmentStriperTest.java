package io.checkstripe.striping;

import static io.checkstripe.striping.Checkpoints.bytes;
import static io.checkstripe.striping.Checkpoints.commit;
import static io.checkstripe.striping.Checkpoints.commitOf;
import static io.checkstripe.striping.Checkpoints.randomBytes;
import static io.checkstripe.striping.Checkpoints.segment;
import static io.checkstripe.striping.Checkpoints.sha256;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.schemas.DeadLetterReason;
import io.checkstripe.schemas.RejectedRecordException;
import io.checkstripe.schemas.avro.CheckpointCommit;
import io.checkstripe.schemas.avro.CheckpointManifest;
import io.checkstripe.schemas.avro.CheckpointSegment;
import io.checkstripe.schemas.avro.StripeUnit;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SegmentStriperTest {

    @ParameterizedTest(name = "{0} on {1} servers")
    @CsvSource({"STRIPE-4, 4", "STRIPE-4, 6", "XOR-4-1, 5", "XOR-4-1, 7", "RS-3-2, 5", "RS-3-2, 8", "RS-6-3, 9",
            "RS-6-3, 11", "MIRROR-3, 3", "MIRROR-3, 5"})
    void routesCellJOfSegmentSToServerSPlusJModN(String policyName, int servers) {
        RedundancyPolicy policy = RedundancyPolicy.parse(policyName);
        SegmentStriper striper = new SegmentStriper(policy, servers);
        int checked = 0;
        for (int s = 0; s < 3 * servers; s++) {
            byte[] data = randomBytes(s, 500 + s);
            List<SegmentStriper.RoutedUnit> units = striper.stripe(segment("app", 7, s, 1000L * s, data));
            assertThat(units).hasSize(policy.totalCells());
            for (int j = 0; j < units.size(); j++) {
                SegmentStriper.RoutedUnit routed = units.get(j);
                StripeUnit unit = routed.unit();
                assertThat(routed.server()).isEqualTo((s + j) % servers);
                assertThat(SegmentStriper.serverOf(unit)).isEqualTo(routed.server());
                assertThat(unit.getCellIndex()).isEqualTo(j);
                assertThat(unit.getSegmentIndex()).isEqualTo(s);
                assertThat(unit.getSegmentOffset()).isEqualTo(1000L * s);
                assertThat(unit.getSegmentLength()).isEqualTo(data.length);
                assertThat(unit.getPolicy()).isEqualTo(policy.name());
                assertThat(unit.getServers()).isEqualTo(servers);
                assertThat(unit.getAppId()).isEqualTo("app");
                assertThat(unit.getCheckpointId()).isEqualTo(7);
                assertThat(unit.getFormatVersion()).isEqualTo(1);
                checked++;
            }
            // Cells of one stripe never share a server.
            assertThat(units.stream().map(SegmentStriper.RoutedUnit::server).distinct()).hasSize(units.size());
        }
        assertThat(checked).isEqualTo(3 * servers * policy.totalCells());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"STRIPE-4", "XOR-4-1", "RS-3-2", "RS-6-3", "MIRROR-3"})
    void everySetOfMLostCellsDecodesToTheSegment(String policyName) {
        RedundancyPolicy policy = RedundancyPolicy.parse(policyName);
        SegmentStriper striper = new SegmentStriper(policy, policy.totalCells());
        byte[] data = randomBytes(42, 1001);
        List<StripeUnit> stripe = striper.stripe(segment("app", 1, 0, 0, data)).stream()
                .map(SegmentStriper.RoutedUnit::unit).toList();
        List<List<Integer>> lostSets = subsets(policy.totalCells(), policy.parityCells());
        for (List<Integer> lost : lostSets) {
            assertThat(Checkpoints.decode(policy, stripe, lost)).as("lost %s", lost).isEqualTo(data);
        }
        assertThat(lostSets).hasSize(binomial(policy.totalCells(), policy.parityCells()));
    }

    @Test
    void padsTheLastDataCellWithZerosAndRecordsTheTrueLength() {
        RedundancyPolicy policy = RedundancyPolicy.parse("RS-3-2");
        byte[] data = randomBytes(3, 1000);
        List<StripeUnit> stripe = new SegmentStriper(policy, 5).stripe(segment("app", 1, 0, 0, data)).stream()
                .map(SegmentStriper.RoutedUnit::unit).toList();
        assertThat(stripe).allSatisfy(unit -> {
            assertThat(unit.getCellLength()).isEqualTo(334);
            assertThat(unit.getData().remaining()).isEqualTo(334);
            assertThat(unit.getSegmentLength()).isEqualTo(1000);
        });
        byte[] joined = new byte[3 * 334];
        for (int j = 0; j < 3; j++) {
            System.arraycopy(bytes(stripe.get(j).getData()), 0, joined, j * 334, 334);
        }
        assertThat(Arrays.copyOf(joined, 1000)).isEqualTo(data);
        assertThat(Arrays.copyOfRange(joined, 1000, 1002)).containsOnly(0);
    }

    @Test
    void everyCellCarriesTheCrc32cOfItsBytes() {
        RedundancyPolicy policy = RedundancyPolicy.parse("RS-6-3");
        List<SegmentStriper.RoutedUnit> units =
                new SegmentStriper(policy, 9).stripe(segment("app", 1, 4, 0, randomBytes(5, 4099)));
        assertThat(units).hasSize(9).allSatisfy(routed -> {
            CRC32C crc = new CRC32C();
            crc.update(bytes(routed.unit().getData()));
            assertThat(routed.unit().getCrc32c()).isEqualTo((int) crc.getValue());
        });
    }

    @Test
    void listUnitsOwnTheirCellsWhileCallbackUnitsShareTheWorkspace() {
        SegmentStriper striper = new SegmentStriper(RedundancyPolicy.parse("XOR-4-1"), 5);
        byte[] first = randomBytes(1, 800);
        List<SegmentStriper.RoutedUnit> kept = striper.stripe(segment("app", 1, 0, 0, first));
        List<byte[]> shared = new ArrayList<>();
        striper.stripe(segment("app", 1, 1, 800, randomBytes(2, 800)), (server, unit) ->
                shared.add(unit.getData().array()));
        striper.stripe(segment("app", 1, 2, 1600, randomBytes(3, 800)), (server, unit) ->
                assertThat(unit.getData().array()).isSameAs(shared.get(unit.getCellIndex())));
        List<StripeUnit> keptUnits = kept.stream().map(SegmentStriper.RoutedUnit::unit).toList();
        assertThat(Checkpoints.decode(striper.policy(), keptUnits, List.of())).isEqualTo(first);
    }

    @Test
    void readsSegmentsFromDirectBuffersAndSlicesLikeHeapArrays() {
        SegmentStriper striper = new SegmentStriper(RedundancyPolicy.parse("RS-3-2"), 5);
        byte[] data = randomBytes(9, 777);
        ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).flip();
        byte[] padded = new byte[data.length + 20];
        System.arraycopy(data, 0, padded, 10, data.length);
        ByteBuffer slice = ByteBuffer.wrap(padded, 10, data.length).slice();
        List<StripeUnit> fromHeap = units(striper, new CheckpointSegment(1, "app", 1L, 0, 0L, ByteBuffer.wrap(data), null));
        assertThat(units(striper, new CheckpointSegment(1, "app", 1L, 0, 0L, direct, null))).isEqualTo(fromHeap);
        assertThat(units(striper, new CheckpointSegment(1, "app", 1L, 0, 0L, slice, null))).isEqualTo(fromHeap);
    }

    @Test
    void rejectsSegmentsThatBreakARuleOfTheirOwn() {
        SegmentStriper striper = new SegmentStriper(RedundancyPolicy.parse("RS-3-2-1k"), 5);
        assertRejected(() -> striper.stripe(segment("no/slash", 1, 0, 0, new byte[10])), DeadLetterReason.INVALID_APP_ID,
                "no/slash");
        assertRejected(() -> striper.stripe(segment("..", 1, 0, 0, new byte[10])), DeadLetterReason.INVALID_APP_ID,
                "\"..\"");
        assertRejected(() -> striper.stripe(new CheckpointSegment(2, "app", 1L, 0, 0L, ByteBuffer.allocate(10), null)),
                DeadLetterReason.UNSUPPORTED_FORMAT_VERSION, "formatVersion 2");
        assertRejected(() -> striper.stripe(segment("app", 1, 0, -5, new byte[10])), DeadLetterReason.INVALID_RECORD,
                "offset -5");
        assertRejected(() -> striper.stripe(segment("app", -1, 0, 0, new byte[10])), DeadLetterReason.INVALID_RECORD,
                "negative");
        assertRejected(() -> striper.stripe(segment("app", 1, 0, 0, new byte[0])), DeadLetterReason.INVALID_RECORD,
                "is empty");
        assertRejected(() -> striper.stripe(segment("app", 1, 0, 0, new byte[3 * 1024 + 1])),
                DeadLetterReason.SEGMENT_TOO_LONG, "3073 bytes");
        assertThat(striper.stripe(segment("app", 1, 0, 0, new byte[3 * 1024]))).hasSize(5);
    }

    @Test
    void manifestCarriesTheCommitPolicyAndServers() {
        SegmentStriper striper = new SegmentStriper(RedundancyPolicy.parse("rs-6-3-1m"), 11);
        byte[] sha = sha256(new byte[] {1, 2, 3});
        CheckpointCommit commit = commit("app", 9, 3, 2 * 1024 + 5, 1024, sha);
        CheckpointManifest manifest = striper.manifest(commit, sha);
        assertThat(manifest.getAppId()).isEqualTo("app");
        assertThat(manifest.getCheckpointId()).isEqualTo(9);
        assertThat(manifest.getPolicy()).isEqualTo("RS-6-3-1024k");
        assertThat(manifest.getServers()).isEqualTo(11);
        assertThat(manifest.getSegmentCount()).isEqualTo(3);
        assertThat(manifest.getSegmentSize()).isEqualTo(1024);
        assertThat(manifest.getTotalBytes()).isEqualTo(2 * 1024 + 5);
        assertThat(bytes(manifest.getSha256())).isEqualTo(sha);
        assertThat(manifest.getCreatedAt()).isEqualTo(commit.getCreatedAt());
        assertThat(manifest.getMetadata()).isEqualTo(Map.of("host", "test"));
        assertThat(manifest.getFormatVersion()).isEqualTo(1);
    }

    @Test
    void anEmptyCheckpointIsACommitOfNoSegmentsWithTheSha256OfNothing() {
        SegmentStriper striper = new SegmentStriper(RedundancyPolicy.parse("RS-3-2"), 5);
        byte[] nothing = sha256(new byte[0]);
        CheckpointManifest manifest = striper.manifest(commit("app", 1, 0, 0, 1024, nothing), nothing);
        assertThat(manifest.getSegmentCount()).isZero();
        assertThat(manifest.getTotalBytes()).isZero();
        assertRejected(() -> striper.manifest(commit("app", 1, 0, 0, 1024, sha256(new byte[1])), nothing),
                DeadLetterReason.SHA256_MISMATCH, "0 segment(s) hash to " + HexFormat.of().formatHex(nothing));
    }

    @Test
    void refusesACommitWhoseSha256IsNotTheOneOfItsSegments() {
        SegmentStriper striper = new SegmentStriper(RedundancyPolicy.parse("RS-3-2"), 5);
        byte[] data = randomBytes(11, 150);
        byte[] segments = sha256(data);
        byte[] forged = sha256(randomBytes(12, 150));
        assertThat(bytes(striper.manifest(commitOf("app", 4, data, 100), segments).getSha256())).isEqualTo(segments);
        assertRejected(() -> striper.manifest(commit("app", 4, 2, 150, 100, forged), segments),
                DeadLetterReason.SHA256_MISMATCH, "commit of application app checkpoint 4 carries SHA-256 "
                        + HexFormat.of().formatHex(forged) + " but its 2 segment(s) hash to "
                        + HexFormat.of().formatHex(segments));
        // The order of the two checks: a commit that breaks its own rules says so first.
        assertRejected(() -> striper.manifest(commit("app", 4, 2, 250, 100, forged), segments),
                DeadLetterReason.COMMIT_MISMATCH, "101 to 200 bytes");
    }

    @Test
    void rejectsCommitsThatContradictThemselves() {
        SegmentStriper striper = new SegmentStriper(RedundancyPolicy.parse("RS-3-2"), 5);
        byte[] sha = sha256(new byte[] {1});
        assertRejected(() -> striper.manifest(commit("app", 1, 2, 100, 100, new byte[31]), sha),
                DeadLetterReason.INVALID_RECORD, "SHA-256 of 31 bytes");
        assertRejected(() -> striper.manifest(commit("app", 1, 2, 201, 100, sha), sha),
                DeadLetterReason.COMMIT_MISMATCH, "101 to 200 bytes");
        assertRejected(() -> striper.manifest(commit("app", 1, 2, 100, 100, sha), sha),
                DeadLetterReason.COMMIT_MISMATCH, "101 to 200 bytes");
        assertRejected(() -> striper.manifest(commit("app", 1, 0, 5, 100, sha), sha),
                DeadLetterReason.COMMIT_MISMATCH, "0 to 0 bytes");
        assertRejected(() -> striper.manifest(commit("app", 1, 1, 10, 0, sha), sha),
                DeadLetterReason.INVALID_RECORD, "segmentSize 0");
        assertRejected(() -> striper.manifest(commit("app", 1, -1, 10, 10, sha), sha),
                DeadLetterReason.INVALID_RECORD, "segmentCount -1");
        assertRejected(() -> striper.manifest(commit("bad app", 1, 1, 10, 10, sha), sha),
                DeadLetterReason.INVALID_APP_ID, "bad app");
        assertThat(striper.manifest(commit("app", 1, 2, 200, 100, sha), sha).getTotalBytes()).isEqualTo(200);
    }

    @Test
    void needsAtLeastAServerPerCell() {
        assertThatThrownBy(() -> new SegmentStriper(RedundancyPolicy.parse("RS-6-3"), 8))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("RS-6-3 puts 9 cells per stripe on distinct backup servers, so it needs at least 9 "
                        + "servers, got 8");
    }

    private static List<StripeUnit> units(SegmentStriper striper, CheckpointSegment segment) {
        return striper.stripe(segment).stream().map(SegmentStriper.RoutedUnit::unit).toList();
    }

    private static void assertRejected(Runnable call, DeadLetterReason reason, String messagePart) {
        assertThatThrownBy(call::run)
                .isInstanceOfSatisfying(RejectedRecordException.class,
                        e -> assertThat(e.reason()).isEqualTo(reason))
                .hasMessageContaining(messagePart);
    }

    /** Every subset of {@code size} of 0..n-1. */
    static List<List<Integer>> subsets(int n, int size) {
        List<List<Integer>> all = new ArrayList<>();
        collect(n, size, 0, new ArrayList<>(), all);
        return all;
    }

    private static void collect(int n, int size, int from, List<Integer> current, List<List<Integer>> all) {
        if (current.size() == size) {
            all.add(List.copyOf(current));
            return;
        }
        for (int i = from; i < n; i++) {
            current.add(i);
            collect(n, size, i + 1, current, all);
            current.remove(current.size() - 1);
        }
    }

    private static int binomial(int n, int k) {
        long result = 1;
        for (int i = 1; i <= k; i++) {
            result = result * (n - k + i) / i;
        }
        return (int) result;
    }
}
