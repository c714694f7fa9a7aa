package dev.evomerge.optimizer.strategy;

import io.jenetics.DoubleChromosome;
import io.jenetics.DoubleGene;
import io.jenetics.GaussianMutator;
import io.jenetics.Genotype;
import io.jenetics.Phenotype;
import io.jenetics.engine.Engine;
import io.jenetics.engine.Evaluator;
import io.jenetics.engine.Evolution;
import io.jenetics.engine.EvolutionInit;
import io.jenetics.engine.EvolutionResult;
import io.jenetics.engine.EvolutionStart;
import io.jenetics.engine.EvolutionStream;
import io.jenetics.engine.EvolutionStreamable;
import io.jenetics.ext.SimulatedBinaryCrossover;
import io.jenetics.ext.moea.NSGA2Selector;
import io.jenetics.ext.moea.UFTournamentSelector;
import io.jenetics.ext.moea.Vec;
import io.jenetics.util.DoubleRange;
import io.jenetics.util.ISeq;
import io.jenetics.util.RandomRegistry;
import io.jenetics.util.Seq;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The {@code nsga2} strategy: Jenetics' engine with {@link Vec} fitness (one value per objective, all
 * maximised), survivors chosen by {@link NSGA2Selector} (non-dominated rank, then crowding distance),
 * parents by {@link UFTournamentSelector} (crowded tournaments over unique fitness values), simulated
 * binary crossover and Gaussian mutation. As with {@link GeneticAlgorithm}, the new phenotypes of a
 * generation are scored in one {@link ObjectiveEvaluator} call and random choices go through the run's
 * own {@link Rng}, so a run is reproducible from its seed and resumable from {@link #state()}.
 *
 * {@snippet :
 * var nsga2 = Nsga2.of(Nsga2.Settings.defaults(6, new DoubleRange(0, 1), 40), zdt1, 42);
 * ISeq<Phenotype<DoubleGene, Vec<double[]>>> front = nsga2.stream()
 *     .limit(Limits.byFixedGeneration(100))
 *     .collect(MOEA.toParetoSet());
 * }
 */
public final class Nsga2
        implements Evolution<DoubleGene, Vec<double[]>>, EvolutionStreamable<DoubleGene, Vec<double[]>> {

    /**
     * NSGA-II settings.
     *
     * @param dimension genes
     * @param bounds range of every gene
     * @param populationSize members per generation
     * @param crossoverProbability per-pair probability of simulated binary crossover
     * @param contiguity SBX distribution index (larger: children closer to their parents)
     * @param mutationProbability per-gene probability of Gaussian mutation
     */
    public record Settings(int dimension, DoubleRange bounds, int populationSize, double crossoverProbability,
            double contiguity, double mutationProbability) {
        public Settings {
            Objects.requireNonNull(bounds, "bounds");
            if (dimension < 1 || populationSize < 4 || !(contiguity >= 0)) {
                throw new IllegalArgumentException("bad NSGA-II settings: dimension=" + dimension + " population="
                        + populationSize + " contiguity=" + contiguity);
            }
        }

        /** Crossover 0.9 with distribution index 20, per-gene mutation 1/dimension (Deb's usual choices). */
        public static Settings defaults(int dimension, DoubleRange bounds, int populationSize) {
            return new Settings(dimension, bounds, populationSize, 0.9, 20, 1.0 / dimension);
        }
    }

    private final Settings settings;
    private final Engine<DoubleGene, Vec<double[]>> engine;
    private final Rng rng;
    private ISeq<Phenotype<DoubleGene, Vec<double[]>>> population = ISeq.empty();
    private long generation;
    private long evaluations;

    private Nsga2(Settings settings, ObjectiveEvaluator evaluator, Rng rng) {
        this.settings = Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(evaluator, "evaluator");
        this.rng = rng;
        Evaluator<DoubleGene, Vec<double[]>> batched = phenotypes -> evaluate(evaluator, phenotypes);
        this.engine = new Engine.Builder<>(batched,
                        Genotype.of(DoubleChromosome.of(settings.bounds(), settings.dimension())))
                .populationSize(settings.populationSize())
                .maximizing()
                .offspringSelector(UFTournamentSelector.<DoubleGene, double[], Vec<double[]>>ofVec())
                .survivorsSelector(NSGA2Selector.<DoubleGene, double[], Vec<double[]>>ofVec())
                .alterers(new SimulatedBinaryCrossover<>(settings.crossoverProbability(), settings.contiguity()),
                        new GaussianMutator<>(settings.mutationProbability()))
                .executor(Runnable::run)
                .build();
    }

    public static Nsga2 of(Settings settings, ObjectiveEvaluator evaluator, long seed) {
        return new Nsga2(settings, evaluator, Rng.seeded(seed));
    }

    /** Continues from a snapshot; {@link #stream()} then starts from the stored population. */
    public static Nsga2 restore(Settings settings, ObjectiveEvaluator evaluator, Nsga2State state) {
        Nsga2 n = new Nsga2(settings, evaluator, Rng.restore(state.rng()));
        List<Phenotype<DoubleGene, Vec<double[]>>> members = new ArrayList<>();
        for (int i = 0; i < state.genomes().size(); i++) {
            double[] g = state.genomes().get(i);
            DoubleGene[] genes = new DoubleGene[g.length];
            for (int j = 0; j < g.length; j++) {
                genes[j] = DoubleGene.of(g[j], settings.bounds());
            }
            members.add(Phenotype.of(Genotype.of(DoubleChromosome.of(genes)), state.births()[i],
                    Vec.of(state.objectives().get(i).clone())));
        }
        n.population = ISeq.of(members);
        n.generation = state.generation();
        n.evaluations = state.evaluations();
        return n;
    }

    private ISeq<Phenotype<DoubleGene, Vec<double[]>>> evaluate(
            ObjectiveEvaluator evaluator, Seq<Phenotype<DoubleGene, Vec<double[]>>> phenotypes) {
        PendingPhenotypes.Scored<Vec<double[]>> scored = PendingPhenotypes.score(phenotypes, genomes -> {
            double[][] objectives = evaluator.evaluate(genomes);
            for (double[] row : objectives) {
                if (row.length != objectives[0].length) {
                    throw new IllegalStateException("objective vectors of different lengths: " + objectives[0].length
                            + " and " + row.length);
                }
            }
            return objectives;
        }, row -> Vec.of(row.clone()));
        evaluations += scored.evaluated();
        return scored.population();
    }

    public String name() {
        return "nsga2";
    }

    @Override
    public EvolutionResult<DoubleGene, Vec<double[]>> evolve(EvolutionStart<DoubleGene, Vec<double[]>> start) {
        EvolutionResult<DoubleGene, Vec<double[]>> r = RandomRegistry.with(rng).call(() -> engine.evolve(start));
        population = r.population();
        generation = r.generation();
        return r;
    }

    @Override
    public EvolutionStream<DoubleGene, Vec<double[]>> stream(Supplier<EvolutionStart<DoubleGene, Vec<double[]>>> start) {
        return EvolutionStream.ofEvolution(start, this);
    }

    @Override
    public EvolutionStream<DoubleGene, Vec<double[]>> stream(EvolutionInit<DoubleGene> init) {
        long g = init.generation();
        return stream(() -> EvolutionStart.of(
                init.population().map(gt -> Phenotype.<DoubleGene, Vec<double[]>>of(gt, g)), g));
    }

    /** Starts fresh, or after {@link #restore} from the stored population. */
    @Override
    public EvolutionStream<DoubleGene, Vec<double[]>> stream() {
        return stream(() -> EvolutionStart.of(population, generation + 1));
    }

    /** The current population (empty before the first generation). */
    public ISeq<Phenotype<DoubleGene, Vec<double[]>>> population() {
        return population;
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
    public Nsga2State state() {
        List<double[]> genomes = new ArrayList<>();
        List<double[]> objectives = new ArrayList<>();
        long[] births = new long[population.size()];
        for (int i = 0; i < population.size(); i++) {
            genomes.add(PendingPhenotypes.genes(population.get(i)));
            objectives.add(population.get(i).fitness().data().clone());
            births[i] = population.get(i).generation();
        }
        return new Nsga2State(genomes, objectives, births, generation, evaluations, rng.state());
    }
}
