package dev.evomerge.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Every invalid recipe gives one line naming the file, the line and the key. */
class RecipeErrorsTest {

    private static String error(String yaml) {
        RecipeException e = assertThrows(RecipeException.class, () -> RecipeParser.parse(yaml, "recipe.yaml"));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    @Test
    void unknownTopLevelKey() {
        assertEquals("recipe.yaml:3: unknown key 'paramters' at top level (expected one of base_model, dtype, "
                        + "layer_path, merge_method, models, out_dtype, parameters, slices, tokenizer_source)",
                error("""
                        merge_method: linear
                        models: [{model: ./a}]
                        paramters: {weight: 1}
                        """));
    }

    @Test
    void unknownKeyInModelEntry() {
        assertEquals("recipe.yaml:5: unknown key 'weigth' in models[1] (expected one of model, parameters)",
                error("""
                        merge_method: linear
                        models:
                          - model: ./a
                          - model: ./b
                            weigth: 0.5
                        """));
    }

    @Test
    void unknownKeyInSliceSource() {
        assertEquals("recipe.yaml:6: unknown key 'layers' in slices[0].sources[0] "
                        + "(expected one of layer_range, model, parameters)",
                error("""
                        merge_method: passthrough
                        slices:
                          - sources:
                              - model: ./a
                                layer_range: [0, 2]
                                layers: 3
                        """));
    }

    @Test
    void unsupportedMergekitKey() {
        assertEquals("recipe.yaml:3: key 'modules' is not supported by evomerge", error("""
                merge_method: linear
                models: [{model: ./a}]
                modules: {}
                """));
    }

    @Test
    void layerRangeNotTwoIntegers() {
        assertEquals("recipe.yaml:5: 'layer_range' in slices[0].sources[0] must be [start, end] with two integers",
                error("""
                        merge_method: passthrough
                        slices:
                          - sources:
                              - model: ./a
                                layer_range: [0, 2.5]
                        """));
        assertEquals("recipe.yaml:5: 'layer_range' in slices[0].sources[0] must be [start, end] with two integers",
                error("""
                        merge_method: passthrough
                        slices:
                          - sources:
                              - model: ./a
                                layer_range: [0, 1, 2]
                        """));
    }

    @Test
    void layerRangeStartNotBelowEnd() {
        assertEquals("recipe.yaml:5: 'layer_range' in slices[0].sources[0] is empty: start 4 must be below end 4",
                error("""
                        merge_method: passthrough
                        slices:
                          - sources:
                              - model: ./a
                                layer_range: [4, 4]
                        """));
    }

    @Test
    void slicesSourcesOfDifferentLengths() {
        assertEquals("recipe.yaml:7: slices[0].sources[1].layer_range covers 3 layers but slices[0].sources[0] "
                        + "covers 2: all sources of a slice must match",
                error("""
                        merge_method: slerp
                        slices:
                          - sources:
                              - model: ./a
                                layer_range: [0, 2]
                              - model: ./b
                                layer_range: [0, 3]
                        """));
    }

    @Test
    void missingMergeMethod() {
        assertEquals("recipe.yaml:1: missing key 'merge_method'", error("""
                models:
                  - model: ./a
                """));
    }

    @Test
    void bothModelsAndSlices() {
        assertEquals("recipe.yaml:3: give either 'models' or 'slices', not both", error("""
                merge_method: linear
                models: [{model: ./a}]
                slices: [{sources: [{model: ./a, layer_range: [0, 1]}]}]
                """));
    }

    @Test
    void neitherModelsNorSlices() {
        assertEquals("recipe.yaml:1: missing key 'models' or 'slices'", error("""
                merge_method: linear
                dtype: float32
                """));
    }

    @Test
    void emptyLists() {
        assertEquals("recipe.yaml:2: 'models' is empty", error("""
                merge_method: linear
                models: []
                """));
        assertEquals("recipe.yaml:3: 'slices[0].sources' is empty", error("""
                merge_method: passthrough
                slices:
                  - sources: []
                """));
    }

    @Test
    void parameterValueOfWrongType() {
        assertEquals("recipe.yaml:5: invalid value for 'models[0].parameters.weight': expected a number, a boolean, "
                        + "a list of numbers or a list of {filter, value}, got a string 'heavy'",
                error("""
                        merge_method: linear
                        models:
                          - model: ./a
                            parameters:
                              weight: heavy
                        """));
    }

    @Test
    void gradientWithNonNumber() {
        assertEquals("recipe.yaml:3: invalid value for 'parameters.t': expected a number, a boolean, a list of "
                        + "numbers or a list of {filter, value}, got a list containing a string 'x'",
                error("""
                        merge_method: slerp
                        models: [{model: ./a}]
                        parameters: {t: [0, x]}
                        """));
    }

    @Test
    void filterEntryWithUnknownKey() {
        assertEquals("recipe.yaml:6: unknown key 'fitler' in filter entry parameters.t[0] (expected filter, value)",
                error("""
                        merge_method: slerp
                        models: [{model: ./a}]
                        parameters:
                          t:
                            - value: 1
                              fitler: mlp
                        """));
    }

    @Test
    void filterEntryWithoutValue() {
        assertEquals("recipe.yaml:6: missing key 'value' in filter entry parameters.t[1]", error("""
                merge_method: slerp
                models: [{model: ./a}]
                parameters:
                  t:
                    - {filter: mlp, value: 0.2}
                    - filter: self_attn
                """));
    }

    @Test
    void filterEntryCannotNest() {
        assertEquals("recipe.yaml:5: invalid value for 'parameters.t[0].value': expected a number, a boolean or "
                        + "a list of numbers, got a list containing a map",
                error("""
                        merge_method: slerp
                        models: [{model: ./a}]
                        parameters:
                          t:
                            - value: [{value: 1}]
                        """));
    }

    @Test
    void bareFilterMapOutsideList() {
        assertEquals("recipe.yaml:4: invalid value for 'parameters.t': expected a number, a boolean, a list of "
                        + "numbers or a list of {filter, value}, got a map (write a filter entry inside a list: "
                        + "- {filter: ..., value: ...})",
                error("""
                        merge_method: slerp
                        models: [{model: ./a}]
                        parameters:
                          t: {filter: mlp, value: 1}
                        """));
    }

    @Test
    void duplicateModelAndDuplicateKey() {
        assertEquals("recipe.yaml:4: model './a' is listed twice in 'models'", error("""
                merge_method: linear
                models:
                  - model: ./a
                  - model: ./a
                """));
        assertEquals("recipe.yaml:3: duplicate key 'merge_method'", error("""
                merge_method: linear
                models: [{model: ./a}]
                merge_method: ties
                """));
    }

    @Test
    void unknownDtype() {
        assertEquals("recipe.yaml:3: unknown dtype 'int4' (expected float32, float16 or bfloat16)", error("""
                merge_method: linear
                models: [{model: ./a}]
                dtype: int4
                """));
    }

    @Test
    void modelNotAString() {
        assertEquals("recipe.yaml:3: 'model' in models[0] must be a string, got a list", error("""
                merge_method: linear
                models:
                  - model: [./a]
                """));
    }

    @Test
    void badLayerPathStep() {
        assertEquals("recipe.yaml:5: 'layer' in layer_path[1] must be an integer >= 0", error("""
                merge_method: linear
                models: [{model: ./a}]
                layer_path:
                  - {model: ./a, layer: 0}
                  - {model: ./a, layer: -1}
                """));
    }

    @Test
    void invalidYamlSyntax() {
        String msg = error("""
                merge_method: linear
                models: [{model: ./a}
                """);
        assertEquals(true, msg.startsWith("recipe.yaml:"), msg);
        assertEquals(true, msg.contains("invalid YAML"), msg);
        // The problem itself, not only the construct it was found in.
        assertEquals("recipe.yaml:3: invalid YAML: while parsing a flow mapping: expected ',' or '}', but got :",
                error("""
                        merge_method: linear
                        models: [{model: ./a
                          parameters: {weight: 1}}]
                        """));
    }

    /** yaml.safe_load, hence mergekit, refuses a stream of several documents; so do we, rather than read the first. */
    @Test
    void secondDocument() {
        String msg = error("""
                merge_method: linear
                models: [{model: ./a}]
                ---
                merge_method: ties
                """);
        assertEquals(true, msg.startsWith("recipe.yaml:3: invalid YAML: expected a single document in the stream"),
                msg);
    }

    @Test
    void sameModelTwiceInOneSlice() {
        assertEquals("recipe.yaml:5: model './a' appears twice in slices[0]; a slice takes each model once"
                + " (mergekit would keep only the last)", error("""
                merge_method: linear
                slices:
                  - sources:
                      - {model: ./a, layer_range: [0, 2]}
                      - {model: ./a, layer_range: [2, 4]}
                """));
    }

    @Test
    void aliasThatContainsItself() {
        assertEquals("recipe.yaml:2: invalid YAML: an alias refers to a node that contains it", error("""
                merge_method: linear
                models: &m [{model: ./a, parameters: {weight: *m}}]
                """));
    }

    @Test
    void notANumberIsRefusedAsOne() {
        assertEquals("recipe.yaml:3: invalid value for 'models[0].parameters.weight': numbers must be finite, got NaN",
                error("""
                        merge_method: linear
                        models:
                          - {model: ./a, parameters: {weight: .nan}}
                        """));
    }

    @Test
    void mergekitKeysEvomergeDoesNotSupport() {
        assertEquals("recipe.yaml:3: tokenizer_source 'union' (a merged vocabulary) is not supported by evomerge;"
                + " use base or a model's path", error("""
                merge_method: linear
                models: [{model: ./a}]
                tokenizer_source: union
                """));
        assertEquals("recipe.yaml:5: key 'residual_weight' in slices[0] is not supported by evomerge", error("""
                merge_method: passthrough
                slices:
                  - sources:
                      - {model: ./a, layer_range: [0, 2]}
                    residual_weight: 0.5
                """));
    }

    @Test
    void emptyDocumentAndNonMap() {
        assertEquals("recipe.yaml:1: recipe is empty", error(""));
        assertEquals("recipe.yaml:1: a recipe must be a map of keys (merge_method, models, ...), got a list",
                error("- merge_method: linear\n"));
    }
}
