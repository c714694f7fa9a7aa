package dev.evomerge.optimizer.strategy;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The yardstick every other strategy is measured against: uniform samples over the box first, then hill
 * climbing from the best point seen, with Gaussian steps that shrink after every round that finds nothing
 * better. Nothing in it adapts to the budget, so a run read off at 150 evaluations is the run a budget of 150
 * would have made.
 * <ul>
 *   <li>The first {@code uniformSamples} genomes are uniform in the bounds, {@code batch} per ask.</li>
 *   <li>Then each ask proposes {@code batch} neighbours of the incumbent: every gene moves by
 *       {@code step * (upper - lower) * N(0, 1)}, clamped to the bounds.</li>
 *   <li>A round whose best beats the incumbent moves it there; a round that does not multiplies the step by
 *       {@link #SHRINK}, down to {@link #MIN_STEP}.</li>
 * </ul>
 *
 * {@snippet :
 * RandomSearch r = RandomSearch.of(lower, upper, 8, 54, List.of(seedCandidate), 7);
 * List<double[]> xs = r.ask();
 * r.tell(xs, evaluator.evaluate(xs));
 * }
 */
public final class RandomSearch implements AskTellStrategy<RandomSearchState> {

    /** The first hill-climbing step, as a fraction of each gene's range. */
    public static final double FIRST_STEP = 0.2;
    /** What a round without improvement does to the step. */
    public static final double SHRINK = 0.8;
    /** The smallest step: below it neighbours mostly decode to the same recipe. */
    public static final double MIN_STEP = 0.02;

    private final double[] lower;
    private final double[] upper;
    private final int batch;
    private final int uniformSamples;
    private final Rng rng;
    private double[] incumbent;
    private double[] incumbentScores;
    private double step;
    private long generation;
    private long evaluations;

    private RandomSearch(double[] lower, double[] upper, int batch, int uniformSamples, RandomSearchState s) {
        this.lower = lower.clone();
        this.upper = upper.clone();
        if (lower.length != upper.length || lower.length == 0) {
            throw new IllegalArgumentException("random search: bounds of " + lower.length + " and " + upper.length + " genes");
        }
        if (batch < 1 || uniformSamples < 0) {
            throw new IllegalArgumentException("random search: batch " + batch + ", uniform samples " + uniformSamples);
        }
        this.batch = batch;
        this.uniformSamples = uniformSamples;
        this.incumbent = s.incumbent() == null ? null : s.incumbent().clone();
        this.incumbentScores = s.incumbentScores() == null ? null : s.incumbentScores().clone();
        this.step = s.step();
        this.generation = s.generation();
        this.evaluations = s.evaluations();
        this.rng = Rng.restore(s.rng());
    }

    /**
     * A fresh run. {@code start} holds points already evaluated (the seed points); the best of them is the
     * first incumbent, so the climb never settles below it.
     */
    public static RandomSearch of(double[] lower, double[] upper, int batch, int uniformSamples,
            List<Candidate> start, long seed) {
        return of(lower, upper, batch, uniformSamples, FIRST_STEP, start, seed);
    }

    /** As above, with another first step (a fraction of each gene's range). */
    public static RandomSearch of(double[] lower, double[] upper, int batch, int uniformSamples, double firstStep,
            List<Candidate> start, long seed) {
        Candidate best = null;
        for (Candidate c : start) {
            if (best == null || c.fitness() > best.fitness()) {
                best = c;
            }
        }
        return new RandomSearch(lower, upper, batch, uniformSamples, new RandomSearchState(
                best == null ? null : best.genome(), best == null ? null : best.scores(), firstStep, 0, 0,
                Rng.seeded(seed).state()));
    }

    public static RandomSearch restore(double[] lower, double[] upper, int batch, int uniformSamples,
            RandomSearchState state) {
        return new RandomSearch(lower, upper, batch, uniformSamples, Objects.requireNonNull(state, "state"));
    }

    @Override
    public String name() {
        return "random";
    }

    @Override
    public int dimension() {
        return lower.length;
    }

    /** The current hill-climbing step (a fraction of each gene's range). */
    public double step() {
        return step;
    }

    @Override
    public List<double[]> ask() {
        List<double[]> out = new ArrayList<>(batch);
        boolean uniform = evaluations < uniformSamples || incumbent == null;
        int n = uniform && incumbent != null ? (int) Math.min(batch, uniformSamples - evaluations) : batch;
        for (int k = 0; k < n; k++) {
            double[] x = new double[lower.length];
            for (int i = 0; i < x.length; i++) {
                double range = upper[i] - lower[i];
                x[i] = uniform ? lower[i] + rng.nextDouble() * range
                        : Math.clamp(incumbent[i] + step * range * rng.nextGaussian(), lower[i], upper[i]);
            }
            out.add(x);
        }
        return out;
    }

    @Override
    public void tell(List<double[]> genomes, double[][] scores) {
        if (genomes.size() != scores.length) {
            throw new IllegalArgumentException("random search: " + genomes.size() + " genomes, " + scores.length + " score rows");
        }
        boolean climbing = evaluations >= uniformSamples && incumbent != null;
        boolean improved = false;
        double best = incumbent == null ? Double.NEGATIVE_INFINITY : BatchEvaluator.fitness(incumbentScores);
        for (int k = 0; k < genomes.size(); k++) {
            double f = BatchEvaluator.fitness(scores[k]);
            if (f > best) {
                best = f;
                incumbent = genomes.get(k).clone();
                incumbentScores = scores[k].clone();
                improved = true;
            }
        }
        if (climbing && !improved) {
            step = Math.max(MIN_STEP, step * SHRINK);
        }
        evaluations += genomes.size();
        generation++;
    }

    @Override
    public List<Candidate> population() {
        return incumbent == null ? List.of() : List.of(best());
    }

    @Override
    public Candidate best() {
        return incumbent == null ? null : Candidate.of(incumbent.clone(), incumbentScores.clone());
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
    public RandomSearchState state() {
        return new RandomSearchState(incumbent == null ? null : incumbent.clone(),
                incumbentScores == null ? null : incumbentScores.clone(), step, generation, evaluations, rng.state());
    }
}
