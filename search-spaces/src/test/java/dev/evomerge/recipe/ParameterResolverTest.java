package dev.evomerge.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParameterResolverTest {

    private static final MergeRecipe SLICED = RecipeParser.parse("""
            merge_method: ties
            base_model: ./base
            slices:
              - sources:
                  - model: ./base
                    layer_range: [0, 4]
                  - model: ./a
                    layer_range: [0, 4]
                    parameters:
                      weight: 0.9
                      density:
                        - filter: mlp
                          value: 0.1
                  - model: ./b
                    layer_range: [4, 8]
                parameters:
                  weight: 0.5
                  density: [0.2, 0.8]
              - sources:
                  - model: ./a
                    layer_range: [4, 5]
                  - model: ./b
                    layer_range: [4, 5]
                parameters:
                  density: [0.2, 0.8]
            parameters:
              weight: 0.1
              density: 0.3
              normalize: true
              lambda:
                - filter: lm_head
                  value: 2
            """, "sliced.yaml");

    @Test
    void sourceBeatsSliceBeatsGlobal() {
        ParameterResolver r = new ParameterResolver(SLICED);
        SliceDef s0 = SLICED.slices().get(0);
        String attn = "model.layers.1.self_attn.q_proj.weight";
        assertEquals(0.9, r.resolve(s0, "./a", attn, 0.0, "weight"));
        assertEquals(0.5, r.resolve(s0, "./b", attn, 0.0, "weight"));
        assertEquals(0.5, r.resolve(s0, null, attn, 0.0, "weight"));
        assertEquals(true, r.resolve(s0, "./a", attn, 0.0, "normalize"));
        assertEquals(0.1, r.resolve(null, "./a", attn, 0.0, "weight"));
    }

    @Test
    void unmatchedFilterFallsThroughToTheNextLevel() {
        ParameterResolver r = new ParameterResolver(SLICED);
        SliceDef s0 = SLICED.slices().get(0);
        assertEquals(0.1, r.resolve(s0, "./a", "model.layers.1.mlp.up_proj.weight", 0.0, "density"));
        // self_attn: ./a's filter list has no entry -> slice gradient at t = 1/3: 0.2 + 0.6 / 3
        assertEquals(0.4, (Double) r.resolve(s0, "./a", "model.layers.1.self_attn.q_proj.weight", 1.0 / 3,
                "density"), 1e-15);
        assertNull(r.resolve(s0, null, "model.layers.1.self_attn.q_proj.weight", 0.0, "lambda"));
        assertEquals(2.0, r.resolve(s0, null, "lm_head.weight", 0.0, "lambda"));
    }

    @Test
    void resolveAllListsEverySetParameter() {
        ParameterResolver r = new ParameterResolver(SLICED);
        SliceDef s0 = SLICED.slices().get(0);
        assertEquals(Map.of("weight", 0.9, "density", 0.1, "normalize", true),
                r.resolve(s0, "./a", "model.layers.0.mlp.up_proj.weight", 0.0));
        assertEquals(Map.of("weight", 0.5, "density", 0.2, "normalize", true),
                r.resolve(s0, null, "model.layers.0.mlp.up_proj.weight", 0.0));
    }

    @Test
    void slicesRestartTheGradientPosition() {
        RecipeLayout layout = SLICED.layout(m -> {
            throw new AssertionError("slices need no layer counts");
        });
        assertEquals(5, layout.numLayers());
        assertEquals(List.of(0.0, 1.0 / 3, 2.0 / 3, 1.0, 1.0),
                layout.layers().stream().map(OutputLayer::t).toList());
        OutputLayer last = layout.layers().get(4);
        assertEquals(4, last.index());
        assertEquals(1, last.sliceIndex());
        assertEquals(4, last.inputLayer(last.slice().sources().get(1)));
        OutputLayer third = layout.layers().get(2);
        assertEquals(6, third.inputLayer(third.slice().sources().get(2)));
        // a one-layer slice has t = 1, so a gradient gives its last value
        ParameterResolver r = new ParameterResolver(SLICED);
        assertEquals(0.8, r.resolve(last.slice(), "./a", "model.layers.4.self_attn.q_proj.weight", last.t(), "density"));
        assertEquals(layout.slices().get(0), layout.preSlice());
        assertEquals(layout.slices().get(1), layout.postSlice());
        assertEquals("./base", layout.baseModel(layout.postSlice()));
    }

    @Test
    void modelsBecomeOneSliceWithModelParametersAtSourceLevel() {
        MergeRecipe r = RecipeParser.parse("""
                merge_method: ties
                base_model: ./base
                models:
                  - model: ./a
                    parameters: {weight: [0, 1], density: 0.5}
                  - model: ./b
                    parameters: {weight: 0.25}
                parameters: {density: 0.9, weight: 0.7}
                """, "m.yaml");
        RecipeLayout layout = r.layout(m -> 5);
        assertEquals(1, layout.slices().size());
        SliceDef slice = layout.slices().getFirst();
        assertEquals(List.of("./a", "./b", "./base"), slice.sources().stream().map(SliceSource::model).toList());
        assertEquals(new LayerRange(0, 5), slice.sources().get(2).layerRange());
        assertEquals(Map.of(), slice.sources().get(2).parameters());
        // models: t = layer / (numLayers - 1); layer 1 of 5 -> t = 0.25
        assertEquals(List.of(0.0, 0.25, 0.5, 0.75, 1.0), layout.layers().stream().map(OutputLayer::t).toList());
        ParameterResolver res = new ParameterResolver(r);
        OutputLayer l1 = layout.layers().get(1);
        assertEquals(0.25, res.resolve(slice, "./a", "model.layers.1.mlp.up_proj.weight", l1.t(), "weight"));
        assertEquals(0.9, res.resolve(slice, "./b", "model.layers.1.mlp.up_proj.weight", l1.t(), "density"));
        assertEquals(0.7, res.resolve(slice, "./base", "model.layers.1.mlp.up_proj.weight", l1.t(), "weight"));
        // embeddings and final norm use t = 0: a gradient gives its first value
        assertEquals(0.0, res.resolve(layout.preSlice(), "./a", "model.embed_tokens.weight",
                RecipeLayout.NON_LAYER_T, "weight"));
    }

    @Test
    void baseListedAmongModelsIsNotAddedTwice() {
        MergeRecipe r = RecipeParser.parse("""
                merge_method: slerp
                base_model: ./a
                models: [{model: ./a}, {model: ./b}]
                parameters: {t: 0.5}
                """, "s.yaml");
        assertEquals(2, r.layout(m -> 3).preSlice().sources().size());
    }

    @Test
    void gradientPositionFormula() {
        assertEquals(0.0, RecipeLayout.gradientPosition(0, 8));
        assertEquals(3.0 / 7, RecipeLayout.gradientPosition(3, 8));
        assertEquals(1.0, RecipeLayout.gradientPosition(7, 8));
        assertEquals(1.0, RecipeLayout.gradientPosition(0, 1));
    }

    @Test
    void mergekitReadmeSlerpOverEightLayers() {
        MergeRecipe r = RecipeParser.parse(RecipeParserTest.SLERP, "slerp.yaml");
        RecipeLayout layout = r.layout(m -> 8);
        ParameterResolver res = new ParameterResolver(r);
        double[] attn = new double[8];
        double[] mlp = new double[8];
        for (OutputLayer l : layout.layers()) {
            attn[l.index()] = (Double) res.resolve(l.slice(), null,
                    "model.layers." + l.index() + ".self_attn.o_proj.weight", l.t(), "t");
            mlp[l.index()] = (Double) res.resolve(l.slice(), null,
                    "model.layers." + l.index() + ".mlp.down_proj.weight", l.t(), "t");
            assertEquals(0.5, res.resolve(l.slice(), null, "model.layers." + l.index() + ".input_layernorm.weight",
                    l.t(), "t"));
        }
        // t = i/7, s = 4i/7; hand-computed: value = (1 - f) * v[floor s] + f * v[floor s + 1]
        double[] attnExpected = {0, 2.0 / 7, 3.3 / 7, 2.5 / 7, 2.9 / 7, 4.5 / 7, 5.8 / 7, 1};
        double[] mlpExpected = {1, 5.0 / 7, 3.7 / 7, 4.5 / 7, 4.1 / 7, 2.5 / 7, 1.2 / 7, 0};
        for (int i = 0; i < 8; i++) {
            assertEquals(attnExpected[i], attn[i], 1e-12, "self_attn layer " + i);
            assertEquals(mlpExpected[i], mlp[i], 1e-12, "mlp layer " + i);
        }
        assertEquals(0.5, res.resolve(layout.postSlice(), null, "lm_head.weight", RecipeLayout.NON_LAYER_T, "t"));
    }
}
