package dev.evomerge.space;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.SyntheticCheckpoints;
import dev.evomerge.plan.MergePlan;
import dev.evomerge.plan.MergePlanner;
import dev.evomerge.plan.ModelSet;
import dev.evomerge.plan.TensorTask;
import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.recipe.RecipeParser;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The search's gene layout: own genes for the embeddings and for the final norm + lm_head, wider weights. */
class EndGenesTest {
    @TempDir Path tmp;

    private static ParameterSpace space(String yaml, int layers) throws Exception {
        var node = new ObjectMapper(new YAMLFactory()).readTree(yaml);
        return new ParameterSpace(GenomeDefinition.parse(node, "s.yaml"), layers, GeneOptions.parse(node, "s.yaml"));
    }

    /** Weight of each source model per output tensor, as the planner resolves it. */
    private Map<String, List<Double>> weights(MergeRecipe recipe) {
        Map<String, List<Double>> out = new HashMap<>();
        MergeRecipe reparsed = RecipeParser.parse(recipe.toYaml(), "decoded.yaml");
        try (ModelSet models = ModelSet.open(reparsed, tmp)) {
            MergePlan plan = MergePlanner.plan(reparsed, models);
            for (TensorTask t : plan.tasks()) {
                out.put(t.output().name(), t.sources().stream().map(s -> s.parameters().number("weight")).toList());
            }
        }
        return out;
    }

    @Test
    void embeddingsAndHeadFollowTheirOwnGenesThroughThePlanner() throws Exception {
        Path base = SyntheticCheckpoints.llama(tmp.resolve("base"), 2, 16, 32, 48, DType.F32, 1);
        SyntheticCheckpoints.fineTune(base, tmp.resolve("a"), 0.1f, 2);
        SyntheticCheckpoints.fineTune(base, tmp.resolve("b"), 0.1f, 3);
        ParameterSpace s = space("{models: [a, b], merge_method: task_arithmetic, base_model: base,"
                + " layer_granularity: 1}", 2);
        assertEquals((2 + 2) * 2, s.dimension());
        assertEquals("embeddings / a / weight", s.geneNames().get(s.geneIndex(s.embeddingGroup(), 0, 0, 0)));
        assertEquals("norm + lm_head / b / weight", s.geneNames().get(s.geneIndex(s.headGroup(), 1, 0, 0)));
        double[] x = new double[s.dimension()];
        x[s.geneIndex(0, 0, 0, 0)] = 0.1;
        x[s.geneIndex(0, 1, 0, 0)] = 0.2;
        x[s.geneIndex(1, 0, 0, 0)] = 0.3;
        x[s.geneIndex(1, 1, 0, 0)] = 0.4;
        x[s.geneIndex(s.embeddingGroup(), 0, 0, 0)] = 1.5;
        x[s.geneIndex(s.embeddingGroup(), 1, 0, 0)] = 0.0;
        x[s.geneIndex(s.headGroup(), 0, 0, 0)] = 0.7;
        x[s.geneIndex(s.headGroup(), 1, 0, 0)] = 1.9;
        Map<String, List<Double>> w = weights(s.decode(x));
        assertEquals(List.of(1.5, 0.0), w.get("model.embed_tokens.weight"));
        assertEquals(List.of(0.7, 1.9), w.get("model.norm.weight"));
        assertEquals(List.of(0.7, 1.9), w.get("lm_head.weight"));
        assertEquals(List.of(0.1, 0.2), w.get("model.layers.0.self_attn.q_proj.weight"));
        assertEquals(List.of(0.1, 0.2), w.get("model.layers.0.input_layernorm.weight"));
        assertEquals(List.of(0.3, 0.4), w.get("model.layers.1.mlp.down_proj.weight"));
        assertEquals(List.of(0.3, 0.4), w.get("model.layers.1.post_attention_layernorm.weight"));
    }

    @Test
    void defaultsReachAboveOneAndKeepDensitiesMergekitCanRun() throws Exception {
        ParameterSpace s = space("{models: [a], merge_method: ties, base_model: base}", 2);
        assertEquals(2.0, s.upper(0));
        assertEquals(0.0, s.lower(0));
        assertEquals(GeneOptions.DEFAULT.minDensity(), s.lower(1));
        assertTrue(s.lower(1) > 0, "mergekit refuses a density that keeps nothing");
        assertNull(s.decode(new double[s.dimension()]).dtype(), "merged in the models' own dtype");
        ParameterSpace signed = space("{models: [a], merge_method: ties, base_model: base, allow_negative_weights: true,"
                + " max_weight: 1.5, dtype: bfloat16, end_genes: false}", 2);
        assertEquals(-1.5, signed.lower(0));
        assertEquals(1.5, signed.upper(0));
        assertEquals(2, signed.dimension());
        assertEquals("bfloat16", signed.decode(new double[2]).dtype());
    }

    @Test
    void badOptionsNameTheKey() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> space("{models: [a], merge_method: linear, max_weight: 0}", 2));
        assertEquals("s.yaml: genome.max_weight: must be a positive number, got 0.0", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> space("{models: [a], merge_method: linear, dtype: int8}", 2));
        assertTrue(e.getMessage().startsWith("s.yaml: genome.dtype: "), e.getMessage());
    }

    @Test
    void seedPointsAreWhatAUserWouldTryByHand() throws Exception {
        ParameterSpace s = space("{models: [a, b, c], merge_method: ties, base_model: base, layer_granularity: 1}", 2);
        Map<String, double[]> p = SeedPoints.of(s);
        assertEquals(List.of("base", "a", "b", "c", "default merge", "average"), List.copyOf(p.keySet()));
        for (int g = 0; g < 4; g++) {
            for (int m = 0; m < 3; m++) {
                assertEquals(0.0, p.get("base")[s.geneIndex(g, m, 0, 0)]);
                assertEquals(m == 1 ? 1.0 : 0.0, p.get("b")[s.geneIndex(g, m, 0, 0)]);
                assertEquals(1.0, p.get("default merge")[s.geneIndex(g, m, 0, 0)]);
                assertEquals(1.0 / 3, p.get("average")[s.geneIndex(g, m, 0, 0)]);
                assertEquals(1.0, p.get("default merge")[s.geneIndex(g, m, 0, 1)], "mergekit's default density");
            }
        }
        // linear has no base to fall back on, and one model alone is also its average
        ParameterSpace one = space("{models: [a], merge_method: linear}", 2);
        assertEquals(List.of("a"), List.copyOf(SeedPoints.of(one).keySet()));
    }
}
