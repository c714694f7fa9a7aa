package dev.evomerge.optimizer.strategy;

import io.jenetics.DoubleChromosome;
import io.jenetics.DoubleGene;
import io.jenetics.Genotype;
import io.jenetics.Optimize;
import io.jenetics.Phenotype;
import io.jenetics.engine.Evolution;
import io.jenetics.engine.EvolutionDurations;
import io.jenetics.engine.EvolutionInit;
import io.jenetics.engine.EvolutionResult;
import io.jenetics.engine.EvolutionStart;
import io.jenetics.engine.EvolutionStream;
import io.jenetics.engine.EvolutionStreamable;
import io.jenetics.util.DoubleRange;
import io.jenetics.util.ISeq;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Plugs an {@link AskTellStrategy} into Jenetics: each {@link #evolve} is one ask, one batched
 * evaluation, one tell. So every strategy gets Jenetics' {@code Limits}, {@code EvolutionStatistics} and
 * {@code peek} (the checkpoint hook: read {@link #strategy()}{@code .state()} there). The population in
 * each result is the strategy's {@link AskTellStrategy#population()} as {@link DoubleGene}s within
 * {@code bounds} (fitness = mean per-example score, maximised). The strategy keeps its own state, so the
 * start population handed in by the stream is ignored; only its generation is carried along.
 * Note that Jenetics tests a limit on a result after computing it: with
 * {@code Limits.byFixedGeneration(50)} the stream yields 50 results but the strategy has evolved 51
 * generations. A hard evaluation budget is enforced by the caller, not by a limit.
 *
 * {@snippet :
 * var evolution = new StrategyEvolution(CmaEs.full(new double[10], 0.5, 0, 1), evaluator,
 *     new DoubleRange(-5, 5));
 * EvolutionResult<DoubleGene, Double> r = evolution.stream()
 *     .limit(Limits.byFitnessThreshold(-1e-8))
 *     .limit(Limits.byFixedGeneration(1000))
 *     .peek(x -> checkpoints.save(evolution.strategy().state()))
 *     .collect(EvolutionResult.toBestEvolutionResult());
 * }
 */
public final class StrategyEvolution
        implements Evolution<DoubleGene, Double>, EvolutionStreamable<DoubleGene, Double> {
    private final AskTellStrategy<?> strategy;
    private final BatchEvaluator evaluator;
    private final DoubleRange bounds;

    public StrategyEvolution(AskTellStrategy<?> strategy, BatchEvaluator evaluator, DoubleRange bounds) {
        this.strategy = Objects.requireNonNull(strategy, "strategy");
        this.evaluator = Objects.requireNonNull(evaluator, "evaluator");
        this.bounds = Objects.requireNonNull(bounds, "bounds");
    }

    /** The wrapped core, e.g. for {@code state()} in a checkpoint hook. */
    public AskTellStrategy<?> strategy() {
        return strategy;
    }

    @Override
    public EvolutionResult<DoubleGene, Double> evolve(EvolutionStart<DoubleGene, Double> start) {
        long t0 = System.nanoTime();
        List<double[]> genomes = strategy.ask();
        long t1 = System.nanoTime();
        double[][] scores = evaluator.evaluate(genomes);
        long t2 = System.nanoTime();
        if (scores.length != genomes.size()) {
            throw new IllegalStateException("evaluator returned " + scores.length + " score rows for "
                    + genomes.size() + " genomes");
        }
        strategy.tell(genomes, scores);
        long generation = Math.max(1, strategy.generation());
        ISeq<Phenotype<DoubleGene, Double>> population = strategy.population().stream()
                .map(c -> Phenotype.of(genotype(c.genome()), generation, c.fitness()))
                .collect(ISeq.toISeq());
        long t3 = System.nanoTime();
        Duration evaluation = Duration.ofNanos(t2 - t1);
        Duration rest = Duration.ofNanos((t1 - t0) + (t3 - t2));
        EvolutionDurations durations = new EvolutionDurations(rest, Duration.ZERO, Duration.ZERO,
                Duration.ZERO, Duration.ZERO, evaluation, Duration.ofNanos(t3 - t0));
        return EvolutionResult.of(Optimize.MAXIMUM, population, generation, durations, 0, 0, 0);
    }

    private Genotype<DoubleGene> genotype(double[] genome) {
        DoubleGene[] genes = new DoubleGene[genome.length];
        for (int i = 0; i < genome.length; i++) {
            genes[i] = DoubleGene.of(genome[i], bounds);
        }
        return Genotype.of(DoubleChromosome.of(genes));
    }

    @Override
    public EvolutionStream<DoubleGene, Double> stream(Supplier<EvolutionStart<DoubleGene, Double>> start) {
        return EvolutionStream.ofEvolution(start, this);
    }

    @Override
    public EvolutionStream<DoubleGene, Double> stream(EvolutionInit<DoubleGene> init) {
        return stream(() -> EvolutionStart.of(ISeq.empty(), init.generation()));
    }

    /** A stream starting from the strategy's current state. */
    @Override
    public EvolutionStream<DoubleGene, Double> stream() {
        return stream(() -> EvolutionStart.of(ISeq.empty(), strategy.generation() + 1));
    }
}
