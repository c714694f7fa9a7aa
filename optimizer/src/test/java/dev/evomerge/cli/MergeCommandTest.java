package dev.evomerge.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evomerge.checkpoint.Checkpoint;
import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Floats;
import dev.evomerge.checkpoint.TensorView;
import dev.evomerge.checkpoint.SyntheticCheckpoints;
import dev.evomerge.checkpoint.TensorSpec;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** End to end: tiny Llama checkpoints built here, merged through the CLI, read back. */
class MergeCommandTest {

    private static final int LAYERS = 3;
    private static final int HIDDEN = 16;
    private static final int INTER = 40;
    private static final int VOCAB = 48;

    @TempDir
    Path tmp;
    Path base;
    Path a;
    Path b;
    Path out;
    final StringWriter err = new StringWriter();

    @BeforeEach
    void models() {
        base = SyntheticCheckpoints.llama(tmp.resolve("base"), LAYERS, HIDDEN, INTER, VOCAB, DType.BF16, 1);
        a = SyntheticCheckpoints.fineTune(base, tmp.resolve("a"), 0.1f, 2);
        b = SyntheticCheckpoints.fineTune(base, tmp.resolve("b"), 0.1f, 3);
        out = tmp.resolve("out");
    }

    private int merge(String yaml, String... extra) throws IOException {
        Path recipe = tmp.resolve("recipe.yaml");
        Files.writeString(recipe, yaml.replace("$BASE", base.toString()).replace("$A", a.toString())
                .replace("$B", b.toString()));
        String[] args = Stream.concat(Stream.of("merge", recipe.toString(), "--out", out.toString(), "--quiet"),
                Stream.of(extra)).toArray(String[]::new);
        return Main.run(new PrintWriter(err, true), args);
    }

    /** A recipe of each method added after mergekit 0.1.4, over the tiny checkpoints. */
    static Stream<org.junit.jupiter.params.provider.Arguments> laterMethods() {
        return Stream.of(
                org.junit.jupiter.params.provider.Arguments.of("nuslerp", """
                        merge_method: nuslerp
                        models:
                          - {model: $A, parameters: {weight: 0.3}}
                          - {model: $B, parameters: {weight: 0.7}}
                        dtype: float32
                        """),
                org.junit.jupiter.params.provider.Arguments.of("nuslerp", """
                        merge_method: nuslerp
                        base_model: $BASE
                        models:
                          - {model: $A, parameters: {weight: 1.0}}
                          - {model: $B, parameters: {weight: 1.0}}
                        parameters: {nuslerp_flatten: false, nuslerp_row_wise: true}
                        dtype: float32
                        """),
                org.junit.jupiter.params.provider.Arguments.of("multislerp", """
                        merge_method: multislerp
                        base_model: $BASE
                        models:
                          - {model: $A, parameters: {weight: 0.6}}
                          - {model: $B, parameters: {weight: 0.4}}
                        dtype: float32
                        """),
                org.junit.jupiter.params.provider.Arguments.of("karcher", """
                        merge_method: karcher
                        base_model: $BASE
                        models: [{model: $A}, {model: $B}]
                        dtype: float32
                        """),
                org.junit.jupiter.params.provider.Arguments.of("sce", """
                        merge_method: sce
                        base_model: $BASE
                        models: [{model: $A}, {model: $B}]
                        parameters: {select_topk: 0.5}
                        dtype: float32
                        """),
                org.junit.jupiter.params.provider.Arguments.of("ram", """
                        merge_method: ram
                        base_model: $BASE
                        models: [{model: $A}, {model: $B}]
                        parameters: {epsilon: 0.05}
                        dtype: float32
                        """),
                org.junit.jupiter.params.provider.Arguments.of("ramplus_tl", """
                        merge_method: ramplus_tl
                        base_model: $BASE
                        models: [{model: $A}, {model: $B}]
                        parameters: {epsilon: 0.05, r: 0.5, alpha: 0.5}
                        dtype: float32
                        """),
                org.junit.jupiter.params.provider.Arguments.of("nearswap", """
                        merge_method: nearswap
                        base_model: $BASE
                        models: [{model: $A}]
                        parameters: {t: 0.05}
                        dtype: float32
                        """),
                org.junit.jupiter.params.provider.Arguments.of("arcee_fusion", """
                        merge_method: arcee_fusion
                        base_model: $BASE
                        models: [{model: $A}]
                        dtype: float32
                        """));
    }

    /**
     * The CLI's merge of each spherical and per-element method, read back, is what the method makes of the same tensors called
     * directly (the base handed over as the method takes it: as its base, or as one more model for karcher).
     */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource("laterMethods")
    void laterMethodsMergeThroughTheCli(String method, String yaml) throws IOException {
        assertEquals(0, merge(yaml), err.toString());
        var recipe = dev.evomerge.recipe.RecipeParser.parse(tmp.resolve("recipe.yaml"));
        var m = dev.evomerge.merge.MergeMethods.byName(method);
        try (Checkpoint merged = Checkpoint.open(out); Checkpoint cBase = Checkpoint.open(base);
             Checkpoint ca = Checkpoint.open(a); Checkpoint cb = Checkpoint.open(b)) {
            assertEquals(java.util.Set.copyOf(cBase.tensorNames()), java.util.Set.copyOf(merged.tensorNames()));
            int changed = 0;
            for (String name : merged.tensorNames()) {
                java.util.List<dev.evomerge.merge.MergeInputs.Source> sources = new java.util.ArrayList<>();
                for (var entry : recipe.models()) {
                    Checkpoint c = entry.model().equals(a.toString()) ? ca : cb;
                    java.util.Map<String, Object> p = new java.util.HashMap<>();
                    entry.parameters().forEach((k, v) -> p.put(k, ((dev.evomerge.recipe.ParameterValue.Scalar) v).value()));
                    sources.add(new dev.evomerge.merge.MergeInputs.Source(c.tensor(name),
                            dev.evomerge.merge.Parameters.of(p)));
                }
                TensorView baseView = null;
                if (recipe.baseModel() != null && m.takesBase()) {
                    baseView = cBase.tensor(name);
                } else if (recipe.baseModel() != null) {
                    sources.add(new dev.evomerge.merge.MergeInputs.Source(cBase.tensor(name),
                            dev.evomerge.merge.Parameters.of(java.util.Map.of())));
                }
                java.util.Map<String, Object> global = new java.util.HashMap<>();
                recipe.parameters().forEach((k, v) -> global.put(k, ((dev.evomerge.recipe.ParameterValue.Scalar) v).value()));
                TensorView got = merged.tensor(name);
                var want = java.lang.foreign.Arena.ofAuto().allocate(got.elementCount() * 4);
                m.merge(new dev.evomerge.merge.MergeInputs(baseView, sources, dev.evomerge.merge.Parameters.of(global),
                        1L), want, DType.F32);
                for (long i = 0; i < got.elementCount(); i++) {
                    assertEquals(Floats.read(want, DType.F32, i), got.getFloat(i), name + "[" + i + "]");
                    changed += got.getFloat(i) != cBase.tensor(name).getFloat(i) ? 1 : 0;
                }
            }
            assertTrue(changed > 0, "the merge moved away from the base");
        }
    }

    @Test
    void linearMergeIsTheNormalizedWeightedAverage() throws IOException {
        int code = merge("""
                merge_method: linear
                models:
                  - model: $A
                    parameters: {weight: 1.0}
                  - model: $B
                    parameters: {weight: 3.0}
                dtype: float32
                """);
        assertEquals(0, code, err.toString());
        try (Checkpoint m = Checkpoint.open(out); Checkpoint ca = Checkpoint.open(a); Checkpoint cb = Checkpoint.open(b)) {
            for (String name : m.tensorNames()) {
                TensorView t = m.tensor(name);
                assertEquals(DType.F32, t.dtype());
                for (long i = 0; i < t.elementCount(); i++) {
                    float expected = (ca.tensor(name).getFloat(i) + 3 * cb.tensor(name).getFloat(i)) / 4;
                    assertEquals(expected, t.getFloat(i), 1e-6f, name + "[" + i + "]");
                }
            }
            assertEquals("float32", m.config().get("torch_dtype").asText());
        }
    }

    @Test
    void taskArithmeticAddsWeightedTaskVectorsToTheBase() throws IOException {
        int code = merge("""
                merge_method: task_arithmetic
                base_model: $BASE
                models:
                  - model: $A
                    parameters: {weight: 0.5}
                  - model: $B
                    parameters: {weight: 0.25}
                """);
        assertEquals(0, code, err.toString());
        try (Checkpoint m = Checkpoint.open(out); Checkpoint c0 = Checkpoint.open(base);
             Checkpoint ca = Checkpoint.open(a); Checkpoint cb = Checkpoint.open(b)) {
            TensorView t = m.tensor("model.layers.1.mlp.up_proj.weight");
            assertEquals(DType.BF16, t.dtype());
            for (long i = 0; i < t.elementCount(); i++) {
                float x0 = c0.tensor(t.name()).getFloat(i);
                float expected = x0 + 0.5f * (ca.tensor(t.name()).getFloat(i) - x0)
                        + 0.25f * (cb.tensor(t.name()).getFloat(i) - x0);
                assertEquals(Floats.bf16ToFloat(Floats.floatToBf16(expected)), t.getFloat(i),
                        Math.ulp(expected) * 256, "element " + i);
            }
        }
    }

    @Test
    void outputIsACompleteModelDirectory() throws IOException {
        String yaml = """
                merge_method: ties
                base_model: $BASE
                models:
                  - model: $A
                    parameters: {weight: 1.0, density: 0.5}
                  - model: $B
                    parameters: {weight: 1.0, density: 0.5}
                """;
        assertEquals(0, merge(yaml, "--max-shard-size", "20000"), err.toString());
        assertTrue(Files.exists(out.resolve("model.safetensors.index.json")), "sharded above 20 kB");
        assertTrue(Files.exists(out.resolve("tokenizer.json")), "tokenizer copied from the base");
        String card = Files.readString(out.resolve("README.md"));
        assertTrue(card.contains("merge_method: ties"), card);
        try (Checkpoint m = Checkpoint.open(out); Checkpoint c0 = Checkpoint.open(base)) {
            assertEquals(c0.tensorNames().size(), m.tensorNames().size());
            assertEquals(LAYERS, m.config().get("num_hidden_layers").asInt());
        }
        try (Stream<Path> siblings = Files.list(tmp)) {
            assertFalse(siblings.anyMatch(p -> p.getFileName().toString().contains(".tmp-")), "no temp dir left");
        }
    }

    @Test
    void passthroughSlicesStackLayersFromSeveralModels() throws IOException {
        int code = merge("""
                merge_method: passthrough
                slices:
                  - sources: [{model: $A, layer_range: [0, 2]}]
                  - sources: [{model: $B, layer_range: [1, 3]}]
                """);
        assertEquals(0, code, err.toString());
        try (Checkpoint m = Checkpoint.open(out); Checkpoint cb = Checkpoint.open(b)) {
            assertEquals(4, m.config().get("num_hidden_layers").asInt());
            assertBytesEqual(cb.tensor("model.layers.1.self_attn.q_proj.weight"),
                    m.tensor("model.layers.2.self_attn.q_proj.weight"));
            assertBytesEqual(cb.tensor("model.norm.weight"), m.tensor("model.norm.weight"));
        }
    }

    @Test
    void dareTiesIsReproducible() throws IOException {
        String yaml = """
                merge_method: dare_ties
                base_model: $BASE
                models:
                  - model: $A
                    parameters: {weight: 0.7, density: 0.3}
                  - model: $B
                    parameters: {weight: 0.6, density: 0.4}
                """;
        assertEquals(0, merge(yaml), err.toString());
        Path first = tmp.resolve("first");
        Files.move(out, first);
        assertEquals(0, merge(yaml), err.toString());
        try (Checkpoint x = Checkpoint.open(first); Checkpoint y = Checkpoint.open(out)) {
            for (String name : x.tensorNames()) {
                assertBytesEqual(x.tensor(name), y.tensor(name));
            }
        }
    }

    @Test
    void unknownParameterIsReportedWithItsLine() throws IOException {
        int code = merge("""
                merge_method: ties
                base_model: $BASE
                models:
                  - model: $A
                    parameters:
                      weigth: 1.0
                """);
        assertEquals(Main.BAD_INPUT, code);
        assertTrue(err.toString().contains("recipe.yaml:6: unknown parameter 'weigth'"), err.toString());
        assertFalse(Files.exists(out));
    }

    @Test
    void unknownMethodIsReportedEvenWhenModelsAreMissing() throws IOException {
        int code = merge("""
                merge_method: tiez
                models:
                  - model: /nonexistent/model
                """);
        assertEquals(Main.BAD_INPUT, code);
        assertTrue(err.toString().contains("recipe.yaml:1: unknown merge_method 'tiez'"), err.toString());
        assertFalse(Files.exists(out));
    }

    @Test
    void missingModelIsReportedBeforeAnythingIsWritten() throws IOException {
        int code = merge("""
                merge_method: linear
                models:
                  - model: $A
                    parameters: {weight: 1}
                  - model: /nonexistent/model
                    parameters: {weight: 1}
                """);
        assertEquals(Main.BAD_INPUT, code);
        assertTrue(err.toString().contains("recipe.yaml:5: model '/nonexistent/model' not found"), err.toString());
        assertFalse(Files.exists(out));
    }

    @Test
    void missingRequiredParameterIsAnError() throws IOException {
        int code = merge("""
                merge_method: slerp
                base_model: $BASE
                models:
                  - model: $BASE
                  - model: $A
                """);
        assertEquals(Main.BAD_INPUT, code);
        assertTrue(err.toString().contains("needs parameter 't'"), err.toString());
        assertFalse(Files.exists(out));
    }

    @Test
    void mismatchedShapesNameTheTensor() throws IOException {
        Path wide = SyntheticCheckpoints.llama(tmp.resolve("wide"), LAYERS, HIDDEN, INTER + 8, VOCAB, DType.BF16, 4);
        int code = merge("""
                merge_method: linear
                models:
                  - model: $A
                    parameters: {weight: 1}
                  - model: %s
                    parameters: {weight: 1}
                """.formatted(wide));
        assertEquals(Main.BAD_INPUT, code);
        assertTrue(err.toString().contains("tensor 'model.layers.0.mlp.gate_proj.weight': shape [48, 16]"),
                err.toString());
        assertFalse(Files.exists(out));
    }

    @Test
    void tensorMissingFromOneModelNamesTheModelAndTensor() throws IOException {
        var json = new ObjectMapper();
        var config = SyntheticCheckpoints.llamaConfig(LAYERS, HIDDEN, INTER, VOCAB, DType.BF16);
        var specs = SyntheticCheckpoints.llamaSpecs(LAYERS, HIDDEN, INTER, VOCAB, DType.BF16).stream()
                .filter(s -> !s.name().equals("model.layers.2.mlp.down_proj.weight")).toList();
        Path holey = SyntheticCheckpoints.write(tmp.resolve("holey"), config, specs, 5, Long.MAX_VALUE);
        int code = merge("""
                merge_method: linear
                models:
                  - model: $A
                    parameters: {weight: 1}
                  - model: %s
                    parameters: {weight: 1}
                """.formatted(holey));
        assertEquals(Main.BAD_INPUT, code, json.writeValueAsString(config));
        assertTrue(err.toString().contains("tensor 'model.layers.2.mlp.down_proj.weight' is missing"), err.toString());
        assertTrue(err.toString().contains("holey"), err.toString());
        assertFalse(Files.exists(out));
    }

    @Test
    void corruptCheckpointNamesTheFile() throws IOException {
        Files.write(b.resolve("model.safetensors"), new byte[] {1, 2, 3});
        int code = merge("""
                merge_method: linear
                models:
                  - model: $A
                    parameters: {weight: 1}
                  - model: $B
                    parameters: {weight: 1}
                """);
        assertEquals(Main.BAD_INPUT, code);
        assertTrue(err.toString().contains(b.resolve("model.safetensors").toString()), err.toString());
        assertFalse(Files.exists(out));
    }

    private static final String TASK_ARITHMETIC = """
            merge_method: task_arithmetic
            base_model: $BASE
            models:
              - model: $A
                parameters: {weight: 1.0}
            """;

    @Test
    void anOutputAtAnInputModelIsRefusedEvenWithOverwrite() throws IOException {
        byte[] before = Files.readAllBytes(a.resolve("model.safetensors"));
        out = a;
        assertEquals(Main.BAD_INPUT, merge(TASK_ARITHMETIC, "--overwrite"));
        assertTrue(err.toString().contains("the output would replace input model '" + a + "'"), err.toString());
        assertArrayEquals(before, Files.readAllBytes(a.resolve("model.safetensors")));
    }

    /** {@code --out .} run from the directory holding the models would have replaced all of them. */
    @Test
    void anOutputHoldingTheInputsIsRefused() throws IOException {
        out = tmp;
        assertEquals(Main.BAD_INPUT, merge(TASK_ARITHMETIC, "--overwrite"));
        assertTrue(err.toString().contains("the output would replace input model '" + base + "'"), err.toString());
        assertTrue(Files.isRegularFile(base.resolve("model.safetensors")));
        assertTrue(Files.isRegularFile(tmp.resolve("recipe.yaml")));
    }

    @Test
    void anEmptyOutOrShardSizeIsAnError() throws IOException {
        out = Path.of("");
        assertEquals(Main.BAD_INPUT, merge(TASK_ARITHMETIC, "--overwrite"));
        assertTrue(err.toString().contains("evomerge: --out is empty"), err.toString());
        out = tmp.resolve("out");
        assertEquals(Main.BAD_INPUT, merge(TASK_ARITHMETIC, "--max-shard-size=0"));
        assertTrue(err.toString().contains("evomerge: --max-shard-size must be positive, got 0"), err.toString());
        assertFalse(Files.exists(out));
    }

    @Test
    void withoutADtypeAMergeComesOutInTheBasesDtype() throws IOException {
        a = SyntheticCheckpoints.llama(tmp.resolve("a32"), LAYERS, HIDDEN, INTER, VOCAB, DType.F32, 4);
        assertEquals(0, merge(TASK_ARITHMETIC), err.toString());
        try (Checkpoint m = Checkpoint.open(out)) {
            for (String name : m.tensorNames()) {
                assertEquals(DType.BF16, m.tensor(name).dtype(), name);
            }
            assertEquals("bfloat16", m.config().get("torch_dtype").asText());
        }
    }

    /** A model whose lm_head is tied to its embeddings: no lm_head.weight in the file. */
    private Path tied(String name, long seed) {
        List<TensorSpec> specs = SyntheticCheckpoints.llamaSpecs(LAYERS, HIDDEN, INTER, VOCAB, DType.BF16).stream()
                .filter(spec -> !spec.name().equals("lm_head.weight")).toList();
        ObjectNode config = SyntheticCheckpoints.llamaConfig(LAYERS, HIDDEN, INTER, VOCAB, DType.BF16);
        config.put("tie_word_embeddings", true);
        return SyntheticCheckpoints.write(tmp.resolve(name), config, specs, seed, Long.MAX_VALUE);
    }

    /** A filter names lm_head.weight, as in mergekit, even for a model that stands its embeddings in for it. */
    @Test
    void filtersMatchATiedLmHeadByItsOwnName() throws IOException {
        b = tied("t", 7);
        assertEquals(0, merge("""
                merge_method: linear
                models:
                  - model: $A
                    parameters: {weight: 1.0}
                  - model: $B
                    parameters: {weight: [{filter: lm_head, value: 0.0}, {value: 1.0}]}
                """), err.toString());
        try (Checkpoint m = Checkpoint.open(out); Checkpoint ca = Checkpoint.open(a)) {
            assertBytesEqual(ca.tensor("lm_head.weight"), m.tensor("lm_head.weight"));
        }
    }

    /** As mergekit: an optional weight is written when any model of its slice has it, whichever is the base. */
    @Test
    void lmHeadIsWrittenWhenAnyModelOfItsSliceHasIt() throws IOException {
        base = tied("tiedBase", 1);
        assertEquals(0, merge(TASK_ARITHMETIC), err.toString());
        try (Checkpoint m = Checkpoint.open(out)) {
            assertTrue(m.has("lm_head.weight"));
        }
        b = tied("t", 7);
        out = tmp.resolve("out2");
        assertEquals(0, merge("""
                merge_method: passthrough
                slices:
                  - sources: [{model: $A, layer_range: [0, 2]}]
                  - sources: [{model: $B, layer_range: [2, 3]}]
                """), err.toString());
        try (Checkpoint m = Checkpoint.open(out)) {
            assertFalse(m.has("lm_head.weight"));
        }
    }

    /** mergekit pairs the first slice's count of sources with the last slice's models for norm and lm_head. */
    @Test
    void finalWeightsTakeAsManySourcesAsTheFirstSliceHas() throws IOException {
        assertEquals(0, merge("""
                merge_method: linear
                slices:
                  - sources: [{model: $A, layer_range: [0, 2]}]
                  - sources:
                      - {model: $A, layer_range: [2, 3]}
                      - {model: $B, layer_range: [2, 3]}
                parameters: {weight: 1.0}
                """), err.toString());
        try (Checkpoint m = Checkpoint.open(out); Checkpoint ca = Checkpoint.open(a)) {
            assertBytesEqual(ca.tensor("model.norm.weight"), m.tensor("model.norm.weight"));
            assertBytesEqual(ca.tensor("lm_head.weight"), m.tensor("lm_head.weight"));
        }
    }

    /** linear and model stock stack their inputs, so torch's promotion gives float32 for bf16 with f32. */
    @Test
    void stackingMethodsPromoteMixedDtypes() throws IOException {
        b = SyntheticCheckpoints.llama(tmp.resolve("b32"), LAYERS, HIDDEN, INTER, VOCAB, DType.F32, 5);
        assertEquals(0, merge("""
                merge_method: linear
                models:
                  - {model: $A, parameters: {weight: 1.0}}
                  - {model: $B, parameters: {weight: 1.0}}
                """), err.toString());
        try (Checkpoint m = Checkpoint.open(out)) {
            assertEquals(DType.F32, m.tensor("model.embed_tokens.weight").dtype());
        }
    }

    /** mergekit's config comes from the recipe's base_model, even where the first slice names another. */
    @Test
    void configComesFromTheRecipesBaseModel() throws IOException {
        Path other = SyntheticCheckpoints.fineTune(base, tmp.resolve("other"), 0.1f, 9);
        ObjectNode config = (ObjectNode) new ObjectMapper().readTree(other.resolve("config.json").toFile());
        config.put("rope_theta", 123.0);
        new ObjectMapper().writeValue(other.resolve("config.json").toFile(), config);
        assertEquals(0, merge("""
                merge_method: task_arithmetic
                base_model: $BASE
                slices:
                  - sources:
                      - {model: $OTHER, layer_range: [0, 3]}
                      - {model: $A, layer_range: [0, 3], parameters: {weight: 1.0}}
                    base_model: $OTHER
                """.replace("$OTHER", other.toString())), err.toString());
        try (Checkpoint m = Checkpoint.open(out)) {
            assertFalse(m.config().path("rope_theta").asDouble() == 123.0, m.config().toString());
        }
    }

    @Test
    void aCommandLineMistakeIsOneLine() throws IOException {
        assertEquals(Main.BAD_INPUT, merge(TASK_ARITHMETIC, "--bogus"));
        assertEquals("evomerge: Unknown option: '--bogus' (see 'evomerge merge --help')", err.toString().strip());
    }

    /** Refused while planning, before any tensor is merged, at the recipe's line (these failed mid-merge before). */
    @Test
    void inputsAMethodCannotMergeAreRefusedAtTheirLine() throws IOException {
        assertRefused("""
                merge_method: slerp
                base_model: $BASE
                models:
                  - model: $BASE
                  - model: $A
                  - model: $B
                parameters: {t: 0.5}
                """, 3, "merge method 'slerp' takes the base and exactly one other model, got 3 for"
                + " tensor 'model.embed_tokens.weight'");
        assertRefused("""
                merge_method: ties
                base_model: $BASE
                models:
                  - model: $A
                    parameters: {weight: 1.0, density: -0.5}
                """, 3, "tensor 'model.embed_tokens.weight': density must be at least 0, got -0.5");
        assertRefused("""
                merge_method: della
                base_model: $BASE
                models:
                  - model: $A
                    parameters: {weight: 1.0, density: 0.5, epsilon: 0.6}
                """, 3, "tensor 'model.embed_tokens.weight': epsilon 0.6 must keep density +/- epsilon"
                + " inside (0, 1), density is 0.5");
        assertRefused("""
                merge_method: ties
                base_model: $BASE
                models:
                  - model: $A
                    parameters: {weight: 1.0, density: 0.5}
                parameters: {normalize: [0, 1]}
                """, 6, "parameter 'normalize' is a flag (true, false, 0 or 1), got 0.5 for tensor model.layers.1"
                + ".input_layernorm.weight");
        assertRefused("""
                merge_method: passthrough
                slices:
                  - sources:
                      - model: $A
                        layer_range: [0, 5]
                """, 5, "layer_range [0, 5] goes past the last layer of model '" + a + "', which has 3");
    }

    private void assertRefused(String recipe, int line, String message) throws IOException {
        err.getBuffer().setLength(0);
        assertEquals(Main.BAD_INPUT, merge(recipe));
        assertEquals("evomerge: " + tmp.resolve("recipe.yaml") + ":" + line + ": " + message, err.toString().strip());
        assertFalse(Files.exists(out));
    }

    private static void assertBytesEqual(TensorView expected, TensorView actual) {
        assertEquals(expected.shape(), actual.shape(), actual.name());
        assertArrayEquals(expected.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE),
                actual.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), actual.name());
    }
}
