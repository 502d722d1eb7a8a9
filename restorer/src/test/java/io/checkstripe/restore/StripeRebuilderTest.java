package io.checkstripe.restore;

import static org.assertj.core.api.Assertions.assertThat;

import io.checkstripe.codec.RedundancyPolicy;
import io.checkstripe.codec.StripeWorkspace;
import io.checkstripe.store.CellHeader;
import io.checkstripe.store.CellReadResult;
import io.checkstripe.store.StoredCell;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The rebuilder hands out an intact stripe's data cells as they are, cut at the segment's length, instead of
 * copying them through a {@link StripeWorkspace}: this holds the two to the same bytes, for every length class
 * (empty, shorter than K, not a multiple of K, full, fixed-cell policies with unused data cells), with no cell
 * lost, with data cells lost, and for a repair's every cell.
 */
class StripeRebuilderTest {

    static final int MAX = 4 * 1024;

    private static List<Integer> lengths(RedundancyPolicy p) {
        int max = Math.min(MAX, p.maxSegmentLength());
        return List.of(0, 1, p.dataCells() - 1, p.dataCells() + 1, max / 2 + 3, max - 1, max);
    }

    /** Stripe {@code s} as fetched: every cell intact, except those in {@code lost}. */
    private static StripeFetch.Stripe stripe(RedundancyPolicy p, StripeWorkspace striped, int s, int length,
            int... lost) {
        StripeFetch.Stripe stripe = new StripeFetch.Stripe(s, length, p.totalCells());
        for (int j = 0; j < p.totalCells(); j++) {
            byte[] data = Arrays.copyOf(striped.cell(j), striped.cellLength());
            stripe.cells[j] = CellReadResult.of(new StoredCell(new CellHeader("a", 1, s, 0, length, j, p.name(),
                    p.totalCells(), data.length, striped.crc(j)), data));
            stripe.states[j] = StripeFetch.CellState.GOOD;
            stripe.servers[j] = j;
        }
        for (int j : lost) {
            stripe.cells[j] = null;
            stripe.states[j] = StripeFetch.CellState.LOST;
        }
        return stripe;
    }

    private static byte[] pieces(StripeRebuilder r) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        r.forEachPiece(out::write);
        return out.toByteArray();
    }

    @ParameterizedTest
    @ValueSource(strings = {"RS-3-2", "RS-6-3-1k", "XOR-4-1", "MIRROR-3", "STRIPE-4"})
    void piecesAreTheSegmentTheWorkspaceGivesBack(String name) throws IOException {
        RedundancyPolicy p = RedundancyPolicy.parse(name);
        StripeRebuilder rebuilder = new StripeRebuilder("a", 1, p, MAX);
        SplittableRandom random = new SplittableRandom(name.hashCode());
        int cases = 0;
        for (int length : lengths(p)) {
            byte[] segment = new byte[length];
            random.nextBytes(segment);
            StripeWorkspace striped = new StripeWorkspace(p, MAX);
            striped.encode(segment, 0, length);
            byte[] expected = new byte[length];
            striped.copySegmentTo(expected, 0);
            assertThat(expected).isEqualTo(segment);

            assertThat(rebuilder.rebuild(stripe(p, striped, cases, length), false)).isZero();
            assertThat(pieces(rebuilder)).as("%s, %d bytes, intact", name, length).isEqualTo(segment);
            assertThat(rebuilder.length()).isEqualTo(length);
            cases++;

            if (p.parityCells() > 0) {
                int[] lost = java.util.stream.IntStream.range(0, Math.min(p.parityCells(), p.dataCells())).toArray();
                assertThat(rebuilder.rebuild(stripe(p, striped, cases, length, lost), false)).isEqualTo(lost.length);
                assertThat(pieces(rebuilder)).as("%s, %d bytes, data cells lost", name, length).isEqualTo(segment);
                cases++;
            }

            assertThat(rebuilder.rebuild(stripe(p, striped, cases, length), true)).isZero();
            assertThat(pieces(rebuilder)).isEqualTo(segment);
            for (int j = 0; j < p.totalCells(); j++) {
                assertThat(Arrays.copyOf(rebuilder.encodedCell(j), rebuilder.cellLength()))
                        .as("%s, %d bytes, cell %d", name, length, j)
                        .isEqualTo(Arrays.copyOf(striped.cell(j), striped.cellLength()));
            }
            cases++;
        }
        assertThat(cases).isEqualTo(lengths(p).size() * (p.parityCells() > 0 ? 3 : 2));
    }
}
