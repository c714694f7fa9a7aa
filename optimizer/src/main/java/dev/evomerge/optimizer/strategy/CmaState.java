package dev.evomerge.optimizer.strategy;

import java.util.Objects;

/**
 * Everything a CMA-ES run needs to continue: distribution, evolution paths, the (lazily updated)
 * eigendecomposition, counters, RNG and the best candidate so far. For the separable variant
 * {@code c} and {@code b} are {@code null} and {@code d} holds the square roots of the diagonal.
 *
 * {@snippet :
 * CmaState s = cma.state();
 * CmaEs again = CmaEs.restore(s);   // continues identically
 * }
 *
 * @param mean distribution mean
 * @param sigma step size
 * @param pc covariance evolution path
 * @param ps step-size evolution path (conjugate)
 * @param c covariance matrix (full variant) or {@code null}
 * @param diagC covariance diagonal (separable variant) or {@code null}
 * @param b eigenvectors of C as columns (full variant) or {@code null}
 * @param d square roots of C's eigenvalues (full) or of its diagonal (separable)
 * @param eigenGeneration generation at which b and d were computed
 * @param generation completed generations
 * @param evaluations evaluated genomes
 * @param lambda population size
 * @param rng generator state
 * @param best best candidate so far, or {@code null} before the first tell
 * @param fullRates for a diagonal C: learn it with the full algorithm's learning rates (the diagonal of
 *     full CMA-ES) instead of sep-CMA-ES's larger ones; ignored for a full C. A checkpoint written
 *     before this field existed reads back as {@code false}, the sep-CMA-ES it was.
 */
public record CmaState(
        double[] mean, double sigma, double[] pc, double[] ps, double[][] c, double[] diagC, double[][] b,
        double[] d, long eigenGeneration, long generation, long evaluations, int lambda, long[] rng,
        Candidate best, boolean fullRates) {
    public CmaState {
        Objects.requireNonNull(mean, "mean");
        Objects.requireNonNull(pc, "pc");
        Objects.requireNonNull(ps, "ps");
        Objects.requireNonNull(d, "d");
        Objects.requireNonNull(rng, "rng");
        if (!(sigma > 0)) {
            throw new IllegalArgumentException("sigma must be positive: " + sigma);
        }
        if ((c == null) == (diagC == null)) {
            throw new IllegalArgumentException("exactly one of c (full) and diagC (separable) must be set");
        }
    }
}
