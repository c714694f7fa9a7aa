package dev.evomerge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evomerge.eval.RecipeScorer;
import dev.evomerge.eval.runtime.ComputeDevice;
import dev.evomerge.eval.task.Task;
import dev.evomerge.eval.task.TaskSplit;
import dev.evomerge.optimizer.config.SearchConfig;
import dev.evomerge.optimizer.config.TaskRef;
import dev.evomerge.optimizer.run.SearchLoop;
import dev.evomerge.optimizer.run.StrategyFactory;
import dev.evomerge.plan.MergedTensorCache;
import dev.evomerge.results.AtomicFiles;
import dev.evomerge.results.RunDirectory;
import dev.evomerge.space.SearchSpace;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * One search, started or resumed: the config, where models are found, the device, and the budget of the
 * merged-tensor cache the candidates share. What a resume needs besides the run directory's own files is kept in
 * {@code launch.json} beside them; the cache's counters of the latest session go to {@code merge-cache.json}.
 *
 * @param mergeCacheMb merged-tensor cache budget in MiB (0: off)
 */
record RunSession(SearchConfig config, Path workingDir, ComputeDevice device, int limit, long mergeCacheMb) {

    static final String LAUNCH = "launch.json";
    static final String MERGE_CACHE = RunDirectory.MERGE_CACHE;

    RunSession {
        if (mergeCacheMb < 0) {
            throw new IllegalArgumentException("--merge-cache-mb must be >= 0, got " + mergeCacheMb);
        }
    }

    /** A session whose cache budget is the config's ({@code evaluation.merge_cache_mb}, else the default). */
    RunSession(SearchConfig config, Path workingDir, ComputeDevice device, int limit) {
        this(config, workingDir, device, limit, config.evaluation().mergeCacheMb());
    }

    /** The same session with another cache budget (a command-line override). */
    RunSession withMergeCacheMb(long mb) {
        return new RunSession(config, workingDir, device, limit, mb);
    }

    /** What a finished session reports: the loop's result and the merged-tensor cache's counters. */
    record Finished(SearchLoop.Result loop, MergedTensorCache.Stats mergeCache) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writes launch.json into a new run directory. */
    void record(RunDirectory run) {
        record(run, ClusterPlan.NONE);
    }

    /** Writes launch.json into a new run directory, with the run's cluster when it has one. */
    void record(RunDirectory run, ClusterPlan cluster) {
        ObjectNode n = JSON.createObjectNode();
        if (cluster.enabled()) {
            n.set("cluster", cluster.toJson(JSON));
        }
        n.put("config", config.file().toAbsolutePath().toString());
        n.put("working_dir", workingDir.toString());
        n.put("device", device.kind().name().toLowerCase(java.util.Locale.ROOT));
        n.put("precision", device.precision().label());
        n.put("limit", limit);
        n.put("merge_cache_mb", mergeCacheMb);
        try {
            Path tmp = run.path().resolve(LAUNCH + ".tmp");
            JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), n);
            Files.move(tmp, run.path().resolve(LAUNCH), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The session of an existing run: its stored config, parsed as if it still sat where it came from. */
    static RunSession of(RunDirectory run) {
        Path launch = run.path().resolve(LAUNCH);
        if (!Files.isRegularFile(launch)) {
            throw new IllegalArgumentException(run.path() + ": not a search run (no " + LAUNCH + ")");
        }
        try {
            var n = JSON.readTree(launch.toFile());
            SearchConfig config = SearchConfig.parse(run.config(), Path.of(n.get("config").asText()));
            return new RunSession(config, Path.of(n.get("working_dir").asText()),
                    ComputeDevice.parse(n.path("device").asText("auto"), n.path("precision").asText("float32")), n.path("limit").asInt(0),
                    n.path("merge_cache_mb").asLong(config.evaluation().mergeCacheMb()));
        } catch (IOException e) {
            throw new IllegalArgumentException(launch + ": " + e.getMessage(), e);
        }
    }

    /** The cluster a run was launched with ({@link ClusterPlan#NONE} for a single-process run). */
    static ClusterPlan clusterOf(RunDirectory run) {
        try {
            return ClusterPlan.fromJson(JSON.readTree(run.path().resolve(LAUNCH).toFile()).get("cluster"));
        } catch (IOException e) {
            throw new IllegalArgumentException(run.path().resolve(LAUNCH) + ": " + e.getMessage(), e);
        }
    }

    private void writeCacheStats(RunDirectory run, MergedTensorCache.Stats stats) {
        ObjectNode n = JSON.createObjectNode();
        stats.asMap().forEach((k, v) -> n.putPOJO(k, v));
        try {
            AtomicFiles.write(run.path().resolve(MERGE_CACHE), JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(n));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    SearchSpace space() {
        return SearchWiring.space(config, workingDir);
    }

    /** What a run needs, built and checked (models, shapes, tasks) before any run directory is touched. */
    record Prepared(SearchSpace space, List<Task> tasks, List<String> objectives, StrategyFactory strategy) {
    }

    Prepared prepare() {
        SearchSpace space = space();
        SearchWiring.checkModels(space, workingDir);
        List<Task> tasks = config.tasks().stream().map(TaskRef::path).map(Task::load).toList();
        List<String> objectives = SearchWiring.objectives(config.search(), tasks.stream().map(Task::name).toList(), space);
        return new Prepared(space, tasks, objectives, SearchWiring.strategy(config.search(), space, objectives));
    }

    /** Runs the loop to its limits. */
    Finished run(Prepared prepared, RunDirectory run, boolean resume) {
        return run(prepared, run, resume, e -> e);
    }

    /** As above, with the evaluator wrapped (the overhead benchmark times it). */
    Finished run(Prepared prepared, RunDirectory run, boolean resume,
            java.util.function.UnaryOperator<dev.evomerge.optimizer.run.RecipeEvaluator> wrap) {
        return run(prepared, run, resume, wrap, ClusterPlan.NONE);
    }

    /** As above, scoring candidates on the plan's cluster when it has one. */
    Finished run(Prepared prepared, RunDirectory run, boolean resume,
            java.util.function.UnaryOperator<dev.evomerge.optimizer.run.RecipeEvaluator> wrap, ClusterPlan clusterPlan) {
        SearchSpace space = prepared.space();
        // A combined space's routed recipes name their merged model by hash; the evaluator looks it up here.
        java.util.function.Function<String, dev.evomerge.recipe.MergeRecipe> mergedModels = name -> null;
        if (space instanceof dev.evomerge.space.CombinedSpace combined) {
            MergedModels registry = new MergedModels(combined);
            space = registry;
            mergedModels = registry;
        }
        List<Task> tasks = prepared.tasks();
        StrategyFactory strategy = prepared.strategy();
        long generations = config.search().generations();
        try (ClusterSession cluster = clusterPlan.enabled() ? ClusterSession.start(clusterPlan.settings(),
                clusterPlan.runId(), device, mergeCacheMb, run.path(), line -> System.err.println("evomerge: " + line)) : null;
             MergedTensorCache cache = MergedTensorCache.withBudgetMb(mergeCacheMb);
             RecipeScorer scorer = new RecipeScorer(tasks, TaskSplit.SEARCH, limit, workingDir, device, cache);
             ProgressBar bar = new ProgressBarBuilder().setTaskName("search").setStyle(ProgressBarStyle.ASCII)
                     .setInitialMax(generations > 0 ? generations : -1).setUnit(" gen", 1).build()) {
            var evaluator = wrap.apply(cluster != null ? cluster.evaluator(config.tasks(), mergedModels, limit, workingDir)
                    : SearchWiring.evaluator(scorer, config.tasks(), mergedModels));
            var limits = SearchWiring.limits(config.search());
            java.util.function.Consumer<dev.evomerge.optimizer.run.GenerationReport> progress = report -> {
                bar.stepTo(report.generation());
                System.err.println(report.logLine() + " | " + (cluster != null ? cluster.generationLine()
                        : cache.stats().summary()));
            };
            SearchLoop loop = resume
                    ? SearchLoop.resume(run, space, strategy, evaluator, limits, progress,
                        warning -> System.err.println("evomerge: " + warning))
                    : SearchLoop.start(run, space, strategy, evaluator, limits, progress);
            if (!prepared.objectives().isEmpty()) {
                loop.trackPareto(prepared.objectives());
            }
            SearchLoop.Result result;
            try {
                result = loop.run();
            } finally {
                if (cluster != null) {
                    cluster.writeStats(run.path());
                }
            }
            if (cluster != null) {
                System.err.println("evomerge: cluster session: " + cluster.summary());
            }
            if (result.bestGenes() != null) {
                run.writeBestRecipe(space.decode(result.bestGenes()).toYaml());
            }
            MergedTensorCache.Stats stats = cache.stats();
            writeCacheStats(run, stats);
            return new Finished(result, stats);
        }
    }
}
