package dev.evomerge.optimizer.strategy;

/**
 * M2N2's resource competition and attraction arithmetic (Abrantes, Lange and Tang 2025), kept apart so
 * it can be checked on hand-computed numbers.
 *
 * {@snippet :
 * double[][] f = Competition.sharedFitness(new double[][] {{1, 0}, {1, 1}}, 1.0); // {{.5, 0}, {.5, 1}}
 * double[] total = Competition.totalFitness(f);                                   // {.5, 1.5}
 * double[] g = Competition.attraction(f, 0);                                      // {0, 1}
 * }
 */
public final class Competition {
    private Competition() {}

    /**
     * f_ij = s_ij / (sum_k s_kj)^alpha. An example no member scores on (sum 0) gets denominator 1, so it
     * contributes nothing and never divides by zero.
     */
    public static double[][] sharedFitness(double[][] scores, double alpha) {
        if (scores.length == 0) {
            return new double[0][];
        }
        int m = scores[0].length;
        double[] z = new double[m];
        for (double[] row : scores) {
            if (row.length != m) {
                throw new IllegalArgumentException("score rows differ in length: " + row.length + " vs " + m);
            }
            for (int j = 0; j < m; j++) {
                z[j] += row[j];
            }
        }
        for (int j = 0; j < m; j++) {
            z[j] = z[j] == 0 ? 1 : Math.pow(z[j], alpha);
        }
        double[][] f = new double[scores.length][m];
        for (int i = 0; i < scores.length; i++) {
            for (int j = 0; j < m; j++) {
                f[i][j] = scores[i][j] / z[j];
            }
        }
        return f;
    }

    /** Sum over examples of the shared fitness, per member. */
    public static double[] totalFitness(double[][] shared) {
        double[] t = new double[shared.length];
        for (int i = 0; i < shared.length; i++) {
            double s = 0;
            for (double v : shared[i]) {
                s += v;
            }
            t[i] = s;
        }
        return t;
    }

    /** g(B|A) = sum_j max(0, f_Bj - f_Aj) for every B; zero for A itself. */
    public static double[] attraction(double[][] shared, int a) {
        double[] fa = shared[a];
        double[] g = new double[shared.length];
        for (int b = 0; b < shared.length; b++) {
            double s = 0;
            double[] fb = shared[b];
            for (int j = 0; j < fa.length; j++) {
                double diff = fb[j] - fa[j];
                if (diff > 0) {
                    s += diff;
                }
            }
            g[b] = s;
        }
        return g;
    }

    /** Draws an index proportional to {@code weights}; uniform if they sum to zero. */
    static int draw(Rng rng, double[] weights) {
        double sum = 0;
        for (double w : weights) {
            sum += w;
        }
        return sum > 0 ? rng.nextWeighted(weights) : rng.nextInt(weights.length);
    }
}
