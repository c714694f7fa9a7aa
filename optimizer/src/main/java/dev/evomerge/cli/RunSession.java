package dev.evomerge.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evomerge.eval.RecipeScorer;
import dev.evomerge.eval.runtime.ComputeDevice;
import dev.evomerge.eval.harness.ChatTemplate;
import dev.evomerge.eval.harness.HarnessTask;
import dev.evomerge.eval.runtime.DeviceChoice;
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

/**
 * One search, started or resumed: the config, where models are found, the device, and the budget of the
 * merged-tensor cache the candidates share. What a resume needs besides the run directory's own files is kept in
 * {@code launch.json} beside them; the cache's counters of the latest session go to {@code merge-cache.json}.
 *
 * @param mergeCacheMb merged-tensor cache budget in MiB (0: off)
 */
record RunSession(SearchConfig config, Path workingDir, ComputeDevice device, int limit, long mergeCacheMb,
                  Path dataDir, List<Path> taskSearchPath) {

    static final String LAUNCH = "launch.json";
    static final String MERGE_CACHE = RunDirectory.MERGE_CACHE;

    RunSession {
        taskSearchPath = List.copyOf(taskSearchPath);
        if (mergeCacheMb < 0) {
            throw new IllegalArgumentException("--merge-cache-mb must be >= 0, got " + mergeCacheMb);
        }
    }

    /** A session whose cache budget is the config's ({@code evaluation.merge_cache_mb}, else the default). */
    RunSession(SearchConfig config, Path workingDir, ComputeDevice device, int limit) {
        this(config, workingDir, device, limit, config.evaluation().mergeCacheMb());
    }

    RunSession(SearchConfig config, Path workingDir, ComputeDevice device, int limit, long mergeCacheMb) {
        this(config, workingDir, device, limit, mergeCacheMb, null, List.of());
    }

    /**
     * The same session reading lm-evaluation-harness tasks' hub datasets under {@code dir} (null:
     * {@code EVOMERGE_DATA_DIR}), with {@code taskSearchPath} the folders its config's task names were looked up in.
     */
    RunSession withTaskLookup(Path dir, List<Path> searchPath) {
        return new RunSession(config, workingDir, device, limit, mergeCacheMb, dir, searchPath);
    }

    /** The same session with another cache budget (a command-line override). */
    RunSession withMergeCacheMb(long mb) {
        return new RunSession(config, workingDir, device, limit, mb, dataDir, taskSearchPath);
    }

    /** What a finished session reports: the loop's result and the merged-tensor cache's counters. */
    record Finished(SearchLoop.Result loop, MergedTensorCache.Stats mergeCache) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Writes launch.json into a new run directory: what was asked for, and the device the run took. */
    void record(RunDirectory run, DeviceChoice chosen) {
        record(run, chosen, ClusterPlan.NONE);
    }

    /** As above, with the run's cluster when it has one. */
    void record(RunDirectory run, DeviceChoice chosen, ClusterPlan cluster) {
        ObjectNode n = JSON.createObjectNode();
        if (cluster.enabled()) {
            n.set("cluster", cluster.toJson(JSON));
        }
        n.put("config", config.file().toAbsolutePath().toString());
        n.put("working_dir", workingDir.toString());
        n.put("device", device.label());
        n.put("device_used", chosen.used().label());
        n.put("precision", device.precision().label());
        n.put("limit", limit);
        n.put("merge_cache_mb", mergeCacheMb);
        if (dataDir != null) {
            n.put("data_dir", dataDir.toAbsolutePath().toString());
        }
        taskSearchPath.forEach(p -> n.withArray("task_search_path").add(p.toAbsolutePath().toString()));
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
            List<Path> searchPath = new java.util.ArrayList<>();
            n.path("task_search_path").forEach(p -> searchPath.add(Path.of(p.asText())));
            SearchConfig config = SearchConfig.parse(run.config(), Path.of(n.get("config").asText()), searchPath);
            return new RunSession(config, Path.of(n.get("working_dir").asText()),
                    ComputeDevice.parse(n.path("device").asText("auto"), n.path("precision").asText("float32")), n.path("limit").asInt(0),
                    n.path("merge_cache_mb").asLong(config.evaluation().mergeCacheMb()),
                    n.hasNonNull("data_dir") ? Path.of(n.get("data_dir").asText()) : null, searchPath);
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

    /**
     * How lm-evaluation-harness task files are compiled for this session: the data directory from
     * {@code EVOMERGE_DATA_DIR} (or {@code search --data-dir}, see {@link #withDataDir}), few-shot count from
     * the config's {@code num_fewshot}; prompts through the chat template of the tokenizer in
     * {@code chatTemplateDir} (null: plain text), the few-shot examples as turns when the config says so.
     */
    HarnessTask.Options taskOptions(Path chatTemplateDir) {
        HarnessTask.Options d = HarnessTask.Options.defaults();
        HarnessTask.Options options = new HarnessTask.Options(dataDir != null ? dataDir : d.dataDir(),
                config.taskSettings().numFewshot());
        return chatTemplateDir == null ? options : options.withChatTemplate(ChatTemplate.load(chatTemplateDir),
                config.taskSettings().fewshotAsMultiturn());
    }

    /**
     * With {@code apply_chat_template: true}, the folder of the tokenizer the candidates are scored with, whose chat
     * template renders the prompts; null otherwise.
     */
    Path chatTemplateDir(SearchSpace space) {
        return config.taskSettings().applyChatTemplate() ? SearchWiring.tokenizerDir(space, workingDir) : null;
    }

    SearchSpace space() {
        return SearchWiring.space(config, workingDir);
    }

    /**
     * What a run needs, built and checked (models, shapes, tasks, the device) before any run directory is touched.
     */
    record Prepared(SearchSpace space, List<Task> tasks, List<String> objectives, StrategyFactory strategy,
            DeviceChoice device, Path chatTemplateDir) {
    }

    /** Checks everything and chooses the device, which it says on stderr: the run's first log line. */
    Prepared prepare() {
        SearchSpace space = space();
        SearchWiring.checkModels(space, workingDir);
        Path chatTemplateDir = chatTemplateDir(space);
        HarnessTask.Options options = taskOptions(chatTemplateDir);
        List<Task> tasks = new java.util.ArrayList<>();
        for (int i = 0; i < config.tasks().size(); i++) {
            TaskRef ref = config.tasks().get(i);
            Task task = Task.load(ref.path(), options);
            try {
                tasks.add(task.withScoreMetric(ref.metric()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(config.file() + ": tasks[" + i + "].metric: " + e.getMessage(), e);
            }
            if (task.isHarness()) {
                task.harness().warnings().forEach(w -> System.err.println("warning: " + w));
            }
        }
        List<String> objectives = SearchWiring.objectives(config.search(), tasks.stream().map(Task::name).toList(), space);
        StrategyFactory strategy = SearchWiring.strategy(config.search(), space, objectives);
        DeviceChoice chosen = DeviceChoice.of(device);
        System.err.println(chosen.logLine());
        return new Prepared(space, tasks, objectives, strategy, chosen, chatTemplateDir);
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
        // With a budget of evaluations only, the bar counts evaluations instead of generations.
        boolean byEvaluations = generations == 0;
        long barMax = byEvaluations ? config.search().maxEvaluations() : generations;
        int rows = limit > 0 ? limit : config.taskSettings().limit();
        try (ClusterSession cluster = clusterPlan.enabled() ? ClusterSession.start(clusterPlan.settings(),
                clusterPlan.runId(), prepared.device().used(), mergeCacheMb, run.path(),
                line -> System.err.println("evomerge: " + line)) : null;
             MergedTensorCache cache = MergedTensorCache.withBudgetMb(mergeCacheMb);
             RecipeScorer scorer = new RecipeScorer(tasks, TaskSplit.SEARCH, rows, workingDir,
                     prepared.device().used(), cache)) {
            var evaluator = wrap.apply(cluster != null ? cluster.evaluator(config.tasks(), mergedModels, rows, workingDir,
                    taskOptions(prepared.chatTemplateDir()), prepared.chatTemplateDir())
                    : SearchWiring.evaluator(scorer, config.tasks(), mergedModels));
            var limits = SearchWiring.limits(config.search());
            // The bar opens once the loop knows where it starts, so a resumed run's earlier generations do not
            // count as work done in this session.
            ProgressLine[] bar = new ProgressLine[1];
            java.util.function.Consumer<dev.evomerge.optimizer.run.GenerationReport> progress = report -> {
                if (bar[0] != null) {
                    bar[0].stepTo(Math.min(barMax, byEvaluations ? report.evaluations() : report.generation()));
                }
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
            try (ProgressLine line = ProgressLine.open("search", barMax > 0 ? barMax : -1,
                    byEvaluations ? loop.evaluations() : loop.generation(),
                    ProgressLine.Unit.of(byEvaluations ? "evals" : "gen"))) {
                bar[0] = line;
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
