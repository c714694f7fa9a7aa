package dev.evomerge.results.report;

import static org.junit.jupiter.api.Assertions.*;

import dev.evomerge.checkpoint.SyntheticCheckpoints;
import dev.evomerge.recipe.RecipeParser;
import dev.evomerge.results.HistoryRecord;
import dev.evomerge.results.ParetoFront;
import dev.evomerge.results.RunDirectory;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@Tag("slow")
class ReportRunTest {
    @TempDir Path tmp;

    private static final String GRADIENT_RECIPE = """
            merge_method: task_arithmetic
            base_model: zoo/base
            models:
              - model: zoo/math
                parameters:
                  weight: [0.0, 1.0]
                  density: 0.5
              - model: zoo/lang
                parameters:
                  weight: [1.0, 0.5, 0.25]
            """;

    /** A two-objective run of three generations with a Pareto front and a best recipe. */
    private Path run(String recipe) {
        Path dir = tmp.resolve("run");
        RunDirectory run = RunDirectory.create(dir, "search: {algorithm: nsga2, population: 3, generations: 3}\n"
                + "genome: {models: [zoo/math, zoo/lang]}\n");
        List<HistoryRecord> records = new ArrayList<>();
        ParetoFront front = new ParetoFront(List.of("math", "lang"));
        for (int g = 1; g <= 3; g++) {
            for (int i = 0; i < 3; i++) {
                double math = 0.1 * g + 0.05 * i;
                double lang = 0.6 - 0.1 * i + 0.02 * g;
                HistoryRecord r = new HistoryRecord(g, i, new double[] {math, lang}, "h" + g + i,
                        Map.of("math", math, "lang", lang), (math + lang) / 2, 0.5, false);
                records.add(r);
                front.offer(r);
            }
        }
        run.appendHistory(records);
        run.writePareto(front.snapshot());
        run.writeBestRecipe(recipe);
        return dir;
    }

    private static List<String> imageLinks(String html) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("<img src=\"([^\"]+)\"").matcher(html);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Test
    void reportLinksPlotsThatExist() throws Exception {
        Path dir = run(GRADIENT_RECIPE);
        RunReport report = RunReport.write(dir);
        assertEquals(dir.resolve("report.html"), report.html());
        String html = Files.readString(report.html());
        List<String> links = imageLinks(html);
        assertEquals(List.of("plots/fitness.png", "plots/pareto.png", "plots/layer-weight.png", "plots/layer-density.png"),
                links, html);
        for (String link : links) {
            BufferedImage img = ImageIO.read(dir.resolve(link).toFile());
            assertEquals(Charts.WIDTH, img.getWidth(), link);
        }
        assertTrue(html.contains("nsga2"), "algorithm in the summary");
        assertTrue(html.contains("<td>evaluations</td><td class=\"num\">9</td>"), html);
        // best fitness: generation 3, i = 0: (0.3 + 0.66) / 2
        assertTrue(html.contains("0.4800 (generation 3)"), html);
        // A history without metrics under their full names: the score alone, its metric cell empty.
        assertTrue(html.contains("<td>math</td><td></td><td class=\"num\">0.3000</td>"), "per-task scores of the best");
        assertTrue(report.notes().isEmpty(), report.notes().toString());
    }

    @Test
    void layerPathRecipeIsDrawnAsAPath() throws Exception {
        Path dir = run("""
                merge_method: passthrough
                models:
                  - model: zoo/a
                  - model: zoo/b
                layer_path:
                  - {model: zoo/a, layer: 0, scale: 1.0}
                  - {model: zoo/b, layer: 1, scale: 0.7}
                  - {model: zoo/a, layer: 3, scale: 1.0}
                """);
        RunReport report = RunReport.write(dir);
        assertTrue(report.figures().stream().anyMatch(f -> f.png().equals("plots/layer-path.png")));
        assertTrue(Files.isRegularFile(dir.resolve("plots/layer-path.png")));
        assertFalse(Files.exists(dir.resolve("plots/layer-weight.png")));
    }

    @Test
    void weightsInterpolateAcrossTheModelsRealLayers() throws Exception {
        SyntheticCheckpoints.llama(tmp.resolve("zoo/base"), 5, 8, 16, 16, dev.evomerge.checkpoint.DType.F32, 1);
        SyntheticCheckpoints.llama(tmp.resolve("zoo/math"), 5, 8, 16, 16, dev.evomerge.checkpoint.DType.F32, 2);
        SyntheticCheckpoints.llama(tmp.resolve("zoo/lang"), 5, 8, 16, 16, dev.evomerge.checkpoint.DType.F32, 3);
        Path dir = run(GRADIENT_RECIPE);
        Files.writeString(dir.resolve("launch.json"), "{\"working_dir\": \"" + tmp.toString().replace("\\", "\\\\")
                + "\"}");
        RunReport report = RunReport.write(dir);
        assertTrue(report.figures().stream().anyMatch(f -> f.caption().contains("per source model and layer")),
                report.figures().toString());

        ParameterGrid w = ParameterGrid.of(RecipeParser.parse(GRADIENT_RECIPE, "r.yaml"), "weight", m -> 5)
                .withoutEmptyRows();
        assertEquals(List.of("math", "lang"), w.rows(), "the base has no weight");
        assertArrayEquals(new double[] {0, 0.25, 0.5, 0.75, 1}, w.values()[0], 1e-12);
        assertArrayEquals(new double[] {1, 0.75, 0.5, 0.375, 0.25}, w.values()[1], 1e-12);
    }

    @Test
    void filtersGetARowEach() {
        var recipe = RecipeParser.parse("""
                merge_method: linear
                models:
                  - model: a
                    parameters:
                      weight: [{filter: self_attn, value: 0.2}, {filter: mlp, value: 0.7}, {value: 1.0}]
                  - model: b
                    parameters: {weight: 0.3}
                """, "r.yaml");
        ParameterGrid w = ParameterGrid.of(recipe, "weight", m -> 2);
        assertEquals(List.of("a · self_attn", "a · mlp", "a · other", "b · self_attn", "b · mlp", "b · other"), w.rows());
        assertEquals(0.7, w.values()[1][1]);
        assertEquals(1.0, w.values()[2][0]);
        assertEquals(0.3, w.values()[3][0]);
    }

    @Test
    void aFolderThatIsNoRunIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RunReport.write(tmp.resolve("missing")));
        assertTrue(e.getMessage().contains("not a run folder"), e.getMessage());
    }
}
