package dev.evomerge.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.SyntheticCheckpoints;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code evomerge eval} on tiny models with a character tokenizer: a directory, a recipe, a layer path. */
class EvalCommandTest {

    @TempDir
    Path tmp;
    Path a;
    Path b;
    Path task;
    final StringWriter err = new StringWriter();

    @BeforeEach
    void setUp() throws IOException {
        a = SyntheticCheckpoints.llama(tmp.resolve("a"), 2, 32, 64, 64, DType.BF16, 1);
        b = SyntheticCheckpoints.llama(tmp.resolve("b"), 2, 32, 64, 64, DType.BF16, 2);
        Files.writeString(tmp.resolve("rows.jsonl"), """
                {"text": "the cat sat on the mat", "split": "test"}
                {"text": "two plus two is four", "split": "test"}
                {"text": "search rows stay out", "split": "search"}
                """);
        task = tmp.resolve("lm.yaml");
        Files.writeString(task, "name: lm\ntype: loglik\ndata: rows.jsonl\n");
    }

    private JsonNode eval(String target) throws IOException {
        return eval(target, "float32");
    }

    private JsonNode eval(String target, String precision) throws IOException {
        Path json = tmp.resolve("scores-" + Math.abs(target.hashCode()) + "-" + precision + ".json");
        int code = Main.run(new PrintWriter(err, true), "eval", target, "--task", task.toString(),
                "--device", "cpu", "--precision", precision, "--json", json.toString());
        assertEquals(0, code, err.toString());
        return new ObjectMapper().readTree(json.toFile());
    }

    private Path recipe(String name, String yaml) throws IOException {
        Path p = tmp.resolve(name);
        Files.writeString(p, yaml.replace("$A", a.toString()).replace("$B", b.toString()));
        return p;
    }

    @Test
    void scoresAModelDirectoryOnTheTestSplit() throws IOException {
        JsonNode lm = eval(a.toString()).get("tasks").get("lm");
        assertEquals(2, lm.get("n").asInt());
        assertEquals("test", lm.get("split").asText());
        double score = lm.get("score").asDouble();
        assertTrue(score < 0 && Double.isFinite(score), "mean log-likelihood per token: " + score);
        assertEquals(Math.exp(-score), lm.get("perplexity").asDouble(), 1e-6 * Math.exp(-score));
    }

    @Test
    void float16ScoresCloseToFloat32ButNotEqual() throws IOException {
        double full = eval(a.toString()).get("tasks").get("lm").get("score").asDouble();
        double half = eval(a.toString(), "float16").get("tasks").get("lm").get("score").asDouble();
        assertEquals(full, half, 1e-2 * Math.abs(full));
        assertNotEquals(full, half, "float16 compute gave float32's score exactly");
    }

    @Test
    void unknownPrecisionIsAOneLineError() {
        int code = Main.run(new PrintWriter(err, true), "eval", a.toString(), "--task", task.toString(),
                "--precision", "bfloat16");
        assertEquals(Main.BAD_INPUT, code, err.toString());
        assertTrue(err.toString().contains("unknown precision 'bfloat16'"), err.toString());
    }

    @Test
    void gpuOnTheCpuBuildIsAOneLineErrorNamingTheCudaBuild() {
        int code = Main.run(new PrintWriter(err, true), "eval", a.toString(), "--task", task.toString(),
                "--device", "gpu");
        assertEquals(Main.BAD_INPUT, code, err.toString());
        assertEquals("evomerge: --device gpu:0: no GPU is visible: this is the CPU build, whose PyTorch has no CUDA"
                + " (build and run the CUDA one with EVOMERGE_TORCH=cu124)", err.toString().strip());
    }

    @Test
    void recipeIsMergedInMemoryAndScoredLikeTheModelItSelects() throws IOException {
        Path onlyA = recipe("only-a.yaml", """
                merge_method: linear
                models:
                  - model: $A
                    parameters: {weight: 1.0}
                  - model: $B
                    parameters: {weight: 0.0}
                """);
        double merged = eval(onlyA.toString()).get("tasks").get("lm").get("score").asDouble();
        double direct = eval(a.toString()).get("tasks").get("lm").get("score").asDouble();
        assertEquals(direct, merged, 1e-9);
        double other = eval(b.toString()).get("tasks").get("lm").get("score").asDouble();
        assertNotEquals(direct, other, "the two models must differ for this test to mean anything");
    }

    @Test
    void identityLayerPathScoresLikeTheModel() throws IOException {
        Path path = recipe("path.yaml", """
                merge_method: passthrough
                models:
                  - model: $A
                layer_path:
                  - {model: $A, layer: 0}
                  - {model: $A, layer: 1}
                """);
        double routed = eval(path.toString()).get("tasks").get("lm").get("score").asDouble();
        double direct = eval(a.toString()).get("tasks").get("lm").get("score").asDouble();
        assertEquals(direct, routed, 1e-9);
    }

    @Test
    void layerPathNamingAMissingLayerFailsWithItsLine() throws IOException {
        Path path = recipe("bad-path.yaml", """
                merge_method: passthrough
                models:
                  - model: $A
                layer_path:
                  - {model: $A, layer: 0}
                  - {model: $A, layer: 7}
                """);
        int code = Main.run(new PrintWriter(err, true), "eval", path.toString(), "--task", task.toString());
        assertEquals(Main.BAD_INPUT, code, err.toString());
        assertTrue(err.toString().contains("bad-path.yaml:4: layer path step 1: layer 7 does not exist"), err.toString());
    }

    @Test
    void missingTaskFileIsABadInputError() {
        int code = Main.run(new PrintWriter(err, true), "eval", a.toString(), "--task", tmp.resolve("nope.yaml").toString());
        assertEquals(Main.BAD_INPUT, code, err.toString());
        assertTrue(err.toString().contains("nope.yaml"), err.toString());
    }
}
