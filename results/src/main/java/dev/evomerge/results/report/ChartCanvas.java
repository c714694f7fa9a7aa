package dev.evomerge.results.report;

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
import java.util.List;
import java.util.Map;

/**
 * The surface every report chart is drawn on: a white {@link #WIDTH} x {@link #HEIGHT} image with antialiased
 * graphics, the shared ink, fonts and the marks several charts use (title, axes, lines, points, legend,
 * colour bar). A chart class draws its own marks with {@link #graphics()} and ends with {@link #finish()}.
 */
final class ChartCanvas {

    static final int WIDTH = 800;
    static final int HEIGHT = 450;

    static final Color INK = new Color(0x222222);
    static final Color MUTED = new Color(0x555555);
    static final Color GRID = new Color(0xE3E3E3);
    static final Color CLOUD = new Color(0x99, 0x99, 0x99, 110);
    static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    static final Font LABEL = new Font(Font.SANS_SERIF, Font.PLAIN, 13);
    static final Font TICK = new Font(Font.SANS_SERIF, Font.PLAIN, 11);

    static {
        // Reports are written by a CLI and by tests on machines with no display.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    private final BufferedImage image;
    private final Graphics2D g;

    private ChartCanvas(BufferedImage image, Graphics2D g) {
        this.image = image;
        this.g = g;
    }

    /** A white canvas, and antialiased graphics to draw on it. */
    static ChartCanvas blank() {
        BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D white = img.createGraphics();
        white.setColor(Color.WHITE);
        white.fillRect(0, 0, WIDTH, HEIGHT);
        white.dispose();
        Graphics2D g = img.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
        g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
        return new ChartCanvas(img, g);
    }

    /** The graphics a chart draws its own marks with. */
    Graphics2D graphics() {
        return g;
    }

    /** Releases the graphics and returns the finished image. */
    BufferedImage finish() {
        g.dispose();
        return image;
    }

    /** The title, centred at the top. */
    void title(String title) {
        g.setFont(TITLE);
        g.setColor(INK);
        FontMetrics fm = g.getFontMetrics();
        String t = fit(title, WIDTH - 20, fm);
        g.drawString(t, (WIDTH - fm.stringWidth(t)) / 2f, 28);
    }

    /** Title, grid, tick labels, frame and axis labels of an x-y chart. */
    void axes(XyFrame f, String title, String xLabel, String yLabel) {
        title(title);
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

    /** A series as a line; the {@code index}-th series of a chart gets the {@code index}-th dash pattern. */
    void line(XyFrame f, Series s, Color c, int index) {
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

    /** A series as dots of radius {@code r}. */
    void points(XyFrame f, Series s, Color c, double r) {
        g.setColor(c);
        for (int i = 0; i < s.size(); i++) {
            if (Double.isFinite(s.x()[i]) && Double.isFinite(s.y()[i])) {
                g.fill(new Ellipse2D.Double(f.px(s.x()[i]) - r, f.py(s.y()[i]) - r, 2 * r, 2 * r));
            }
        }
    }

    /** Named colour swatches to the right of the frame. */
    void legend(XyFrame f, List<Map.Entry<String, Color>> entries) {
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

    /** A vertical colour scale from {@code hi} (top) to {@code lo} with tick labels. */
    void colourBar(int x, int top, int h, double lo, double hi, boolean signed) {
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

    /** The colour of {@code v} on a scale from {@code lo} to {@code hi}, diverging when {@code signed}. */
    static Color colour(double v, double lo, double hi, boolean signed) {
        double f = hi > lo ? (v - lo) / (hi - lo) : 0.5;
        return signed ? Palette.diverging(f) : Palette.sequential(f);
    }

    /** {@code s}, cut and ended with an ellipsis where it is wider than {@code width}. */
    static String fit(String s, int width, FontMetrics fm) {
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
