package io.checkstripe.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.util.List;

import org.junit.jupiter.api.Test;

/** The throughput chart {@code --chart} draws. */
class ThroughputChartTest {

    @Test
    void theChartDrawsEverySeriesOnAWhiteCanvas() {
        ThroughputChart.Series raw = new ThroughputChart.Series("raw", List.of(
                new ThroughputChart.Point(1 << 20, 50, 40, 60), new ThroughputChart.Point(1 << 30, 120, 100, 130)));
        BufferedImage image = ThroughputChart.render("title", "MB/s", List.of(raw));
        assertThat(image.getWidth()).isEqualTo(960);
        assertThat(image.getHeight()).isEqualTo(600);
        assertThat(image.getRGB(0, 0) & 0xffffff).isEqualTo(0xffffff);
        int colored = 0;
        for (int x = 0; x < image.getWidth(); x++) {
            for (int y = 0; y < image.getHeight(); y++) {
                int rgb = image.getRGB(x, y) & 0xffffff;
                if (rgb == 0x333333) {
                    colored++;
                }
            }
        }
        assertThat(colored).as("pixels in the first series' colour").isGreaterThan(100);
    }
}
