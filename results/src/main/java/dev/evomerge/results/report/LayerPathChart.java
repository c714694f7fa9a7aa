package dev.evomerge.results.report;

import dev.evomerge.recipe.LayerStep;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A layer path as a strip of boxes, one per step in order (wrapping to further rows when long): the colour
 * names the source model, the number inside is its layer index, the height and the label under the box give
 * the scale applied to the hidden state entering it.
 */
final class LayerPathChart {

    private LayerPathChart() {
    }

    static BufferedImage draw(String title, List<LayerStep> path) {
        Map<String, Color> colours = new LinkedHashMap<>();
        for (LayerStep s : path) {
            colours.computeIfAbsent(s.model(), m -> Palette.category(colours.size()));
        }
        Map<String, String> names = Charts.shortNames(List.copyOf(colours.keySet()));
        double maxScale = path.stream().mapToDouble(s -> Math.abs(s.scale())).max().orElse(1.0);
        maxScale = maxScale > 0 ? maxScale : 1.0;

        ChartCanvas canvas = ChartCanvas.blank();
        Graphics2D g = canvas.graphics();
        canvas.title(title);
        int margin = 30;
        int top = 52;
        int legendHeight = 44;
        int perRow = Math.max(1, Math.min(path.size(), 24));
        int rowsNeeded = Math.max(1, (path.size() + perRow - 1) / perRow);
        // few steps would make huge blocks: cap the width and centre the strip
        double slotW = Math.min(64, (double) (ChartCanvas.WIDTH - 2 * margin) / perRow);
        double stripLeft = (ChartCanvas.WIDTH - slotW * perRow) / 2;
        double room = ChartCanvas.HEIGHT - top - legendHeight - 8;
        double slotH = Math.min(200, room / rowsNeeded);
        double stripTop = top + (room - slotH * rowsNeeded) / 2;
        double boxMax = Math.max(8, Math.min(140, slotH - 24));
        Font layerFont = slotW >= 40 ? ChartCanvas.LABEL : ChartCanvas.TICK;
        FontMetrics fm = g.getFontMetrics(layerFont);
        FontMetrics small = g.getFontMetrics(ChartCanvas.TICK);
        for (int i = 0; i < path.size(); i++) {
            LayerStep s = path.get(i);
            int row = i / perRow;
            int col = i % perRow;
            double x = stripLeft + col * slotW + slotW * 0.12;
            double bw = slotW * 0.76;
            double bh = Math.max(4, boxMax * Math.abs(s.scale()) / maxScale);
            double baseline = stripTop + row * slotH + 4 + boxMax;
            Color c = colours.get(s.model());
            g.setColor(c);
            g.fill(new Rectangle2D.Double(x, baseline - bh, bw, bh));
            if (col > 0) {
                g.setColor(ChartCanvas.MUTED);
                g.setStroke(new BasicStroke(1.2f));
                g.draw(new java.awt.geom.Line2D.Double(x - slotW * 0.24, baseline - 3, x, baseline - 3));
            }
            String layer = Integer.toString(s.layer());
            g.setFont(layerFont);
            if (fm.stringWidth(layer) + 2 <= bw && fm.getAscent() + 2 <= bh) {
                g.setColor(Palette.textOn(c));
                g.drawString(layer, (float) (x + (bw - fm.stringWidth(layer)) / 2),
                        (float) (baseline - bh / 2 + (fm.getAscent() - fm.getDescent()) / 2.0));
            } else {
                g.setColor(ChartCanvas.INK);
                g.drawString(layer, (float) (x + (bw - fm.stringWidth(layer)) / 2), (float) (baseline - bh - 2));
            }
            String scale = String.format(Locale.ROOT, "×%.2f", s.scale());
            if (small.stringWidth(scale) > slotW) {
                scale = String.format(Locale.ROOT, "%.2f", s.scale());
            }
            if (small.stringWidth(scale) > slotW) {
                scale = String.format(Locale.ROOT, "%.1f", s.scale());
            }
            if (small.stringWidth(scale) <= slotW) {
                g.setColor(ChartCanvas.MUTED);
                g.setFont(ChartCanvas.TICK);
                g.drawString(scale, (float) (x + (bw - small.stringWidth(scale)) / 2),
                        (float) (baseline + small.getAscent() + 2));
            }
        }
        // legend along the bottom
        g.setFont(ChartCanvas.LABEL);
        fm = g.getFontMetrics();
        float lx = margin;
        float ly = ChartCanvas.HEIGHT - legendHeight / 2f;
        for (Map.Entry<String, Color> e : colours.entrySet()) {
            g.setColor(e.getValue());
            g.fill(new Rectangle2D.Double(lx, ly - 10, 14, 14));
            g.setColor(ChartCanvas.INK);
            String name = names.get(e.getKey());
            g.drawString(name, lx + 20, ly + 2);
            lx += 20 + fm.stringWidth(name) + 24;
        }
        g.setColor(ChartCanvas.MUTED);
        g.setFont(ChartCanvas.TICK);
        String note = "number = layer, height = scale";
        g.drawString(note, ChartCanvas.WIDTH - margin - g.getFontMetrics().stringWidth(note), ly + 2);
        return canvas.finish();
    }
}
