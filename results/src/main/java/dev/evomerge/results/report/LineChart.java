package dev.evomerge.results.report;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Several named series over a shared x axis, each a line with point markers where points are few. */
final class LineChart {

    private LineChart() {
    }

    static BufferedImage draw(String title, String xLabel, String yLabel, List<Series> series) {
        ChartCanvas canvas = ChartCanvas.blank();
        XyFrame f = XyFrame.of(series, ChartCanvas.WIDTH, ChartCanvas.HEIGHT);
        canvas.axes(f, title, xLabel, yLabel);
        List<Map.Entry<String, Color>> legend = new ArrayList<>();
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            Color c = Palette.category(i);
            canvas.line(f, s, c, i);
            if (s.size() <= 40) {
                canvas.points(f, s, c, 3);
            }
            legend.add(Map.entry(s.name(), c));
        }
        canvas.legend(f, legend);
        return canvas.finish();
    }
}
