package dev.evomerge.optimizer.digits;

import dev.evomerge.optimizer.strategy.AskTellStrategy;
import dev.evomerge.optimizer.strategy.Candidate;
import dev.evomerge.optimizer.strategy.CmaEs;
import dev.evomerge.optimizer.strategy.M2n2;
import dev.evomerge.optimizer.strategy.M2n2Config;
import dev.evomerge.optimizer.strategy.Rng;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One run of the M2N2 paper's digits experiment: evolve {@link Mlp} parameters with a
 * {@link DigitsMethod} for a budget of forward passes on the training images, recording the test
 * accuracy of the best-on-train individual along the way.
 * <ul>
 *   <li>From scratch: two seeds drawn from N(0, 0.01^2); Gaussian mutation sigma 0.01; CMA-ES starts
 *       from one N(0, 0.01^2) vector with sigma0 0.01 and population 20, maximising training accuracy
 *       and reporting the best individual ever sampled. The reference runs pycma's default full
 *       CMA-ES; at n = 19,210 its covariance learning rates (c1 + c_mu about 3e-8 per generation) leave
 *       C at the identity over 2,500 generations, so {@link CmaEs#diagonalOfFull} follows it in linear
 *       memory. sep-CMA-ES's (n + 2) / 3 larger rates reshape the diagonal and lose several points.</li>
 *   <li>Pretrained: the seeds are two networks trained on digits 0-4 and 5-9 ({@link MlpTrainer}); no
 *       mutation, as in the reference code.</li>
 * </ul>
 *
 * {@snippet :
 * var exp = new DigitsExperiment(data, 2);
 * DigitsExperiment.Run r = exp.run(DigitsMethod.M2N2, 0, 50_000, false, 1_000);
 * }
 */
public final class DigitsExperiment implements AutoCloseable {
    /** Accuracy after a number of forward passes. */
    public record Point(long forwardPasses, double trainAccuracy, double testAccuracy) {}

    /**
     * A finished run.
     *
     * @param method method label
     * @param seed run seed
     * @param pretrained whether the pretrained seeds were used
     * @param forwardPasses training-set forward passes spent
     * @param trainAccuracy best training accuracy at the end
     * @param testAccuracy test accuracy of the best-on-train individual at the end
     * @param seconds wall time of the run (evaluation of test points included)
     * @param curve test accuracy along the run
     */
    public record Run(String method, long seed, boolean pretrained, long forwardPasses, double trainAccuracy,
            double testAccuracy, double seconds, List<Point> curve) {
        public Run {
            Objects.requireNonNull(method, "method");
            curve = List.copyOf(curve);
        }
    }

    /** The reference code's seed: its pretrained pair and the first of its runs (run r uses this + r). */
    static final int REFERENCE_SEED = 42;

    private final DigitsData data;
    private final MlpEvaluator train;
    private final MlpEvaluator test;
    private double[][] pretrained;
    /** Children per M2N2 ask; 1 is the paper's steady state. */
    private int childrenPerGeneration = 1;
    /** Whether from-scratch runs start from the reference code's own initial vectors ({@link #referenceInit}). */
    private boolean referenceInit;

    public DigitsExperiment(DigitsData data, int threads) {
        this.data = Objects.requireNonNull(data, "data");
        this.train = new MlpEvaluator(data.trainX(), data.trainY(), threads);
        this.test = new MlpEvaluator(data.testX(), data.testY(), 1);
    }

    public DigitsExperiment childrenPerGeneration(int children) {
        this.childrenPerGeneration = children;
        return this;
    }

    /**
     * From-scratch run {@code r} starts from the vectors SakanaAI/natural_niches draws for its run {@code r}
     * (JAX's normals: CMA-ES's mean from {@code PRNGKey(42 + r)}, M2N2's two models from keys 1 and 2 of
     * {@code split(PRNGKey(42 + r), 3)}) instead of from this class's own random draws.
     */
    public DigitsExperiment referenceInit(boolean on) {
        this.referenceInit = on;
        return this;
    }

    public MlpEvaluator trainEvaluator() {
        return train;
    }

    /**
     * The two specialists (digits 0-4 and 5-9), trained once and cached. They start from the reference code's
     * own initial vectors (JAX's normals for the two keys of {@code split(PRNGKey(42))}): the pretrained
     * result depends on the pair far more than on anything else (see {@link JaxRandom}).
     */
    public double[][] pretrainedSeeds() {
        if (pretrained == null) {
            JaxRandom.Key[] keys = JaxRandom.Key.of(REFERENCE_SEED).split(2);
            double[] a = jaxInit(keys[0]);
            double[] b = jaxInit(keys[1]);
            pretrained = new double[][] {
                    MlpTrainer.adam(a, data.trainLabelsBetween(0, 4), 0.003, 10),
                    MlpTrainer.adam(b, data.trainLabelsBetween(5, 9), 0.003, 10)};
        }
        return pretrained;
    }

    public Run run(DigitsMethod method, long seed, long budget, boolean usePretrained, long recordEvery) {
        long t0 = System.nanoTime();
        Rng init = Rng.seeded(0x5EED_0000L + seed);
        AskTellStrategy<?> s;
        if (method == DigitsMethod.CMA_ES) {
            if (usePretrained) {
                throw new IllegalArgumentException("CMA-ES has no pretrained variant (one mean, not two seeds)");
            }
            double[] mean = referenceInit
                    ? jaxInit(JaxRandom.Key.of(REFERENCE_SEED + (int) seed))
                    : gaussian(init, 0.01);
            s = CmaEs.diagonalOfFull(mean, 0.01, 20, seed);
        } else {
            M2n2Config c = method.m2n2().withChildrenPerGeneration(childrenPerGeneration);
            List<double[]> seeds;
            if (usePretrained) {
                c = c.withMutationSigma(0);
                seeds = List.of(pretrainedSeeds()[0].clone(), pretrainedSeeds()[1].clone());
            } else if (referenceInit) {
                JaxRandom.Key[] keys = JaxRandom.Key.of(REFERENCE_SEED + (int) seed).split(3);
                seeds = List.of(jaxInit(keys[1]), jaxInit(keys[2]));
            } else {
                seeds = List.of(gaussian(init, 0.01), gaussian(init, 0.01));
            }
            s = M2n2.of(c, seeds, seed);
        }
        List<Point> curve = new ArrayList<>();
        if (s instanceof M2n2) {
            // The seeds' evaluations are not counted, as in the reference code.
            List<double[]> seeds = s.ask();
            s.tell(seeds, train.evaluate(seeds));
        } else if (budget < 20) {
            throw new IllegalArgumentException("CMA-ES budget " + budget + " is less than one generation of 20");
        }
        long spent = 0;
        long nextRecord = recordEvery;
        double[] lastBest = null;
        double lastTest = 0;
        while (spent < budget) {
            List<double[]> xs = s.ask();
            if (spent + xs.size() > budget) {
                break;   // never overspend: CMA-ES generations are all-or-nothing
            }
            s.tell(xs, train.evaluate(xs));
            spent += xs.size();
            if (spent >= nextRecord || spent >= budget) {
                Candidate best = s.best();
                if (best.genome() != lastBest) {
                    lastBest = best.genome();
                    lastTest = test.accuracy(lastBest);
                }
                curve.add(new Point(spent, best.fitness(), lastTest));
                nextRecord = spent + recordEvery;
            }
        }
        Candidate best = s.best();
        double testAcc = best.genome() == lastBest ? lastTest : test.accuracy(best.genome());
        double seconds = (System.nanoTime() - t0) / 1e9;
        return new Run(method.label(), seed, usePretrained, spent, best.fitness(), testAcc, seconds, curve);
    }

    /** The reference code's initial parameters for {@code key}: {@code normal(key, (PARAMS,)) * 0.01}, widened. */
    private static double[] jaxInit(JaxRandom.Key key) {
        float[] v = key.normal(Mlp.PARAMS);
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            out[i] = v[i] * 0.01f;
        }
        return out;
    }

    private static double[] gaussian(Rng rng, double sd) {
        double[] v = new double[Mlp.PARAMS];
        for (int i = 0; i < v.length; i++) {
            v[i] = sd * rng.nextGaussian();
        }
        return v;
    }

    @Override
    public void close() {
        train.close();
        test.close();
    }
}
