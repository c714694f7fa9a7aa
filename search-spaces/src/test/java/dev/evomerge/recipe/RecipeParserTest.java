package dev.evomerge.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evomerge.recipe.ParameterValue.FilterEntry;
import dev.evomerge.recipe.ParameterValue.Filtered;
import dev.evomerge.recipe.ParameterValue.Gradient;
import dev.evomerge.recipe.ParameterValue.Scalar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecipeParserTest {

    static final String LINEAR = """
            merge_method: linear
            models:
              - model: ./a
                parameters:
                  weight: 0.7
              - model: ./b
                parameters:
                  weight: 0.3
            parameters:
              normalize: true
            dtype: bfloat16
            """;

    static final String TIES = """
            merge_method: ties
            base_model: ./base
            models:
              - model: ./math
                parameters:
                  density: 0.5
                  weight: [1, 0.5]
              - model: ./code
                parameters:
                  density: 0.7
                  weight: 0.4
            parameters:
              normalize: false
              int8_mask: true
            dtype: float16
            out_dtype: bfloat16
            tokenizer_source: base
            """;

    static final String SLERP = """
            slices:
              - sources:
                  - model: ./a
                    layer_range: [0, 8]
                  - model: ./b
                    layer_range: [0, 8]
            merge_method: slerp
            base_model: ./a
            parameters:
              t:
                - filter: self_attn
                  value: [0, 0.5, 0.3, 0.7, 1]
                - filter: mlp
                  value: [1, 0.5, 0.7, 0.3, 0]
                - value: 0.5
            dtype: bfloat16
            """;

    static final String PASSTHROUGH = """
            merge_method: passthrough
            slices:
              - sources:
                  - model: ./a
                    layer_range: [0, 4]
              - sources:
                  - model: ./b
                    layer_range: [2, 6]
                    parameters:
                      scale: 0.5
            layer_path:
              - {model: ./a, layer: 0, scale: 1.0}
              - {model: ./b, layer: 3}
            """;

    @Test
    void linearWithModels() {
        MergeRecipe r = RecipeParser.parse(LINEAR, "linear.yaml");
        assertEquals("linear", r.mergeMethod());
        assertNull(r.baseModel());
        assertFalse(r.usesSlices());
        assertEquals(List.of("./a", "./b"), r.models().stream().map(ModelEntry::model).toList());
        assertEquals(Scalar.of(0.7), r.models().get(0).parameters().get("weight"));
        assertEquals(Scalar.of(true), r.parameters().get("normalize"));
        assertEquals("bfloat16", r.dtype());
        assertTrue(r.layerPath().isEmpty());
    }

    @Test
    void tiesWithBaseAndPerModelParameters() {
        MergeRecipe r = RecipeParser.parse(TIES, "ties.yaml");
        assertEquals("./base", r.baseModel());
        assertEquals(new Gradient(List.of(1.0, 0.5)), r.models().get(0).parameters().get("weight"));
        assertEquals(Scalar.of(0.7), r.models().get(1).parameters().get("density"));
        assertEquals(Scalar.of(false), r.parameters().get("normalize"));
        assertEquals("float16", r.dtype());
        assertEquals("bfloat16", r.outDtype());
        assertEquals("base", r.tokenizerSource());
    }

    @Test
    void slerpWithFilterListsOfGradients() {
        MergeRecipe r = RecipeParser.parse(SLERP, "slerp.yaml");
        assertTrue(r.usesSlices());
        assertEquals(new LayerRange(0, 8), r.slices().getFirst().sources().get(1).layerRange());
        Filtered t = (Filtered) r.parameters().get("t");
        assertEquals(List.of(
                new FilterEntry("self_attn", new Gradient(List.of(0.0, 0.5, 0.3, 0.7, 1.0))),
                new FilterEntry("mlp", new Gradient(List.of(1.0, 0.5, 0.7, 0.3, 0.0))),
                new FilterEntry(null, Scalar.of(0.5))), t.entries());
    }

    @Test
    void passthroughSlicesAndLayerPath() {
        MergeRecipe r = RecipeParser.parse(PASSTHROUGH, "pass.yaml");
        assertEquals(2, r.slices().size());
        assertEquals(new LayerRange(2, 6), r.slices().get(1).sources().getFirst().layerRange());
        assertEquals(Map.of("scale", Scalar.of(0.5)), r.slices().get(1).sources().getFirst().parameters());
        assertEquals(List.of(new LayerStep("./a", 0, 1.0), new LayerStep("./b", 3, 1.0)), r.layerPath());
    }

    @Test
    void parameterSitesCarryTheirLines() {
        MergeRecipe r = RecipeParser.parse(TIES, "ties.yaml");
        List<ParameterSite> sites = r.parameterSites();
        ParameterSite weight = sites.stream().filter(s -> s.path().equals("models[1].parameters.weight"))
                .findFirst().orElseThrow();
        assertEquals("ties.yaml:11", weight.where());
        assertEquals("./code", weight.model());
        ParameterSite mask = sites.stream().filter(s -> s.name().equals("int8_mask")).findFirst().orElseThrow();
        assertEquals("ties.yaml:14", mask.where());
        assertNull(mask.model());
        assertEquals(6, sites.size());
        assertEquals("ties.yaml:1", r.origin().at("merge_method"));
    }

    @Test
    void sourceLevelSitesNameTheirSource() {
        MergeRecipe r = RecipeParser.parse(PASSTHROUGH, "pass.yaml");
        ParameterSite scale = r.parameterSites().getFirst();
        assertEquals("slices[1].sources[0].parameters.scale", scale.path());
        assertEquals("pass.yaml:10", scale.where());
        assertEquals("./b", scale.model());
    }

    @Test
    void parsesFilesNamingThemInErrors(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("recipe.yaml");
        Files.writeString(file, LINEAR);
        assertEquals(RecipeParser.parse(LINEAR, "x"), RecipeParser.parse(file));
        assertEquals(file + ":1", RecipeParser.parse(file).origin().at("merge_method"));
        Path missing = dir.resolve("missing.yaml");
        assertEquals(missing + ": cannot read recipe: no such file",
                assertThrows(RecipeException.class, () -> RecipeParser.parse(missing)).getMessage());
        Files.write(file, new byte[] {'a', ':', ' ', (byte) 0xff, '\n'});
        assertEquals(file + ": cannot read recipe: not UTF-8 text",
                assertThrows(RecipeException.class, () -> RecipeParser.parse(file)).getMessage());
    }

    /**
     * Anchors, aliases and merge keys mean what yaml.safe_load makes of them. Read as plain strings (as Jackson's
     * YAML parser hands them over), the filter alias below matched "f" and merged the wrong tensors.
     */
    @Test
    void aliasesAndMergeKeysAreResolved() {
        MergeRecipe r = RecipeParser.parse("""
                merge_method: ties
                base_model: ./base
                models:
                  - model: ./a
                    parameters: &common
                      weight: [{filter: &f mlp, value: &w 0.25}, {value: 1.0}]
                      density: 0.5
                  - model: ./b
                    parameters:
                      <<: *common
                      density: *w
                  - model: ./c
                    parameters: {weight: [{filter: *f, value: 0.0}, {value: 1.0}]}
                """, "alias.yaml");
        Map<String, ParameterValue> a = r.models().get(0).parameters();
        Map<String, ParameterValue> b = r.models().get(1).parameters();
        assertEquals(new Filtered(List.of(new FilterEntry("mlp", Scalar.of(0.25)), new FilterEntry(null, Scalar.of(1.0)))),
                a.get("weight"));
        assertEquals(a.get("weight"), b.get("weight"));
        assertEquals(Scalar.of(0.25), b.get("density"));   // the explicit key wins over the merged one
        assertEquals("mlp", ((Filtered) r.models().get(2).parameters().get("weight")).entries().getFirst().filter());
    }

    @Test
    void numbersWrittenInExponentFormAreNumbers() {
        MergeRecipe r = RecipeParser.parse("""
                merge_method: ties
                models:
                  - model: ./a
                    parameters: {density: 1e-4, weight: -0.0}
                """, "e.yaml");
        assertEquals(Scalar.of(1e-4), r.models().getFirst().parameters().get("density"));
        assertEquals(Scalar.of(0.0), r.models().getFirst().parameters().get("weight"));
    }
}
