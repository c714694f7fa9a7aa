package dev.evomerge.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every invalid recipe gives one line naming the file, the line and the key. */
class RecipeErrorsTest {

    private static String error(String yaml) {
        RecipeException e = assertThrows(RecipeException.class, () -> RecipeParser.parse(yaml, "recipe.yaml"));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e.getMessage();
    }

    static Stream<Arguments> invalidRecipes() {
        return Stream.of(
                refused("unknown top level key", """
                        merge_method: linear
                        models: [{model: ./a}]
                        paramters: {weight: 1}
                        """,
                        "recipe.yaml:3: unknown key 'paramters' at top level (expected one of base_model, dtype, "
                        + "layer_path, merge_method, models, out_dtype, parameters, slices, tokenizer_source)"),
                refused("unknown key in model entry", """
                        merge_method: linear
                        models:
                          - model: ./a
                          - model: ./b
                            weigth: 0.5
                        """,
                        "recipe.yaml:5: unknown key 'weigth' in models[1] (expected one of model, parameters)"),
                refused("unknown key in slice source", """
                        merge_method: passthrough
                        slices:
                          - sources:
                              - model: ./a
                                layer_range: [0, 2]
                                layers: 3
                        """,
                        "recipe.yaml:6: unknown key 'layers' in slices[0].sources[0] "
                        + "(expected one of layer_range, model, parameters)"),
                refused("unsupported mergekit key", """
                        merge_method: linear
                        models: [{model: ./a}]
                        modules: {}
                        """,
                        "recipe.yaml:3: key 'modules' is not supported by evomerge"),
                refused("layer range not two integers (1)", """
                        merge_method: passthrough
                        slices:
                          - sources:
                              - model: ./a
                                layer_range: [0, 2.5]
                        """,
                        "recipe.yaml:5: 'layer_range' in slices[0].sources[0] must be [start, end] with two integers"),
                refused("layer range not two integers (2)", """
                        merge_method: passthrough
                        slices:
                          - sources:
                              - model: ./a
                                layer_range: [0, 1, 2]
                        """,
                        "recipe.yaml:5: 'layer_range' in slices[0].sources[0] must be [start, end] with two integers"),
                refused("layer range start not below end", """
                        merge_method: passthrough
                        slices:
                          - sources:
                              - model: ./a
                                layer_range: [4, 4]
                        """,
                        "recipe.yaml:5: 'layer_range' in slices[0].sources[0] is empty: start 4 must be below end 4"),
                refused("slices sources of different lengths", """
                        merge_method: slerp
                        slices:
                          - sources:
                              - model: ./a
                                layer_range: [0, 2]
                              - model: ./b
                                layer_range: [0, 3]
                        """,
                        "recipe.yaml:7: slices[0].sources[1].layer_range covers 3 layers but slices[0].sources[0] "
                        + "covers 2: all sources of a slice must match"),
                refused("missing merge method", """
                        models:
                          - model: ./a
                        """,
                        "recipe.yaml:1: missing key 'merge_method'"),
                refused("both models and slices", """
                        merge_method: linear
                        models: [{model: ./a}]
                        slices: [{sources: [{model: ./a, layer_range: [0, 1]}]}]
                        """,
                        "recipe.yaml:3: give either 'models' or 'slices', not both"),
                refused("neither models nor slices", """
                        merge_method: linear
                        dtype: float32
                        """,
                        "recipe.yaml:1: missing key 'models' or 'slices'"),
                refused("empty lists (1)", """
                        merge_method: linear
                        models: []
                        """,
                        "recipe.yaml:2: 'models' is empty"),
                refused("empty lists (2)", """
                        merge_method: passthrough
                        slices:
                          - sources: []
                        """,
                        "recipe.yaml:3: 'slices[0].sources' is empty"),
                refused("parameter value of wrong type", """
                        merge_method: linear
                        models:
                          - model: ./a
                            parameters:
                              weight: heavy
                        """,
                        "recipe.yaml:5: invalid value for 'models[0].parameters.weight': expected a number, a boolean, "
                        + "a list of numbers or a list of {filter, value}, got a string 'heavy'"),
                refused("gradient with non number", """
                        merge_method: slerp
                        models: [{model: ./a}]
                        parameters: {t: [0, x]}
                        """,
                        "recipe.yaml:3: invalid value for 'parameters.t': expected a number, a boolean, a list of "
                        + "numbers or a list of {filter, value}, got a list containing a string 'x'"),
                refused("filter entry with unknown key", """
                        merge_method: slerp
                        models: [{model: ./a}]
                        parameters:
                          t:
                            - value: 1
                              fitler: mlp
                        """,
                        "recipe.yaml:6: unknown key 'fitler' in filter entry parameters.t[0] (expected filter, value)"),
                refused("filter entry without value", """
                        merge_method: slerp
                        models: [{model: ./a}]
                        parameters:
                          t:
                            - {filter: mlp, value: 0.2}
                            - filter: self_attn
                        """,
                        "recipe.yaml:6: missing key 'value' in filter entry parameters.t[1]"),
                refused("filter entry cannot nest", """
                        merge_method: slerp
                        models: [{model: ./a}]
                        parameters:
                          t:
                            - value: [{value: 1}]
                        """,
                        "recipe.yaml:5: invalid value for 'parameters.t[0].value': expected a number, a boolean or "
                        + "a list of numbers, got a list containing a map"),
                refused("bare filter map outside list", """
                        merge_method: slerp
                        models: [{model: ./a}]
                        parameters:
                          t: {filter: mlp, value: 1}
                        """,
                        "recipe.yaml:4: invalid value for 'parameters.t': expected a number, a boolean, a list of "
                        + "numbers or a list of {filter, value}, got a map (write a filter entry inside a list: "
                        + "- {filter: ..., value: ...})"),
                refused("duplicate model and duplicate key (1)", """
                        merge_method: linear
                        models:
                          - model: ./a
                          - model: ./a
                        """,
                        "recipe.yaml:4: model './a' is listed twice in 'models'"),
                refused("duplicate model and duplicate key (2)", """
                        merge_method: linear
                        models: [{model: ./a}]
                        merge_method: ties
                        """,
                        "recipe.yaml:3: duplicate key 'merge_method'"),
                refused("unknown dtype", """
                        merge_method: linear
                        models: [{model: ./a}]
                        dtype: int4
                        """,
                        "recipe.yaml:3: unknown dtype 'int4' (expected float32, float16 or bfloat16)"),
                refused("model not a string", """
                        merge_method: linear
                        models:
                          - model: [./a]
                        """,
                        "recipe.yaml:3: 'model' in models[0] must be a string, got a list"),
                refused("bad layer path step", """
                        merge_method: linear
                        models: [{model: ./a}]
                        layer_path:
                          - {model: ./a, layer: 0}
                          - {model: ./a, layer: -1}
                        """,
                        "recipe.yaml:5: 'layer' in layer_path[1] must be an integer >= 0"),
                refused("same model twice in one slice", """
                        merge_method: linear
                        slices:
                          - sources:
                              - {model: ./a, layer_range: [0, 2]}
                              - {model: ./a, layer_range: [2, 4]}
                        """,
                        "recipe.yaml:5: model './a' appears twice in slices[0]; a slice takes each model once"
                        + " (mergekit would keep only the last)"),
                refused("alias that contains itself", """
                        merge_method: linear
                        models: &m [{model: ./a, parameters: {weight: *m}}]
                        """,
                        "recipe.yaml:2: invalid YAML: an alias refers to a node that contains it"),
                refused("not a number is refused as one", """
                        merge_method: linear
                        models:
                          - {model: ./a, parameters: {weight: .nan}}
                        """,
                        "recipe.yaml:3: invalid value for 'models[0].parameters.weight': numbers must be finite, got NaN"),
                refused("mergekit keys evomerge does not support (1)", """
                        merge_method: linear
                        models: [{model: ./a}]
                        tokenizer_source: union
                        """,
                        "recipe.yaml:3: tokenizer_source 'union' (a merged vocabulary) is not supported by evomerge;"
                        + " use base or a model's path"),
                refused("mergekit keys evomerge does not support (2)", """
                        merge_method: passthrough
                        slices:
                          - sources:
                              - {model: ./a, layer_range: [0, 2]}
                            residual_weight: 0.5
                        """,
                        "recipe.yaml:5: key 'residual_weight' in slices[0] is not supported by evomerge"),
                refused("empty document and non map (1)", "",
                        "recipe.yaml:1: recipe is empty"),
                refused("empty document and non map (2)", "- merge_method: linear\n",
                        "recipe.yaml:1: a recipe must be a map of keys (merge_method, models, ...), got a list"));
    }

    private static Arguments refused(String what, String yaml, String message) {
        return Arguments.of(what, yaml, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidRecipes")
    void anInvalidRecipeIsRefusedInOneLineNamingFileLineAndKey(String what, String yaml, String message) {
        assertEquals(message, error(yaml));
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

}
