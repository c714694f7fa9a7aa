package dev.evomerge.results.report;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * A two-objective scatter: every candidate as a faint dot and the front's points, joined in order of x.
 */
final class ParetoChart {

    private ParetoChart() {
    }

    static BufferedImage draw(String title, String xLabel, String yLabel, Series candidates, Series front) {
        List<Series> all = candidates == null ? List.of(front) : List.of(candidates, front);
        ChartCanvas canvas = ChartCanvas.blank();
        XyFrame f = XyFrame.of(all, ChartCanvas.WIDTH, ChartCanvas.HEIGHT);
        canvas.axes(f, title, xLabel, yLabel);
        List<Map.Entry<String, Color>> legend = new ArrayList<>();
        if (candidates != null) {
            canvas.points(f, candidates, ChartCanvas.CLOUD, 2.5);
            legend.add(Map.entry(candidates.name(), ChartCanvas.CLOUD.darker()));
        }
        Integer[] order = new Integer[front.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.comparingDouble((Integer i) -> front.x()[i])
                .thenComparingDouble(i -> -front.y()[i]));
        double[] xs = new double[order.length];
        double[] ys = new double[order.length];
        for (int i = 0; i < order.length; i++) {
            xs[i] = front.x()[order[i]];
            ys[i] = front.y()[order[i]];
        }
        Series sorted = new Series(front.name(), xs, ys);
        Color c = Palette.category(5);
        canvas.line(f, sorted, c, 0);
        canvas.points(f, sorted, c, 4.5);
        legend.add(Map.entry(front.name(), c));
        canvas.legend(f, legend);
        return canvas.finish();
    }
}
