package io.checkstripe.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CellLayoutTest {

    @Test
    void cellJOfStripeSGoesToServerSPlusJModN() {
        assertThat(CellLayout.serverOf(0, 0, 5)).isZero();
        assertThat(CellLayout.serverOf(0, 4, 5)).isEqualTo(4);
        assertThat(CellLayout.serverOf(3, 4, 5)).isEqualTo(2);
        assertThat(CellLayout.serverOf(7, 1, 9)).isEqualTo(8);
        assertThat(CellLayout.serverOf(Long.MAX_VALUE, 8, 9)).isEqualTo((int) ((Long.MAX_VALUE % 9 + 8) % 9));
        assertThat(CellLayout.cellOn(3, 2, 5, 5)).isEqualTo(4);
        assertThat(CellLayout.cellOn(0, 6, 8, 6)).isEqualTo(-1);
        assertThat(CellLayout.cellOn(Long.MAX_VALUE, 0, 9, 9))
                .isEqualTo((int) Math.floorMod(-(Long.MAX_VALUE % 9), 9L));
    }

    @Test
    void bothDirectionsAreInversesAndEveryServerGetsEveryRole() {
        int checked = 0;
        for (int cellsPerStripe = 1; cellsPerStripe <= 8; cellsPerStripe++) {
            for (int servers = cellsPerStripe; servers <= 11; servers++) {
                int[][] roleCount = new int[servers][cellsPerStripe];
                for (long stripe = 0; stripe < 3L * servers; stripe++) {
                    Set<Integer> used = new HashSet<>();
                    for (int cell = 0; cell < cellsPerStripe; cell++) {
                        int server = CellLayout.serverOf(stripe, cell, servers);
                        assertThat(used.add(server)).as("two cells of a stripe on one server").isTrue();
                        assertThat(CellLayout.cellOn(stripe, server, servers, cellsPerStripe)).isEqualTo(cell);
                        roleCount[server][cell]++;
                        checked++;
                    }
                    for (int server = 0; server < servers; server++) {
                        int cell = CellLayout.cellOn(stripe, server, servers, cellsPerStripe);
                        assertThat(cell == -1).isEqualTo(!used.contains(server));
                    }
                }
                // over N consecutive stripes each server holds each cell index exactly once
                for (int[] counts : roleCount) {
                    assertThat(counts).containsOnly(3);
                }
            }
        }
        assertThat(checked).isPositive();
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> CellLayout.serverOf(-1, 0, 5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-1");
        assertThatThrownBy(() -> CellLayout.serverOf(0, 5, 5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 5");
        assertThatThrownBy(() -> CellLayout.serverOf(0, -1, 5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got -1");
        assertThatThrownBy(() -> CellLayout.serverOf(0, 0, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("servers");
        assertThatThrownBy(() -> CellLayout.cellOn(0, 0, 4, 5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at least as many servers as cells per stripe (5), got 4");
        assertThatThrownBy(() -> CellLayout.cellOn(0, 5, 5, 5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 5");
        assertThatThrownBy(() -> CellLayout.cellOn(0, 0, 5, 0)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("got 0");
        assertThatThrownBy(() -> CellLayout.cellOn(-2, 0, 5, 5)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("-2");
    }
}
