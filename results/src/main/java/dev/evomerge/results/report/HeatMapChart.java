package dev.evomerge.results.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;

/**
 * Rows x columns of values as coloured cells with a colour bar; {@code NaN} cells are grey. Signed data gets a
 * diverging scale centred on 0, otherwise viridis from the smallest to the largest value.
 */
final class HeatMapChart {

    private HeatMapChart() {
    }

    static BufferedImage draw(String title, List<String> rows, List<String> columns, double[][] values) {
        if (values.length != rows.size()) {
            throw new IllegalArgumentException("heat map '" + title + "': " + rows.size() + " row labels for "
                    + values.length + " rows");
        }
        for (double[] row : values) {
            if (row.length != columns.size()) {
                throw new IllegalArgumentException("heat map '" + title + "': " + columns.size()
                        + " column labels for a row of " + row.length);
            }
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (double[] row : values) {
            for (double v : row) {
                if (Double.isFinite(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        boolean signed = lo < 0 && hi > 0;
        double scaleLo = signed ? -Math.max(-lo, hi) : lo;
        double scaleHi = signed ? -scaleLo : hi;
        if (!(scaleLo <= scaleHi)) {
            scaleLo = 0;
            scaleHi = 1;
        }

        ChartCanvas canvas = ChartCanvas.blank();
        Graphics2D g = canvas.graphics();
        canvas.title(title);
        g.setFont(ChartCanvas.TICK);
        FontMetrics fm = g.getFontMetrics();
        int labelWidth = 0;
        for (String r : rows) {
            labelWidth = Math.max(labelWidth, fm.stringWidth(r));
        }
        labelWidth = Math.min(labelWidth, 240);
        int left = labelWidth + 16;
        int top = 44;
        int right = 96;
        int bottom = 44;
        int w = ChartCanvas.WIDTH - left - right;
        int h = ChartCanvas.HEIGHT - top - bottom;
        double cw = (double) w / Math.max(1, columns.size());
        double ch = (double) h / Math.max(1, rows.size());
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < columns.size(); c++) {
                double v = values[r][c];
                Color fill = !Double.isFinite(v) ? Palette.MISSING : ChartCanvas.colour(v, scaleLo, scaleHi, signed);
                Rectangle2D cell = new Rectangle2D.Double(left + c * cw, top + r * ch, cw, ch);
                g.setColor(fill);
                g.fill(cell);
                g.setColor(Color.WHITE);
                g.setStroke(new BasicStroke(1f));
                g.draw(cell);
                String text = Double.isFinite(v) ? String.format(Locale.ROOT, "%.2f", v) : "";
                if (!text.isEmpty() && fm.stringWidth(text) + 4 <= cw && fm.getAscent() + 2 <= ch) {
                    g.setColor(Palette.textOn(fill));
                    g.drawString(text, (float) (left + c * cw + (cw - fm.stringWidth(text)) / 2),
                            (float) (top + r * ch + (ch + fm.getAscent() - fm.getDescent()) / 2));
                }
            }
        }
        g.setColor(ChartCanvas.INK);
        int rowEvery = Math.max(1, (int) Math.ceil((fm.getHeight() + 1) / ch));
        for (int r = 0; r < rows.size(); r += rowEvery) {
            String label = ChartCanvas.fit(rows.get(r), labelWidth, fm);
            g.drawString(label, left - 6 - fm.stringWidth(label),
                    (float) (top + r * ch + (ch + fm.getAscent() - fm.getDescent()) / 2));
        }
        int widest = 0;
        for (String c : columns) {
            widest = Math.max(widest, fm.stringWidth(c));
        }
        int colEvery = Math.max(1, (int) Math.ceil((widest + 6) / cw));
        for (int c = 0; c < columns.size(); c += colEvery) {
            String label = columns.get(c);
            g.drawString(label, (float) (left + c * cw + (cw - fm.stringWidth(label)) / 2), top + h + 4 + fm.getAscent());
        }
        canvas.colourBar(left + w + 24, top, h, scaleLo, scaleHi, signed);
        return canvas.finish();
    }
}
