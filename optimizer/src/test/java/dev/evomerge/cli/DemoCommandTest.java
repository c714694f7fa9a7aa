package dev.evomerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evomerge.eval.RecipeScorer;
import dev.evomerge.eval.runtime.ComputeDevice;
import dev.evomerge.eval.task.Task;
import dev.evomerge.eval.task.TaskResult;
import dev.evomerge.eval.task.TaskSplit;
import dev.evomerge.recipe.RecipeParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The README's main command end to end, on a tiny zoo with short searches. */
@Tag("slow")
class DemoCommandTest {

    @TempDir
    Path tmp;

    @Test
    void theQuickDemoRunsEndToEndAndTheEvolvedRecipeIsAtLeastAsGoodAsTheHandMadeOnes() throws IOException {
        Path out = tmp.resolve("demo");
        StringWriter err = new StringWriter();
        assertEquals(0, Main.run(new PrintWriter(err, true), "demo", "--quick", "--out", out.toString(),
                "--device", "cpu"), err.toString());

        String table = Files.readString(out.resolve("results.md"));
        for (String row : List.of("base", "math", "script", "reverse", "linear", "task_arithmetic", "ties",
                "dare_ties", "evolved-params", "evolved-routing", "evolved-cross")) {
            assertTrue(table.contains("| " + row + " |"), row + " missing from\n" + table);
        }
        String html = Files.readString(out.resolve("report.html"));
        assertTrue(html.contains("accuracy.png"), html);
        assertTrue(Files.size(out.resolve("plots/accuracy.png")) > 1000);
        for (String run : List.of("params", "routing", "cross")) {
            assertTrue(Files.exists(out.resolve("runs").resolve(run).resolve("plots/fitness.png")), run);
        }

        // On the split the search saw, the evolved recipe is no worse than any hand-made merge.
        Path tasks = out.resolve("zoo/tasks");
        List<Task> multi = DemoPlan.MULTI_SKILL.stream()
                .map(s -> Task.load(tasks.resolve(s.taskName() + ".yaml"))).toList();
        Path cwd = Path.of("").toAbsolutePath();
        try (RecipeScorer scorer = new RecipeScorer(multi, TaskSplit.SEARCH, 0, cwd, ComputeDevice.CPU)) {
            double evolved = mean(scorer.score(RecipeParser.parse(out.resolve("recipes/evolved-params.yaml"))));
            for (String hand : List.of("linear", "task_arithmetic", "ties", "dare_ties")) {
                double h = mean(scorer.score(RecipeParser.parse(out.resolve("recipes/" + hand + ".yaml"))));
                assertTrue(evolved >= h, "evolved " + evolved + " < " + hand + " " + h);
            }
        }

        // The evolved layer path is scored from its YAML; writing it as a checkpoint is refused in one line.
        StringWriter refused = new StringWriter();
        assertEquals(Main.BAD_INPUT, Main.run(new PrintWriter(refused, true), "merge",
                out.resolve("recipes/evolved-routing.yaml").toString(), "--out", tmp.resolve("x").toString()));
        assertTrue(refused.toString().contains("layer_path") && refused.toString().contains("evomerge eval"),
                refused.toString());
        assertTrue(Files.notExists(tmp.resolve("x")));

        // A second run reuses the zoo instead of training it again.
        StringWriter again = new StringWriter();
        long before = Files.getLastModifiedTime(out.resolve("zoo/base/model.safetensors")).toMillis();
        assertEquals(0, Main.run(new PrintWriter(again, true), "demo", "--quick", "--out", out.toString(),
                "--device", "cpu", "--generations", "1"), again.toString());
        assertEquals(before, Files.getLastModifiedTime(out.resolve("zoo/base/model.safetensors")).toMillis());
    }

    private static double mean(Map<String, TaskResult> results) {
        return results.values().stream().mapToDouble(TaskResult::score).average().orElseThrow();
    }
}
