package io.checkstripe.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.codec.RedundancyPolicy.Scheme;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class RedundancyPolicyTest {

    @ParameterizedTest(name = "[{index}] ''{0}''")
    @CsvSource({
        "RS-6-3,        RS,     6, 3, 0,        RS-6-3",
        "RS-3-2,        RS,     3, 2, 0,        RS-3-2",
        "rs-10-4,       RS,    10, 4, 0,        RS-10-4",
        "RS-6-3-1024k,  RS,     6, 3, 1048576,  RS-6-3-1024k",
        "RS-6-3-1m,     RS,     6, 3, 1048576,  RS-6-3-1024k",
        "RS-6-3-64m,    RS,     6, 3, 67108864, RS-6-3-65536k",
        "RS-1-254,      RS,     1, 254, 0,      RS-1-254",
        "RS-254-1,      RS,   254, 1, 0,        RS-254-1",
        "XOR-4-1,       XOR,    4, 1, 0,        XOR-4-1",
        "XOR-4-1-128k,  XOR,    4, 1, 131072,   XOR-4-1-128k",
        "MIRROR-3,      MIRROR, 1, 2, 0,        MIRROR-3",
        "MIRROR-1,      MIRROR, 1, 0, 0,        MIRROR-1",
        "STRIPE-4,      STRIPE, 4, 0, 0,        STRIPE-4",
        "' STRIPE-4-1k ', STRIPE, 4, 0, 1024,   STRIPE-4-1k",
    })
    void parsesGoodNames(String text, Scheme scheme, int k, int m, int cellSize, String canonical) {
        RedundancyPolicy p = RedundancyPolicy.parse(text);
        assertThat(p).isEqualTo(new RedundancyPolicy(scheme, k, m, cellSize));
        assertThat(p.name()).isEqualTo(canonical);
        assertThat(p.toString()).isEqualTo(canonical);
        assertThat(RedundancyPolicy.parse(p.name())).isEqualTo(p);
        assertThat(p.totalCells()).isEqualTo(k + m);
        assertThat(p.toleratedLosses()).isEqualTo(m);
        assertThat(p.codec().dataCells()).isEqualTo(k);
        assertThat(p.codec().parityCells()).isEqualTo(m);
    }

    @ParameterizedTest(name = "[{index}] ''{0}''")
    @CsvSource(delimiter = '|', value = {
        "RS-0-2      | RS-K-M needs K >= 1, M >= 1 and K + M <= 255, got K=0, M=2",
        "RS-4-0      | RS-K-M needs K >= 1, M >= 1 and K + M <= 255, got K=4, M=0",
        "RS-200-100  | RS-K-M needs K >= 1, M >= 1 and K + M <= 255, got K=200, M=100",
        "RS-254-2    | K + M <= 255",
        "XOR-4-2     | XOR-K-1 needs 1 <= K <= 254 and exactly one parity cell (use RS-K-M for more)",
        "XOR-0-1     | XOR-K-1 needs 1 <= K <= 254",
        "FOO-1       | unknown redundancy policy 'FOO-1'",
        "RS-6-3-0k   | cell size must be from 1k to 64m",
        "RS-6-3-65m  | cell size must be from 1k to 64m",
        "RS-6-3-1g   | unknown redundancy policy",
        "RS-6        | RS takes K and M",
        "XOR-4       | XOR takes K and M",
        "STRIPE-4-2  | STRIPE takes one number",
        "MIRROR-3-1  | MIRROR takes one number",
        "MIRROR-0    | MIRROR-R needs 1 <= R <= 255 copies",
        "MIRROR-256  | MIRROR-R needs 1 <= R <= 255 copies",
        "STRIPE-0    | STRIPE-K needs 1 <= K <= 255",
        "STRIPE-256  | STRIPE-K needs 1 <= K <= 255",
        "RS-99999999999-1 | RS-K-M needs K >= 1",
        "RS--6-3     | unknown redundancy policy",
        "''          | unknown redundancy policy",
    })
    void rejectsNonsenseSayingWhatIsAllowed(String text, String reason) {
        assertThatThrownBy(() -> RedundancyPolicy.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'")
                .hasMessageContaining(reason)
                .satisfies(e -> {
                    if (!e.getMessage().contains("needs")) {
                        assertThat(e.getMessage()).contains("expected STRIPE-K, XOR-K-1, RS-K-M or MIRROR-R");
                    }
                });
    }

    @Test
    void nullIsRejected() {
        assertThatThrownBy(() -> RedundancyPolicy.parse(null)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("expected STRIPE-K");
        assertThatThrownBy(() -> new RedundancyPolicy(null, 1, 1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scheme");
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 1023, 1025, 2000, -1024, (64 << 20) + 1024})
    void constructorRejectsCellSizesNameCannotExpress(int size) {
        assertThatThrownBy(() -> new RedundancyPolicy(Scheme.RS, 6, 3, size))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("got " + size + " bytes");
    }

    @Test
    void cellLengthIsCeilingOfLengthOverK() {
        RedundancyPolicy p = RedundancyPolicy.parse("RS-6-3");
        assertThat(p.cellLength(0)).isZero();
        assertThat(p.cellLength(1)).isEqualTo(1);
        assertThat(p.cellLength(6)).isEqualTo(1);
        assertThat(p.cellLength(7)).isEqualTo(2);
        assertThat(p.cellLength(1 << 20)).isEqualTo(174763);
        assertThat(p.cellLength(Integer.MAX_VALUE)).isEqualTo(357913942);
        assertThat(p.maxSegmentLength()).isEqualTo(Integer.MAX_VALUE);
        assertThat(p.hasFixedCellSize()).isFalse();
        assertThatThrownBy(() -> p.cellLength(-1)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
    }

    @Test
    void fixedCellSizeBoundsTheSegment() {
        RedundancyPolicy p = RedundancyPolicy.parse("RS-6-3-128k");
        assertThat(p.hasFixedCellSize()).isTrue();
        assertThat(p.maxSegmentLength()).isEqualTo(6 * 128 * 1024);
        assertThat(p.cellLength(0)).isEqualTo(128 * 1024);
        assertThat(p.cellLength(1)).isEqualTo(128 * 1024);
        assertThat(p.cellLength(6 * 128 * 1024)).isEqualTo(128 * 1024);
        assertThatThrownBy(() -> p.cellLength(6 * 128 * 1024 + 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("786433").hasMessageContaining("786432").hasMessageContaining("RS-6-3-128k");
        // K x 64 MiB does not fit an int: capped
        assertThat(RedundancyPolicy.parse("RS-200-55-64m").maxSegmentLength()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void overheadAndCodecsPerScheme() {
        assertThat(RedundancyPolicy.parse("RS-6-3").storageOverhead()).isEqualTo(1.5);
        assertThat(RedundancyPolicy.parse("XOR-4-1").storageOverhead()).isEqualTo(1.25);
        assertThat(RedundancyPolicy.parse("MIRROR-3").storageOverhead()).isEqualTo(3.0);
        assertThat(RedundancyPolicy.parse("STRIPE-4").storageOverhead()).isEqualTo(1.0);
        assertThat(RedundancyPolicy.parse("RS-6-3").codec()).isInstanceOf(ReedSolomon.class)
                .isSameAs(RedundancyPolicy.parse("RS-6-3-1m").codec());
        assertThat(RedundancyPolicy.parse("XOR-4-1").codec()).isInstanceOf(XorParity.class);
        assertThat(RedundancyPolicy.parse("MIRROR-3").codec()).isInstanceOfSatisfying(Mirror.class,
                mirror -> assertThat(mirror.copies()).isEqualTo(3));
        assertThat(RedundancyPolicy.parse("STRIPE-4").codec()).isInstanceOf(PlainStripe.class);
        assertThat(RedundancyPolicy.parse("MIRROR-3").toleratedLosses()).isEqualTo(2);
    }

    @Test
    void factoriesValidateTheirShape() {
        assertThatThrownBy(() -> ReedSolomon.create(0, 2)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("K=0");
        assertThatThrownBy(() -> ReedSolomon.create(250, 6)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("M=6");
        assertThatThrownBy(() -> XorParity.create(255)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("K=255");
        assertThatThrownBy(() -> Mirror.create(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("R=0");
        assertThatThrownBy(() -> PlainStripe.create(0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("K=0");
        assertThat(ReedSolomon.create(6, 3)).isSameAs(ReedSolomon.create(6, 3));
        assertThat(ReedSolomon.create(6, 3).toString()).isEqualTo("ReedSolomon[K=6, M=3]");
    }
}
