package dev.evomerge.results.report;

import static org.junit.jupiter.api.Assertions.*;

import dev.evomerge.recipe.LayerStep;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportChartsTest {
    @TempDir Path tmp;

    private static int distinctColours(BufferedImage img) {
        Set<Integer> seen = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y += 2) {
            for (int x = 0; x < img.getWidth(); x += 2) {
                seen.add(img.getRGB(x, y) & 0xFFFFFF);
            }
        }
        return seen.size();
    }

    /** Whether a pixel within {@code r} of (x, y) has (nearly) colour {@code c}. */
    private static boolean near(BufferedImage img, double x, double y, Color c, int r) {
        for (int dy = -r; dy <= r; dy++) {
            for (int dx = -r; dx <= r; dx++) {
                Color p = new Color(img.getRGB((int) Math.round(x) + dx, (int) Math.round(y) + dy));
                if (Math.abs(p.getRed() - c.getRed()) + Math.abs(p.getGreen() - c.getGreen())
                        + Math.abs(p.getBlue() - c.getBlue()) < 40) {
                    return true;
                }
            }
        }
        return false;
    }

    @Test
    void lineChartDrawsEachSeriesWhereItsPointsMap() throws Exception {
        Series best = new Series("best", new double[] {1, 2, 3, 4}, new double[] {0.2, 0.5, 0.6, 0.9});
        Series mean = new Series("mean", new double[] {1, 2, 3, 4}, new double[] {0.1, 0.3, 0.35, 0.5});
        BufferedImage img = Charts.line("Fitness", "generation", "fitness", List.of(best, mean));
        assertEquals(Charts.WIDTH, img.getWidth());
        assertEquals(Charts.HEIGHT, img.getHeight());
        XyFrame f = XyFrame.of(List.of(best, mean), Charts.WIDTH, Charts.HEIGHT);
        // midway along best's segment from (2, 0.5) to (3, 0.6)
        assertTrue(near(img, f.px(2.5), f.py(0.55), Palette.category(0), 2), "best's line passes (2.5, 0.55)");
        assertTrue(near(img, f.px(3), f.py(0.35), Palette.category(1), 2), "mean's marker at (3, 0.35)");
        assertFalse(near(img, f.px(1.5), f.py(0.9), Palette.category(0), 2), "nothing of best far from its line");
        assertTrue(distinctColours(img) > 10);
        assertTrue(java.awt.GraphicsEnvironment.isHeadless(), "charts never need a display");

        Path png = tmp.resolve("plots/line.png");
        Charts.writePng(img, png);
        BufferedImage back = ImageIO.read(png.toFile());
        assertEquals(800, back.getWidth());
        assertEquals(450, back.getHeight());
    }

    @Test
    void ticksAreRoundAndCoverTheData() {
        XyFrame.Ticks t = XyFrame.Ticks.of(0.13, 0.87);
        assertTrue(t.min() <= 0.13 && t.max() >= 0.87);
        assertEquals(0.1, t.step(), 1e-12);
        assertEquals("0.4", t.label(t.values().get(3)));
        assertEquals(0.1, t.min(), 1e-12);
        XyFrame.Ticks flat = XyFrame.Ticks.of(3, 3);
        assertTrue(flat.min() < 3 && flat.max() > 3, "a constant series still gets a range");
    }

    @Test
    void paretoJoinsTheFrontInOrderOfX() {
        Series cloud = new Series("candidates", new double[] {0.1, 0.2, 0.3}, new double[] {0.1, 0.3, 0.2});
        Series front = new Series("Pareto front", new double[] {0.9, 0.1, 0.5}, new double[] {0.1, 0.9, 0.6});
        BufferedImage img = Charts.pareto("Front", "math", "-path length", cloud, front);
        XyFrame f = XyFrame.of(List.of(cloud, front), Charts.WIDTH, Charts.HEIGHT);
        Color c = Palette.category(5);
        assertTrue(near(img, f.px(0.3), f.py(0.75), c, 2), "segment (0.1,0.9)-(0.5,0.6) drawn");
        assertFalse(near(img, f.px(0.5), f.py(0.5), c, 3), "no segment (0.9,0.1)-(0.1,0.9) across the front");
    }

    @Test
    void heatMapColoursCellsByValue() {
        double[][] v = {{0.0, 0.5, 1.0}, {1.0, Double.NaN, 0.0}};
        BufferedImage img = Charts.heatMap("Weights", List.of("a", "b"), List.of("0", "1", "2"), v);
        assertEquals(800, img.getWidth());
        assertTrue(distinctColours(img) > 10);
        Set<Integer> rgb = new HashSet<>();
        for (int x = 0; x < img.getWidth(); x++) {
            rgb.add(img.getRGB(x, 100) & 0xFFFFFF);
        }
        assertTrue(rgb.contains(Palette.sequential(0).getRGB() & 0xFFFFFF), "lowest value is dark viridis");
        assertTrue(rgb.contains(Palette.sequential(1).getRGB() & 0xFFFFFF), "highest value is yellow viridis");
        assertThrows(IllegalArgumentException.class,
                () -> Charts.heatMap("x", List.of("a"), List.of("0"), new double[][] {{1, 2}}));
    }

    @Test
    void layerPathShowsOneColourPerModel() {
        List<LayerStep> path = List.of(new LayerStep("zoo/base", 0, 1.0), new LayerStep("zoo/math", 1, 0.8),
                new LayerStep("zoo/math", 2, 1.2), new LayerStep("zoo/base", 3, 1.0));
        BufferedImage img = Charts.layerPath("Layer path", path);
        Set<Integer> rgb = new HashSet<>();
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                rgb.add(img.getRGB(x, y) & 0xFFFFFF);
            }
        }
        assertTrue(rgb.contains(Palette.category(0).getRGB() & 0xFFFFFF));
        assertTrue(rgb.contains(Palette.category(1).getRGB() & 0xFFFFFF));
        assertFalse(rgb.contains(Palette.category(2).getRGB() & 0xFFFFFF), "only two models");
        assertEquals("math", Charts.shortNames(List.of("zoo/base", "zoo/math/")).get("zoo/math/"));
    }

    @Test
    void longPathsWrapIntoRowsAndWholeNumberAxesGetWholeTicks() throws Exception {
        List<LayerStep> path = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            path.add(new LayerStep(i % 3 == 0 ? "a" : i % 3 == 1 ? "b" : "c", i, 0.5 + (i % 5) * 0.25));
        }
        BufferedImage img = Charts.layerPath("Long path", path);
        Charts.writePng(img, tmp.resolve("long.png"));
        if (System.getProperty("report.keep") != null) {
            Charts.writePng(img, Path.of(System.getProperty("report.keep"), "long-path.png"));
        }
        assertTrue(distinctColours(img) > 10);
        XyFrame f = XyFrame.of(List.of(new Series("s", new double[] {1, 2, 3}, new double[] {0, 1, 2})), 800, 450);
        assertEquals(1.0, f.xTicks().step());
        assertEquals("2", f.xTicks().label(2));
    }
}
