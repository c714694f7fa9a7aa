package dev.evomerge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.evomerge.arch.Architecture;
import dev.evomerge.checkpoint.Checkpoint;
import dev.evomerge.eval.RecipeScorer;
import dev.evomerge.eval.task.TaskResult;
import dev.evomerge.optimizer.config.SearchConfig;
import dev.evomerge.optimizer.config.SearchSettings;
import dev.evomerge.optimizer.cluster.TaskScore;
import dev.evomerge.optimizer.config.TaskRef;
import dev.evomerge.optimizer.run.CandidateScores;
import dev.evomerge.optimizer.run.RecipeEvaluator;
import dev.evomerge.optimizer.run.RunLimits;
import dev.evomerge.optimizer.run.StrategyFactory;
import dev.evomerge.optimizer.strategy.GeneticAlgorithm;
import dev.evomerge.optimizer.strategy.M2n2Config;
import dev.evomerge.optimizer.strategy.Nsga2;
import dev.evomerge.optimizer.strategy.Rng;
import dev.evomerge.plan.MergePlanner;
import dev.evomerge.plan.ModelSet;
import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.results.TaskMetrics;
import dev.evomerge.space.CombinedSpace;
import dev.evomerge.space.GeneOptions;
import dev.evomerge.space.GenomeDefinition;
import dev.evomerge.space.SeedPoints;
import dev.evomerge.space.LayerRoutingSpace;
import dev.evomerge.space.ParameterSpace;
import dev.evomerge.space.SearchSpace;
import io.jenetics.util.DoubleRange;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Turns a search config into the pieces of a run: space, strategy, limits and the evaluator. */
final class SearchWiring {

    /** Objective name for a layer path's length (stored negated, so larger is better like every score). */
    static final String PATH_LENGTH = "path_length";

    /** How {@code layer_routing.models} may name the genome's merged model. */
    static final String MERGED = "merged";

    private SearchWiring() {
    }

    /**
     * The config's space: the genome's parameter space, the layer-routing space, or both at once, where the
     * genome's merged model is the first routed model (the one that anchors the path). In that case
     * {@code layer_routing.models} lists the other routed models; it may start with {@value #MERGED} to say so.
     */
    static SearchSpace space(SearchConfig config, Path workingDir) {
        String where = config.file().toString();
        ParameterSpace parameters = null;
        if (config.genome() != null) {
            GenomeDefinition genome = GenomeDefinition.parse(config.genome(), where);
            String reference = genome.baseModel() != null ? genome.baseModel() : genome.models().getFirst();
            parameters = new ParameterSpace(genome, numLayers(workingDir.resolve(reference)),
                    GeneOptions.parse(config.genome(), where));
        }
        JsonNode r = config.layerRouting();
        if (r == null) {
            return parameters;
        }
        List<String> models = new ArrayList<>();
        r.path("models").forEach(m -> models.add(m.asText()));
        int repeats = r.path("repeats").asInt(1);
        double maxScale = r.path("max_scale").asDouble(2.0);
        if (parameters != null) {
            if (!models.isEmpty() && models.getFirst().equals(MERGED)) {
                models.removeFirst();
            }
            if (models.contains(MERGED)) {
                throw new IllegalArgumentException(where + ": layer_routing.models: the merged model ('" + MERGED
                        + "') anchors the path, so it can only come first");
            }
            List<Integer> layers = models.stream().map(m -> numLayers(workingDir.resolve(m))).toList();
            return new CombinedSpace(parameters, models, layers, repeats, maxScale);
        }
        if (models.isEmpty()) {
            throw new IllegalArgumentException(where + ": layer_routing.models must list the models to route");
        }
        if (models.contains(MERGED)) {
            throw new IllegalArgumentException(where + ": layer_routing.models names '" + MERGED
                    + "' but the config has no genome to merge it from");
        }
        List<Integer> layers = models.stream().map(m -> numLayers(workingDir.resolve(m))).toList();
        return new LayerRoutingSpace(models, layers, repeats, maxScale);
    }

    private static int numLayers(Path modelDir) {
        JsonNode config = Checkpoint.readConfig(modelDir);
        Path file = modelDir.resolve(Checkpoint.CONFIG);
        return Architecture.forConfig(config, file).numLayers(config, file);
    }

    /**
     * Plans the recipe at the middle of the space against the real checkpoints, so missing models and
     * mismatched shapes fail before the first evaluation.
     */
    static void checkModels(SearchSpace space, Path workingDir) {
        MergeRecipe probe = space instanceof CombinedSpace c ? c.parameterRecipe(midpoint(space))
                : space.decode(midpoint(space));
        if (!probe.layerPath().isEmpty()) {
            return;
        }
        MergePlanner.validate(probe);
        try (ModelSet models = ModelSet.open(probe, workingDir)) {
            MergePlanner.plan(probe, models);
        }
    }

    /**
     * The folder of the tokenizer the search's candidates are scored with: the merge's tokenizer model (its
     * {@code tokenizer_source}, else its base), or for a routed recipe its layer path's first model.
     */
    static Path tokenizerDir(SearchSpace space, Path workingDir) {
        MergeRecipe probe = space instanceof CombinedSpace c ? c.parameterRecipe(midpoint(space))
                : space.decode(midpoint(space));
        try (ModelSet models = ModelSet.open(probe, workingDir)) {
            String model = probe.layerPath().isEmpty() ? MergePlanner.plan(probe, models).tokenizerModel()
                    : probe.layerPath().getFirst().model();
            return models.checkpoint(model).dir();
        }
    }

    /**
     * The objectives of a multi-objective run: those the config names, each checked against the task names,
     * {@code fitness} and (for routed spaces) {@code path_length}; for {@code nsga2} without a list, every
     * task and the path length where there is one. Empty for single-objective runs without a list.
     */
    static List<String> objectives(SearchSettings s, List<String> taskNames, SearchSpace space) {
        List<String> known = new ArrayList<>(taskNames);
        if (!space.decode(midpoint(space)).layerPath().isEmpty()) {
            known.add(PATH_LENGTH);
        }
        if (s.objectives().isEmpty()) {
            return s.algorithm().equals("nsga2") ? List.copyOf(known) : List.of();
        }
        known.add("fitness");
        for (String o : s.objectives()) {
            if (!known.contains(o)) {
                throw new IllegalArgumentException("search.objectives: unknown objective '" + o + "' (known: "
                        + String.join(", ", known) + ")");
            }
        }
        return s.objectives();
    }

    /**
     * The points a user would try by hand (base alone, each model alone, default merge, plain average), which
     * every single-objective strategy evaluates first; none for the layer-routing and combined spaces.
     */
    static List<double[]> seeds(SearchSpace space) {
        return space instanceof ParameterSpace p ? List.copyOf(SeedPoints.of(p).values()) : List.of();
    }

    static StrategyFactory strategy(SearchSettings s, SearchSpace space, List<String> objectives) {
        int n = space.dimension();
        List<double[]> seeds = seeds(space);
        return switch (s.algorithm()) {
            case "cma-es" -> {
                double width = 0;
                for (int i = 0; i < n; i++) {
                    width += space.upper(i) - space.lower(i);
                }
                // An eighth of the mean gene range: 0.25 on weights in [0, 2], the absolute step the search took when
                // weights stopped at 1. A quarter (0.5) made the first generation around the best seed score 17% on
                // the demo zoo's search rows against 32% for the seeds.
                yield StrategyFactory.cmaEs(seeds, midpoint(space), CMA_SIGMA * width / n, s.population(), s.seed(),
                        n > 200);
            }
            case "ga" -> StrategyFactory.ga(seeds, GeneticAlgorithm.Settings.defaults(n, bounds(space),
                    s.population() > 0 ? s.population() : 20), s.seed());
            case "m2n2" -> {
                int archive = s.population() > 0 ? s.population() : M2N2_ARCHIVE;
                double width = 0;
                for (int i = 0; i < n; i++) {
                    width += space.upper(i) - space.lower(i);
                }
                // Genes are mixing weights, so children are linear blends; four per generation fill a batch.
                var m = s.m2n2();
                M2n2Config config = new M2n2Config(archive, m.alpha(), m.crossover(), m.splitPoint(), m.attraction(),
                        M2n2Config.Interpolation.LINEAR, m.mutation() * width / n, m.children());
                if (!seeds.isEmpty()) {
                    yield StrategyFactory.m2n2FromSeeds(config, seeds, s.seed());
                }
                Rng rng = Rng.seeded(s.seed() ^ 0x5EED5EEDL);
                List<double[]> random = new ArrayList<>();
                for (int k = 0; k < archive; k++) {
                    double[] g = new double[n];
                    for (int i = 0; i < n; i++) {
                        g[i] = space.lower(i) + rng.nextDouble() * (space.upper(i) - space.lower(i));
                    }
                    random.add(g);
                }
                yield StrategyFactory.m2n2(config, random, s.seed());
            }
            case "random" -> {
                double[] lo = new double[n];
                double[] hi = new double[n];
                for (int i = 0; i < n; i++) {
                    lo[i] = space.lower(i);
                    hi[i] = space.upper(i);
                }
                yield StrategyFactory.random(seeds, lo, hi, s.population() > 0 ? s.population() : 8,
                        Math.max(8, n), s.seed());
            }
            case "nsga2" -> StrategyFactory.nsga2(Nsga2.Settings.defaults(n, bounds(space),
                    s.population() > 0 ? s.population() : 20), objectives, s.seed());
            default -> throw new IllegalArgumentException("search.algorithm: '" + s.algorithm()
                    + "' is not implemented (available: " + String.join(", ", SearchSettings.ALGORITHMS) + ")");
        };
    }

    /**
     * M2N2's archive on recipes: 10 rather than the paper's 20, because parents are drawn in proportion to their
     * fitness and a smaller archive of the best is what gives that draw its pressure (docs/benchmarks.md).
     */
    static final int M2N2_ARCHIVE = 10;

    /** CMA-ES's first step size, as a fraction of the mean gene range. */
    static final double CMA_SIGMA = 0.125;

    /** Generations bound a run only when set; {@code max_evaluations} alone is a budget of its own. */
    static RunLimits limits(SearchSettings s) {
        RunLimits limits = RunLimits.generations(s.generations() > 0 ? s.generations() : Long.MAX_VALUE);
        return s.maxEvaluations() > 0 ? limits.withMaxEvaluations(s.maxEvaluations()) : limits;
    }

    /**
     * Fitness is the weighted mean of the task scores; the per-example scores are scaled so that their plain
     * mean equals it, which keeps M2N2's per-example competition consistent with the fitness.
     */
    static RecipeEvaluator evaluator(RecipeScorer scorer, List<TaskRef> refs) {
        return evaluator(scorer, refs, name -> null);
    }

    /** As above, where routed models that {@code mergedModels} resolves to a recipe are merged in memory first. */
    static RecipeEvaluator evaluator(RecipeScorer scorer, List<TaskRef> refs, Function<String, MergeRecipe> mergedModels) {
        return recipes -> recipes.stream()
                .map(recipe -> combine(refs, recipe, taskScores(scorer.score(recipe, mergedModels))).scoredBy(LOCAL, Double.NaN))
                .toList();
    }

    /** Who the history says scored a candidate when the search's own process did. */
    static final String LOCAL = "local";

    /** A scorer's results as the cluster carries them. */
    static List<TaskScore> taskScores(Map<String, TaskResult> results) {
        return results.values().stream().map(r -> new TaskScore(r.name(), r.score(), r.perExample(),
                new TaskMetrics(r.metric(), r.metrics()))).toList();
    }

    /**
     * One candidate's scores from its task results (in task order, as many as {@code refs}): the per-example scores
     * scaled so that their plain mean is the weighted mean of the task scores, and, for a routed recipe, its path
     * length. The search's own process and the cluster's workers go through this one function.
     */
    static CandidateScores combine(List<TaskRef> refs, MergeRecipe recipe, List<TaskScore> results) {
        double total = refs.stream().mapToDouble(TaskRef::weight).sum();
        Map<String, Double> byTask = new LinkedHashMap<>();
        Map<String, TaskMetrics> metrics = new LinkedHashMap<>();
        int count = 0;
        for (TaskScore r : results) {
            byTask.put(r.name(), r.score());
            if (r.metrics() != null) {
                metrics.put(r.name(), r.metrics());
            }
            count += r.examples().length;
        }
        double[] examples = new double[count];
        int at = 0;
        int i = 0;
        for (TaskScore r : results) {
            double[] perExample = r.examples();
            double scale = refs.get(i++).weight() / total * count / Math.max(1, perExample.length);
            for (double x : perExample) {
                examples[at++] = x * scale;
            }
        }
        if (!recipe.layerPath().isEmpty()) {
            // The inference cost of a routed model, as an objective: negated, since every objective is maximised.
            byTask.put(PATH_LENGTH, -(double) recipe.layerPath().size());
        }
        return new CandidateScores(byTask, examples).withMetrics(metrics);
    }

    static double[] midpoint(SearchSpace space) {
        double[] m = new double[space.dimension()];
        for (int i = 0; i < m.length; i++) {
            m[i] = (space.lower(i) + space.upper(i)) / 2;
        }
        return m;
    }

    private static DoubleRange bounds(SearchSpace space) {
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        for (int i = 0; i < space.dimension(); i++) {
            lo = Math.min(lo, space.lower(i));
            hi = Math.max(hi, space.upper(i));
        }
        return new DoubleRange(lo, hi);
    }
}
