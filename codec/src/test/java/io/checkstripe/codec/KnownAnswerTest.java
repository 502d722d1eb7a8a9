package io.checkstripe.codec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fixed inputs and the parity bytes written out literally: stored cells must decode forever,
 * so any change to the field, the matrix or the cell format has to fail here first.
 */
class KnownAnswerTest {

    /** Data cell j, byte b: top byte of (8j + b) * 0x9E3779B1. */
    private static byte[][] cells(ErasureCodec codec) {
        byte[][] cells = new byte[codec.totalCells()][8];
        for (int j = 0; j < codec.dataCells(); j++) {
            for (int b = 0; b < 8; b++) {
                cells[j][b] = (byte) (((j * 8 + b) * 0x9E3779B1) >>> 24);
            }
        }
        return cells;
    }

    private static void assertVectors(String policy, List<String> expectedCells) {
        ErasureCodec codec = RedundancyPolicy.parse(policy).codec();
        byte[][] cells = cells(codec);
        codec.encode(cells, 0, 8);
        assertThat(cells.length).isEqualTo(expectedCells.size());
        for (int i = 0; i < cells.length; i++) {
            assertThat(TestCells.hex(cells[i], 0, 8)).as("%s cell %d", policy, i).isEqualTo(expectedCells.get(i));
        }
    }

    private static final List<String> DATA = List.of("009e3cda7817b553", "f18f2ecc6a08a745", "e3811fbe5cfa9836",
            "d57311af4eec8a28", "c66503a13fde7c1a", "b856f59331cf6d0c", "aa48e68523c15ffd", "9c3ad87615b351ef",
            "8d2cca6806a443e1", "7f1dbc5af89634d3");

    private static List<String> data(int k, String... parity) {
        List<String> all = new java.util.ArrayList<>(DATA.subList(0, k));
        all.addAll(List.of(parity));
        return all;
    }

    @Test
    void xor41() {
        assertVectors("XOR-4-1", data(4, "c7e31c0700090008"));
    }

    @Test
    void rs32() {
        assertVectors("RS-3-2", data(3, "12900da84ee58a20", "88990a36a21dd1eb"));
    }

    @Test
    void rs42() {
        assertVectors("RS-4-2", data(4, "c7e31c0700090008", "de4f30c539d5a493"));
    }

    @Test
    void rs63() {
        assertVectors("RS-6-3", data(6, "b9d0ea350e18111e", "4097d29bdea9dd57", "4fc571af4c25351a"));
    }

    @Test
    void rs104() {
        assertVectors("RS-10-4", data(10, "7d93a2f4c658683e", "9b2049b8e495906a", "532594bf61dbdc74",
                "a273f3c21cfb6055"));
    }

    @Test
    void mirrorCopiesAndStripeAddsNothing() {
        assertVectors("MIRROR-3", List.of(DATA.get(0), DATA.get(0), DATA.get(0)));
        assertVectors("STRIPE-4", DATA.subList(0, 4));
    }

    @Test
    void encodingMatricesAreFrozen() {
        assertParityRows(ReedSolomon.create(3, 2), new int[][] {
            {0x01, 0x01, 0x01},
            {0x01, 0xC4, 0x53}});
        assertParityRows(ReedSolomon.create(4, 2), new int[][] {
            {0x01, 0x01, 0x01, 0x01},
            {0x01, 0xD9, 0x5C, 0xAC}});
        assertParityRows(ReedSolomon.create(6, 3), new int[][] {
            {0x01, 0x01, 0x01, 0x01, 0x01, 0x01},
            {0x01, 0xE1, 0x97, 0xAC, 0x52, 0xC8},
            {0x01, 0xA6, 0xC4, 0xEE, 0x53, 0x92}});
        assertParityRows(ReedSolomon.create(10, 4), new int[][] {
            {0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01},
            {0x01, 0x93, 0x8A, 0x49, 0x5D, 0xA1, 0x67, 0x3A, 0x63, 0xB2},
            {0x01, 0x67, 0x9C, 0x97, 0x7B, 0xBB, 0xA6, 0xAF, 0xF4, 0x53},
            {0x01, 0x3A, 0xCB, 0x3C, 0x30, 0x33, 0xAF, 0x34, 0x10, 0x1E}});
    }

    @Test
    void parityAgreesWithTableFreeArithmetic() {
        ReedSolomon rs = ReedSolomon.create(6, 3);
        byte[][] cells = cells(rs);
        rs.encode(cells, 0, 8);
        int[][] parityRows = new int[3][];
        int[][] matrix = ReedSolomonMdsTest.matrix(rs);
        System.arraycopy(matrix, 6, parityRows, 0, 3);
        byte[][] expected = TestCells.slowMultiply(parityRows, java.util.Arrays.copyOf(cells, 6), 0, 8);
        for (int p = 0; p < 3; p++) {
            assertThat(cells[6 + p]).isEqualTo(expected[p]);
        }
    }

    @Test
    void crc32cOfTheStandardCheckString() {
        byte[] check = "123456789".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(Crc32c.of(check, 0, check.length)).isEqualTo(0xE3069283);
        assertThat(Crc32c.of(new byte[0], 0, 0)).isZero();
        assertThat(Crc32c.of(check, 2, 3)).isEqualTo(Crc32c.of("345".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, 3));
        assertThat(Crc32c.hex(0xE3069283)).isEqualTo("e3069283");
    }

    private static void assertParityRows(ReedSolomon rs, int[][] expected) {
        for (int p = 0; p < expected.length; p++) {
            for (int c = 0; c < expected[p].length; c++) {
                assertThat(rs.coefficient(rs.dataCells() + p, c)).as("row %d column %d", p, c).isEqualTo(expected[p][c]);
            }
        }
    }
}
