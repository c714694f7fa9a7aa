package dev.evomerge.results.report;

import dev.evomerge.recipe.LayerStep;
import dev.evomerge.results.AtomicFiles;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Rectangle2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * Small, readable report charts drawn with java.awt alone (headless): line charts, a Pareto scatter, a heat
 * map and a layer-path strip. Every chart is {@link #WIDTH} x {@link #HEIGHT} pixels, antialiased, with a
 * title, labelled axes or a legend, and colours from {@link Palette}.
 *
 * {@snippet :
 * BufferedImage img = Charts.line("Fitness per generation", "generation", "fitness", List.of(best, mean));
 * Charts.writePng(img, runDir.resolve("plots/fitness.png"));
 * }
 */
public final class Charts {

    public static final int WIDTH = 800;
    public static final int HEIGHT = 450;

    private static final Color INK = new Color(0x222222);
    private static final Color MUTED = new Color(0x555555);
    private static final Color GRID = new Color(0xE3E3E3);
    private static final Color CLOUD = new Color(0x99, 0x99, 0x99, 110);
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    private static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    private static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    static {
        // Reports are written by a CLI and by tests on machines with no display.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private Charts() {
    }

    /** Several named series over a shared x axis, each a line with point markers where points are few. */
    public static BufferedImage line(String title, String xLabel, String yLabel, List<Series> series) {
        BufferedImage img = canvas();
        Graphics2D g = graphics(img);
        XyFrame f = XyFrame.of(series, WIDTH, HEIGHT);
        axes(g, f, title, xLabel, yLabel);
        List<Map.Entry<String, Color>> legend = new ArrayList<>();
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            Color c = Palette.category(i);
            drawLine(g, f, s, c, i);
            if (s.size() <= 40) {
                drawPoints(g, f, s, c, 3);
            }
            legend.add(Map.entry(s.name(), c));
        }
        legend(g, f, legend);
        g.dispose();
        return img;
    }

    /**
     * A two-objective scatter: every candidate as a faint dot ({@code candidates} may be {@code null}) and
     * the front's points, joined in order of x.
     */
    public static BufferedImage pareto(String title, String xLabel, String yLabel, Series candidates, Series front) {
        List<Series> all = candidates == null ? List.of(front) : List.of(candidates, front);
        BufferedImage img = canvas();
        Graphics2D g = graphics(img);
        XyFrame f = XyFrame.of(all, WIDTH, HEIGHT);
        axes(g, f, title, xLabel, yLabel);
        List<Map.Entry<String, Color>> legend = new ArrayList<>();
        if (candidates != null) {
            drawPoints(g, f, candidates, CLOUD, 2.5);
            legend.add(Map.entry(candidates.name(), CLOUD.darker()));
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
        drawLine(g, f, sorted, c, 0);
        drawPoints(g, f, sorted, c, 4.5);
        legend.add(Map.entry(front.name(), c));
        legend(g, f, legend);
        g.dispose();
        return img;
    }

    /**
     * Rows x columns of values as coloured cells with a colour bar; {@code NaN} cells are grey. Signed data
     * gets a diverging scale centred on 0, otherwise viridis from the smallest to the largest value.
     */
    public static BufferedImage heatMap(String title, List<String> rows, List<String> columns, double[][] values) {
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

        BufferedImage img = canvas();
        Graphics2D g = graphics(img);
        title(g, title);
        g.setFont(TICK);
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
        int w = WIDTH - left - right;
        int h = HEIGHT - top - bottom;
        double cw = (double) w / Math.max(1, columns.size());
        double ch = (double) h / Math.max(1, rows.size());
        for (int r = 0; r < rows.size(); r++) {
            for (int c = 0; c < columns.size(); c++) {
                double v = values[r][c];
                Color fill = !Double.isFinite(v) ? Palette.MISSING : colour(v, scaleLo, scaleHi, signed);
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
        g.setColor(INK);
        int rowEvery = Math.max(1, (int) Math.ceil((fm.getHeight() + 1) / ch));
        for (int r = 0; r < rows.size(); r += rowEvery) {
            String label = fit(rows.get(r), labelWidth, fm);
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
        colourBar(g, left + w + 24, top, h, scaleLo, scaleHi, signed);
        g.dispose();
        return img;
    }

    /**
     * A layer path as a strip of boxes, one per step in order (wrapping to further rows when long): the
     * colour names the source model, the number inside is its layer index, the height and the label under
     * the box give the scale applied to the hidden state entering it.
     */
    public static BufferedImage layerPath(String title, List<LayerStep> path) {
        Map<String, Color> colours = new LinkedHashMap<>();
        for (LayerStep s : path) {
            colours.computeIfAbsent(s.model(), m -> Palette.category(colours.size()));
        }
        Map<String, String> names = shortNames(List.copyOf(colours.keySet()));
        double maxScale = path.stream().mapToDouble(s -> Math.abs(s.scale())).max().orElse(1.0);
        maxScale = maxScale > 0 ? maxScale : 1.0;

        BufferedImage img = canvas();
        Graphics2D g = graphics(img);
        title(g, title);
        int margin = 30;
        int top = 52;
        int legendHeight = 44;
        int perRow = Math.max(1, Math.min(path.size(), 24));
        int rowsNeeded = Math.max(1, (path.size() + perRow - 1) / perRow);
        // few steps would make huge blocks: cap the width and centre the strip
        double slotW = Math.min(64, (double) (WIDTH - 2 * margin) / perRow);
        double stripLeft = (WIDTH - slotW * perRow) / 2;
        double room = HEIGHT - top - legendHeight - 8;
        double slotH = Math.min(200, room / rowsNeeded);
        double stripTop = top + (room - slotH * rowsNeeded) / 2;
        double boxMax = Math.max(8, Math.min(140, slotH - 24));
        Font layerFont = slotW >= 40 ? LABEL : TICK;
        FontMetrics fm = g.getFontMetrics(layerFont);
        FontMetrics small = g.getFontMetrics(TICK);
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
                g.setColor(MUTED);
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
                g.setColor(INK);
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
                g.setColor(MUTED);
                g.setFont(TICK);
                g.drawString(scale, (float) (x + (bw - small.stringWidth(scale)) / 2),
                        (float) (baseline + small.getAscent() + 2));
            }
        }
        // legend along the bottom
        g.setFont(LABEL);
        fm = g.getFontMetrics();
        float lx = margin;
        float ly = HEIGHT - legendHeight / 2f;
        for (Map.Entry<String, Color> e : colours.entrySet()) {
            g.setColor(e.getValue());
            g.fill(new Rectangle2D.Double(lx, ly - 10, 14, 14));
            g.setColor(INK);
            String name = names.get(e.getKey());
            g.drawString(name, lx + 20, ly + 2);
            lx += 20 + fm.stringWidth(name) + 24;
        }
        g.setColor(MUTED);
        g.setFont(TICK);
        String note = "number = layer, height = scale";
        g.drawString(note, WIDTH - margin - g.getFontMetrics().stringWidth(note), ly + 2);
        g.dispose();
        return img;
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

    private static BufferedImage canvas() {
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.dispose();
        return img;
    }

    private static Graphics2D graphics(BufferedImage img) {
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        return g;
    }

    private static void title(Graphics2D g, String title) {
        g.setFont(TITLE);
        g.setColor(INK);
        FontMetrics fm = g.getFontMetrics();
        String t = fit(title, WIDTH - 20, fm);
        g.drawString(t, (WIDTH - fm.stringWidth(t)) / 2f, 28);
    }

    private static void axes(Graphics2D g, XyFrame f, String title, String xLabel, String yLabel) {
        title(g, title);
        g.setFont(TICK);
        FontMetrics fm = g.getFontMetrics();
        g.setStroke(new BasicStroke(1f));
        for (double v : f.yTicks().values()) {
            float y = (float) f.py(v);
            g.setColor(GRID);
            g.draw(new java.awt.geom.Line2D.Float(f.left(), y, f.left() + f.width(), y));
            String s = f.yTicks().label(v);
            g.setColor(MUTED);
            g.drawString(s, f.left() - 8 - fm.stringWidth(s), y + (fm.getAscent() - fm.getDescent()) / 2f);
        }
        for (double v : f.xTicks().values()) {
            float x = (float) f.px(v);
            g.setColor(GRID);
            g.draw(new java.awt.geom.Line2D.Float(x, f.top(), x, f.top() + f.height()));
            String s = f.xTicks().label(v);
            g.setColor(MUTED);
            g.drawString(s, x - fm.stringWidth(s) / 2f, f.top() + f.height() + 6 + fm.getAscent());
        }
        g.setColor(MUTED);
        g.drawRect(f.left(), f.top(), f.width(), f.height());
        g.setFont(LABEL);
        fm = g.getFontMetrics();
        g.setColor(INK);
        g.drawString(xLabel, f.left() + (f.width() - fm.stringWidth(xLabel)) / 2f, HEIGHT - 14);
        AffineTransform saved = g.getTransform();
        g.rotate(-Math.PI / 2);
        g.drawString(yLabel, -(f.top() + (f.height() + fm.stringWidth(yLabel)) / 2f), 20f);
        g.setTransform(saved);
    }

    private static void drawLine(Graphics2D g, XyFrame f, Series s, Color c, int index) {
        float[] dash = index % 3 == 1 ? new float[] {8f, 4f} : index % 3 == 2 ? new float[] {2f, 3f} : null;
        // dashes besides colour, so the lines stay apart in greyscale prints too
        g.setStroke(new BasicStroke(2.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND, 10f, dash, 0f));
        g.setColor(c);
        Path2D.Double p = new Path2D.Double();
        boolean pen = false;
        for (int i = 0; i < s.size(); i++) {
            double x = s.x()[i];
            double y = s.y()[i];
            if (!Double.isFinite(x) || !Double.isFinite(y)) {
                pen = false;
                continue;
            }
            if (pen) {
                p.lineTo(f.px(x), f.py(y));
            } else {
                p.moveTo(f.px(x), f.py(y));
                pen = true;
            }
        }
        g.draw(p);
    }

    private static void drawPoints(Graphics2D g, XyFrame f, Series s, Color c, double r) {
        g.setColor(c);
        for (int i = 0; i < s.size(); i++) {
            if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
                g.fill(new Ellipse2D.Double(f.px(s.x()[i]) - r, f.py(s.y()[i]) - r, 2 * r, 2 * r));
            }
        }
    }

    private static void legend(Graphics2D g, XyFrame f, List<Map.Entry<String, Color>> entries) {
        g.setFont(LABEL);
        FontMetrics fm = g.getFontMetrics();
        int x = f.left() + f.width() + 16;
        int y = f.top() + 8;
        int room = WIDTH - x - 28;
        for (int i = 0; i < entries.size(); i++) {
            var e = entries.get(i);
            g.setColor(e.getValue());
            g.fill(new Rectangle2D.Double(x, y + i * 22, 16, 12));
            g.setColor(INK);
            g.drawString(fit(e.getKey(), room, fm), x + 22, y + i * 22 + 11);
        }
    }

    private static void colourBar(Graphics2D g, int x, int top, int h, double lo, double hi, boolean signed) {
        int w = 16;
        for (int i = 0; i < h; i++) {
            double v = hi - (hi - lo) * i / Math.max(1, h - 1);
            g.setColor(colour(v, lo, hi, signed));
            g.fillRect(x, top + i, w, 1);
        }
        g.setColor(MUTED);
        g.drawRect(x, top, w, h);
        g.setFont(TICK);
        FontMetrics fm = g.getFontMetrics();
        XyFrame.Ticks ticks = XyFrame.Ticks.of(lo, hi);
        for (double v : ticks.values()) {
            if (v < lo - 1e-12 || v > hi + 1e-12) {
                continue;
            }
            float y = (float) (top + (hi - v) / (hi - lo) * h);
            g.draw(new java.awt.geom.Line2D.Float(x + w, y, x + w + 4, y));
            g.drawString(ticks.label(v), x + w + 7, y + (fm.getAscent() - fm.getDescent()) / 2f);
        }
    }

    private static Color colour(double v, double lo, double hi, boolean signed) {
        double f = hi > lo ? (v - lo) / (hi - lo) : 0.5;
        return signed ? Palette.diverging(f) : Palette.sequential(f);
    }

    private static String fit(String s, int width, FontMetrics fm) {
        if (fm.stringWidth(s) <= width) {
            return s;
        }
        String cut = s;
        while (!cut.isEmpty() && fm.stringWidth(cut + "…") > width) {
            cut = cut.substring(0, cut.length() - 1);
        }
        return cut + "…";
    }
}
