package io.checkstripe.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.checkstripe.codec.RedundancyPolicy;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The Hadoop baseline does real work: it rebuilds its own stripes, for every loss count up to M. */
class HadoopCoderTest {

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"XOR-4-1", "RS-4-2", "RS-6-3", "RS-10-4"})
    void hadoopRebuildsItsOwnStripe(String name) {
        RedundancyPolicy policy = RedundancyPolicy.parse(name);
        int k = policy.dataCells();
        byte[][] data = new byte[k][4099];
        SplittableRandom random = new SplittableRandom(name.hashCode());
        for (byte[] cell : data) {
            random.nextBytes(cell);
        }
        HadoopCoder coder = new HadoopCoder(policy);
        int checked = 0;
        for (int lost = 1; lost <= policy.parityCells(); lost++) {
            byte[][] parity = coder.encodeAndCheck(data, lost);
            assertThat(parity).hasNumberOfRows(policy.parityCells());
            // parity carries information: it is not all zero
            assertThat(parity[0]).isNotEqualTo(new byte[4099]);
            checked++;
        }
        assertThat(checked).isEqualTo(policy.parityCells());
    }

    @Test
    void aWrongParityIsCaught() {
        RedundancyPolicy policy = RedundancyPolicy.parse("RS-6-3");
        HadoopCoder coder = new HadoopCoder(policy);
        byte[][] data = new byte[6][64];
        new SplittableRandom(1).nextBytes(data[0]);
        byte[][] parity = coder.encodeAndCheck(data, 3);
        parity[0][5] ^= 1;
        byte[][] out = new byte[1][64];
        coder.decode(coder.inputs(data, parity, 1), new int[] {0}, out);
        assertThat(out[0]).isNotEqualTo(data[0]);
        assertThatThrownBy(() -> new HadoopCoder(RedundancyPolicy.parse("MIRROR-3")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("MIRROR");
    }
}
