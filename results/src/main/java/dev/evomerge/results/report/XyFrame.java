package dev.evomerge.results.report;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Where an x/y chart's data lands in the image: plot rectangle, data ranges widened to round ticks, and the
 * mapping between them. Kept apart from the drawing so tests can ask where a known point must appear.
 */
record XyFrame(int left, int top, int width, int height, Ticks xTicks, Ticks yTicks) {

    static final int MARGIN_LEFT = 78;
    static final int MARGIN_TOP = 48;
    static final int MARGIN_RIGHT = 180;
    static final int MARGIN_BOTTOM = 58;

    static XyFrame of(List<Series> series, int imageWidth, int imageHeight) {
        double[] xr = range(series, true);
        double[] yr = range(series, false);
        return new XyFrame(MARGIN_LEFT, MARGIN_TOP, imageWidth - MARGIN_LEFT - MARGIN_RIGHT,
                imageHeight - MARGIN_TOP - MARGIN_BOTTOM, Ticks.of(xr[0], xr[1], integral(series)),
                Ticks.of(yr[0], yr[1]));
    }

    double px(double x) {
        return left + (x - xTicks.min()) / (xTicks.max() - xTicks.min()) * width;
    }

    double py(double y) {
        return top + height - (y - yTicks.min()) / (yTicks.max() - yTicks.min()) * height;
    }

    /** Whether every x is a whole number (generations, steps): then ticks fall on whole numbers too. */
    private static boolean integral(List<Series> series) {
        for (Series s : series) {
            for (double x : s.x()) {
                if (Double.isFinite(x) && x != Math.rint(x)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static double[] range(List<Series> series, boolean xs) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (Series s : series) {
            for (int i = 0; i < s.size(); i++) {
                double v = xs ? s.x()[i] : s.y()[i];
                if (Double.isFinite(v) && Double.isFinite(xs ? s.y()[i] : s.x()[i])) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        if (lo > hi) {
            return new double[] {0, 1};
        }
        return new double[] {lo, hi};
    }

    /** Round tick values covering [min, max]; the axis spans exactly the first to the last tick. */
    record Ticks(double min, double max, double step, List<Double> values) {

        static Ticks of(double lo, double hi) {
            return of(lo, hi, false);
        }

        static Ticks of(double lo, double hi, boolean integral) {
            if (hi - lo < 1e-12 * Math.max(1, Math.abs(hi))) {
                double pad = integral ? 1 : lo == 0 ? 0.5 : Math.abs(lo) * 0.1;
                lo -= pad;
                hi += pad;
            }
            double step = niceStep((hi - lo) / 5);
            if (integral) {
                step = Math.max(1, step);
            }
            double min = Math.floor(lo / step + 1e-9) * step;
            double max = Math.ceil(hi / step - 1e-9) * step;
            List<Double> values = new ArrayList<>();
            for (int i = 0; min + i * step <= max + step * 1e-6; i++) {
                values.add(min + i * step);
            }
            return new Ticks(min, max, step, List.copyOf(values));
        }

        private static double niceStep(double raw) {
            double p = Math.pow(10, Math.floor(Math.log10(raw)));
            double f = raw / p;
            return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * p;
        }

        String label(double v) {
            if (Math.abs(v) < step * 1e-6) {
                v = 0;
            }
            double mag = Math.max(Math.abs(min), Math.abs(max));
            if (mag >= 1e5 || step < 1e-4) {
                return String.format(Locale.ROOT, "%.3g", v);
            }
            int decimals = Math.max(0, (int) -Math.floor(Math.log10(step) + 1e-9));
            return String.format(Locale.ROOT, "%." + decimals + "f", v);
        }
    }
}
