package dev.evomerge.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.SyntheticCheckpoints;
import dev.evomerge.checkpoint.TensorSpec;
import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.recipe.RecipeException;
import dev.evomerge.recipe.RecipeParser;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The planner on its own: recipe + checkpoint headers in, per-tensor tasks out, nothing merged. */
class MergePlannerTest {

    private static final int LAYERS = 2;

    @TempDir
    static Path tmp;

    @BeforeAll
    static void models() {
        Path base = SyntheticCheckpoints.llama(tmp.resolve("base"), LAYERS, 8, 16, 32, DType.BF16, 1);
        SyntheticCheckpoints.fineTune(base, tmp.resolve("a"), 0.1f, 2);
        SyntheticCheckpoints.fineTune(base, tmp.resolve("b"), 0.1f, 3);
        SyntheticCheckpoints.llama(tmp.resolve("deep"), 3, 8, 16, 32, DType.F32, 4);
    }

    private static MergePlan plan(String yaml) {
        MergeRecipe recipe = RecipeParser.parse(yaml, "recipe.yaml");
        try (ModelSet models = ModelSet.open(recipe, tmp)) {
            return MergePlanner.plan(recipe, models);
        }
    }

    private static TensorTask task(MergePlan plan, String name) {
        return plan.tasks().stream().filter(t -> t.output().name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no task for " + name));
    }

    @Test
    void everyTensorOfTheBaseGetsOneTaskInTheArchitecturesOrder() {
        MergePlan plan = plan("""
                merge_method: task_arithmetic
                base_model: base
                models:
                  - model: a
                    parameters: {weight: 0.7}
                  - model: b
                    parameters: {weight: 0.3}
                """);
        List<String> expected = SyntheticCheckpoints.llamaSpecs(LAYERS, 8, 16, 32, DType.BF16).stream()
                .map(TensorSpec::name).sorted().toList();
        List<String> planned = plan.tasks().stream().map(t -> t.output().name()).toList();
        assertEquals(expected, planned.stream().sorted().toList());
        // Pre-layer weights, then layer by layer, then post-layer weights.
        assertEquals("model.embed_tokens.weight", planned.getFirst());
        assertEquals("lm_head.weight", planned.getLast());
        List<Integer> layers = planned.stream().filter(n -> n.startsWith("model.layers."))
                .map(n -> Integer.parseInt(n.split("\\.")[2])).toList();
        assertEquals(layers.stream().sorted().toList(), layers);
        TensorTask q = task(plan, "model.layers.1.self_attn.q_proj.weight");
        assertEquals(new InputTensor("base", "model.layers.1.self_attn.q_proj.weight"), q.base());
        assertEquals(List.of("a", "b"), q.sources().stream().map(s -> s.tensor().model()).toList());
        assertEquals(0.7, q.sources().get(0).parameters().number("weight"));
        assertEquals(0.3, q.sources().get(1).parameters().number("weight"));
        assertEquals(DType.BF16, plan.outDtype());
        assertEquals("base", plan.tokenizerModel());
    }

    @Test
    void aGradientGivesEachLayerItsPointOnTheLine() {
        MergePlan plan = plan("""
                merge_method: linear
                models:
                  - model: a
                    parameters: {weight: [0.0, 1.0]}
                  - model: b
                    parameters: {weight: 1.0}
                """);
        assertEquals(0.0, task(plan, "model.layers.0.mlp.up_proj.weight").sources().get(0).parameters().number("weight"));
        assertEquals(1.0, task(plan, "model.layers.1.mlp.up_proj.weight").sources().get(0).parameters().number("weight"));
        assertNull(task(plan, "model.embed_tokens.weight").base());
    }

    @Test
    void slicesStackLayersRenamedToTheirOutputIndexAndTheConfigCountsThem() {
        MergePlan plan = plan("""
                merge_method: passthrough
                slices:
                  - sources: [{model: a, layer_range: [0, 2]}]
                  - sources: [{model: b, layer_range: [1, 2]}]
                """);
        assertEquals(3, plan.outputConfig().get("num_hidden_layers").asInt());
        TensorTask third = task(plan, "model.layers.2.mlp.down_proj.weight");
        assertEquals(new InputTensor("b", "model.layers.1.mlp.down_proj.weight"), third.sources().getFirst().tensor());
        // Pre-layer weights come from the first slice, post-layer weights from the last.
        assertEquals("a", task(plan, "model.embed_tokens.weight").sources().getFirst().tensor().model());
        assertEquals("b", task(plan, "lm_head.weight").sources().getFirst().tensor().model());
    }

    @Test
    void theRecipesDtypeSetsEveryOutputAndTheConfig() {
        MergePlan plan = plan("""
                merge_method: linear
                dtype: float16
                models:
                  - model: a
                    parameters: {weight: 1.0}
                  - model: b
                    parameters: {weight: 1.0}
                """);
        assertEquals(DType.F16, plan.outDtype());
        assertTrue(plan.outputs().stream().allMatch(s -> s.dtype() == DType.F16), plan.outputs().toString());
        assertEquals(plan.outputs().stream().mapToLong(TensorSpec::byteSize).sum(), plan.outputBytes());
    }

    @Test
    void anUnknownParameterIsNamedAtItsLineBeforeAnyModelIsOpened() {
        MergeRecipe recipe = RecipeParser.parse("""
                merge_method: linear
                models:
                  - model: nowhere
                    parameters: {wieght: 1.0}
                """, "recipe.yaml");
        RecipeException e = assertThrows(RecipeException.class, () -> MergePlanner.validate(recipe));
        assertTrue(e.getMessage().startsWith("recipe.yaml:4"), e.getMessage());
        assertTrue(e.getMessage().contains("wieght"), e.getMessage());
    }

    @Test
    void aLayerRangePastTheLastLayerIsNamedAtItsLine() {
        RecipeException e = assertThrows(RecipeException.class, () -> plan("""
                merge_method: passthrough
                slices:
                  - sources: [{model: a, layer_range: [0, 3]}]
                """));
        assertTrue(e.getMessage().contains("layer_range [0, 3] goes past the last layer of model 'a', which has 2"),
                e.getMessage());
    }

    @Test
    void modelsOfDifferentShapesAreRefusedBeforeAnythingIsWritten() {
        RuntimeException e = assertThrows(RuntimeException.class, () -> plan("""
                merge_method: linear
                models:
                  - model: a
                    parameters: {weight: 1.0}
                  - model: deep
                    parameters: {weight: 1.0}
                """));
        assertTrue(e.getMessage().contains("deep"), e.getMessage());
    }
}
