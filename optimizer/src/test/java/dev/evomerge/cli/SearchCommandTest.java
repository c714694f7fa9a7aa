package dev.evomerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evomerge.checkpoint.SyntheticCheckpoints;
import dev.evomerge.recipe.RecipeParser;
import dev.evomerge.results.RunDirectory;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The main job end to end on tiny models: search, resume, export, and merging the export. */
@Tag("slow")
class SearchCommandTest {

    @TempDir
    Path tmp;
    Path run;
    final StringWriter err = new StringWriter();

    @BeforeEach
    void zoo() throws IOException {
        SearchZoo.modelsAndTask(tmp);
        run = tmp.resolve("run");
    }

    private Path config(String genomeExtra, String search) throws IOException {
        Path c = tmp.resolve("search.yaml");
        Files.writeString(c, """
                genome:
                  models: [%s, %s]
                  merge_method: task_arithmetic
                  base_model: %s
                %s
                tasks:
                  - path: lm.yaml
                search: %s
                """.formatted(tmp.resolve("ft1"), tmp.resolve("ft2"), tmp.resolve("base"), genomeExtra, search));
        return c;
    }

    private int cli(String... args) {
        return Main.run(new PrintWriter(err, true), args);
    }

    @Test
    void searchExportAndMergeRoundTrip() throws IOException {
        Path config = config("  layer_granularity: 1", "{algorithm: cma-es, generations: 2, seed: 3}");
        assertEquals(0, cli("search", config.toString(), "--run", run.toString(), "--device", "cpu"), err.toString());
        RunDirectory dir = RunDirectory.open(run);
        var history = dir.history();
        assertTrue(history.size() >= 2, "two generations of candidates: " + history.size());
        assertTrue(Files.exists(run.resolve(RunDirectory.BEST_RECIPE)));
        assertEquals(java.util.Set.of("lm"), history.getFirst().scores().keySet());

        Path exported = tmp.resolve("best.yaml");
        assertEquals(0, cli("export", run.toString(), "--out", exported.toString()), err.toString());
        var best = history.stream().max(java.util.Comparator.comparingDouble(r -> r.fitness())).orElseThrow();
        assertEquals(best.recipeHash(), RecipeParser.parse(exported).contentHash(),
                "the exported recipe is the one the search scored");
        assertEquals(0, cli("merge", exported.toString(), "--out", tmp.resolve("merged").toString(), "--quiet"),
                err.toString());
        assertTrue(Files.exists(tmp.resolve("merged/model.safetensors")));

        int lines = dir.historyLines().size();
        assertEquals(0, cli("resume", run.toString()), err.toString());
        assertEquals(lines, RunDirectory.open(run).historyLines().size(), "a finished run has nothing left to do");
    }

    /** An lm-evaluation-harness multiple-choice task: each pair of questions names the answer in its text. */
    private void harnessTask() throws IOException {
        Files.writeString(tmp.resolve("mc.jsonl"), """
                {"q": "ab", "opts": ["x", "yz"], "gold": 1}
                {"q": "cd", "opts": ["uv", "w"], "gold": 0}
                {"q": "ef", "opts": ["a", "bb"], "gold": 1}
                {"q": "gh", "opts": ["c", "dd"], "gold": 0}
                """);
        Files.writeString(tmp.resolve("mc.yaml"), """
                task: mc
                dataset_path: json
                dataset_kwargs: {data_files: {test: mc.jsonl}}
                test_split: test
                output_type: multiple_choice
                doc_to_text: "q: {{q}} a:"
                doc_to_choice: opts
                doc_to_target: gold
                metric_list:
                  - metric: acc
                  - metric: acc_norm
                """);
    }

    @Test
    void theHistoryAndTheReportNameEachHarnessMetricInFull() throws IOException {
        harnessTask();
        Path config = tmp.resolve("search.yaml");
        Files.writeString(config, """
                genome:
                  models: [%s, %s]
                  merge_method: task_arithmetic
                  base_model: %s
                  layer_granularity: 1
                tasks:
                  - path: mc.yaml
                    metric: acc_norm,none
                search: {algorithm: random, generations: 1, seed: 3}
                """.formatted(tmp.resolve("ft1"), tmp.resolve("ft2"), tmp.resolve("base")));
        assertEquals(0, cli("search", config.toString(), "--run", run.toString(), "--device", "cpu"), err.toString());
        for (var r : RunDirectory.open(run).history()) {
            var mc = r.metrics().get("mc");
            assertEquals("acc_norm,none", mc.metric(), r.toString());
            assertEquals(java.util.List.of("acc,none", "acc_norm,none"), java.util.List.copyOf(mc.values().keySet()));
            assertEquals(r.scores().get("mc"), mc.values().get("acc_norm,none"), "the fitness takes the metric named");
        }
        assertEquals(0, cli("report", run.toString()), err.toString());
        String html = Files.readString(run.resolve("report.html"));
        assertTrue(html.contains("<td>acc_norm,none (fitness)</td>") && html.contains("<td>acc,none</td>"), html);
    }

    /**
     * Every merge method is searchable: two generations over its genome (the genes its declaration gives) run,
     * every candidate's recipe uses that method, and candidates differ.
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("dev.evomerge.merge.MergeMethods#names")
    void everyMethodsGenomeSearches(String method) throws IOException {
        SyntheticCheckpoints.fineTune(tmp.resolve("base"), tmp.resolve("ft3"), 0.05f, 4);
        Path config = tmp.resolve("search-" + method + ".yaml");
        Files.writeString(config, """
                genome:
                  models: [%s, %s, %s]
                  merge_method: %s
                  base_model: %s
                tasks:
                  - path: lm.yaml
                search: {algorithm: ga, population: 4, max_evaluations: 6, seed: 4}
                """.formatted(tmp.resolve("ft1"), tmp.resolve("ft2"), tmp.resolve("ft3"), method, tmp.resolve("base")));
        assertEquals(0, cli("search", config.toString(), "--run", run.toString(), "--device", "cpu"), err.toString());
        RunDirectory dir = RunDirectory.open(run);
        var history = dir.history();
        assertTrue(history.size() >= 4, method + ": candidates " + history.size());
        assertTrue(history.stream().map(r -> r.recipeHash()).distinct().count() > 1, method + ": one recipe only");
        assertEquals(method, RecipeParser.parse(run.resolve(RunDirectory.BEST_RECIPE)).mergeMethod());
    }

    @Test
    void nsga2KeepsAParetoSetThatExportsOneRecipePerMember() throws IOException {
        Files.writeString(tmp.resolve("rows2.jsonl"), """
                {"text": "nine ten eleven twelve", "split": "search"}
                {"text": "thirteen", "split": "search"}
                """);
        Files.writeString(tmp.resolve("lm2.yaml"), "name: lm2\ntype: loglik\ndata: rows2.jsonl\n");
        Path config = tmp.resolve("moo.yaml");
        Files.writeString(config, """
                genome:
                  models: [%s, %s]
                  merge_method: task_arithmetic
                  base_model: %s
                tasks:
                  - path: lm.yaml
                  - path: lm2.yaml
                search: {algorithm: nsga2, population: 6, generations: 2, seed: 5}
                """.formatted(tmp.resolve("ft1"), tmp.resolve("ft2"), tmp.resolve("base")));
        assertEquals(0, cli("search", config.toString(), "--run", run.toString(), "--device", "cpu"), err.toString());
        var front = dev.evomerge.results.RunJson.mapper().readValue(run.resolve(RunDirectory.PARETO).toFile(),
                dev.evomerge.results.ParetoFront.Snapshot.class);
        assertEquals(java.util.List.of("lm", "lm2"), front.objectives());
        assertFalse(front.members().isEmpty());

        assertEquals(0, cli("export", run.toString(), "--pareto", "--out", tmp.resolve("front.yaml").toString()),
                err.toString());
        for (int k = 1; k <= front.members().size(); k++) {
            Path file = tmp.resolve("front-" + k + ".yaml");
            assertEquals(front.members().get(k - 1).recipeHash(), RecipeParser.parse(file).contentHash(), file.toString());
        }
        assertFalse(Files.exists(tmp.resolve("front-" + (front.members().size() + 1) + ".yaml")));

        int lines = RunDirectory.open(run).historyLines().size();
        assertEquals(0, cli("resume", run.toString()), err.toString());
        assertEquals(lines, RunDirectory.open(run).historyLines().size());
    }

    @Test
    void combinedSpaceRoutesThroughAMergedModelAndExportsARunnablePair() throws IOException {
        Path config = tmp.resolve("combined.yaml");
        Files.writeString(config, """
                genome:
                  models: [%s, %s]
                  merge_method: task_arithmetic
                  base_model: %s
                layer_routing: {models: [merged, %s], repeats: 1}
                tasks:
                  - path: lm.yaml
                search: {algorithm: ga, population: 4, generations: 2, seed: 2}
                """.formatted(tmp.resolve("ft1"), tmp.resolve("ft2"), tmp.resolve("base"), tmp.resolve("ft1")));
        assertEquals(0, cli("search", config.toString(), "--run", run.toString(), "--device", "cpu"), err.toString());
        var history = RunDirectory.open(run).history();
        assertTrue(history.size() >= 4, "candidates: " + history.size());
        assertTrue(history.stream().allMatch(r -> r.scores().get("path_length") <= -2), "the path has both anchors");
        // Candidates differ in their merge genes too, so more than one merged model was scored.
        assertTrue(history.stream().map(r -> r.scores().get("lm")).distinct().count() > 1);

        Path exported = tmp.resolve("routed.yaml");
        assertEquals(0, cli("export", run.toString(), "--out", exported.toString()), err.toString());
        Path mergeFile = tmp.resolve("routed-merged.yaml");
        var routed = RecipeParser.parse(exported);
        assertEquals(mergeFile.toString(), routed.layerPath().getFirst().model());
        assertTrue(RecipeParser.parse(mergeFile).layerPath().isEmpty());

        Path json = tmp.resolve("scores.json");
        assertEquals(0, cli("eval", exported.toString(), "--task", tmp.resolve("lm.yaml").toString(), "--split", "search",
                "--device", "cpu", "--json", json.toString()), err.toString());
        double evaluated = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.toFile())
                .at("/tasks/lm/score").asDouble();
        var best = history.stream().max(java.util.Comparator.comparingDouble(r -> r.fitness())).orElseThrow();
        assertEquals(best.scores().get("lm"), evaluated, 1e-9, "the exported pair scores what the search scored");
    }

    @Test
    void unknownObjectiveFailsBeforeTheRunDirectoryExists() throws IOException {
        Path config = config("", "{algorithm: nsga2, generations: 2, objectives: [lm, speed]}");
        assertEquals(Main.BAD_INPUT, cli("search", config.toString(), "--run", run.toString()));
        assertTrue(err.toString().contains("unknown objective 'speed'"), err.toString());
        assertFalse(Files.exists(run));
    }

    @Test
    void unknownAlgorithmFailsBeforeTheRunDirectoryExists() throws IOException {
        Path config = config("", "{algorithm: pso, generations: 2}");
        assertEquals(Main.BAD_INPUT, cli("search", config.toString(), "--run", run.toString()));
        assertTrue(err.toString().contains("unknown algorithm 'pso'"), err.toString());
        assertFalse(Files.exists(run));
    }

    @Test
    void layerGranularityMustDivideTheLayerCount() throws IOException {
        Path config = config("  layer_granularity: 3", "{algorithm: ga, generations: 2}");
        assertEquals(Main.BAD_INPUT, cli("search", config.toString(), "--run", run.toString()));
        assertTrue(err.toString().contains("layer_granularity"), err.toString());
        assertFalse(Files.exists(run));
    }

    @Test
    void missingModelFailsBeforeTheRunDirectoryExists() throws IOException {
        Path config = tmp.resolve("bad.yaml");
        Files.writeString(config, """
                genome: {models: [%s, /nonexistent/ft], merge_method: linear}
                tasks: [{path: lm.yaml}]
                search: {algorithm: m2n2, generations: 2}
                """.formatted(tmp.resolve("ft1")));
        assertEquals(Main.BAD_INPUT, cli("search", config.toString(), "--run", run.toString()));
        assertTrue(err.toString().contains("/nonexistent/ft"), err.toString());
        assertFalse(Files.exists(run));
    }

    @Test
    void mergeCacheCountersAreWrittenToTheRunDirectory() throws IOException {
        Path config = config("  layer_granularity: 1", "{algorithm: ga, population: 4, generations: 2, seed: 3}");
        assertEquals(0, cli("search", config.toString(), "--run", run.toString(), "--device", "cpu",
                "--merge-cache-mb", "8"), err.toString());
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        var stats = json.readTree(run.resolve(RunSession.MERGE_CACHE).toFile());
        assertEquals(8L << 20, stats.get("budget_bytes").asLong());
        long lookups = stats.get("hits").asLong() + stats.get("misses").asLong();
        assertTrue(lookups > 0, stats.toString());
        assertEquals(stats.get("hits").asDouble() / lookups, stats.get("hit_rate").asDouble(), 1e-12);
        assertEquals(8, json.readTree(run.resolve(RunSession.LAUNCH).toFile()).get("merge_cache_mb").asLong(),
                "a resume keeps the budget");
        assertEquals(0, cli("report", run.toString()), err.toString());
        String page = Files.readString(run.resolve("report.html"));
        assertTrue(page.contains("merge cache (latest session)") && page.contains("tensor lookups hit"),
                "the report's summary shows the cache");
    }

    @Test
    void aFloat16SearchResumesInFloat16() throws IOException {
        Path config = config("", "{algorithm: ga, population: 4, generations: 1, seed: 3}");
        assertEquals(0, cli("search", config.toString(), "--run", run.toString(), "--device", "cpu",
                "--precision", "float16"), err.toString());
        var launch = new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.resolve(RunSession.LAUNCH).toFile());
        assertEquals("float16", launch.get("precision").asText());
        assertEquals("cpu", launch.get("device").asText());
        assertEquals("cpu", launch.get("device_used").asText());
        RunSession resumed = RunSession.of(dev.evomerge.results.RunDirectory.open(run));
        assertEquals(dev.evomerge.eval.runtime.Precision.FLOAT16, resumed.device().precision());
        assertEquals(dev.evomerge.eval.runtime.ComputeDevice.Kind.CPU, resumed.device().kind());
    }

    @Test
    void zeroMergeCacheBudgetFromTheConfigCachesNothing() throws IOException {
        Path config = config("  layer_granularity: 1\nevaluation: {merge_cache_mb: 0}",
                "{algorithm: ga, population: 4, generations: 1, seed: 3}");
        assertEquals(0, cli("search", config.toString(), "--run", run.toString(), "--device", "cpu"), err.toString());
        var stats = new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.resolve(RunSession.MERGE_CACHE).toFile());
        assertEquals(0, stats.get("hits").asLong());
        assertEquals(0, stats.get("entries").asLong());
        assertTrue(stats.get("misses").asLong() > 0, stats.toString());
    }

    @Test
    void autoRecordsTheDeviceItTookInLaunchJson() throws IOException {
        Path config = config("", "{algorithm: ga, population: 4, generations: 1, seed: 3}");
        assertEquals(0, cli("search", config.toString(), "--run", run.toString()), err.toString());
        var launch = new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.resolve(RunSession.LAUNCH).toFile());
        assertEquals("auto", launch.get("device").asText(), "what was asked, so that a resume asks the same");
        assertEquals("cpu", launch.get("device_used").asText(), "the tests run on the CPU build");
    }

    @Test
    void aGpuAskedForOnTheCpuBuildFailsBeforeTheRunDirectoryIsMade() throws IOException {
        Path config = config("", "{algorithm: ga, population: 4, generations: 1, seed: 3}");
        assertEquals(Main.BAD_INPUT, cli("search", config.toString(), "--run", run.toString(), "--device", "gpu:1"));
        assertEquals(1, err.toString().strip().lines().count(), err.toString());
        assertTrue(err.toString().contains("--device gpu:1: no GPU is visible"), err.toString());
        assertFalse(Files.exists(run), "nothing is left behind");
    }

    @Test
    void aBudgetOfEvaluationsAloneRunsTheSearch() throws IOException {
        Path config = config("", "{algorithm: cma-es, population: 4, max_evaluations: 10, seed: 3}");
        assertEquals(0, cli("search", config.toString(), "--run", run.toString(), "--device", "cpu"), err.toString());
        int lines = RunDirectory.open(run).historyLines().size();
        // 4 seed points (base, ft1, ft2, default merge; the average of two is 0.5 each), then generations of 4
        assertTrue(lines >= 10 && lines < 14, "history lines: " + lines);
        assertTrue(Files.isRegularFile(run.resolve(RunDirectory.BEST_RECIPE)));
    }

    @Test
    void aRunThatEvaluatedNothingSaysSoAndFails() {
        var result = new dev.evomerge.optimizer.run.SearchLoop.Result(0, 0, 0, Double.NaN, null, null, "wall_time");
        var stats = dev.evomerge.plan.MergedTensorCache.withBudgetMb(0).stats();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.PrintStream old = System.out;
        int code;
        try {
            System.setOut(new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
            code = SearchCommand.report(new RunSession.Finished(result, stats), run);
        } finally {
            System.setOut(old);
        }
        String out = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertFalse(code == 0, out);
        assertFalse(out.contains("best recipe:"), out);
        assertTrue(out.contains("no candidate was evaluated"), out);
    }

    @Test
    void theRandomBaselineStartsFromTheSeedPoints() throws IOException {
        Path config = config("", "{algorithm: random, max_evaluations: 8, seed: 3}");
        assertEquals(0, cli("search", config.toString(), "--run", run.toString(), "--device", "cpu"), err.toString());
        var history = RunDirectory.open(run).history();
        // base alone, each model alone, the default merge, the average: weights 0, one-hot, 1, 1/2
        assertEquals(0.0, history.get(0).genes()[0]);
        assertEquals(1.0, history.get(1).genes()[0]);
        assertEquals(0.0, history.get(1).genes()[history.get(1).genes().length - 1]);
        assertEquals(1, history.get(3).generation());
        assertEquals(0.5, history.get(4).genes()[0]);
    }
}
