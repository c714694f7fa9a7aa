package dev.evomerge.merge.kernel;

/**
 * Spherical interpolation between two vectors given only their dot products, as mergekit's nuslerp takes it:
 * each norm is floored at {@code 1e-7}, the cosine clamped to [-1, 1], and where {@code |sin theta| < 1e-8}
 * the vectors count as colinear and the interpolation is linear.
 *
 * {@snippet :
 * double[] c = Spherical.coefficients(0.3, aa, ab, bb);   // out = c[0] a + c[1] b
 * }
 */
public final class Spherical {

    static final double NORM_FLOOR = 1e-7;
    static final double COLINEAR_SIN = 1e-8;

    private Spherical() {
    }

    /** The angle between a and b from {@code a.a}, {@code a.b}, {@code b.b}. */
    public static double angle(double aa, double ab, double bb) {
        double cos = ab / (Math.max(Math.sqrt(aa), NORM_FLOOR) * Math.max(Math.sqrt(bb), NORM_FLOOR));
        return Math.acos(Math.max(-1, Math.min(1, cos)));
    }

    /** The weights of a and b at {@code t} (0 gives a, 1 gives b). */
    public static double[] coefficients(double t, double aa, double ab, double bb) {
        double theta = angle(aa, ab, bb);
        double sin = Math.sin(theta);
        if (Math.abs(sin) < COLINEAR_SIN) {
            return new double[] {1 - t, t};
        }
        return new double[] {Math.sin((1 - t) * theta) / sin, Math.sin(t * theta) / sin};
    }
}
