package dev.evomerge.optimizer.strategy;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;

/**
 * CMA-ES (Hansen and Ostermeier 2001; defaults from Hansen's tutorial, arXiv:1604.00772) as an
 * ask/tell core that maximises fitness. Two covariance models behind the same contract:
 * <ul>
 *   <li>{@link #full}: the standard algorithm, rank-one + rank-mu update of a full C, eigendecomposition
 *       with ND4J, updated lazily every {@code lambda / (c1 + c_mu) / n / 10} generations;</li>
 *   <li>{@link #separable}: sep-CMA-ES (Ros and Hansen 2008), diagonal C with learning rates scaled by
 *       (n + 2) / 3, linear time and memory, for genomes of tens of thousands of genes;</li>
 *   <li>{@link #diagonalOfFull}: a diagonal C learnt with the full algorithm's (unscaled) rates. The
 *       diagonal of a full C evolves from the diagonals of the rank-one and rank-mu terms alone, so this
 *       is full CMA-ES without its off-diagonal entries. For n in the tens of thousands those rates are
 *       about 1e-8 per generation, so over a few thousand generations it is, like pycma's default
 *       full CMA-ES at that size, an isotropic (mu/mu_w, lambda)-ES with cumulative step-size
 *       adaptation, in linear time and memory.</li>
 * </ul>
 *
 * {@snippet :
 * CmaEs cma = CmaEs.full(new double[10], 0.5, 0, 7);   // lambda = 10
 * List<double[]> xs = cma.ask();
 * cma.tell(xs, evaluator.evaluate(xs));
 * CmaEs resumed = CmaEs.restore(cma.state());
 * }
 */
public final class CmaEs implements AskTellStrategy<CmaState> {
    private final CmaParameters p;
    private final boolean full;
    private final boolean fullRates;
    private final int n;
    private double[] mean;
    private double sigma;
    private double[] pc;
    private double[] ps;
    private double[][] c;
    private double[] diagC;
    private double[][] b;
    private double[] d;
    private long eigenGeneration;
    private long generation;
    private long evaluations;
    private Rng rng;
    private Candidate best;
    private List<Candidate> last = List.of();

    private CmaEs(CmaState s) {
        this.full = s.c() != null;
        this.fullRates = !full && s.fullRates();
        this.n = s.mean().length;
        CmaParameters defaults = CmaParameters.defaults(n, s.lambda());
        this.p = full || fullRates ? defaults : defaults.separable();
        this.mean = s.mean().clone();
        this.sigma = s.sigma();
        this.pc = s.pc().clone();
        this.ps = s.ps().clone();
        this.c = full ? deepCopy(s.c()) : null;
        this.diagC = full ? null : s.diagC().clone();
        if (full && s.b() == null) {
            throw new IllegalArgumentException("full CMA-ES state needs its eigenvectors b");
        }
        this.b = full ? deepCopy(s.b()) : null;
        this.d = s.d().clone();
        this.eigenGeneration = s.eigenGeneration();
        this.generation = s.generation();
        this.evaluations = s.evaluations();
        this.rng = Rng.restore(s.rng());
        this.best = s.best();
        if (pc.length != n || ps.length != n || d.length != n) {
            throw new IllegalArgumentException("CMA-ES state vectors must all have length " + n);
        }
    }

    /** Full-covariance CMA-ES from {@code mean} with step size {@code sigma0}; {@code lambda <= 0} = default. */
    public static CmaEs full(double[] mean, double sigma0, int lambda, long seed) {
        int n = mean.length;
        double[][] identity = new double[n][n];
        for (int i = 0; i < n; i++) {
            identity[i][i] = 1;
        }
        int lam = CmaParameters.defaults(n, lambda).lambda();
        return new CmaEs(new CmaState(mean.clone(), sigma0, new double[n], new double[n], identity, null,
                deepCopy(identity), ones(n), 0, 0, 0, lam, Rng.seeded(seed).state(), null, false));
    }

    /** Separable (diagonal) CMA-ES, linear in the dimension; {@code lambda <= 0} = default. */
    public static CmaEs separable(double[] mean, double sigma0, int lambda, long seed) {
        return diagonal(mean, sigma0, lambda, seed, false);
    }

    /**
     * Full CMA-ES restricted to the diagonal of C (the full algorithm's learning rates, no
     * off-diagonal terms), linear in the dimension; {@code lambda <= 0} = default. For very large n it
     * stands in for the full algorithm, whose C would not fit in memory.
     */
    public static CmaEs diagonalOfFull(double[] mean, double sigma0, int lambda, long seed) {
        return diagonal(mean, sigma0, lambda, seed, true);
    }

    private static CmaEs diagonal(double[] mean, double sigma0, int lambda, long seed, boolean fullRates) {
        int n = mean.length;
        int lam = CmaParameters.defaults(n, lambda).lambda();
        return new CmaEs(new CmaState(mean.clone(), sigma0, new double[n], new double[n], null, ones(n),
                null, ones(n), 0, 0, 0, lam, Rng.seeded(seed).state(), null, fullRates));
    }

    /** Continues from a {@link #state()} snapshot. */
    public static CmaEs restore(CmaState state) {
        return new CmaEs(Objects.requireNonNull(state, "state"));
    }

    @Override
    public String name() {
        return full ? "cma-es" : fullRates ? "diag-cma-es" : "sep-cma-es";
    }

    @Override
    public int dimension() {
        return n;
    }

    public CmaParameters parameters() {
        return p;
    }

    public double sigma() {
        return sigma;
    }

    public double[] mean() {
        return mean.clone();
    }

    @Override
    public List<double[]> ask() {
        List<double[]> out = new ArrayList<>(p.lambda());
        double[] z = new double[n];
        for (int k = 0; k < p.lambda(); k++) {
            for (int i = 0; i < n; i++) {
                z[i] = d[i] * rng.nextGaussian();
            }
            double[] x = new double[n];
            if (full) {
                for (int i = 0; i < n; i++) {
                    double s = 0;
                    double[] bi = b[i];
                    for (int j = 0; j < n; j++) {
                        s += bi[j] * z[j];
                    }
                    x[i] = mean[i] + sigma * s;
                }
            } else {
                for (int i = 0; i < n; i++) {
                    x[i] = mean[i] + sigma * z[i];
                }
            }
            out.add(x);
        }
        return out;
    }

    @Override
    public void tell(List<double[]> genomes, double[][] scores) {
        int lam = p.lambda();
        if (genomes.size() != lam || scores.length != lam) {
            throw new IllegalArgumentException("CMA-ES expects " + lam + " genomes and score rows, got "
                    + genomes.size() + " and " + scores.length);
        }
        double[] fit = new double[lam];
        Integer[] order = new Integer[lam];
        for (int k = 0; k < lam; k++) {
            if (genomes.get(k).length != n) {
                throw new IllegalArgumentException("genome " + k + " has length " + genomes.get(k).length + ", expected " + n);
            }
            fit[k] = BatchEvaluator.fitness(scores[k]);
            order[k] = k;
            // NaN fitness ranks last instead of poisoning the sort.
            if (Double.isNaN(fit[k])) {
                fit[k] = Double.NEGATIVE_INFINITY;
            }
        }
        // Stable sort, best (highest) first: ties keep ask order, so runs are deterministic.
        Arrays.sort(order, Comparator.comparingDouble((Integer k) -> -fit[k]));
        int top = order[0];
        List<Candidate> evaluated = new ArrayList<>(lam);
        for (int k = 0; k < lam; k++) {
            evaluated.add(new Candidate(genomes.get(k), scores[k], fit[k]));
        }
        last = List.copyOf(evaluated);
        if (best == null || fit[top] > best.fitness()) {
            best = new Candidate(genomes.get(top).clone(), scores[top].clone(), fit[top]);
        }

        double[] old = mean;
        double[] newMean = new double[n];
        double[][] y = new double[p.mu()][];
        for (int r = 0; r < p.mu(); r++) {
            double[] x = genomes.get(order[r]);
            double w = p.weights()[r];
            double[] yr = new double[n];
            for (int i = 0; i < n; i++) {
                newMean[i] += w * x[i];
                yr[i] = (x[i] - old[i]) / sigma;
            }
            y[r] = yr;
        }
        double[] yMean = new double[n];
        for (int i = 0; i < n; i++) {
            yMean[i] = (newMean[i] - old[i]) / sigma;
        }
        double[] zMean = invSqrtC(yMean);
        double csn = Math.sqrt(p.cSigma() * (2 - p.cSigma()) * p.mueff());
        double psNorm2 = 0;
        for (int i = 0; i < n; i++) {
            ps[i] = (1 - p.cSigma()) * ps[i] + csn * zMean[i];
            psNorm2 += ps[i] * ps[i];
        }
        double psNorm = Math.sqrt(psNorm2);
        double hsigLhs = psNorm / Math.sqrt(1 - Math.pow(1 - p.cSigma(), 2.0 * (generation + 1))) / p.chiN();
        boolean hsig = hsigLhs < 1.4 + 2.0 / (n + 1);
        double ccn = Math.sqrt(p.cC() * (2 - p.cC()) * p.mueff());
        for (int i = 0; i < n; i++) {
            pc[i] = (1 - p.cC()) * pc[i] + (hsig ? ccn * yMean[i] : 0);
        }
        double deltaH = hsig ? 0 : p.cC() * (2 - p.cC());
        double decay = 1 - p.c1() - p.cMu();
        if (full) {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j <= i; j++) {
                    double rankMu = 0;
                    for (int r = 0; r < p.mu(); r++) {
                        rankMu += p.weights()[r] * y[r][i] * y[r][j];
                    }
                    double v = decay * c[i][j] + p.c1() * (pc[i] * pc[j] + deltaH * c[i][j]) + p.cMu() * rankMu;
                    c[i][j] = v;
                    c[j][i] = v;
                }
            }
        } else {
            for (int i = 0; i < n; i++) {
                double rankMu = 0;
                for (int r = 0; r < p.mu(); r++) {
                    rankMu += p.weights()[r] * y[r][i] * y[r][i];
                }
                diagC[i] = decay * diagC[i] + p.c1() * (pc[i] * pc[i] + deltaH * diagC[i]) + p.cMu() * rankMu;
            }
        }
        sigma *= Math.exp((p.cSigma() / p.dSigma()) * (psNorm / p.chiN() - 1));
        mean = newMean;
        generation++;
        evaluations += lam;
        if (full) {
            if (generation - eigenGeneration > p.lambda() / (p.c1() + p.cMu()) / n / 10) {
                decompose();
            }
        } else {
            for (int i = 0; i < n; i++) {
                d[i] = Math.sqrt(diagC[i]);
            }
        }
    }

    /** C^{-1/2} v with the current decomposition. */
    private double[] invSqrtC(double[] v) {
        double[] out = new double[n];
        if (!full) {
            for (int i = 0; i < n; i++) {
                out[i] = v[i] / d[i];
            }
            return out;
        }
        double[] t = new double[n];
        for (int j = 0; j < n; j++) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                s += b[i][j] * v[i];
            }
            t[j] = s / d[j];
        }
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int j = 0; j < n; j++) {
                s += b[i][j] * t[j];
            }
            out[i] = s;
        }
        return out;
    }

    /** Eigendecomposition of C with ND4J (LAPACK syev); eigenvectors come back as columns. */
    private void decompose() {
        eigenGeneration = generation;
        INDArray a = Nd4j.create(c).castTo(DataType.DOUBLE);
        INDArray values = Eigen.symmetricGeneralizedEigenvalues(a, true);
        for (int i = 0; i < n; i++) {
            // Round-off can give tiny negative eigenvalues; clamp so sqrt stays real.
            d[i] = Math.sqrt(Math.max(values.getDouble(i), 1e-300));
            for (int j = 0; j < n; j++) {
                b[i][j] = a.getDouble(i, j);
            }
        }
    }

    @Override
    public List<Candidate> population() {
        // The last evaluated generation (empty after a restore until the next tell).
        return last;
    }

    @Override
    public Candidate best() {
        if (best == null) {
            throw new IllegalStateException("CMA-ES has no evaluated candidate yet");
        }
        return best;
    }

    @Override
    public long generation() {
        return generation;
    }

    @Override
    public long evaluations() {
        return evaluations;
    }

    @Override
    public CmaState state() {
        return new CmaState(mean.clone(), sigma, pc.clone(), ps.clone(), full ? deepCopy(c) : null,
                full ? null : diagC.clone(), full ? deepCopy(b) : null, d.clone(), eigenGeneration, generation,
                evaluations, p.lambda(), rng.state(), best, fullRates);
    }

    private static double[] ones(int n) {
        double[] v = new double[n];
        Arrays.fill(v, 1);
        return v;
    }

    private static double[][] deepCopy(double[][] m) {
        double[][] out = new double[m.length][];
        for (int i = 0; i < m.length; i++) {
            out[i] = m[i].clone();
        }
        return out;
    }
}
