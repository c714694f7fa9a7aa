package dev.evomerge.results.report;

import java.util.Objects;

/**
 * One named series of points for {@link Charts}; a {@code NaN} y leaves a gap.
 *
 * {@snippet :
 * Series best = new Series("best", new double[] {1, 2, 3}, new double[] {0.2, 0.5, 0.6});
 * }
 */
public record Series(String name, double[] x, double[] y) {

    public Series {
        Objects.requireNonNull(name, "name");
        x = x.clone();
        y = y.clone();
        if (x.length != y.length) {
            throw new IllegalArgumentException("series '" + name + "': " + x.length + " x values but " + y.length
                    + " y values");
        }
    }

    public int size() {
        return x.length;
    }
}
