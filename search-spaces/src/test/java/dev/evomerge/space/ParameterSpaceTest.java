package dev.evomerge.space;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.evomerge.recipe.LayerRange;
import dev.evomerge.recipe.MergeRecipe;
import dev.evomerge.recipe.ModelEntry;
import dev.evomerge.recipe.ParameterValue;
import dev.evomerge.recipe.ParameterValue.FilterEntry;
import dev.evomerge.recipe.ParameterValue.Filtered;
import dev.evomerge.recipe.ParameterValue.Gradient;
import dev.evomerge.recipe.ParameterValue.Scalar;
import dev.evomerge.recipe.RecipeParser;
import dev.evomerge.recipe.SliceDef;
import dev.evomerge.recipe.SliceSource;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ParameterSpaceTest {

    static GenomeDefinition genome(String yaml) {
        try {
            JsonNode node = new ObjectMapper(new YAMLFactory()).readTree(yaml);
            return GenomeDefinition.parse(node, "evolve.yaml");
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }

    static IllegalArgumentException error(String yaml) {
        return assertThrows(IllegalArgumentException.class, () -> genome(yaml));
    }

    @Test
    void oneGroupTiesHasWeightAndDensityPerModel() {
        ParameterSpace s = new ParameterSpace(genome("{models: [a, b], merge_method: ties, base_model: base}"), 8);
        assertEquals(4, s.dimension());
        assertEquals(List.of("layers 0-7 / a / weight", "layers 0-7 / a / density",
                "layers 0-7 / b / weight", "layers 0-7 / b / density"), s.geneNames());
        assertEquals(0.0, s.lower(0));
        assertEquals(1.0, s.upper(0));
    }

    @Test
    void granularityTwoMakesOneGroupPerTwoLayers() {
        ParameterSpace s = new ParameterSpace(genome(
                "{models: [a, b, c], merge_method: task_arithmetic, base_model: a, layer_granularity: 2}"), 6);
        assertEquals(3, s.groups());
        assertEquals(3 * 3, s.dimension());
        assertEquals("layers 2-3 / c / weight", s.geneNames().get(5));
    }

    @Test
    void granularityOneGivesGenesPerLayer() {
        ParameterSpace s = new ParameterSpace(genome("{models: [a, b], merge_method: linear, layer_granularity: 1}"), 4);
        assertEquals(4 * 2, s.dimension());
        assertEquals("layers 3-3 / b / weight", s.geneNames().get(7));
    }

    @Test
    void filtersGetTheirOwnGenesBeforeTheDefaultSet() {
        ParameterSpace s = new ParameterSpace(genome(
                "{models: [a, b], merge_method: dare_ties, base_model: base, filters: [self_attn, mlp]}"), 4);
        assertEquals(2 * 3 * 2, s.dimension());
        assertEquals(List.of("layers 0-3 / a / self_attn / weight", "layers 0-3 / a / self_attn / density",
                "layers 0-3 / a / mlp / weight", "layers 0-3 / a / mlp / density",
                "layers 0-3 / a / default / weight", "layers 0-3 / a / default / density"),
                s.geneNames().subList(0, 6));
        assertEquals(6 + 2 * 2 + 1, s.geneIndex(0, 1, 2, 1));
    }

    @Test
    void negativeWeightsWidenOnlyTheWeightRange() {
        ParameterSpace s = new ParameterSpace(genome(
                "{models: [a], merge_method: ties, base_model: base, allow_negative_weights: true}"), 2);
        assertEquals(-1.0, s.lower(0));
        assertEquals(0.0, s.lower(1));
    }

    @Test
    void discreteDecodeGivesOneSlicePerGroupWithBaseAppended() {
        ParameterSpace s = new ParameterSpace(genome(
                "{models: [a, b], merge_method: ties, base_model: base, layer_granularity: 2}"), 4);
        MergeRecipe r = s.decode(new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8});
        assertEquals("ties", r.mergeMethod());
        assertEquals("base", r.baseModel());
        assertEquals("bfloat16", r.dtype());
        assertEquals(Map.of("normalize", Scalar.of(true), "int8_mask", Scalar.of(true)), r.parameters());
        assertEquals(List.of(
                new SliceDef(List.of(
                        new SliceSource("a", new LayerRange(0, 2), Map.of("weight", Scalar.of(0.1), "density", Scalar.of(0.2))),
                        new SliceSource("b", new LayerRange(0, 2), Map.of("weight", Scalar.of(0.3), "density", Scalar.of(0.4))),
                        new SliceSource("base", new LayerRange(0, 2), Map.of())), Map.of(), null),
                new SliceDef(List.of(
                        new SliceSource("a", new LayerRange(2, 4), Map.of("weight", Scalar.of(0.5), "density", Scalar.of(0.6))),
                        new SliceSource("b", new LayerRange(2, 4), Map.of("weight", Scalar.of(0.7), "density", Scalar.of(0.8))),
                        new SliceSource("base", new LayerRange(2, 4), Map.of())), Map.of(), null)),
                r.slices());
        assertEquals(r, RecipeParser.parse(r.toYaml(), "decoded.yaml"));
    }

    @Test
    void baseModelAmongTheModelsIsNotAddedTwice() {
        ParameterSpace s = new ParameterSpace(genome("{models: [a, b], merge_method: task_arithmetic, base_model: a}"), 2);
        MergeRecipe r = s.decode(new double[] {0.25, 0.75});
        assertEquals(2, r.slices().getFirst().sources().size());
        assertEquals(Map.of("normalize", Scalar.of(false), "int8_mask", Scalar.of(true)), r.parameters());
    }

    @Test
    void filtersDecodeToFilterListsEndingWithTheDefault() {
        ParameterSpace s = new ParameterSpace(genome(
                "{models: [a], merge_method: linear, filters: [self_attn, mlp], normalize: false}"), 2);
        MergeRecipe r = s.decode(new double[] {0.1, 0.2, 0.3});
        ParameterValue w = r.slices().getFirst().sources().getFirst().parameters().get("weight");
        assertEquals(new Filtered(List.of(new FilterEntry("self_attn", Scalar.of(0.1)),
                new FilterEntry("mlp", Scalar.of(0.2)), new FilterEntry(null, Scalar.of(0.3)))), w);
        assertEquals(0.2, w.evaluate("model.layers.0.mlp.up_proj.weight", 0.0));
        assertEquals(0.3, w.evaluate("model.layers.0.input_layernorm.weight", 0.0));
        assertEquals(Map.of("normalize", Scalar.of(false)), r.parameters());
        assertEquals(r, RecipeParser.parse(r.toYaml(), "decoded.yaml"));
    }

    @Test
    void smoothDecodeGivesGradientsOverTheGroups() {
        ParameterSpace s = new ParameterSpace(genome(
                "{models: [a, b], merge_method: dare_linear, base_model: base, layer_granularity: 2, smooth: true}"), 6);
        double[] x = new double[s.dimension()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (i + 1) / 100.0;
        }
        MergeRecipe r = s.decode(x);
        assertTrue(r.slices().isEmpty());
        // layout [group][model][param]: group g, model m, param p at g*4 + m*2 + p
        assertEquals(List.of(
                new ModelEntry("a", Map.of("weight", new Gradient(List.of(0.01, 0.05, 0.09)),
                        "density", new Gradient(List.of(0.02, 0.06, 0.10)))),
                new ModelEntry("b", Map.of("weight", new Gradient(List.of(0.03, 0.07, 0.11)),
                        "density", new Gradient(List.of(0.04, 0.08, 0.12)))),
                new ModelEntry("base", Map.of())), r.models());
        assertEquals(r, RecipeParser.parse(r.toYaml(), "decoded.yaml"));
    }

    @Test
    void smoothWithOneGroupStaysScalarAndFiltersHoldGradients() {
        ParameterSpace one = new ParameterSpace(genome("{models: [a], merge_method: linear, smooth: true}"), 4);
        assertEquals(Map.of("weight", Scalar.of(0.5)), one.decode(new double[] {0.5}).models().getFirst().parameters());
        ParameterSpace f = new ParameterSpace(genome(
                "{models: [a], merge_method: linear, smooth: true, layer_granularity: 2, filters: [mlp]}"), 4);
        ParameterValue w = f.decode(new double[] {0.1, 0.2, 0.3, 0.4}).models().getFirst().parameters().get("weight");
        assertEquals(new Filtered(List.of(new FilterEntry("mlp", new Gradient(List.of(0.1, 0.3))),
                new FilterEntry(null, new Gradient(List.of(0.2, 0.4))))), w);
    }

    @Test
    void slerpPicksTheTwoHighestGenesPerGroup() {
        ParameterSpace s = new ParameterSpace(genome("{models: [a, b, c], merge_method: slerp, layer_granularity: 2}"), 4);
        assertEquals(List.of("layers 0-1 / a / t", "layers 0-1 / b / t", "layers 0-1 / c / t",
                "layers 2-3 / a / t", "layers 2-3 / b / t", "layers 2-3 / c / t"), s.geneNames());
        MergeRecipe r = s.decode(new double[] {0.2, 0.9, 0.5, 0.7, 0.1, 0.7});
        assertNull(r.baseModel());
        assertTrue(r.parameters().isEmpty());
        SliceDef g0 = r.slices().get(0);
        assertEquals("b", g0.baseModel());
        assertEquals(List.of("b", "c"), g0.sources().stream().map(SliceSource::model).toList());
        assertEquals(Scalar.of(1.0 / (1.0 + Math.exp(0.9 - 0.5))), g0.parameters().get("t"));
        SliceDef g1 = r.slices().get(1);
        assertEquals("a", g1.baseModel()); // tie: the earlier model first
        assertEquals(List.of("a", "c"), g1.sources().stream().map(SliceSource::model).toList());
        assertEquals(Scalar.of(0.5), g1.parameters().get("t"));
        assertEquals(new LayerRange(2, 4), g1.sources().get(1).layerRange());
        assertEquals(r, RecipeParser.parse(r.toYaml(), "decoded.yaml"));
    }

    @Test
    void genesOutsideTheBoundsAreClamped() {
        ParameterSpace s = new ParameterSpace(genome("{models: [a, b], merge_method: ties, base_model: base}"), 2);
        assertEquals(s.decode(new double[] {1.0, 0.0, 0.0, 0.5}), s.decode(new double[] {3.0, -2.0, -0.0, 0.5}));
        assertThrows(IllegalArgumentException.class, () -> s.decode(new double[] {Double.NaN, 0, 0, 0}));
        assertThrows(IllegalArgumentException.class, () -> s.decode(new double[3]));
    }

    @Test
    void equalGenesGiveEqualHashesAndDifferentGenesDifferentOnes() {
        ParameterSpace s = new ParameterSpace(genome(
                "{models: [a, b], merge_method: ties, base_model: base, layer_granularity: 1, filters: [mlp]}"), 4);
        Random rnd = new Random(7);
        double[] x = new double[s.dimension()];
        for (int i = 0; i < x.length; i++) {
            x[i] = rnd.nextDouble();
        }
        String h = s.decode(x).contentHash();
        assertEquals(h, s.decode(x.clone()).contentHash());
        for (int i = 0; i < x.length; i++) {
            double[] y = x.clone();
            y[i] = y[i] / 2;
            assertNotEquals(h, s.decode(y).contentHash(), "gene " + i);
        }
    }

    @Test
    void codecDecodesRandomGenotypesToValidRecipes() {
        for (String yaml : List.of("{models: [a, b], merge_method: ties, base_model: base, layer_granularity: 2}",
                "{models: [a, b], merge_method: slerp}",
                "{models: [a, b], merge_method: della, base_model: a, smooth: true, layer_granularity: 1, filters: [mlp]}")) {
            ParameterSpace s = new ParameterSpace(genome(yaml), 4);
            var codec = s.codec();
            for (int k = 0; k < 5; k++) {
                MergeRecipe r = codec.decode(codec.encoding().newInstance());
                assertEquals(r, RecipeParser.parse(r.toYaml(), "codec.yaml"), yaml);
                r.layout(model -> 4); // mergekit's slice planning accepts it
            }
        }
    }

    @Test
    void badGenomesFailWithTheKeyInOneLine() {
        assertTrue(error("{models: [a], merge_method: frankenmerge}").getMessage()
                .startsWith("evolve.yaml: genome.merge_method: unknown merge method 'frankenmerge'"));
        assertTrue(error("{models: [a], merge_method: ties}").getMessage()
                .startsWith("evolve.yaml: genome.base_model:"));
        assertTrue(error("{models: [a], merge_method: linear, weights: 3}").getMessage()
                .startsWith("evolve.yaml: genome.weights: unknown key"));
        assertTrue(error("{merge_method: linear}").getMessage().startsWith("evolve.yaml: genome.models: missing"));
        assertTrue(error("{models: [a, b], merge_method: slerp, smooth: true}").getMessage()
                .startsWith("evolve.yaml: genome.smooth:"));
        assertTrue(error("{models: [a], merge_method: linear, layer_granularity: x}").getMessage()
                .startsWith("evolve.yaml: genome.layer_granularity:"));
        var e = assertThrows(IllegalArgumentException.class, () -> new ParameterSpace(
                genome("{models: [a], merge_method: linear, layer_granularity: 3}"), 8));
        assertTrue(e.getMessage().startsWith("genome.layer_granularity: 3 does not divide"), e.getMessage());
    }

    @Test
    void fromMapReadsTheSameAsYaml() {
        assertEquals(genome("{models: [a, b], merge_method: ties, base_model: c, layer_granularity: 4}"),
                GenomeDefinition.fromMap(Map.of("models", List.of("a", "b"), "merge_method", "ties",
                        "base_model", "c", "layer_granularity", 4), "evolve.yaml"));
    }
}
