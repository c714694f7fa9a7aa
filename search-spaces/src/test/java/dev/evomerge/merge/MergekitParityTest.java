package dev.evomerge.merge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.SafetensorsFile;
import dev.evomerge.checkpoint.TensorView;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every deterministic method against mergekit 0.1.4's own code: the fixture's expected tensors were made by
 * mergekit's method modules (scripts/reference/mergekit_reference.py) from the same inputs and the same
 * recipe parameters, with mergekit's defaults for the ones a case leaves out.
 */
class MergekitParityTest {

    private static final Path DIR = Path.of("src/test/resources/mergekit-parity");
    private static final SafetensorsFile INPUTS = SafetensorsFile.open(DIR.resolve("inputs.safetensors"));
    private static final SafetensorsFile EXPECTED = SafetensorsFile.open(DIR.resolve("expected.safetensors"));

    /**
     * Allowed difference, in float32 ulps of the expected tensor's largest magnitude. mergekit's parameter-space
     * methods sum and divide in the same order as evomerge, so they agree to the bit. SLERP's and model stock's
     * angles come from float32 numpy and torch reductions in mergekit and from double sums here, and model stock's
     * blend can cancel to values far below the tensor's scale.
     */
    private static final Map<String, Integer> ULPS = Map.of("slerp", 4, "model_stock", 4);

    record Case(String name, String method, Map<String, Object> global, boolean base,
                List<String> models, List<Map<String, Object>> modelParameters) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Case> cases() {
        try {
            JsonNode root = new ObjectMapper().readTree(DIR.resolve("cases.json").toFile());
            List<Case> out = new ArrayList<>();
            for (JsonNode c : root.get("cases")) {
                List<String> models = new ArrayList<>();
                List<Map<String, Object>> params = new ArrayList<>();
                for (JsonNode m : c.get("models")) {
                    models.add(m.get("model").asText());
                    params.add(values(m.get("parameters")));
                }
                out.add(new Case(c.get("name").asText(), c.get("method").asText(), values(c.get("parameters")),
                        c.get("base").asBoolean(), models, params));
            }
            return out.stream();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Recipe values as the recipe reader gives them to a method: numbers as doubles, flags as booleans. */
    private static Map<String, Object> values(JsonNode node) {
        Map<String, Object> m = new LinkedHashMap<>();
        node.properties().forEach(e -> m.put(e.getKey(),
                e.getValue().isBoolean() ? (Object) e.getValue().asBoolean() : e.getValue().asDouble()));
        return m;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void agreesWithMergekit(Case c) {
        for (String tensor : List.of("mlp.weight", "norm.weight")) {
            List<MergeInputs.Source> sources = new ArrayList<>();
            for (int i = 0; i < c.models().size(); i++) {
                sources.add(new MergeInputs.Source(INPUTS.tensor(c.models().get(i) + "." + tensor),
                        Parameters.of(c.modelParameters().get(i))));
            }
            TensorView base = c.base() ? INPUTS.tensor("base." + tensor) : null;
            float[] got = Tensors.merge(c.method(), base, sources, Parameters.of(c.global()), 1L, DType.F32);
            float[] want = Tensors.read(EXPECTED.tensor(c.name() + "." + tensor).data(), DType.F32);
            assertEquals(want.length, got.length, tensor);
            float maxAbs = 0;
            for (float w : want) {
                maxAbs = Math.max(maxAbs, Math.abs(w));
            }
            float allowed = ULPS.getOrDefault(c.method(), 0) * Math.ulp(maxAbs);
            for (int i = 0; i < want.length; i++) {
                int at = i;
                assertTrue(Math.abs(got[i] - want[i]) <= allowed, () -> c.name() + " " + tensor + "[" + at
                        + "]: evomerge " + got[at] + ", mergekit " + want[at]);
            }
        }
    }

    @Test
    void everyDeterministicMethodIsCovered() {
        List<String> covered = cases().map(Case::method).distinct().toList();
        for (String method : MergeMethods.names()) {
            boolean random = MergeMethods.byName(method).seeded();
            boolean covers = covered.contains(method) || method.equals("passthrough");
            assertTrue(random || covers, method + " has no mergekit parity case");
        }
    }

    @AfterAll
    static void close() {
        INPUTS.close();
        EXPECTED.close();
    }
}
