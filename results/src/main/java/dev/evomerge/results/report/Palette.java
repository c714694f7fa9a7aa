package dev.evomerge.results.report;

import java.awt.Color;

/**
 * Colours a reader with any common form of colour blindness can still tell apart: the Okabe-Ito set for
 * categories, viridis for sequential values and a blue-white-orange ramp for signed ones.
 *
 * {@snippet :
 * Color second = Palette.category(1);      // orange
 * Color mid = Palette.sequential(0.5);     // viridis teal
 * }
 */
public final class Palette {

    // Okabe & Ito (2008); black moved last so the first series is never mistaken for an axis.
    private static final Color[] CATEGORY = {
        new Color(0x0072B2), new Color(0xE69F00), new Color(0x009E73), new Color(0xCC79A7),
        new Color(0x56B4E9), new Color(0xD55E00), new Color(0xF0E442), new Color(0x000000),
    };

    // viridis, sampled at 9 evenly spaced points; linear in between is indistinguishable at our sizes.
    private static final Color[] VIRIDIS = {
        new Color(0x440154), new Color(0x472D7B), new Color(0x3B528B), new Color(0x2C728E), new Color(0x21918C),
        new Color(0x28AE80), new Color(0x5EC962), new Color(0xADDC30), new Color(0xFDE725),
    };

    private static final Color[] DIVERGING = {
        new Color(0x2166AC), new Color(0x92C5DE), new Color(0xF7F7F7), new Color(0xFDB863), new Color(0xB35806),
    };

    /** Colour for missing values in a heat map. */
    public static final Color MISSING = new Color(0xDDDDDD);

    private Palette() {
    }

    /** The {@code i}-th category colour; repeats after eight. */
    public static Color category(int i) {
        return CATEGORY[Math.floorMod(i, CATEGORY.length)];
    }

    /** Viridis at {@code f} in [0, 1] (clamped). */
    public static Color sequential(double f) {
        return ramp(VIRIDIS, f);
    }

    /** Blue (0) through white (0.5) to orange (1), {@code f} clamped to [0, 1]. */
    public static Color diverging(double f) {
        return ramp(DIVERGING, f);
    }

    private static Color ramp(Color[] stops, double f) {
        double x = Double.isNaN(f) ? 0 : Math.clamp(f, 0.0, 1.0) * (stops.length - 1);
        int i = Math.min(stops.length - 2, (int) x);
        double t = x - i;
        Color a = stops[i];
        Color b = stops[i + 1];
        return new Color(mix(a.getRed(), b.getRed(), t), mix(a.getGreen(), b.getGreen(), t),
                mix(a.getBlue(), b.getBlue(), t));
    }

    private static int mix(int a, int b, double t) {
        return (int) Math.round(a + (b - a) * t);
    }

    /** Black or white, whichever reads better on {@code background}. */
    static Color textOn(Color background) {
        double luminance = 0.2126 * background.getRed() + 0.7152 * background.getGreen() + 0.0722 * background.getBlue();
        return luminance > 140 ? Color.BLACK : Color.WHITE;
    }
}
