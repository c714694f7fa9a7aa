package dev.evomerge.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evomerge.eval.RecipeScorer;
import dev.evomerge.eval.runtime.ComputeDevice;
import dev.evomerge.eval.task.Task;
import dev.evomerge.eval.task.TaskResult;
import dev.evomerge.eval.task.TaskSplit;
import dev.evomerge.eval.zoo.DemoSkill;
import dev.evomerge.eval.zoo.DemoZoo;
import dev.evomerge.eval.zoo.ZooSettings;
import dev.evomerge.optimizer.config.SearchConfig;
import dev.evomerge.plan.MergedTensorCache;
import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.recipe.RecipeParser;
import dev.evomerge.results.HistoryRecord;
import dev.evomerge.results.RunDirectory;
import dev.evomerge.results.report.Charts;
import dev.evomerge.results.report.Series;
import dev.evomerge.space.SearchSpace;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The search-quality bench ({@code scripts/bench-search-quality}): on zoos the project trains itself, every
 * strategy searches per-layer task-arithmetic genes at a budget of evaluations for several seeds, and each run's
 * best-so-far recipe is scored on the held-out test rows at every budget of the curve (no strategy adapts to the
 * budget, so a run read at 150 evaluations is the run a budget of 150 makes). Baselines: the best parent and the
 * best default merge on the test rows, and the {@code random} strategy. Zoos are cached like the demo's; each
 * (zoo, strategy, seed) cell keeps its run and {@code cell.json}, so a stopped bench resumes where it stopped.
 *
 * <p>Arguments: {@code --out DIR} (default {@code results/bench-search-quality}), {@code --zoos demo,reseeded,light-experts},
 * {@code --strategies random,cma-es,ga,m2n2}, {@code --budgets 150,500}, {@code --seeds 3},
 * {@code --genome-extra YAML} (lines added to every genome section, for ablations), {@code --limit N} (search rows
 * per task, for a busy machine; 0: all), {@code --search-extra YAML} (keys added to every {@code search:} mapping,
 * e.g. {@code m2n2: {attraction: false}}), {@code --zoo-dir DIR} (where zoos are cached; default OUT/zoos, so
 * ablations with another {@code --out} can share them), {@code --jobs N} (cells run in N child processes at once,
 * each with one compute thread; default: one per core; 1 runs them in this process).
 */
final class SearchQualityBench {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int[] CURVE = {10, 25, 50, 75, 100, 150, 200, 300, 400, 500, 750, 1000};

    private final Path out;
    private final List<QualityZoo> zoos;
    private final List<String> strategies;
    private final List<Integer> budgets;
    private final int seeds;
    private final String genomeExtra;
    /** Search rows per task (0: all): a cheaper search for a busy machine; test rows are always all scored. */
    private final int limit;
    /** Keys added to every {@code search:} mapping ({@code m2n2: {attraction: false}}), for ablations. */
    private final String searchExtra;
    private final Path zooRoot;
    private final int jobs;
    private final Path cwd = Path.of("").toAbsolutePath();

    private SearchQualityBench(Path out, List<QualityZoo> zoos, List<String> strategies, List<Integer> budgets,
            int seeds, String genomeExtra, int limit, String searchExtra, Path zooRoot, int jobs) {
        this.limit = limit;
        this.jobs = jobs;
        this.searchExtra = searchExtra;
        this.zooRoot = zooRoot == null ? out.toAbsolutePath().resolve("zoos") : zooRoot.toAbsolutePath();
        this.out = out.toAbsolutePath();
        this.zoos = zoos;
        this.strategies = strategies;
        this.budgets = budgets;
        this.seeds = seeds;
        this.genomeExtra = genomeExtra;
    }

    public static void main(String[] args) throws IOException {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                System.err.println("usage: bench-search-quality [--out DIR] [--zoos demo,reseeded,light-experts] [--strategies"
                        + " random,cma-es,ga,m2n2] [--budgets 150,500] [--seeds 3] [--genome-extra YAML] [--search-extra YAML] [--limit N] [--zoo-dir DIR] [--jobs N]");
                System.exit(2);
            }
            a.put(args[i].substring(2), args[i + 1]);
        }
        List<QualityZoo> zoos = new ArrayList<>();
        for (String name : a.getOrDefault("zoos", "demo,reseeded,light-experts").split(",")) {
            zoos.add(QualityZoo.all().stream().filter(z -> z.name().equals(name)).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("--zoos: unknown zoo '" + name + "'")));
        }
        List<Integer> budgets = Arrays.stream(a.getOrDefault("budgets", "150,500").split(","))
                .map(Integer::parseInt).sorted().toList();
        new SearchQualityBench(Path.of(a.getOrDefault("out", "results/bench-search-quality")), zoos,
                List.of(a.getOrDefault("strategies", "random,cma-es,ga,m2n2").split(",")), budgets,
                Integer.parseInt(a.getOrDefault("seeds", "3")), a.getOrDefault("genome-extra", ""),
                Integer.parseInt(a.getOrDefault("limit", "0")), a.getOrDefault("search-extra", ""),
                a.containsKey("zoo-dir") ? Path.of(a.get("zoo-dir")) : null,
                Integer.parseInt(a.getOrDefault("jobs",
                        Integer.toString(Runtime.getRuntime().availableProcessors())))).run(a.get("cell"));
    }

    /** Runs the bench, or with {@code onlyCell} ({@code zoo/strategy/seed}) that one cell, as a child of a bench. */
    private void run(String onlyCell) throws IOException {
        long t0 = System.nanoTime();
        if (onlyCell != null) {
            cell(CellId.parse(onlyCell, zoos));
            return;
        }
        Map<String, Baselines> baselines = new LinkedHashMap<>();
        List<CellId> pending = new ArrayList<>();
        for (QualityZoo zoo : zoos) {
            Path dir = zooRoot.resolve(zoo.name());
            buildZoo(dir, zoo.settings());
            baselines.put(zoo.name(), baselines(zoo, dir));
            for (String strategy : strategies) {
                for (int seed = 1; seed <= seeds; seed++) {
                    pending.add(new CellId(zoo, strategy, seed));
                }
            }
        }
        if (jobs > 1) {
            List<String> toRun = new ArrayList<>();
            for (CellId id : pending) {
                if (finished(cellDir(id)) == null) {
                    toRun.add(id.toString());
                }
            }
            new CellProcesses(jobs, out).runAll(toRun, cellArguments());
        }
        List<Cell> cells = new ArrayList<>();
        for (CellId id : pending) {
            cells.add(cell(id));
        }
        String table = QualityTable.markdown(zoos, strategies, budgets, baselines, cells);
        Files.writeString(out.resolve("table.md"), table, StandardCharsets.UTF_8);
        Charts.writePng(plot(baselines, cells), out.resolve("search-quality.png"));
        System.out.println(table);
        System.out.printf("table: %s, plot: %s (%.0f s)%n", out.resolve("table.md"), out.resolve("search-quality.png"),
                (System.nanoTime() - t0) / 1e9);
    }

    /** The arguments that make a child process run one of this bench's cells the way this process would. */
    private List<String> cellArguments() {
        return List.of("--out", out.toString(), "--zoo-dir", zooRoot.toString(),
                "--zoos", String.join(",", zoos.stream().map(QualityZoo::name).toList()),
                "--budgets", String.join(",", budgets.stream().map(String::valueOf).toList()),
                "--genome-extra", genomeExtra, "--search-extra", searchExtra, "--limit", Integer.toString(limit));
    }

    /** Test-row scores of the parents and of the default merges, and the best of each. */
    record Baselines(Map<String, Double> parents, Map<String, Double> merges) {
        double bestParent() {
            return parents.values().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }

        double bestMerge() {
            return merges.values().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }
    }

    /** One (zoo, strategy, seed) run: the test score of its best-so-far recipe at each point of the curve. */
    record Cell(String zoo, String strategy, int seed, long evaluations, double[] evals, double[] search,
            double[] test) {
        /** The test score after {@code budget} evaluations (the last point at or below it). */
        double testAt(int budget) {
            double v = Double.NaN;
            for (int i = 0; i < evals.length; i++) {
                if (evals[i] <= budget) {
                    v = test[i];
                }
            }
            return v;
        }
    }

    private static void buildZoo(Path dir, ZooSettings settings) {
        if (DemoZoo.isBuilt(dir, settings)) {
            return;
        }
        System.err.println("== training zoo " + dir + " (once; later runs reuse it)");
        int total = settings.base().steps() + settings.experts().size() * settings.expert().steps();
        int[] done = {0};
        DemoZoo.build(dir, settings, new DemoZoo.Listener() {
            public void stage(String name, int steps) {
                System.err.printf("   %s (%d steps)%n", name, steps);
            }

            public void step(int step) {
                if (++done[0] % 500 == 0) {
                    System.err.printf("   %d / %d steps%n", done[0], total);
                }
            }
        });
    }

    private List<Task> tasks(Path zooDir, QualityZoo zoo) {
        return zoo.target().stream().map(s -> Task.load(zooDir.resolve("tasks").resolve(s.taskName() + ".yaml")))
                .toList();
    }

    private double testScore(RecipeScorer scorer, MergeRecipe recipe) {
        Map<String, TaskResult> r = scorer.score(recipe);
        return r.values().stream().mapToDouble(TaskResult::score).average().orElse(Double.NaN);
    }

    private Baselines baselines(QualityZoo zoo, Path dir) throws IOException {
        Path file = dir.resolve("baselines.json");
        if (Files.isRegularFile(file)) {
            JsonNode n = JSON.readTree(file.toFile());
            return new Baselines(JSON.convertValue(n.get("parents"), JSON.getTypeFactory()
                    .constructMapType(LinkedHashMap.class, String.class, Double.class)),
                    JSON.convertValue(n.get("merges"), JSON.getTypeFactory()
                            .constructMapType(LinkedHashMap.class, String.class, Double.class)));
        }
        String zooDir = dir.toString();
        Map<String, Double> parents = new LinkedHashMap<>();
        Map<String, Double> merges = new LinkedHashMap<>();
        try (MergedTensorCache cache = MergedTensorCache.withBudgetMb(0);
             RecipeScorer scorer = new RecipeScorer(tasks(dir, zoo), TaskSplit.TEST, 0, cwd, ComputeDevice.CPU, cache)) {
            List<String> models = new ArrayList<>(List.of("base"));
            zoo.settings().experts().forEach(e -> models.add(e.name()));
            for (String m : models) {
                // a one-model linear merge is the model itself
                parents.put(m, testScore(scorer, RecipeParser.parse("merge_method: linear\nmodels:\n  - model: "
                        + zooDir + "/" + m + "\n    parameters: {weight: 1.0}\n", "parent " + m)));
            }
            for (DemoPlan.HandMade h : new DemoPlan(zoo.settings(), 0, 0).handMade(zooDir)) {
                merges.put(h.name(), testScore(scorer, RecipeParser.parse(h.yaml(), h.name())));
            }
        }
        ObjectNode n = JSON.createObjectNode();
        n.set("parents", JSON.valueToTree(parents));
        n.set("merges", JSON.valueToTree(merges));
        JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), n);
        return new Baselines(parents, merges);
    }

    private String config(QualityZoo zoo, Path zooDir, String strategy, int seed, int budget) {
        StringBuilder sb = new StringBuilder();
        String experts = String.join(", ", zoo.settings().experts().stream()
                .map(e -> zooDir + "/" + e.name()).toList());
        sb.append("genome:\n  models: [").append(experts).append("]\n  merge_method: task_arithmetic\n")
                .append("  base_model: ").append(zooDir).append("/base\n  layer_granularity: 1\n");
        for (String line : genomeExtra.split(",")) {
            if (!line.isBlank()) {
                sb.append("  ").append(line.strip()).append('\n');
            }
        }
        sb.append("tasks:\n");
        for (DemoSkill s : zoo.target()) {
            sb.append("  - {path: ").append(zooDir).append("/tasks/").append(s.taskName()).append(".yaml}\n");
        }
        sb.append("search: {algorithm: ").append(strategy).append(", max_evaluations: ").append(budget)
                .append(", seed: ").append(seed).append(searchExtra.isBlank() ? "" : ", " + searchExtra).append("}\n");
        return sb.toString();
    }

    /** One (zoo, strategy, seed) cell; {@code zoo/strategy/seed} names it on a child's command line. */
    record CellId(QualityZoo zoo, String strategy, int seed) {
        static CellId parse(String id, List<QualityZoo> zoos) {
            String[] p = id.split("/");
            QualityZoo zoo = zoos.stream().filter(z -> z.name().equals(p[0])).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("--cell: unknown zoo in '" + id + "'"));
            return new CellId(zoo, p[1], Integer.parseInt(p[2]));
        }

        @Override
        public String toString() {
            return zoo.name() + "/" + strategy + "/" + seed;
        }
    }

    private Path cellDir(CellId id) {
        return out.resolve("cells").resolve(id.zoo().name()).resolve(id.strategy()).resolve("seed-" + id.seed());
    }

    /** A cell's {@code cell.json} when it was run to this bench's budget with its row limit, else {@code null}. */
    private JsonNode finished(Path cellDir) throws IOException {
        Path done = cellDir.resolve("cell.json");
        if (!Files.isRegularFile(done)) {
            return null;
        }
        JsonNode n = JSON.readTree(done.toFile());
        return n.path("budget").asInt() >= budgets.getLast() && n.path("limit").asInt() == limit ? n : null;
    }

    private Cell cell(CellId id) throws IOException {
        QualityZoo zoo = id.zoo();
        Path zooDir = zooRoot.resolve(zoo.name());
        String strategy = id.strategy();
        int seed = id.seed();
        int budget = budgets.getLast();
        Path dir = cellDir(id);
        Path done = dir.resolve("cell.json");
        JsonNode finished = finished(dir);
        if (finished != null) {
            return JSON.treeToValue(finished.get("cell"), Cell.class);
        }
        DemoCommand.deleteTree(dir);
        Files.createDirectories(dir);
        Path config = dir.resolve("search.yaml");
        Files.writeString(config, config(zoo, zooDir, strategy, seed, budget), StandardCharsets.UTF_8);
        Path run = dir.resolve("run");
        System.err.printf("== %s / %s / seed %d: %d evaluations%n", zoo.name(), strategy, seed, budget);
        long t0 = System.nanoTime();
        int code = Main.run("search", config.toString(), "--run", run.toString(), "--device", "cpu",
                "--limit", Integer.toString(limit));
        if (code != 0) {
            throw new IllegalStateException("search " + dir + " failed with exit code " + code);
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        SearchSpace space = SearchWiring.space(SearchConfig.load(config), cwd);
        List<HistoryRecord> history = RunDirectory.open(run).history();
        List<Double> evals = new ArrayList<>();
        List<Double> search = new ArrayList<>();
        List<Double> test = new ArrayList<>();
        Map<String, Double> tested = new LinkedHashMap<>();
        try (MergedTensorCache cache = MergedTensorCache.withBudgetMb(64);
             RecipeScorer scorer = new RecipeScorer(tasks(zooDir, zoo), TaskSplit.TEST, 0, cwd, ComputeDevice.CPU,
                     cache)) {
            for (int point : CURVE) {
                int upTo = Math.min(point, history.size());
                if (point > budget || (!evals.isEmpty() && upTo == evals.getLast())) {
                    break;
                }
                HistoryRecord best = history.subList(0, upTo).stream()
                        .max(Comparator.comparingDouble(HistoryRecord::fitness)).orElseThrow();
                MergeRecipe recipe = space.decode(best.genes());
                double t = tested.computeIfAbsent(recipe.contentHash(), h -> testScore(scorer, recipe));
                evals.add((double) upTo);
                search.add(best.fitness());
                test.add(t);
            }
        }
        Cell cell = new Cell(zoo.name(), strategy, seed, history.size(),
                evals.stream().mapToDouble(Double::doubleValue).toArray(),
                search.stream().mapToDouble(Double::doubleValue).toArray(),
                test.stream().mapToDouble(Double::doubleValue).toArray());
        ObjectNode n = JSON.createObjectNode();
        n.put("budget", budget);
        n.put("limit", limit);
        n.put("seconds", seconds);
        n.set("cell", JSON.valueToTree(cell));
        JSON.writerWithDefaultPrettyPrinter().writeValue(done.toFile(), n);
        System.err.printf("   %.0f s; test %.1f%% at %d evaluations%n", seconds, 100 * cell.testAt(budget), budget);
        return cell;
    }

    /** Mean test score over zoos and seeds against evaluations, per strategy, with the baselines as flat lines. */
    private java.awt.image.BufferedImage plot(Map<String, Baselines> baselines, List<Cell> cells) {
        List<Series> series = new ArrayList<>();
        List<Double> xs = new ArrayList<>();
        for (int p : CURVE) {
            if (p <= budgets.getLast()) {
                xs.add((double) p);
            }
        }
        double[] x = xs.stream().mapToDouble(Double::doubleValue).toArray();
        for (String s : strategies) {
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                int at = (int) x[i];
                y[i] = 100 * cells.stream().filter(c -> c.strategy().equals(s)).mapToDouble(c -> c.testAt(at))
                        .average().orElse(Double.NaN);
            }
            series.add(new Series(s, x, y));
        }
        double parent = 100 * baselines.values().stream().mapToDouble(Baselines::bestParent).average().orElse(0);
        double merge = 100 * baselines.values().stream().mapToDouble(Baselines::bestMerge).average().orElse(0);
        series.add(new Series("best parent", new double[] {x[0], x[x.length - 1]}, new double[] {parent, parent}));
        series.add(new Series("best default merge", new double[] {x[0], x[x.length - 1]}, new double[] {merge, merge}));
        return Charts.line("Test score of the best-so-far recipe (mean of " + baselines.size() + " zoos x " + seeds
                        + " seeds)",
                "evaluations", "test score (%)", series);
    }
}
