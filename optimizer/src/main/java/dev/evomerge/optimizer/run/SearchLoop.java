package dev.evomerge.optimizer.run;

import dev.evomerge.optimizer.strategy.BatchEvaluator;
import dev.evomerge.optimizer.strategy.Candidate;
import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.results.CachedFitness;
import dev.evomerge.results.SearchSnapshot;
import dev.evomerge.results.HistoryRecord;
import dev.evomerge.results.ParetoFront;
import dev.evomerge.results.RunDirectory;
import dev.evomerge.results.RunJson;
import dev.evomerge.space.SearchSpace;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The search: each generation the strategy proposes genes, the space decodes them to recipes, recipes
 * the fitness cache knows are answered from it, the others are scored in one batch, the strategy is
 * told, the history is appended, and a checkpoint is written. A run killed at any moment and
 * {@linkplain #resume resumed} produces the same history as an uninterrupted one (given a
 * deterministic evaluator): history lines of a generation without a checkpoint are cut away, and
 * recipes that generation had already scored are taken from the cache without being evaluated again
 * (they still count, and are logged, as that generation's fresh evaluations, as in the uninterrupted
 * run).
 *
 * {@snippet :
 * RunDirectory dir = RunDirectory.create(Path.of("runs/a"), configText);
 * SearchLoop.Result r = SearchLoop.start(dir, space, StrategyFactory.cmaEs(x0, 0.3, 0, 42, false),
 *         evaluator, RunLimits.generations(50), report -> log.info(report.logLine())).run();
 * // later, after a crash:
 * SearchLoop.resume(RunDirectory.open(Path.of("runs/a")), space, sameFactory, evaluator, limits,
 *         report -> log.info(report.logLine()), warning -> log.warn(warning)).run();
 * }
 */
public final class SearchLoop {

    /**
     * How a run ended.
     *
     * @param generations completed generations
     * @param evaluations candidates evaluated (cache hits included)
     * @param freshEvaluations recipes scored by the evaluator
     * @param bestFitness best fitness, or {@code NaN} when nothing was evaluated
     * @param bestGenes its genes, or {@code null}
     * @param bestRecipeHash its recipe hash, or {@code null}
     * @param stopReason {@code generations}, {@code max_evaluations} or {@code wall_time}
     */
    public record Result(long generations, long evaluations, long freshEvaluations, double bestFitness,
            double[] bestGenes, String bestRecipeHash, String stopReason) {}

    private final RunDirectory run;
    private final SearchSpace space;
    private final StrategyFactory factory;
    /** {@code null} until the seeding generation has run (fresh runs whose factory has seed points). */
    private SearchStrategy strategy;
    private final RecipeEvaluator evaluator;
    private final RunLimits limits;
    private final Consumer<GenerationReport> progress;
    private final Map<String, CachedFitness> cache;
    /** Cache entries written by generations lost to a crash: reused, but reported as fresh. */
    private final Map<String, CachedFitness> recovered;

    private long generation;
    private long evaluations;
    private long freshEvaluations;
    private long cacheHits;
    private long elapsedBeforeNanos;
    private double bestFitness = Double.NaN;
    private double[] bestGenes;
    private String bestHash;

    private long sessionStart;
    private long sessionGenerations;
    private long sessionEvaluations;
    private ParetoFront pareto;
    private final List<HistoryRecord> generationRecords = new ArrayList<>();
    /** Test hook: runs after a generation's history is written and before its checkpoint. */
    Runnable beforeCheckpoint = () -> {};

    private SearchLoop(RunDirectory run, SearchSpace space, StrategyFactory factory, SearchStrategy strategy,
            RecipeEvaluator evaluator, RunLimits limits, Consumer<GenerationReport> progress,
            Map<String, CachedFitness> cache, Map<String, CachedFitness> recovered) {
        this.run = Objects.requireNonNull(run, "run");
        this.space = Objects.requireNonNull(space, "space");
        this.factory = factory;
        this.strategy = strategy;
        this.evaluator = Objects.requireNonNull(evaluator, "evaluator");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.progress = progress == null ? r -> {} : progress;
        this.cache = cache;
        this.recovered = recovered;
    }

    /** A new run in a freshly {@linkplain RunDirectory#create created} run directory. */
    public static SearchLoop start(RunDirectory run, SearchSpace space, StrategyFactory factory,
            RecipeEvaluator evaluator, RunLimits limits, Consumer<GenerationReport> progress) {
        if (!run.checkpoints().generations().isEmpty() || !run.historyLines().isEmpty()) {
            throw new IllegalStateException(run.path() + ": already holds a run; resume it instead");
        }
        return new SearchLoop(run, space, factory, firstStrategy(factory), evaluator, limits, progress,
                new HashMap<>(run.loadCache()), new HashMap<>());
    }

    /**
     * Continues a run from its newest intact checkpoint (or from the start when it has none): skipped
     * corrupt checkpoints are reported to {@code warnings}, as are history lines cut away.
     */
    public static SearchLoop resume(RunDirectory run, SearchSpace space, StrategyFactory factory,
            RecipeEvaluator evaluator, RunLimits limits, Consumer<GenerationReport> progress,
            Consumer<String> warnings) {
        Consumer<String> warn = warnings == null ? w -> {} : warnings;
        Optional<SearchSnapshot> found = run.checkpoints().latest();
        found.ifPresent(c -> c.warnings().forEach(w -> warn.accept("skipping corrupt checkpoint: " + w)));
        long gen = found.map(SearchSnapshot::generation).orElse(0L);
        int dropped = run.truncateHistoryAfter(gen);
        if (dropped > 0) {
            warn.accept(run.path() + ": dropped " + dropped + " history lines of generations after checkpoint " + gen);
        }
        Map<String, CachedFitness> cache = new HashMap<>();
        Map<String, CachedFitness> recovered = new HashMap<>();
        run.loadCache().forEach((hash, c) -> (c.generation() <= gen ? cache : recovered).put(hash, c));
        if (found.isEmpty()) {
            return new SearchLoop(run, space, factory, firstStrategy(factory), evaluator, limits, progress, cache,
                    recovered);
        }
        SearchCheckpoint ck = SearchCheckpoint.read(found.get().payload(), run.checkpoints().file(gen));
        if (!ck.strategy().equals(factory.name())) {
            throw new IllegalArgumentException(run.checkpoints().file(gen) + ": checkpoint is of strategy '"
                    + ck.strategy() + "' but the config asks for '" + factory.name() + "'");
        }
        SearchLoop loop = new SearchLoop(run, space, factory, factory.restore(ck.state()), evaluator, limits,
                progress, cache, recovered);
        loop.generation = ck.generation();
        loop.evaluations = ck.evaluations();
        loop.freshEvaluations = ck.freshEvaluations();
        loop.cacheHits = ck.cacheHits();
        loop.elapsedBeforeNanos = ck.elapsedNanos();
        if (ck.best() != null) {
            loop.bestFitness = ck.best().fitness();
            loop.bestHash = ck.best().recipeHash();
            loop.bestGenes = ck.best().genes();
            loop.writeBestRecipe();
        }
        return loop;
    }

    /** The strategy at once, or {@code null} when the factory's seed points are to be evaluated first. */
    private static SearchStrategy firstStrategy(StrategyFactory factory) {
        return factory.seeds().isEmpty() ? factory.start(Seeding.NONE) : null;
    }

    public long generation() {
        return generation;
    }

    /** Candidates evaluated so far, cache hits included (a resumed run counts those before it too). */
    public long evaluations() {
        return evaluations;
    }

    /**
     * Keeps the Pareto front over {@code objectives} (task names from {@link CandidateScores#tasks()}, or
     * {@code fitness}) and rewrites {@code pareto.json} after every generation. The front is rebuilt from
     * the history, so after a resume it is the uninterrupted run's front.
     */
    public SearchLoop trackPareto(List<String> objectives) {
        pareto = new ParetoFront(objectives);
        run.history().forEach(pareto::offer);
        if (!pareto.members().isEmpty()) {
            run.writePareto(pareto.snapshot());
        }
        return this;
    }

    /** The Pareto front, or {@code null} when {@link #trackPareto} was not called. */
    public ParetoFront pareto() {
        return pareto;
    }

    /** The strategy; {@code null} before the seeding generation of a run with seed points. */
    public SearchStrategy strategy() {
        return strategy;
    }

    /** Runs generations until a limit is reached. */
    public Result run() {
        sessionStart = System.nanoTime();
        String reason;
        while ((reason = limitReached()) == null) {
            step();
        }
        return new Result(generation, evaluations, freshEvaluations, bestFitness,
                bestGenes == null ? null : bestGenes.clone(), bestHash, reason);
    }

    private String limitReached() {
        if (generation >= limits.generations()) {
            return "generations";
        }
        if (evaluations >= limits.maxEvaluations()) {
            return "max_evaluations";
        }
        if (Duration.ofNanos(elapsedNanos()).compareTo(limits.wallTime()) >= 0) {
            return "wall_time";
        }
        return null;
    }

    private long elapsedNanos() {
        return elapsedBeforeNanos + (System.nanoTime() - sessionStart);
    }

    private void step() {
        long gen = generation + 1;
        List<Double> fitness = new ArrayList<>();
        int[] index = {0};
        BatchEvaluator batch = new BatchEvaluator() {
            public double[][] evaluate(List<double[]> genomes) {
                return score(gen, genomes, index, fitness).examples();
            }

            public double[][] objectives(List<double[]> genomes, List<String> names) {
                List<HistoryRecord> records = score(gen, genomes, index, fitness).records();
                double[][] out = new double[records.size()][];
                for (int i = 0; i < out.length; i++) {
                    out[i] = objectiveValues(records.get(i), names);
                }
                return out;
            }
        };
        generationRecords.clear();
        if (strategy == null) {
            // The seeding generation: the factory's seed points are scored, and the strategy is built from them.
            List<double[]> seeds = factory.seeds();
            double[][] examples = batch.evaluate(seeds);
            List<Candidate> evaluated = new ArrayList<>();
            for (int i = 0; i < seeds.size(); i++) {
                evaluated.add(Candidate.of(seeds.get(i).clone(), examples[i]));
            }
            strategy = factory.start(new Seeding(evaluated));
        } else {
            strategy.step(batch);
        }
        run.sync();
        if (pareto != null) {
            generationRecords.forEach(pareto::offer);
            run.writePareto(pareto.snapshot());
        }
        generation = gen;
        sessionGenerations++;
        writeBestRecipe();
        beforeCheckpoint.run();
        run.checkpoints().write(gen, checkpointPayload());
        progress.accept(report(fitness));
    }

    /** What one evaluator call of a strategy gets back, and what it logged. */
    private record Scored(double[][] examples, List<HistoryRecord> records) {}

    private static double[] objectiveValues(HistoryRecord r, List<String> names) {
        double[] v = new double[names.size()];
        for (int k = 0; k < v.length; k++) {
            String o = names.get(k);
            Double x = o.equals("fitness") ? Double.valueOf(r.fitness()) : r.scores().get(o);
            if (x == null) {
                throw new IllegalArgumentException("objective '" + o + "' is not among the scores " + r.scores().keySet()
                        + " of recipe " + r.recipeHash());
            }
            v[k] = x;
        }
        return v;
    }

    private Scored score(long gen, List<double[]> genomes, int[] index, List<Double> fitness) {
        int n = genomes.size();
        String[] hashes = new String[n];
        CachedFitness[] answers = new CachedFitness[n];
        boolean[] hit = new boolean[n];
        List<MergeRecipe> misses = new ArrayList<>();
        List<Integer> missAt = new ArrayList<>();
        Map<String, Integer> missByHash = new HashMap<>();
        for (int i = 0; i < n; i++) {
            MergeRecipe recipe = space.decode(genomes.get(i));
            String hash = recipe.contentHash();
            hashes[i] = hash;
            CachedFitness known = cache.get(hash);
            if (known != null) {
                answers[i] = known;
                hit[i] = true;
            } else if (missByHash.containsKey(hash)) {
                hit[i] = true;   // a duplicate in this batch: answered once the first copy is scored
            } else if ((known = recovered.remove(hash)) != null) {
                answers[i] = known;   // scored before a crash; already in the cache file
                cache.put(hash, known);
            } else {
                missByHash.put(hash, i);
                misses.add(recipe);
                missAt.add(i);
            }
        }
        if (!misses.isEmpty()) {
            long t0 = System.nanoTime();
            List<CandidateScores> scored = evaluator.evaluate(misses);
            double seconds = (System.nanoTime() - t0) / 1e9 / misses.size();
            if (scored.size() != misses.size()) {
                throw new IllegalStateException("evaluator returned " + scored.size() + " results for " + misses.size() + " recipes");
            }
            List<CachedFitness> fresh = new ArrayList<>();
            for (int k = 0; k < misses.size(); k++) {
                int i = missAt.get(k);
                CandidateScores s = scored.get(k);
                CachedFitness c = new CachedFitness(hashes[i], gen, s.tasks(), s.examples().clone(),
                        Double.isNaN(s.seconds()) ? seconds : s.seconds(), s.worker(), s.metrics());
                fresh.add(c);
                answers[i] = c;
                cache.put(hashes[i], c);
            }
            run.appendCache(fresh);
        }
        double[][] out = new double[n][];
        List<HistoryRecord> records = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            CachedFitness c = answers[i] != null ? answers[i] : cache.get(hashes[i]);
            double f = BatchEvaluator.fitness(c.examples());
            out[i] = c.examples().clone();
            records.add(new HistoryRecord(gen, index[0]++, genomes.get(i).clone(), hashes[i], c.scores(), f,
                    hit[i] ? 0 : c.seconds(), hit[i], hit[i] ? null : c.worker(), c.metrics()));
            fitness.add(f);
            evaluations++;
            sessionEvaluations++;
            if (hit[i]) {
                cacheHits++;
            } else {
                freshEvaluations++;
            }
            if (bestGenes == null || f > bestFitness) {
                bestFitness = f;
                bestGenes = genomes.get(i).clone();
                bestHash = hashes[i];
            }
        }
        run.appendHistory(records);
        generationRecords.addAll(records);
        return new Scored(out, records);
    }

    private void writeBestRecipe() {
        if (bestGenes != null) {
            run.writeBestRecipe(space.decode(bestGenes).toYaml());
        }
    }

    private byte[] checkpointPayload() {
        SearchCheckpoint.Best best = bestGenes == null ? null
                : new SearchCheckpoint.Best(bestFitness, bestHash, bestGenes);
        return new SearchCheckpoint(factory.name(), generation, evaluations, freshEvaluations, cacheHits,
                elapsedNanos(), best, RunJson.mapper().valueToTree(strategy.state())).toBytes();
    }

    private GenerationReport report(List<Double> fitness) {
        double mean = fitness.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
        long elapsed = elapsedNanos();
        long session = System.nanoTime() - sessionStart;
        Duration eta = null;
        double perGen = (double) session / sessionGenerations;
        double remaining = Double.POSITIVE_INFINITY;
        if (limits.generations() != Long.MAX_VALUE) {
            remaining = Math.min(remaining, (limits.generations() - generation) * perGen);
        }
        if (limits.maxEvaluations() != Long.MAX_VALUE && sessionEvaluations > 0) {
            double perEval = (double) session / sessionEvaluations;
            remaining = Math.min(remaining, Math.max(0, limits.maxEvaluations() - evaluations) * perEval);
        }
        if (limits.wallTime().getSeconds() < Long.MAX_VALUE / 2_000_000_000L) {
            remaining = Math.min(remaining, Math.max(0, limits.wallTime().toNanos() - elapsed));
        }
        if (Double.isFinite(remaining)) {
            eta = Duration.ofNanos((long) remaining);
        }
        double hitRate = evaluations == 0 ? 0 : (double) cacheHits / evaluations;
        return new GenerationReport(generation, bestFitness, mean, evaluations, freshEvaluations, hitRate,
                Duration.ofNanos(elapsed), eta, pareto == null ? -1 : pareto.members().size());
    }
}
