package dev.evomerge.optimizer.run;

import dev.evomerge.optimizer.strategy.GeneticAlgorithm;
import dev.evomerge.optimizer.strategy.M2n2Config;
import dev.evomerge.optimizer.strategy.Nsga2;
import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.recipe.ModelEntry;
import dev.evomerge.recipe.ParameterValue;
import dev.evomerge.recipe.RecipeOrigin;
import dev.evomerge.space.SearchSpace;
import io.jenetics.util.DoubleRange;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** A tiny linear-merge space and a deterministic evaluator, shared by the run tests and the child process. */
final class Synthetic {
    static final int DIM = 4;
    private static final double[] TARGET = {0.2, 0.7, 0.4, 0.9};

    private Synthetic() {}

    /** Genes in [0, 1) are rounded to 1/20 so distinct genes often make the same recipe (cache hits). */
    static SearchSpace space() {
        return new SearchSpace() {
            public int dimension() {
                return DIM;
            }

            public List<String> geneNames() {
                return List.of("m0/weight", "m1/weight", "m2/weight", "m3/weight");
            }

            public double lower(int i) {
                return 0;
            }

            public double upper(int i) {
                return 1;
            }

            public MergeRecipe decode(double[] genes) {
                List<ModelEntry> models = new ArrayList<>();
                for (int i = 0; i < DIM; i++) {
                    double w = Math.round(Math.min(1, Math.max(0, genes[i])) * 20) / 20.0;
                    models.add(new ModelEntry("./m" + i, Map.of("weight", ParameterValue.Scalar.of(w))));
                }
                return new MergeRecipe("linear", null, models, null, null, null, null, null, null, RecipeOrigin.none());
            }
        };
    }

    static double weight(MergeRecipe r, int i) {
        return ((Number) ((ParameterValue.Scalar) r.models().get(i).parameters().get("weight")).value()).doubleValue();
    }

    /** Per-example scores exp(-4 (w_i - t_i)^2), positive as M2N2 needs; two tasks over halves of them. */
    static CandidateScores score(MergeRecipe r) {
        double[] ex = new double[DIM];
        for (int i = 0; i < DIM; i++) {
            double d = weight(r, i) - TARGET[i];
            ex[i] = Math.exp(-4 * d * d);
        }
        Map<String, Double> tasks = new LinkedHashMap<>();
        tasks.put("first", (ex[0] + ex[1]) / 2);
        tasks.put("second", (ex[2] + ex[3]) / 2);
        return new CandidateScores(tasks, ex);
    }

    /** Scores recipes and remembers every hash it was asked for (to prove none is evaluated twice). */
    static final class CountingEvaluator implements RecipeEvaluator {
        final Set<String> seen = ConcurrentHashMap.newKeySet();
        int duplicates;
        int calls;
        int failOnCall = -1;
        long sleepMillis;

        public List<CandidateScores> evaluate(List<MergeRecipe> recipes) {
            calls++;
            if (calls == failOnCall) {
                throw new IllegalStateException("simulated crash in the evaluator");
            }
            if (sleepMillis > 0) {
                try {
                    Thread.sleep(sleepMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            List<CandidateScores> out = new ArrayList<>();
            for (MergeRecipe r : recipes) {
                if (!seen.add(r.contentHash())) {
                    duplicates++;
                }
                out.add(score(r));
            }
            return out;
        }
    }

    /** Seed points as a user would pick them by hand: nothing, each model alone, everything, the average. */
    static final List<double[]> SEEDS = List.of(new double[] {0, 0, 0, 0}, new double[] {1, 0, 0, 0},
            new double[] {0, 1, 0, 0}, new double[] {0, 0, 1, 0}, new double[] {0, 0, 0, 1},
            new double[] {1, 1, 1, 1}, new double[] {0.25, 0.25, 0.25, 0.25});

    static StrategyFactory factory(String name) {
        return switch (name) {
            case "cma-es" -> StrategyFactory.cmaEs(new double[] {0.5, 0.5, 0.5, 0.5}, 0.2, 6, 7, false);
            case "nsga2" -> StrategyFactory.nsga2(Nsga2.Settings.defaults(DIM, new DoubleRange(0, 1), 8),
                    List.of("first", "second"), 7);
            case "ga" -> StrategyFactory.ga(GeneticAlgorithm.Settings.defaults(DIM, new DoubleRange(0, 1), 8), 7);
            case "m2n2" -> StrategyFactory.m2n2(
                    new M2n2Config(6, 1.0, true, true, true, M2n2Config.Interpolation.LINEAR, 0.05, 3),
                    List.of(new double[] {0.1, 0.1, 0.1, 0.1}, new double[] {0.9, 0.9, 0.9, 0.9},
                            new double[] {0.1, 0.9, 0.1, 0.9}, new double[] {0.9, 0.1, 0.9, 0.1}),
                    7);
            case "random" -> StrategyFactory.random(SEEDS, new double[DIM], new double[] {1, 1, 1, 1}, 5, 8, 0.04, 7);
            case "cma-es-seeded" -> StrategyFactory.cmaEs(SEEDS, new double[] {0.5, 0.5, 0.5, 0.5}, 0.2, 6, 7, false);
            case "ga-seeded" -> StrategyFactory.ga(SEEDS,
                    GeneticAlgorithm.Settings.defaults(DIM, new DoubleRange(0, 1), 8), 7);
            case "m2n2-seeded" -> StrategyFactory.m2n2FromSeeds(
                    new M2n2Config(6, 1.0, true, true, true, M2n2Config.Interpolation.LINEAR, 0.05, 3), SEEDS, 7);
            default -> throw new IllegalArgumentException(name);
        };
    }
}
