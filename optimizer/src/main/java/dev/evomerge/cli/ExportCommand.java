package dev.evomerge.cli;

import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.results.HistoryRecord;
import dev.evomerge.results.RunDirectory;
import dev.evomerge.space.SearchSpace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code evomerge export DIR --out FILE.yaml}: the best recipe of a run as mergekit YAML. */
@Command(name = "export", mixinStandardHelpOptions = true,
        description = "Write a run's best recipe (by fitness, or by one task's score) as mergekit YAML.")
final class ExportCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "DIR")
    private Path runDir;

    @Option(names = "--out", required = true, paramLabel = "FILE.yaml")
    private Path out;

    @Option(names = "--objective", paramLabel = "TASK", description = "rank by this task's search score instead")
    private String objective;

    @Override
    public Integer call() throws IOException {
        RunDirectory run = RunDirectory.open(runDir);
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
        MergeRecipe recipe = space.decode(best.genes());
        if (!recipe.contentHash().equals(best.recipeHash())) {
            throw new IllegalStateException(runDir + ": the genes of the best candidate no longer decode to the"
                    + " recipe that was scored (models or config changed?)");
        }
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "# evomerge export of %s: generation %d, fitness %.6g (search split)%n",
                runDir, best.generation(), best.fitness()));
        best.scores().forEach((task, score) ->
                text.append(String.format(Locale.ROOT, "#   %s: %.6g%n", task, score)));
        text.append("# recipe hash ").append(best.recipeHash()).append('\n');
        text.append(recipe.toYaml());
        Path tmp = out.toAbsolutePath().resolveSibling(out.getFileName() + ".tmp");
        Files.writeString(tmp, text);
        Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        System.out.println("wrote " + out + " (fitness " + String.format(Locale.ROOT, "%.6g", best.fitness()) + ")");
        return 0;
    }
}
