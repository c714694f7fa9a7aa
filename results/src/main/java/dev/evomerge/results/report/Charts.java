package dev.evomerge.results.report;

import dev.evomerge.recipe.LayerStep;
import dev.evomerge.results.AtomicFiles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Small, readable report charts drawn with java.awt alone (headless): line charts, a Pareto scatter, a heat
 * map and a layer-path strip, one class each on a shared {@link ChartCanvas}. Every chart is {@link #WIDTH} x
 * {@link #HEIGHT} pixels, antialiased, with a title, labelled axes or a legend, and colours from {@link Palette}.
 *
 * {@snippet :
 * BufferedImage img = Charts.line("Fitness per generation", "generation", "fitness", List.of(best, mean));
 * Charts.writePng(img, runDir.resolve("plots/fitness.png"));
 * }
 */
public final class Charts {

    public static final int WIDTH = ChartCanvas.WIDTH;
    public static final int HEIGHT = ChartCanvas.HEIGHT;

    private Charts() {
    }

    /** Several named series over a shared x axis, each a line with point markers where points are few. */
    public static BufferedImage line(String title, String xLabel, String yLabel, List<Series> series) {
        return LineChart.draw(title, xLabel, yLabel, series);
    }

    /**
     * A two-objective scatter: every candidate as a faint dot ({@code candidates} may be {@code null}) and
     * the front's points, joined in order of x.
     */
    public static BufferedImage pareto(String title, String xLabel, String yLabel, Series candidates, Series front) {
        return ParetoChart.draw(title, xLabel, yLabel, candidates, front);
    }

    /**
     * Rows x columns of values as coloured cells with a colour bar; {@code NaN} cells are grey. Signed data
     * gets a diverging scale centred on 0, otherwise viridis from the smallest to the largest value.
     */
    public static BufferedImage heatMap(String title, List<String> rows, List<String> columns, double[][] values) {
        return HeatMapChart.draw(title, rows, columns, values);
    }

    /**
     * A layer path as a strip of boxes, one per step in order: the colour names the source model, the number
     * inside is its layer index, the height and the label under the box give the scale of the hidden state
     * entering it.
     */
    public static BufferedImage layerPath(String title, List<LayerStep> path) {
        return LayerPathChart.draw(title, path);
    }

    /** Writes {@code image} as PNG, atomically, creating the folder if needed. */
    public static void writePng(BufferedImage image, Path file) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            java.nio.file.Files.createDirectories(file.toAbsolutePath().getParent());
            if (!ImageIO.write(image, "png", bytes)) {
                throw new IllegalStateException("no PNG writer available for " + file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
        AtomicFiles.write(file, bytes.toByteArray());
    }

    /** The last path element of each model, or the whole name where two would read alike. */
    static Map<String, String> shortNames(List<String> models) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String m : models) {
            String s = m.replaceAll("[/\\\\]+$", "");
            int cut = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
            out.put(m, cut >= 0 ? s.substring(cut + 1) : s);
        }
        if (out.values().stream().distinct().count() < out.size()) {
            out.replaceAll((k, v) -> k);
        }
        return out;
    }
}
