package dev.evomerge.optimizer.strategy;

import io.jenetics.DoubleChromosome;
import io.jenetics.DoubleGene;
import io.jenetics.EliteSelector;
import io.jenetics.Genotype;
import io.jenetics.IntermediateCrossover;
import io.jenetics.Phenotype;
import io.jenetics.TournamentSelector;
import io.jenetics.engine.Engine;
import io.jenetics.engine.Evaluator;
import io.jenetics.engine.Evolution;
import io.jenetics.engine.EvolutionInit;
import io.jenetics.engine.EvolutionResult;
import io.jenetics.engine.EvolutionStart;
import io.jenetics.engine.EvolutionStream;
import io.jenetics.engine.EvolutionStreamable;
import io.jenetics.util.DoubleRange;
import io.jenetics.util.ISeq;
import io.jenetics.util.RandomRegistry;
import io.jenetics.util.Seq;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The {@code ga} strategy: Jenetics' own engine over one bounded {@link DoubleChromosome}, with
 * alterers suited to real genes (intermediate crossover, Gaussian mutation), tournament selection of
 * offspring, elitist survivors, and a batched {@link Evaluator} that scores all new phenotypes of a
 * generation in one {@link BatchEvaluator} call. Random choices go through this run's own {@link Rng}
 * (bound with {@code RandomRegistry.with} around each generation, on one thread), so a run is
 * reproducible from its seed and resumable from {@link #state()}.
 *
 * {@snippet :
 * var ga = GeneticAlgorithm.of(GeneticAlgorithm.Settings.defaults(8, new DoubleRange(-1, 1), 40),
 *     evaluator, 42);
 * EvolutionResult<DoubleGene, Double> r = ga.stream()
 *     .limit(Limits.byFixedGeneration(100))
 *     .collect(EvolutionResult.toBestEvolutionResult());
 * }
 */
public final class GeneticAlgorithm
        implements Evolution<DoubleGene, Double>, EvolutionStreamable<DoubleGene, Double> {

    /**
     * GA settings.
     *
     * @param dimension genes
     * @param bounds range of every gene
     * @param populationSize members per generation
     * @param crossoverProbability per-pair probability of intermediate crossover
     * @param mutationProbability Jenetics' mutation probability (its cube root is applied to members, then to
     *     genes)
     * @param mutationStep standard deviation of a mutation, as a fraction of the gene's range
     * @param tournamentSize offspring selection pressure
     * @param elites members copied unchanged into the next generation
     */
    public record Settings(
            int dimension, DoubleRange bounds, int populationSize, double crossoverProbability,
            double mutationProbability, double mutationStep, int tournamentSize, int elites) {
        public Settings {
            Objects.requireNonNull(bounds, "bounds");
            if (dimension < 1 || populationSize < 2 || tournamentSize < 1 || elites < 0 || elites >= populationSize
                    || !(mutationStep > 0)) {
                throw new IllegalArgumentException("bad GA settings: dimension=" + dimension + " population="
                        + populationSize + " tournament=" + tournamentSize + " elites=" + elites + " step=" + mutationStep);
            }
        }

        /**
         * Crossover 0.6; mutation probability 0.3 (about half the children get two thirds of their genes moved) with
         * steps of 0.05 of the range; tournaments of 3, one elite.
         */
        public static Settings defaults(int dimension, DoubleRange bounds, int populationSize) {
            return new Settings(dimension, bounds, populationSize, 0.6, MUTATION_PROBABILITY, MUTATION_STEP, 3, 1);
        }
    }

    /** See {@link Settings#defaults}. */
    static final double MUTATION_PROBABILITY = 0.3;
    /** See {@link Settings#defaults}. */
    static final double MUTATION_STEP = 0.05;

    private final Settings settings;
    private final Engine<DoubleGene, Double> engine;
    private final Rng rng;
    private ISeq<Phenotype<DoubleGene, Double>> population = ISeq.empty();
    private long generation;
    private long evaluations;

    private GeneticAlgorithm(Settings settings, BatchEvaluator evaluator, Rng rng) {
        this.settings = Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(evaluator, "evaluator");
        this.rng = rng;
        Evaluator<DoubleGene, Double> batched = phenotypes -> evaluate(evaluator, phenotypes);
        this.engine = new Engine.Builder<>(batched,
                        Genotype.of(DoubleChromosome.of(settings.bounds(), settings.dimension())))
                .populationSize(settings.populationSize())
                .maximizing()
                .offspringSelector(new TournamentSelector<>(settings.tournamentSize()))
                .survivorsSelector(new EliteSelector<>(settings.elites()))
                .alterers(new IntermediateCrossover<>(settings.crossoverProbability(), 0.25),
                        new StepMutator(settings.mutationProbability(), settings.mutationStep()))
                .executor(Runnable::run)
                .build();
    }

    public static GeneticAlgorithm of(Settings settings, BatchEvaluator evaluator, long seed) {
        return new GeneticAlgorithm(settings, evaluator, Rng.seeded(seed));
    }

    /** Continues from a snapshot; {@link #stream()} then starts from the stored population. */
    public static GeneticAlgorithm restore(Settings settings, BatchEvaluator evaluator, GaState state) {
        GeneticAlgorithm ga = new GeneticAlgorithm(settings, evaluator, Rng.restore(state.rng()));
        List<Phenotype<DoubleGene, Double>> members = new ArrayList<>();
        for (int i = 0; i < state.genomes().size(); i++) {
            double[] g = state.genomes().get(i);
            DoubleGene[] genes = new DoubleGene[g.length];
            for (int j = 0; j < g.length; j++) {
                genes[j] = DoubleGene.of(g[j], settings.bounds());
            }
            members.add(Phenotype.of(Genotype.of(DoubleChromosome.of(genes)), state.births()[i], state.fitness()[i]));
        }
        ga.population = ISeq.of(members);
        ga.generation = state.generation();
        ga.evaluations = state.evaluations();
        return ga;
    }

    private ISeq<Phenotype<DoubleGene, Double>> evaluate(
            BatchEvaluator evaluator, Seq<Phenotype<DoubleGene, Double>> phenotypes) {
        PendingPhenotypes.Scored<Double> scored =
                PendingPhenotypes.score(phenotypes, evaluator::evaluate, BatchEvaluator::fitness);
        evaluations += scored.evaluated();
        return scored.population();
    }

    public String name() {
        return "ga";
    }

    @Override
    public EvolutionResult<DoubleGene, Double> evolve(EvolutionStart<DoubleGene, Double> start) {
        EvolutionResult<DoubleGene, Double> r = RandomRegistry.with(rng).call(() -> engine.evolve(start));
        population = r.population();
        generation = r.generation();
        return r;
    }

    @Override
    public EvolutionStream<DoubleGene, Double> stream(Supplier<EvolutionStart<DoubleGene, Double>> start) {
        return EvolutionStream.ofEvolution(start, this);
    }

    @Override
    public EvolutionStream<DoubleGene, Double> stream(EvolutionInit<DoubleGene> init) {
        long g = init.generation();
        return stream(() -> EvolutionStart.of(init.population().map(gt -> Phenotype.<DoubleGene, Double>of(gt, g)), g));
    }

    /** Starts fresh, or after {@link #restore} from the stored population. */
    @Override
    public EvolutionStream<DoubleGene, Double> stream() {
        return stream(() -> EvolutionStart.of(population, generation + 1));
    }

    public long generation() {
        return generation;
    }

    public long evaluations() {
        return evaluations;
    }

    public Settings settings() {
        return settings;
    }

    /** The last population, counters and RNG. */
    public GaState state() {
        List<double[]> genomes = new ArrayList<>();
        double[] fitness = new double[population.size()];
        long[] births = new long[population.size()];
        for (int i = 0; i < population.size(); i++) {
            genomes.add(PendingPhenotypes.genes(population.get(i)));
            fitness[i] = population.get(i).fitness();
            births[i] = population.get(i).generation();
        }
        return new GaState(genomes, fitness, births, generation, evaluations, rng.state());
    }
}
