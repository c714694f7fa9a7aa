package dev.evomerge.optimizer.strategy;

/**
 * CMA-ES strategy parameters with Hansen's defaults (N. Hansen, "The CMA Evolution Strategy: A
 * Tutorial", arXiv:1604.00772, Table 1, positive weights only).
 *
 * {@snippet :
 * CmaParameters p = CmaParameters.defaults(10, 0);   // lambda = 4 + floor(3 ln 10) = 10
 * }
 *
 * @param n dimension
 * @param lambda population size
 * @param mu parents
 * @param weights recombination weights, log-decreasing, summing to 1
 * @param mueff variance-effective selection mass
 * @param cSigma step-size cumulation
 * @param dSigma step-size damping
 * @param cC covariance path cumulation
 * @param c1 rank-one learning rate
 * @param cMu rank-mu learning rate
 * @param chiN E||N(0, I)||
 */
public record CmaParameters(
        int n, int lambda, int mu, double[] weights, double mueff, double cSigma, double dSigma,
        double cC, double c1, double cMu, double chiN) {

    public CmaParameters {
        if (n < 1 || lambda < 2 || mu < 1 || mu > lambda || weights.length != mu) {
            throw new IllegalArgumentException("bad CMA-ES parameters: n=" + n + " lambda=" + lambda + " mu=" + mu);
        }
        weights = weights.clone();
    }

    /** Hansen's defaults for dimension {@code n}; {@code lambda <= 0} means 4 + floor(3 ln n). */
    public static CmaParameters defaults(int n, int lambda) {
        if (n < 1) {
            throw new IllegalArgumentException("dimension must be positive: " + n);
        }
        int lam = lambda > 0 ? lambda : 4 + (int) Math.floor(3 * Math.log(n));
        if (lam < 2) {
            throw new IllegalArgumentException("population must be at least 2: " + lam);
        }
        int mu = lam / 2;
        double[] w = new double[mu];
        double sum = 0;
        for (int i = 0; i < mu; i++) {
            w[i] = Math.log((lam + 1) / 2.0) - Math.log(i + 1);
            sum += w[i];
        }
        double sq = 0;
        for (int i = 0; i < mu; i++) {
            w[i] /= sum;
            sq += w[i] * w[i];
        }
        double mueff = 1 / sq;
        double cSigma = (mueff + 2) / (n + mueff + 5);
        double dSigma = 1 + 2 * Math.max(0, Math.sqrt((mueff - 1) / (n + 1)) - 1) + cSigma;
        double cC = (4 + mueff / n) / (n + 4 + 2 * mueff / n);
        double c1 = 2 / ((n + 1.3) * (n + 1.3) + mueff);
        double cMu = Math.min(1 - c1, 2 * (mueff - 2 + 1 / mueff) / ((n + 2.0) * (n + 2.0) + mueff));
        double chiN = Math.sqrt(n) * (1 - 1.0 / (4 * n) + 1.0 / (21.0 * n * n));
        return new CmaParameters(n, lam, mu, w, mueff, cSigma, dSigma, cC, c1, cMu, chiN);
    }

    /**
     * The separable variant's learning rates (Ros and Hansen, "A Simple Modification in CMA-ES Achieving
     * Linear Time and Space Complexity", PPSN 2008): c1 and c_mu multiplied by (n + 2) / 3.
     */
    public CmaParameters separable() {
        double f = (n + 2) / 3.0;
        double sc1 = Math.min(1, c1 * f);
        double scMu = Math.min(1 - sc1, cMu * f);
        return new CmaParameters(n, lambda, mu, weights, mueff, cSigma, dSigma, cC, sc1, scMu, chiN);
    }
}
