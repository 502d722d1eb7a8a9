package io.checkstripe.e2e;

import io.checkstripe.core.DurableFiles;
import io.checkstripe.core.HumanFormat;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import javax.imageio.ImageIO;

/**
 * Draws throughput against checkpoint size as a PNG with Java2D (headless, no dependency): one line per
 * series through the medians, a whisker from the smallest to the largest run at every point, the sizes on
 * a logarithmic axis. Stateless.
 */
final class ThroughputChart {

    /** One point: a checkpoint size and the median, smallest and largest of its runs. */
    record Point(long size, double median, double min, double max) {
        Point {
            if (size <= 0) {
                throw new IllegalArgumentException("size must be positive, got " + size);
            }
        }
    }

    /** One line of the chart. */
    record Series(String name, List<Point> points) {
        Series {
            points = List.copyOf(points);
        }
    }

    private static final int WIDTH = 960;
    private static final int HEIGHT = 600;
    private static final int LEFT = 90;
    private static final int RIGHT = 260;
    private static final int TOP = 60;
    private static final int BOTTOM = 70;
    private static final Color[] COLORS = {new Color(0x333333), new Color(0x1f77b4), new Color(0xff7f0e),
            new Color(0x2ca02c), new Color(0xd62728), new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2)};

    private ThroughputChart() {
    }

    /** Renders {@code series} and writes the PNG to {@code file} ({@link DurableFiles}). */
    static void write(Path file, String title, String yLabel, List<Series> series) throws IOException {
        BufferedImage image = render(title, yLabel, series);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        if (!ImageIO.write(image, "png", png)) {
            throw new IOException("no PNG writer in this Java runtime");
        }
        DurableFiles.writeAtomically(file, png.toByteArray());
    }

    static BufferedImage render(String title, String yLabel, List<Series> series) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            draw(g, title, yLabel, series);
        } finally {
            g.dispose();
        }
        return image;
    }

    private static void draw(Graphics2D g, String title, String yLabel, List<Series> series) {
        long minSize = Long.MAX_VALUE;
        long maxSize = 1;
        double maxY = 0;
        for (Series s : series) {
            for (Point p : s.points()) {
                minSize = Math.min(minSize, p.size());
                maxSize = Math.max(maxSize, p.size());
                maxY = Math.max(maxY, Double.isFinite(p.max()) ? p.max() : p.median());
            }
        }
        if (minSize == Long.MAX_VALUE) {
            minSize = 1;
        }
        double x0 = log2(minSize) - 0.5;
        double x1 = log2(maxSize) + 0.5;
        double yMax = niceCeiling(Math.max(maxY, 1) * 1.08);
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;

        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, LEFT, TOP - 25);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        FontMetrics fm = g.getFontMetrics();

        // Horizontal grid and y labels: five steps.
        for (int i = 0; i <= 5; i++) {
            double v = yMax * i / 5;
            int y = TOP + plotH - (int) Math.round(plotH * v / yMax);
            g.setColor(new Color(0xdddddd));
            g.drawLine(LEFT, y, LEFT + plotW, y);
            g.setColor(Color.BLACK);
            String label = BenchReport.format(v);
            g.drawString(label, LEFT - 8 - fm.stringWidth(label), y + fm.getAscent() / 2);
        }
        // Vertical ticks at every size measured.
        series.stream().flatMap(s -> s.points().stream()).mapToLong(Point::size).distinct().sorted().forEach(size -> {
            int x = LEFT + (int) Math.round(plotW * (log2(size) - x0) / (x1 - x0));
            g.setColor(new Color(0xeeeeee));
            g.drawLine(x, TOP, x, TOP + plotH);
            g.setColor(Color.BLACK);
            String label = HumanFormat.size(size);
            g.drawString(label, x - fm.stringWidth(label) / 2, TOP + plotH + 18);
        });
        g.drawRect(LEFT, TOP, plotW, plotH);
        g.drawString("checkpoint size (log scale)", LEFT + plotW / 2 - 70, HEIGHT - 25);
        Graphics2D rotated = (Graphics2D) g.create();
        rotated.rotate(-Math.PI / 2);
        rotated.drawString(yLabel, -(TOP + plotH / 2 + fm.stringWidth(yLabel) / 2), 25);
        rotated.dispose();

        for (int si = 0; si < series.size(); si++) {
            Series s = series.get(si);
            g.setColor(COLORS[si % COLORS.length]);
            g.setStroke(new BasicStroke(2f));
            int prevX = -1;
            int prevY = -1;
            for (Point p : s.points()) {
                int x = LEFT + (int) Math.round(plotW * (log2(p.size()) - x0) / (x1 - x0));
                int y = TOP + plotH - (int) Math.round(plotH * p.median() / yMax);
                if (prevX >= 0) {
                    g.drawLine(prevX, prevY, x, y);
                }
                g.setStroke(new BasicStroke(1f));
                int yLo = TOP + plotH - (int) Math.round(plotH * p.min() / yMax);
                int yHi = TOP + plotH - (int) Math.round(plotH * p.max() / yMax);
                g.drawLine(x, yLo, x, yHi);
                g.drawLine(x - 4, yLo, x + 4, yLo);
                g.drawLine(x - 4, yHi, x + 4, yHi);
                g.fillOval(x - 4, y - 4, 8, 8);
                g.setStroke(new BasicStroke(2f));
                prevX = x;
                prevY = y;
            }
            int ly = TOP + 10 + si * 22;
            g.drawLine(LEFT + plotW + 15, ly, LEFT + plotW + 40, ly);
            g.fillOval(LEFT + plotW + 24, ly - 4, 8, 8);
            g.setColor(Color.BLACK);
            g.drawString(s.name(), LEFT + plotW + 48, ly + fm.getAscent() / 2 - 1);
        }
    }

    private static double log2(long v) {
        return Math.log(v) / Math.log(2);
    }

    /** The smallest 1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten that is at least {@code v}. */
    private static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
