package dev.evomerge.results.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.evomerge.arch.Architecture;
import dev.evomerge.checkpoint.Checkpoint;
import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.recipe.RecipeParser;
import dev.evomerge.results.HistoryRecord;
import dev.evomerge.results.ParetoFront;
import dev.evomerge.results.RunDirectory;
import dev.evomerge.results.RunJson;
import dev.evomerge.results.TaskMetrics;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import java.util.function.ToIntFunction;

/**
 * What a run directory says, as a page: a summary table, the best candidate's task scores, and plots
 * (fitness per generation; the Pareto front of a multi-objective run; the best recipe's layer path, or its
 * per-layer weights and densities). {@link #write} draws the plots into {@code plots/} and writes
 * {@code report.html}; {@link HtmlPage#section} embeds the same content in a larger page.
 *
 * {@snippet :
 * RunReport report = RunReport.write(Path.of("runs/a"));   // runs/a/report.html, runs/a/plots/*.png
 * new HtmlPage("demo").section(report).write(Path.of("results/demo/report.html"));
 * }
 *
 * @param runDir     the run directory
 * @param title      a heading naming the run
 * @param summary    key / value rows (algorithm, generations, evaluations, best fitness, ...)
 * @param bestScores the best candidate's score per task (search split)
 * @param bestMetrics the best candidate's metrics per task under their full names (empty for a run written
 *                    before the history held them)
 * @param figures    plots, with paths relative to {@code runDir}
 * @param notes      remarks for the reader (e.g. a plot that could not be drawn, and why)
 */
public record RunReport(Path runDir, String title, List<List<String>> summary, Map<String, Double> bestScores,
                        Map<String, TaskMetrics> bestMetrics, List<Figure> figures, List<String> notes) {

    public static final String HTML = "report.html";
    public static final String PLOTS = "plots";

    /** A plot of the report: PNG path relative to the run directory, and its caption. */
    public record Figure(String png, String caption) {
        public Figure {
            Objects.requireNonNull(png, "png");
            Objects.requireNonNull(caption, "caption");
        }
    }

    public RunReport {
        Objects.requireNonNull(runDir, "runDir");
        Objects.requireNonNull(title, "title");
        summary = summary.stream().map(List::copyOf).toList();
        bestScores = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(bestScores));
        bestMetrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(bestMetrics));
        figures = List.copyOf(figures);
        notes = List.copyOf(notes);
    }

    /** The header of {@link #scoreRows()}. */
    public static final List<String> SCORE_COLUMNS = List.of("task", "metric", "best candidate's search score");

    /**
     * The best candidate's scores, one row per task and metric under the metric's full name, the one the fitness
     * takes marked; a task without named metrics (an objective such as the path length, or a run written before
     * the history held them) is one row with an empty metric.
     */
    public List<List<String>> scoreRows() {
        List<List<String>> rows = new ArrayList<>();
        bestScores.forEach((task, score) -> {
            TaskMetrics m = bestMetrics.get(task);
            if (m == null) {
                rows.add(List.of(task, "", format(score)));
                return;
            }
            m.values().forEach((name, value) ->
                    rows.add(List.of(task, name.equals(m.metric()) ? name + " (fitness)" : name, format(value))));
        });
        return rows;
    }

    /** {@code report.html} of this run. */
    public Path html() {
        return runDir.resolve(HTML);
    }

    /** Reads the run, draws its plots and writes {@code report.html}; fails on a folder that is not a run. */
    public static RunReport write(Path runDir) {
        RunReport report = draw(runDir);
        new HtmlPage("evomerge run report").section(report).write(report.html());
        return report;
    }

    /** Reads the run and draws its plots into {@code runDir/plots}, without writing the page. */
    public static RunReport draw(Path runDir) {
        RunDirectory run = RunDirectory.open(runDir);
        List<HistoryRecord> history = run.history();
        JsonNode config = readConfig(run);
        JsonNode search = config.path("search");
        List<List<String>> summary = new ArrayList<>();
        List<Figure> figures = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        Map<String, Double> bestScores = new LinkedHashMap<>();
        Map<String, TaskMetrics> bestMetrics = new LinkedHashMap<>();

        summary.add(List.of("run folder", runDir.toString()));
        summary.add(List.of("algorithm", search.path("algorithm").asText("cma-es")));
        if (search.path("population").asInt(0) > 0) {
            summary.add(List.of("population", search.path("population").asText()));
        }
        String space = config.has("layer_routing") ? "layer routing" : config.has("genome") ? "parameter space" : "?";
        summary.add(List.of("search space", space));
        long generations = history.stream().mapToLong(HistoryRecord::generation).max().orElse(0);
        summary.add(List.of("generations", Long.toString(generations)));
        summary.add(List.of("evaluations", Integer.toString(history.size())));
        Set<String> distinct = new HashSet<>();
        double seconds = 0;
        for (HistoryRecord r : history) {
            distinct.add(r.recipeHash());
            seconds += r.seconds();
        }
        summary.add(List.of("distinct recipes", Integer.toString(distinct.size())));
        summary.add(List.of("evaluation time", String.format(Locale.ROOT, "%.1f s", seconds)));

        if (history.isEmpty()) {
            notes.add("No candidate has been evaluated yet.");
        } else {
            HistoryRecord best = history.stream().max(Comparator.comparingDouble(HistoryRecord::fitness)).orElseThrow();
            summary.add(List.of("best fitness", format(best.fitness()) + " (generation " + best.generation() + ")"));
            bestScores.putAll(best.scores());
            bestMetrics.putAll(best.metrics());
            plot(figures, notes, runDir, "fitness.png",
                    "Best and mean fitness per generation (search split).", () -> fitnessChart(history));
        }

        Path pareto = runDir.resolve(RunDirectory.PARETO);
        if (Files.isRegularFile(pareto)) {
            ParetoFront.Snapshot front = readPareto(pareto);
            summary.add(List.of("Pareto front", front.members().size() + " members over " + front.objectives()));
            if (front.objectives().size() >= 2 && !front.members().isEmpty()) {
                plot(figures, notes, runDir, "pareto.png", "Pareto front over " + front.objectives().get(0)
                        + " and " + front.objectives().get(1) + "; grey: every evaluated candidate.",
                        () -> paretoChart(front, history));
            }
        }

        mergeCacheRow(runDir.resolve(RunDirectory.MERGE_CACHE)).ifPresent(summary::add);

        Path bestRecipe = runDir.resolve(RunDirectory.BEST_RECIPE);
        if (Files.isRegularFile(bestRecipe)) {
            MergeRecipe recipe = RecipeParser.parse(bestRecipe);
            summary.add(List.of("best recipe", RunDirectory.BEST_RECIPE + " (" + recipe.mergeMethod() + ")"));
            recipeFigures(recipe, runDir, figures, notes);
        }
        return new RunReport(runDir, "Run " + runDir.toAbsolutePath().normalize().getFileName(), summary, bestScores,
                bestMetrics, figures, notes);
    }

    /** The merged-tensor cache's counters of the latest session, when the run has them. */
    private static java.util.Optional<List<String>> mergeCacheRow(Path file) {
        if (!Files.isRegularFile(file)) {
            return java.util.Optional.empty();
        }
        try {
            JsonNode n = new ObjectMapper().readTree(file.toFile());
            long lookups = n.path("hits").asLong() + n.path("misses").asLong();
            String text = n.path("budget_bytes").asLong() == 0 ? "off (" + lookups + " tensors merged)"
                    : String.format(Locale.ROOT, "%.1f%% of %d tensor lookups hit, %d evictions, %.1f s merging",
                    100 * n.path("hit_rate").asDouble(), lookups, n.path("evictions").asLong(),
                    n.path("merge_seconds").asDouble());
            return java.util.Optional.of(List.of("merge cache (latest session)", text));
        } catch (IOException e) {
            return java.util.Optional.of(List.of("merge cache (latest session)", file + ": unreadable"));
        }
    }

    private static void recipeFigures(MergeRecipe recipe, Path runDir, List<Figure> figures, List<String> notes) {
        if (!recipe.layerPath().isEmpty()) {
            plot(figures, notes, runDir, "layer-path.png", "The best recipe's layer path: " + recipe.layerPath().size()
                    + " steps; colour = source model, number = its layer, height = scale of the hidden state.",
                    () -> Charts.layerPath("Layer path of the best recipe (" + recipe.layerPath().size() + " steps)",
                            recipe.layerPath()));
            return;
        }
        LayerCounts counts = new LayerCounts(modelFolders(runDir), ParameterGrid.gradientPoints(recipe));
        for (String parameter : plottedParameters(recipe.mergeMethod())) {
            ParameterGrid grid;
            try {
                grid = ParameterGrid.of(recipe, parameter, counts).withoutEmptyRows();
            } catch (RuntimeException e) {
                notes.add("Per-layer " + parameter + "s not drawn: " + oneLine(e));
                return;
            }
            if (grid.isEmpty()) {
                continue;
            }
            String unit = counts.guessed ? "gradient point" : "layer";
            plot(figures, notes, runDir, "layer-" + parameter + ".png", "The best recipe's " + parameter + " per source model and "
                    + unit + (counts.guessed ? " (model folders not found, so layers are shown at the gradient's points)" : "")
                    + ".", () -> Charts.heatMap("Best recipe: " + parameter + " per " + unit, grid.rows(),
                            grid.columns(), grid.values()));
        }
    }

    /**
     * The parameters worth a per-layer plot, as the method declares them: its numeric per-model parameters, then
     * those its search genes set (slerp's t, sce's select_topk); none for a name it does not know.
     */
    static List<String> plottedParameters(String method) {
        if (!dev.evomerge.merge.MergeMethods.names().contains(method)) {
            return List.of();
        }
        var m = dev.evomerge.merge.MergeMethods.byName(method);
        Set<String> out = new java.util.LinkedHashSet<>();
        m.parameters().stream()
                .filter(p -> p.scope() == dev.evomerge.merge.ParameterSpec.Scope.PER_MODEL)
                .filter(p -> !(p.defaultValue() instanceof Boolean))
                .forEach(p -> out.add(p.name()));
        m.searchGenes().perModel().stream().filter(g -> g.kind() == dev.evomerge.merge.Gene.Kind.PARAMETER)
                .forEach(g -> out.add(g.name()));
        m.searchGenes().perGroup().forEach(g -> out.add(g.name()));
        return List.copyOf(out);
    }

    private static BufferedImage fitnessChart(List<HistoryRecord> history) {
        TreeMap<Long, double[]> byGen = new TreeMap<>(); // sum, count, max
        for (HistoryRecord r : history) {
            if (!Double.isFinite(r.fitness())) {
                continue;
            }
            double[] a = byGen.computeIfAbsent(r.generation(), g -> new double[] {0, 0, Double.NEGATIVE_INFINITY});
            a[0] += r.fitness();
            a[1]++;
            a[2] = Math.max(a[2], r.fitness());
        }
        int n = byGen.size();
        double[] x = new double[n];
        double[] best = new double[n];
        double[] genBest = new double[n];
        double[] mean = new double[n];
        int i = 0;
        double soFar = Double.NEGATIVE_INFINITY;
        for (var e : byGen.entrySet()) {
            x[i] = e.getKey();
            soFar = Math.max(soFar, e.getValue()[2]);
            best[i] = soFar;
            genBest[i] = e.getValue()[2];
            mean[i] = e.getValue()[0] / e.getValue()[1];
            i++;
        }
        return Charts.line("Fitness per generation", "generation", "fitness (search split)",
                List.of(new Series("best so far", x, best), new Series("generation best", x, genBest),
                        new Series("generation mean", x, mean)));
    }

    private static BufferedImage paretoChart(ParetoFront.Snapshot front, List<HistoryRecord> history) {
        String a = front.objectives().get(0);
        String b = front.objectives().get(1);
        double[] fx = new double[front.members().size()];
        double[] fy = new double[fx.length];
        for (int i = 0; i < fx.length; i++) {
            fx[i] = front.members().get(i).objectives()[0];
            fy[i] = front.members().get(i).objectives()[1];
        }
        List<double[]> cloud = new ArrayList<>();
        for (HistoryRecord r : history) {
            Double x = objective(r, a);
            Double y = objective(r, b);
            if (x != null && y != null) {
                cloud.add(new double[] {x, y});
            }
        }
        Series candidates = cloud.isEmpty() ? null : new Series("candidates",
                cloud.stream().mapToDouble(p -> p[0]).toArray(), cloud.stream().mapToDouble(p -> p[1]).toArray());
        return Charts.pareto("Pareto front (" + fx.length + " members)", a, b, candidates,
                new Series("Pareto front", fx, fy));
    }

    private static Double objective(HistoryRecord r, String name) {
        return name.equals("fitness") ? Double.valueOf(r.fitness()) : r.scores().get(name);
    }

    /** Draws one figure; a chart that cannot be drawn (e.g. no fonts on the machine) becomes a note. */
    private static void plot(List<Figure> figures, List<String> notes, Path runDir, String file, String caption,
                             Supplier<BufferedImage> chart) {
        String rel = PLOTS + "/" + file;
        try {
            Charts.writePng(chart.get(), runDir.resolve(rel));
            figures.add(new Figure(rel, caption));
        } catch (RuntimeException | LinkageError | java.awt.AWTError e) {
            notes.add("Plot " + file + " could not be drawn: " + oneLine(e));
        }
    }

    private static JsonNode readConfig(RunDirectory run) {
        try {
            JsonNode n = new ObjectMapper(new YAMLFactory()).readTree(run.config());
            return n == null ? new ObjectMapper().createObjectNode() : n;
        } catch (IOException e) {
            throw new IllegalArgumentException(run.path().resolve(RunDirectory.CONFIG) + ": not valid YAML: "
                    + oneLine(e));
        }
    }

    private static ParetoFront.Snapshot readPareto(Path file) {
        try {
            ParetoFront.Snapshot s = RunJson.mapper().readValue(file.toFile(), ParetoFront.Snapshot.class);
            if (s == null || s.objectives() == null || s.members() == null) {
                throw new IllegalArgumentException(file + ": not a Pareto set (needs 'objectives' and 'members')");
            }
            return s;
        } catch (IOException e) {
            throw new IllegalArgumentException(file + ": unreadable Pareto set: " + oneLine(e));
        }
    }

    /** Folders the run's relative model paths may be relative to: the search's working folder first. */
    private static List<Path> modelFolders(Path runDir) {
        List<Path> out = new ArrayList<>();
        Path launch = runDir.resolve("launch.json");
        if (Files.isRegularFile(launch)) {
            try {
                String wd = RunJson.mapper().readTree(launch.toFile()).path("working_dir").asText("");
                if (!wd.isEmpty()) {
                    out.add(Path.of(wd));
                }
            } catch (IOException e) {
                // only a hint for finding models; without it we fall back to the current folder
            }
        }
        out.add(Path.of(""));
        return out;
    }

    /** Layer count of a model folder from its config.json, or the gradient's point count when not found. */
    private static final class LayerCounts implements ToIntFunction<String> {
        private final List<Path> folders;
        private final int fallback;
        boolean guessed;

        LayerCounts(List<Path> folders, int fallback) {
            this.folders = folders;
            this.fallback = fallback;
        }

        @Override
        public int applyAsInt(String model) {
            for (Path folder : folders) {
                Path dir = folder.resolve(model);
                if (Files.isRegularFile(dir.resolve(Checkpoint.CONFIG))) {
                    try {
                        JsonNode config = Checkpoint.readConfig(dir);
                        Path file = dir.resolve(Checkpoint.CONFIG);
                        return Architecture.forConfig(config, file).numLayers(config, file);
                    } catch (RuntimeException e) {
                        // an unknown architecture: fall through to the guess
                    }
                }
            }
            guessed = true;
            return fallback;
        }
    }

    static String format(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.4f", v) : Double.toString(v);
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return m.replace('\n', ' ').strip();
    }
}
