package dev.evomerge.optimizer.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.evomerge.optimizer.strategy.AskTellStrategy;
import dev.evomerge.optimizer.strategy.BatchEvaluator;
import dev.evomerge.optimizer.strategy.Candidate;
import dev.evomerge.optimizer.strategy.RandomSearch;
import dev.evomerge.optimizer.strategy.RandomSearchState;
import dev.evomerge.optimizer.strategy.Rng;
import dev.evomerge.optimizer.strategy.CmaEs;
import dev.evomerge.optimizer.strategy.CmaState;
import dev.evomerge.optimizer.strategy.GaState;
import dev.evomerge.optimizer.strategy.GeneticAlgorithm;
import dev.evomerge.optimizer.strategy.M2n2;
import dev.evomerge.optimizer.strategy.M2n2Config;
import dev.evomerge.optimizer.strategy.ObjectiveEvaluator;
import dev.evomerge.optimizer.strategy.M2n2State;
import dev.evomerge.optimizer.strategy.Nsga2;
import dev.evomerge.optimizer.strategy.Nsga2State;
import dev.evomerge.results.RunJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * How to start a strategy fresh and how to bring one back from a checkpoint's state. The config
 * (algorithm, population, seed) picks one of the factories below; the same factory must be used on
 * resume, since settings that are not part of the state (GA settings, M2N2 config) come from it.
 *
 * {@snippet :
 * StrategyFactory f = StrategyFactory.cmaEs(new double[space.dimension()], 0.3, 0, seed, false);
 * }
 */
public interface StrategyFactory {

    String name();

    /**
     * Genomes the loop evaluates as its first generation, before the strategy exists; the strategy is then
     * {@linkplain #start(Seeding) started} from their scores. Empty: the strategy starts at once.
     */
    default List<double[]> seeds() {
        return List.of();
    }

    /** A fresh strategy, built from the evaluated {@link #seeds()} ({@link Seeding#NONE} without them). */
    SearchStrategy start(Seeding seeding);

    /** A fresh strategy without seed points. */
    default SearchStrategy start() {
        return start(Seeding.NONE);
    }

    /** Rebuilds the strategy from the JSON of its {@link SearchStrategy#state()}. */
    SearchStrategy restore(JsonNode state);

    /** CMA-ES, full covariance or separable; {@code lambda <= 0} means Hansen's default. */
    static StrategyFactory cmaEs(double[] mean, double sigma0, int lambda, long seed, boolean separable) {
        return cmaEs(List.of(), mean, sigma0, lambda, seed, separable);
    }

    /**
     * CMA-ES that first evaluates {@code seeds} and centres its first mean on the best of them ({@code mean}
     * without seeds).
     */
    static StrategyFactory cmaEs(List<double[]> seeds, double[] mean, double sigma0, int lambda, long seed,
            boolean separable) {
        double[] fallback = mean.clone();
        return seeded(seeds, askTell("cma-es", seeding -> {
            double[] m = seeding.best() == null ? fallback.clone() : seeding.best().genome().clone();
            return separable ? CmaEs.separable(m, sigma0, lambda, seed) : CmaEs.full(m, sigma0, lambda, seed);
        }, CmaState.class, CmaEs::restore));
    }

    /** M2N2 that evaluates {@code seeds} itself as its first generation (the digits experiment's setting). */
    static StrategyFactory m2n2(M2n2Config config, List<double[]> seeds, long seed) {
        List<double[]> copy = seeds.stream().map(double[]::clone).toList();
        return askTell("m2n2", seeding -> M2n2.of(config, copy, seed), M2n2State.class, s -> M2n2.restore(config, s));
    }

    /**
     * M2N2 whose archive starts from the loop's evaluated {@code seeds} (the best {@code archiveSize} of them),
     * as the paper starts from the pretrained models when it merges them.
     */
    static StrategyFactory m2n2FromSeeds(M2n2Config config, List<double[]> seeds, long seed) {
        if (seeds.isEmpty()) {
            throw new IllegalArgumentException("M2N2 needs seed points to start its archive from");
        }
        return seeded(seeds, askTell("m2n2", seeding -> {
            List<Candidate> members = seeding.bestFirst(config.archiveSize());
            return M2n2.restore(config, new M2n2State(members.stream().map(Candidate::genome).toList(),
                    members.stream().map(Candidate::scores).toList(), List.of(), 0, 0, Rng.seeded(seed).state()));
        }, M2n2State.class, s -> M2n2.restore(config, s)));
    }

    /**
     * The baseline: uniform samples, then hill climbing from the best point seen with a shrinking step
     * ({@link RandomSearch}); its climb starts no lower than the best seed.
     */
    static StrategyFactory random(List<double[]> seeds, double[] lower, double[] upper, int batch,
            int uniformSamples, long seed) {
        return random(seeds, lower, upper, batch, uniformSamples, RandomSearch.FIRST_STEP, seed);
    }

    /** As above, with another first hill-climbing step (a fraction of each gene's range). */
    static StrategyFactory random(List<double[]> seeds, double[] lower, double[] upper, int batch,
            int uniformSamples, double firstStep, long seed) {
        double[] lo = lower.clone();
        double[] hi = upper.clone();
        return seeded(seeds, askTell("random",
                seeding -> RandomSearch.of(lo, hi, batch, uniformSamples, firstStep, seeding.candidates(), seed),
                RandomSearchState.class, s -> RandomSearch.restore(lo, hi, batch, uniformSamples, s)));
    }

    /** Jenetics' GA engine. */
    static StrategyFactory ga(GeneticAlgorithm.Settings settings, long seed) {
        return ga(List.of(), settings, seed);
    }

    /** Jenetics' GA engine whose first population is the evaluated {@code seeds}; its next generation breeds a full one. */
    static StrategyFactory ga(List<double[]> seeds, GeneticAlgorithm.Settings settings, long seed) {
        List<double[]> seedCopy = seeds.stream().map(double[]::clone).toList();
        return new StrategyFactory() {
            public String name() {
                return "ga";
            }

            public List<double[]> seeds() {
                return seedCopy;
            }

            public SearchStrategy start(Seeding seeding) {
                Forwarding f = new Forwarding();
                if (seeding.candidates().isEmpty()) {
                    return new GaAdapter(GeneticAlgorithm.of(settings, f, seed), f);
                }
                List<Candidate> members = seeding.bestFirst(settings.populationSize());
                GaState first = new GaState(members.stream().map(Candidate::genome).toList(),
                        members.stream().mapToDouble(Candidate::fitness).toArray(), new long[members.size()], 0, 0,
                        Rng.seeded(seed).state());
                return new GaAdapter(GeneticAlgorithm.restore(settings, f, first), f);
            }

            public SearchStrategy restore(JsonNode state) {
                Forwarding f = new Forwarding();
                return new GaAdapter(GeneticAlgorithm.restore(settings, f, read(state, GaState.class)), f);
            }
        };
    }

    /** NSGA-II over the named {@code objectives} (task names, {@code path_length}, {@code fitness}). */
    static StrategyFactory nsga2(Nsga2.Settings settings, List<String> objectives, long seed) {
        List<String> names = List.copyOf(objectives);
        if (names.isEmpty()) {
            throw new IllegalArgumentException("nsga2 needs at least one objective");
        }
        return new StrategyFactory() {
            public String name() {
                return "nsga2";
            }

            public SearchStrategy start(Seeding seeding) {
                Forwarding f = new Forwarding();
                return new Nsga2Adapter(Nsga2.of(settings, f.objectives(names), seed), f);
            }

            public SearchStrategy restore(JsonNode state) {
                Forwarding f = new Forwarding();
                return new Nsga2Adapter(Nsga2.restore(settings, f.objectives(names), read(state, Nsga2State.class)), f);
            }
        };
    }

    /** Any ask/tell core with a state record {@code S}. */
    static <S extends Record> StrategyFactory askTell(
            String name, Function<Seeding, ? extends AskTellStrategy<S>> fresh, Class<S> stateType,
            Function<S, ? extends AskTellStrategy<S>> restore) {
        return new StrategyFactory() {
            public String name() {
                return name;
            }

            public SearchStrategy start(Seeding seeding) {
                return new AskTellAdapter(name, fresh.apply(seeding));
            }

            public SearchStrategy restore(JsonNode state) {
                return new AskTellAdapter(name, restore.apply(read(state, stateType)));
            }
        };
    }

    /** {@code factory} with {@code seeds} evaluated before it starts. */
    static StrategyFactory seeded(List<double[]> seeds, StrategyFactory factory) {
        List<double[]> copy = seeds.stream().map(double[]::clone).toList();
        return new StrategyFactory() {
            public String name() {
                return factory.name();
            }

            public List<double[]> seeds() {
                return copy;
            }

            public SearchStrategy start(Seeding seeding) {
                return factory.start(seeding);
            }

            public SearchStrategy restore(JsonNode state) {
                return factory.restore(state);
            }
        };
    }

    private static <S> S read(JsonNode node, Class<S> type) {
        try {
            return RunJson.mapper().treeToValue(node, type);
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint: cannot read the " + type.getSimpleName() + " state: " + e.getMessage(), e);
        }
    }

    /** One ask, one batch, one tell. */
    record AskTellAdapter(String name, AskTellStrategy<?> core) implements SearchStrategy {
        public void step(BatchEvaluator evaluator) {
            List<double[]> genomes = core.ask();
            double[][] scores = evaluator.evaluate(genomes);
            core.tell(genomes, scores);
        }

        public Record state() {
            return core.state();
        }
    }

    /**
     * The Jenetics engines are built around an evaluator; this one forwards to the loop's evaluator of the
     * current step.
     */
    final class Forwarding implements BatchEvaluator {
        private BatchEvaluator target;

        public double[][] evaluate(List<double[]> genomes) {
            return current().evaluate(genomes);
        }

        /** Forwards to the current evaluator's {@link BatchEvaluator#objectives}. */
        ObjectiveEvaluator objectives(List<String> names) {
            return genomes -> current().objectives(genomes, names);
        }

        private BatchEvaluator current() {
            return Objects.requireNonNull(target, "evaluated outside a step");
        }

        /** Runs one generation with {@code evaluator} as the target. */
        void during(BatchEvaluator evaluator, Runnable generation) {
            target = evaluator;
            try {
                generation.run();
            } finally {
                target = null;
            }
        }
    }

    /** One Jenetics generation per step. */
    record GaAdapter(GeneticAlgorithm ga, Forwarding forwarding) implements SearchStrategy {
        public String name() {
            return "ga";
        }

        public void step(BatchEvaluator evaluator) {
            // The stream starts from the GA's current population each time it is created.
            forwarding.during(evaluator, () -> ga.stream().limit(1).forEach(r -> {}));
        }

        public Record state() {
            return ga.state();
        }
    }

    /** One NSGA-II generation per step. */
    record Nsga2Adapter(Nsga2 nsga2, Forwarding forwarding) implements SearchStrategy {
        public String name() {
            return "nsga2";
        }

        public void step(BatchEvaluator evaluator) {
            forwarding.during(evaluator, () -> nsga2.stream().limit(1).forEach(r -> {}));
        }

        public Record state() {
            return nsga2.state();
        }
    }
}
