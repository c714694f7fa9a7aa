package dev.evomerge.cli;

import dev.evomerge.plan.MergePlanner;
import dev.evomerge.plan.MergekitRules;
import dev.evomerge.plan.ModelSet;
import dev.evomerge.recipe.LayerStep;
import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.recipe.ModelEntry;
import dev.evomerge.results.HistoryRecord;
import dev.evomerge.results.ParetoFront;
import dev.evomerge.results.RunJson;
import dev.evomerge.results.RunDirectory;
import dev.evomerge.space.CombinedSpace;
import dev.evomerge.space.SearchSpace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code evomerge export DIR [--best | --pareto] --out FILE.yaml}: the best recipe of a run as mergekit
 * YAML, or with {@code --pareto} every member of its Pareto set, one file each ({@code FILE-1.yaml}, ...).
 */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a run's best recipe (by fitness, or by one task's score) as mergekit YAML;"
                + " --pareto writes every Pareto-set member of a multi-objective run (FILE-1.yaml, FILE-2.yaml, ...).")
final class ExportCommand implements Callable<Integer> {

    @Option(names = "--best", description = "the best recipe (the default)")
    private boolean bestOnly;

    @Option(names = "--pareto", description = "every member of the run's Pareto set, one file each")
    private boolean pareto;

    @Parameters(index = "0", paramLabel = "DIR")
    private Path runDir;

    @Option(names = "--out", required = true, paramLabel = "FILE.yaml")
    private Path out;

    @Option(names = "--objective", paramLabel = "TASK", description = "rank by this task's search score instead")
    private String objective;

    @Override
    public Integer call() throws IOException {
        RunDirectory run = RunDirectory.open(runDir);
        if (pareto) {
            if (bestOnly || objective != null) {
                throw new IllegalArgumentException("--pareto exports the whole Pareto set; it goes with neither --best nor --objective");
            }
            return exportPareto(run);
        }
        List<HistoryRecord> history = run.history();
        if (history.isEmpty()) {
            throw new IllegalArgumentException(runDir + ": no candidate has been evaluated yet");
        }
        if (objective != null && !history.getFirst().scores().containsKey(objective)) {
            throw new IllegalArgumentException("--objective: no task '" + objective + "' in " + runDir
                    + " (tasks: " + String.join(", ", history.getFirst().scores().keySet()) + ")");
        }
        Comparator<HistoryRecord> by = objective == null
                ? Comparator.comparingDouble(HistoryRecord::fitness)
                : Comparator.comparingDouble(r -> r.scores().get(objective));
        HistoryRecord best = history.stream().max(by).orElseThrow();
        SearchSpace space = RunSession.of(run).space();
        String header = String.format(Locale.ROOT, "# evomerge export of %s: generation %d, fitness %.6g (search split)%n",
                runDir, best.generation(), best.fitness());
        export(space, best.genes(), best.recipeHash(), out, header, best.scores());
        System.out.println("wrote " + out + " (fitness " + String.format(Locale.ROOT, "%.6g", best.fitness()) + ")");
        return 0;
    }

    private int exportPareto(RunDirectory run) throws IOException {
        Path file = run.path().resolve(RunDirectory.PARETO);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(file + ": no Pareto set (not a multi-objective run, or nothing evaluated yet)");
        }
        ParetoFront.Snapshot front = RunJson.mapper().readValue(file.toFile(), ParetoFront.Snapshot.class);
        SearchSpace space = RunSession.of(run).space();
        String name = out.getFileName().toString();
        String stem = name.endsWith(".yaml") ? name.substring(0, name.length() - 5) : name;
        int k = 0;
        for (ParetoFront.Member m : front.members()) {
            k++;
            StringBuilder header = new StringBuilder(String.format(Locale.ROOT,
                    "# evomerge export of %s: Pareto member %d of %d, generation %d (search split)%n# objectives:",
                    runDir, k, front.members().size(), m.generation()));
            for (int i = 0; i < m.objectives().length; i++) {
                header.append(String.format(Locale.ROOT, " %s=%.6g", front.objectives().get(i), m.objectives()[i]));
            }
            header.append('\n');
            Path target = out.toAbsolutePath().resolveSibling(stem + "-" + k + ".yaml");
            export(space, m.genes(), m.recipeHash(), target, header.toString(), m.scores());
            System.out.println("wrote " + target);
        }
        return 0;
    }

    /**
     * Writes the recipe of {@code genes}. A recipe of a combined space routes through a merged model, so it
     * becomes two files: {@code NAME-merged.yaml} (the merge) and {@code NAME.yaml} (the layer path, which
     * names the merge's file as its first model; {@code evomerge eval NAME.yaml} merges it in memory).
     */
    private void export(SearchSpace space, double[] genes, String hash, Path target, String header,
            Map<String, Double> scores) throws IOException {
        MergeRecipe recipe = decode(space, genes, hash);
        if (space instanceof CombinedSpace combined) {
            String name = target.getFileName().toString();
            String stem = name.endsWith(".yaml") ? name.substring(0, name.length() - 5) : name;
            Path mergeFile = target.resolveSibling(stem + "-merged.yaml");
            MergeRecipe merge = combined.parameterRecipe(genes);
            write(mergeFile, header + "# the merged model that " + target + " routes through\n", scores,
                    merge.contentHash(), merge);
            String mergedName = combined.mergedModelName(genes);
            String file = mergeFile.toString();
            List<ModelEntry> models = recipe.models().stream()
                    .map(e -> e.model().equals(mergedName) ? new ModelEntry(file, e.parameters()) : e).toList();
            List<LayerStep> path = recipe.layerPath().stream()
                    .map(st -> st.model().equals(mergedName) ? new LayerStep(file, st.layer(), st.scale()) : st).toList();
            recipe = new MergeRecipe(recipe.mergeMethod(), recipe.baseModel(), models, recipe.slices(),
                    recipe.parameters(), recipe.dtype(), recipe.outDtype(), recipe.tokenizerSource(), path,
                    recipe.origin());
            header += "# routes through " + mergeFile + " (merged in memory by 'evomerge eval " + target + "')\n";
        }
        write(target, header, scores, hash, recipe);
    }

    private MergeRecipe decode(SearchSpace space, double[] genes, String hash) {
        MergeRecipe recipe = space.decode(genes);
        if (!recipe.contentHash().equals(hash)) {
            throw new IllegalStateException(runDir + ": the genes of recipe " + hash + " no longer decode to the"
                    + " recipe that was scored (models or config changed?)");
        }
        checkMergekitRuns(space instanceof CombinedSpace c ? c.parameterRecipe(genes) : recipe);
        return recipe;
    }

    /** Refuses a merge recipe mergekit would not run (a layer path is evomerge's own and is not checked). */
    private void checkMergekitRuns(MergeRecipe recipe) {
        if (!recipe.layerPath().isEmpty()) {
            return;
        }
        List<String> problems;
        try (ModelSet models = ModelSet.open(recipe, RunSession.of(RunDirectory.open(runDir)).workingDir())) {
            problems = MergekitRules.violations(MergePlanner.plan(recipe, models));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(out + ": not written: mergekit would refuse the recipe: " + problems.getFirst()
                    + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more)" : ""));
        }
    }

    private static void write(Path target, String header, Map<String, Double> scores, String hash, MergeRecipe recipe)
            throws IOException {
        StringBuilder text = new StringBuilder(header);
        scores.forEach((task, score) -> text.append(String.format(Locale.ROOT, "#   %s: %.6g%n", task, score)));
        text.append("# recipe hash ").append(hash).append('\n');
        text.append(recipe.toYaml());
        Path tmp = target.toAbsolutePath().resolveSibling(target.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
