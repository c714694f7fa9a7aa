package dev.evomerge.eval.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The decoder against numbers Hugging Face transformers computed on the committed fixtures in
 * {@code src/test/resources/reference} (made by {@code scripts/reference/transformers_reference.py}; its
 * README says which versions). Each fixture is scored one sequence at a time and as one right-padded batch,
 * and its greedy continuations are regenerated with the KV cache.
 */
@Tag("slow")
class TransformersReferenceTest {

    /** The agreement bound: relative to the log-probability, and absolute below magnitude 1. */
    private static final double REL = 1e-4;

    private static final ObjectMapper JSON = new ObjectMapper();

    @ParameterizedTest
    @ValueSource(strings = {"llama-gqa", "llama-tied-llama3", "mistral", "qwen2", "qwen3"})
    void logProbsMatchTransformers(String name) throws IOException, URISyntaxException {
        Path dir = dir(name);
        JsonNode ref = JSON.readTree(dir.resolve("reference.json").toFile());
        int[][] sequences = ints(ref.get("sequences"));
        double[][] single = doubles(ref.get("single"));
        double[][] batch = doubles(ref.get("batch"));
        try (ModelWeights weights = ModelWeights.load(dir, ComputeDevice.CPU)) {
            LanguageModel model = LanguageModel.of(weights);
            double worst = 0;
            for (int i = 0; i < sequences.length; i++) {
                worst = Math.max(worst, check(name + " sequence " + i, single[i], model.logProbs(sequences[i])));
            }
            double[][] got = model.logProbs(sequences);
            for (int i = 0; i < sequences.length; i++) {
                worst = Math.max(worst, check(name + " batch row " + i, batch[i], got[i]));
            }
            System.out.printf(Locale.ROOT, "%s: max relative error vs transformers %.3g%n", name, worst);
        }
    }

    /** Cached greedy decoding, alone and batched, writes the tokens transformers' uncached argmax chose. */
    @ParameterizedTest
    @ValueSource(strings = {"llama-gqa", "llama-tied-llama3", "mistral", "qwen2", "qwen3"})
    void greedyGenerationMatchesTransformers(String name) throws IOException, URISyntaxException {
        Path dir = dir(name);
        JsonNode greedy = JSON.readTree(dir.resolve("reference.json").toFile()).get("greedy");
        int[][] prompts = ints(greedy.get("prompts"));
        int[][] expected = ints(greedy.get("tokens"));
        try (ModelWeights weights = ModelWeights.load(dir, ComputeDevice.CPU)) {
            LanguageModel model = LanguageModel.of(weights);
            int n = expected[0].length;
            int[][] batched = model.generate(prompts, n, (row, tokens) -> false);
            for (int i = 0; i < prompts.length; i++) {
                assertArrayEquals(expected[i], model.generate(prompts[i], n), name + " prompt " + i);
                assertArrayEquals(expected[i], batched[i], name + " batched prompt " + i);
            }
        }
    }

    static Path dir(String name) throws URISyntaxException {
        return Path.of(TransformersReferenceTest.class.getResource("/reference/" + name + "/config.json").toURI())
                .getParent();
    }

    private static double check(String what, double[] expected, double[] actual) {
        return check(what, expected, actual, REL);
    }

    /** Asserts each position within {@code bound} and returns the largest relative error seen. */
    static double check(String what, double[] expected, double[] actual, double bound) {
        assertEquals(expected.length, actual.length, what + ": length");
        assertTrue(expected.length > 0, what + ": no positions");
        double worst = 0;
        for (int j = 0; j < expected.length; j++) {
            double scale = Math.max(1.0, Math.abs(expected[j]));
            double err = Math.abs(expected[j] - actual[j]) / scale;
            assertTrue(err <= bound, what + " position " + j + ": transformers " + expected[j] + ", ours " + actual[j]);
            worst = Math.max(worst, err);
        }
        return worst;
    }

    static int[][] ints(JsonNode rows) {
        int[][] out = new int[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            JsonNode r = rows.get(i);
            out[i] = new int[r.size()];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = r.get(j).asInt();
            }
        }
        return out;
    }

    static double[][] doubles(JsonNode rows) {
        double[][] out = new double[rows.size()][];
        for (int i = 0; i < out.length; i++) {
            JsonNode r = rows.get(i);
            out[i] = new double[r.size()];
            for (int j = 0; j < out[i].length; j++) {
                out[i][j] = r.get(j).asDouble();
            }
        }
        return out;
    }
}
