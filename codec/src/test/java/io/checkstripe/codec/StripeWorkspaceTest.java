package io.checkstripe.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class StripeWorkspaceTest {

    static Stream<Arguments> policiesAndLengths() {
        return Stream.of("RS-6-3", "RS-3-2", "XOR-4-1", "MIRROR-3", "STRIPE-4", "RS-10-4").flatMap(name -> {
            int k = RedundancyPolicy.parse(name).dataCells();
            return IntStream.of(0, 1, k - 1, k, k + 1, 1000, 6 * 1000 + 5, 1 << 20, (1 << 20) + 3)
                    .filter(len -> len >= 0).distinct().mapToObj(len -> Arguments.of(name, len));
        });
    }

    @ParameterizedTest(name = "{0}, {1} bytes")
    @MethodSource("policiesAndLengths")
    void segmentRoundTripsThroughTheLossOfMCells(String name, int length) throws IOException {
        RedundancyPolicy policy = RedundancyPolicy.parse(name);
        int k = policy.dataCells();
        byte[] segment = random(length + 10, length);
        StripeWorkspace striper = new StripeWorkspace(policy);
        striper.encode(segment, 5, length);

        int cellLength = policy.cellLength(length);
        assertThat(striper.cellLength()).isEqualTo(cellLength).isEqualTo(length / k + (length % k == 0 ? 0 : 1));
        assertThat(striper.segmentLength()).isEqualTo(length);
        assertThat(striper.cellCount()).isEqualTo(policy.totalCells());
        // data cells are the segment cut in K pieces, zero-padded
        byte[] padded = Arrays.copyOfRange(segment, 5, 5 + k * cellLength);
        Arrays.fill(padded, length, padded.length, (byte) 0);
        for (int j = 0; j < k; j++) {
            assertThat(Arrays.copyOf(striper.cell(j), cellLength))
                    .isEqualTo(Arrays.copyOfRange(padded, j * cellLength, (j + 1) * cellLength));
        }
        // what travels: each cell's bytes and its CRC
        byte[][] sent = new byte[policy.totalCells()][];
        int[] crcs = new int[policy.totalCells()];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = Arrays.copyOf(striper.cell(i), cellLength);
            crcs[i] = striper.crc(i);
            assertThat(crcs[i]).isEqualTo(Crc32c.of(sent[i], 0, cellLength));
        }

        StripeWorkspace restorer = new StripeWorkspace(policy);
        restorer.startRestore(length);
        assertThat(restorer.cellLength()).isEqualTo(cellLength);
        // lose the first M data cells (all the losses fall on data, the expensive case)
        for (int i = policy.parityCells(); i < sent.length; i++) {
            restorer.loadCell(i, sent[i], 0, cellLength, crcs[i]);
        }
        for (int i = 0; i < sent.length; i++) {
            assertThat(restorer.isPresent(i)).isEqualTo(i >= policy.parityCells());
        }
        if (policy.parityCells() > 0) {
            restorer.decodeDataCells();
        }
        byte[] out = new byte[length + 2];
        assertThat(restorer.copySegmentTo(out, 1)).isEqualTo(length);
        assertThat(Arrays.copyOfRange(out, 1, 1 + length)).isEqualTo(Arrays.copyOfRange(segment, 5, 5 + length));
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        restorer.writeSegmentTo(stream);
        assertThat(stream.toByteArray()).isEqualTo(Arrays.copyOfRange(segment, 5, 5 + length));
    }

    @Test
    void zeroLengthSegmentHasEmptyCellsWithCrcZero() {
        StripeWorkspace ws = new StripeWorkspace(RedundancyPolicy.parse("RS-6-3"));
        ws.encode(new byte[0], 0, 0);
        assertThat(ws.cellLength()).isZero();
        for (int i = 0; i < 9; i++) {
            assertThat(ws.crc(i)).isZero();
        }
        ws.startRestore(0);
        // K of the (empty) cells are still needed: the format does not special-case empty segments
        assertThatThrownBy(ws::decode).isInstanceOf(TooFewCellsException.class);
        for (int i = 3; i < 9; i++) {
            ws.loadCell(i, new byte[0], 0, 0, 0);
        }
        ws.decode();
        assertThat(ws.copySegmentTo(new byte[0], 0)).isZero();
    }

    @Test
    void fixedCellSizeCellsAreAlwaysTheFixedSize() {
        RedundancyPolicy policy = RedundancyPolicy.parse("RS-3-2-1k");
        StripeWorkspace ws = new StripeWorkspace(policy);
        assertThat(ws.cell(0)).hasSize(1024);
        for (int length : new int[] {0, 1, 1000, 2048, 3071, 3072}) {
            byte[] segment = random(length, length);
            ws.encode(segment, 0, length);
            assertThat(ws.cellLength()).isEqualTo(1024);
            byte[][] sent = new byte[5][];
            for (int i = 0; i < 5; i++) {
                sent[i] = Arrays.copyOf(ws.cell(i), 1024);
            }
            StripeWorkspace restorer = new StripeWorkspace(policy, policy.maxSegmentLength());
            restorer.startRestore(length);
            restorer.loadCell(1, sent[1], 0, 1024);
            restorer.loadCell(3, sent[3], 0, 1024);
            restorer.loadCell(4, sent[4], 0, 1024);
            restorer.decode();
            byte[] out = new byte[length];
            restorer.copySegmentTo(out, 0);
            assertThat(out).isEqualTo(segment);
            // a full decode rebuilds the parity too
            for (int i = 0; i < 5; i++) {
                assertThat(Arrays.copyOf(restorer.cell(i), 1024)).isEqualTo(sent[i]);
                assertThat(restorer.isPresent(i)).isTrue();
            }
        }
        assertThatThrownBy(() -> ws.encode(new byte[3073], 0, 3073))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3073");
    }

    @Test
    void corruptCellStaysMissingAndIsRebuilt() {
        RedundancyPolicy policy = RedundancyPolicy.parse("RS-4-2");
        StripeWorkspace ws = new StripeWorkspace(policy);
        byte[] segment = random(4000, 4000);
        ws.encode(segment, 0, segment.length);
        int cellLength = ws.cellLength();
        byte[][] sent = new byte[6][];
        int[] crcs = new int[6];
        for (int i = 0; i < 6; i++) {
            sent[i] = Arrays.copyOf(ws.cell(i), cellLength);
            crcs[i] = ws.crc(i);
        }
        sent[2][17] ^= 0x10;
        StripeWorkspace restorer = new StripeWorkspace(policy);
        restorer.startRestore(segment.length);
        for (int i = 0; i < 6; i++) {
            int cell = i;
            if (i == 2) {
                assertThatThrownBy(() -> restorer.loadCell(cell, sent[cell], 0, cellLength, crcs[cell]))
                        .isInstanceOfSatisfying(CorruptCellException.class, e -> {
                            assertThat(e.storedCrc()).isEqualTo(crcs[2]);
                            assertThat(e.computedCrc()).isEqualTo(Crc32c.of(sent[2], 0, cellLength));
                        })
                        .hasMessageContaining("cell 2 of RS-4-2 is corrupt")
                        .hasMessageContaining(Crc32c.hex(crcs[2]));
            } else {
                restorer.loadCell(i, sent[i], 0, cellLength, crcs[i]);
            }
        }
        assertThat(restorer.isPresent(2)).isFalse();
        assertThatThrownBy(() -> restorer.copySegmentTo(new byte[4000], 0))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("data cell 2 is missing");
        restorer.decodeDataCells();
        byte[] out = new byte[4000];
        restorer.copySegmentTo(out, 0);
        assertThat(out).isEqualTo(segment);
    }

    @Test
    void readingStraightIntoACellThenMarkingItPresent() {
        RedundancyPolicy policy = RedundancyPolicy.parse("XOR-4-1");
        StripeWorkspace ws = new StripeWorkspace(policy);
        byte[] segment = random(21, 21);
        ws.encode(segment, 0, 21);
        byte[][] sent = new byte[5][];
        for (int i = 0; i < 5; i++) {
            sent[i] = Arrays.copyOf(ws.cell(i), ws.cellLength());
        }
        ws.startRestore(21);
        for (int i = 1; i < 5; i++) {
            System.arraycopy(sent[i], 0, ws.cell(i), 0, ws.cellLength());
            ws.markPresent(i);
        }
        ws.markMissing(4);
        assertThatThrownBy(ws::decodeDataCells).isInstanceOfSatisfying(TooFewCellsException.class,
                e -> assertThat(e.missingCells()).containsExactly(0, 4));
        ws.markPresent(4);
        ws.decodeDataCells();
        byte[] out = new byte[21];
        ws.copySegmentTo(out, 0);
        assertThat(out).isEqualTo(segment);
    }

    @Test
    void stripeWithoutParityCannotLoseACell() {
        StripeWorkspace ws = new StripeWorkspace(RedundancyPolicy.parse("STRIPE-4"));
        ws.encode(random(40, 40), 0, 40);
        ws.markMissing(3);
        assertThatThrownBy(ws::decode).isInstanceOfSatisfying(TooFewCellsException.class, e -> {
            assertThat(e.missingCells()).containsExactly(3);
            assertThat(e.requiredCells()).isEqualTo(4);
        });
    }

    @Test
    void buffersGrowOnlyForLongerCells() {
        StripeWorkspace ws = new StripeWorkspace(RedundancyPolicy.parse("RS-6-3"), 600);
        byte[] first = ws.cell(0);
        assertThat(first).hasSize(100);
        ws.encode(new byte[600], 0, 600);
        ws.encode(new byte[10], 0, 10);
        assertThat(ws.cell(0)).isSameAs(first);
        ws.encode(new byte[601], 0, 601);
        byte[] grown = ws.cell(0);
        assertThat(grown).hasSize(101);
        ws.encode(new byte[300], 0, 300);
        ws.startRestore(606);
        assertThat(ws.cell(0)).isSameAs(grown);
    }

    @Test
    void rejectsBadCellsAndIndexes() {
        StripeWorkspace ws = new StripeWorkspace(RedundancyPolicy.parse("RS-3-2"));
        ws.startRestore(30);
        assertThatThrownBy(() -> ws.loadCell(0, new byte[20], 0, 9)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cell 0 has 9 bytes, expected 10");
        assertThatThrownBy(() -> ws.cell(5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 5");
        assertThatThrownBy(() -> ws.markPresent(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got -1");
        assertThatThrownBy(() -> ws.encode(new byte[5], 3, 5)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }
}
