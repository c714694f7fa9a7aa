package dev.evomerge.eval.task;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.evomerge.eval.runtime.ComputeDevice;
import dev.evomerge.eval.runtime.LanguageModel;
import dev.evomerge.eval.runtime.ModelWeights;
import dev.evomerge.eval.tokenizer.ModelTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TaskRunnerTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    private static ModelWeights weights;
    private static ModelTokenizer tok;
    private static LanguageModel lm;
    private static TaskRunner runner;

    @BeforeAll
    static void load() {
        Path dir = TinyTaskModel.write(tmp.resolve("model"), 11);
        weights = ModelWeights.load(dir, ComputeDevice.CPU);
        tok = ModelTokenizer.load(dir);
        lm = LanguageModel.of(weights);
        runner = new TaskRunner(lm, tok);
    }

    @AfterAll
    static void close() {
        tok.close();
        weights.close();
    }

    private static Task task(String name, String yamlBody, List<ObjectNode> rows) throws Exception {
        Path d = Files.createDirectories(tmp.resolve(name));
        List<String> lines = new ArrayList<>();
        for (ObjectNode r : rows) {
            lines.add(JSON.writeValueAsString(r));
        }
        Files.write(d.resolve("data.jsonl"), lines);
        Files.writeString(d.resolve("task.yaml"), "name: " + name + "\ndata: data.jsonl\n" + yamlBody);
        return Task.load(d.resolve("task.yaml"));
    }

    /** Sum of log p(continuation | context) from a single-sequence call, the char tokenizer's ids by hand. */
    private static double manualContinuationLogProb(String context, String continuation) {
        int[] ctx = tok.encode(context);
        int[] whole = tok.encode(context + continuation);
        assertEquals(ctx.length + continuation.length(), whole.length);   // one token per character
        double[] lp = lm.logProbs(whole);
        double sum = 0;
        for (int j = ctx.length - 1; j < lp.length; j++) {
            sum += lp[j];
        }
        return sum;
    }

    @Test
    void choiceLogLikelihoodIsTheSumOverContinuationTokensOnly() {
        List<String> choices = List.of(" red", " blue sky", "!");
        double[] got = runner.choiceLogLikelihoods("the sky is", choices);
        for (int k = 0; k < choices.size(); k++) {
            assertEquals(manualContinuationLogProb("the sky is", choices.get(k)), got[k], 1e-4, choices.get(k));
        }
        // The context's own tokens are not in the sum: a one-character choice scores one token.
        assertEquals(lm.logProbs(tok.encode("the sky is!"))[tok.encode("the sky is").length - 1], got[2], 1e-4);
    }

    private static int argmax(double[] xs) {
        int best = 0;
        for (int i = 1; i < xs.length; i++) {
            if (xs[i] > xs[best]) {
                best = i;
            }
        }
        return best;
    }

    @Test
    void choiceAccuracyScoresEachRowByItsBestChoice() throws Exception {
        List<ObjectNode> rows = new ArrayList<>();
        List<List<String>> options = List.of(List.of(" cat", " dog", " emu"), List.of(" one", " two"));
        String prefix = "q: ";
        for (int i = 0; i < options.size(); i++) {
            String prompt = "pick " + i + ":";
            double[] ll = new double[options.get(i).size()];
            for (int k = 0; k < ll.length; k++) {
                ll[k] = manualContinuationLogProb(prefix + prompt, options.get(i).get(k));
            }
            int best = argmax(ll);
            ObjectNode r = JSON.createObjectNode().put("prompt", prompt).put("split", "test");
            options.get(i).forEach(r.putArray("choices")::add);
            // Row 0 is labelled with the model's favourite, row 1 with another choice.
            r.put("answer", i == 0 ? best : (best + 1) % ll.length);
            rows.add(r);
        }
        Task t = task("choice", "type: choice\nprefix: \"" + prefix + "\"\n", rows);
        TaskResult res = runner.run(t, TaskSplit.TEST, 0);
        assertArrayEquals(new double[] {1, 0}, res.perExample());
        assertEquals(0.5, res.score());
        assertEquals(2, res.n());
        assertEquals(TaskSplit.TEST, res.split());
    }

    @Test
    void loglikScoreIsTheMeanTokenLogProbAcrossBatches() throws Exception {
        List<ObjectNode> rows = new ArrayList<>();
        double total = 0;
        int tokens = 0;
        double[] perRow = new double[11];   // more rows than one batch holds
        for (int i = 0; i < perRow.length; i++) {
            String text = "line " + i + " says " + "ab".repeat(i % 4);
            rows.add(JSON.createObjectNode().put("text", text).put("split", "search"));
            double[] lp = lm.logProbs(tok.encode(text));   // every token after BOS
            assertEquals(text.length(), lp.length);
            double sum = Arrays.stream(lp).sum();
            perRow[i] = sum / lp.length;
            total += sum;
            tokens += lp.length;
        }
        TaskResult res = runner.run(task("loglik", "type: loglik\n", rows), TaskSplit.SEARCH, 0);
        assertEquals(total / tokens, res.score(), 1e-5);
        assertArrayEquals(perRow, res.perExample(), 1e-5);
        // One sequence at a time against padded batches: float32 sums agree to about 1e-7 of the total.
        assertEquals(total, res.extra().get("logprob_total"), 1e-6 * Math.abs(total));
        assertEquals(tokens, res.extra().get("tokens"));
        assertEquals(Math.exp(-total / tokens), res.extra().get("perplexity"), 1e-6 * Math.exp(-total / tokens));
        assertTrue(res.score() < 0);
    }

    @Test
    void loglikPrefixIsContextNotScored() throws Exception {
        List<ObjectNode> rows = List.of(JSON.createObjectNode().put("text", "xyz").put("split", "test"));
        TaskResult res = runner.run(task("loglik-prefix", "type: loglik\nprefix: \"ctx \"\n", rows), TaskSplit.TEST, 0);
        assertEquals(3.0, res.extra().get("tokens"));
        assertEquals(manualContinuationLogProb("ctx ", "xyz") / 3, res.score(), 1e-5);
    }

    private static String greedyText(String prompt, int n) {
        return tok.decode(lm.generateWithoutCache(tok.encode(prompt), n));
    }

    @Test
    void generationIsCutAtTheFirstStopStringPastAChunkBoundary() {
        int n = TaskRunner.GENERATE_CHUNK + 12;
        int[] ids = lm.generateWithoutCache(tok.encode("go: "), n);
        String full = tok.decode(ids);
        int firstChunk = tok.decode(Arrays.copyOf(ids, TaskRunner.GENERATE_CHUNK)).length();
        // A stop string first seen past the first chunk, so the runner must go on to a second chunk.
        String stop = full.substring(firstChunk + 2, firstChunk + 5);
        assertTrue(full.indexOf(stop) >= firstChunk, "stop string " + stop + " occurs in the first chunk");
        String expected = full.substring(0, full.indexOf(stop));
        assertEquals(expected, runner.generateText("go: ", n, List.of(stop)));
        assertEquals(full, runner.generateText("go: ", n, List.of()));
    }

    @Test
    void exactMetricComparesTheCutGeneration() throws Exception {
        String out = greedyText("say: ", 6);
        List<ObjectNode> rows = List.of(
                JSON.createObjectNode().put("prompt", "say: ").put("answer", out).put("split", "test"),
                JSON.createObjectNode().put("prompt", "say: ").put("answer", out + "!").put("split", "test"),
                JSON.createObjectNode().put("prompt", "other: ").put("answer", "z").put("split", "search"));
        Task t = task("gen", "type: generate\nmetric: exact\nmax_new_tokens: 6\n", rows);
        TaskResult res = runner.run(t, TaskSplit.TEST, 0);
        assertArrayEquals(new double[] {1, 0}, res.perExample());
        assertEquals(1, runner.run(t, TaskSplit.ALL, 1).n());
    }

    @Test
    void generationStopsAtTheModelsEosToken() throws Exception {
        Path dir = TinyTaskModel.write(tmp.resolve("eos-model"), 11);
        int[] full = lm.generateWithoutCache(tok.encode("go: "), 20);
        int eos = full[7];
        int first = 0;
        while (full[first] != eos) {
            first++;
        }
        Files.writeString(dir.resolve("generation_config.json"), "{\"eos_token_id\": " + eos + "}");
        try (ModelTokenizer t2 = ModelTokenizer.load(dir)) {
            String got = new TaskRunner(lm, t2).generateText("go: ", 20, List.of());
            assertEquals(tok.decode(Arrays.copyOf(full, first + 1)), got);
            assertNotEquals(tok.decode(full), got);
        }
    }

    @Test
    void aTokenMergedAcrossTheContextBoundaryIsScoredAsContinuation() throws Exception {
        // Word-level tokenizer: "the sky" + "line" reads as [<s>, the, skyline], so "skyline" is the continuation.
        Path dir = Files.createDirectories(tmp.resolve("words"));
        Files.writeString(dir.resolve("tokenizer.json"), """
                {"version": "1.0", "truncation": null, "padding": null,
                 "added_tokens": [{"id": 0, "content": "<s>", "single_word": false, "lstrip": false,
                                   "rstrip": false, "normalized": false, "special": true}],
                 "normalizer": null, "pre_tokenizer": {"type": "WhitespaceSplit"},
                 "post_processor": {"type": "TemplateProcessing",
                   "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}],
                   "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"Sequence": {"id": "B", "type_id": 1}}],
                   "special_tokens": {"<s>": {"id": "<s>", "ids": [0], "tokens": ["<s>"]}}},
                 "decoder": null,
                 "model": {"type": "WordLevel", "vocab": {"<s>": 0, "<unk>": 1, "the": 2, "sky": 3, "skyline": 4, "blue": 5},
                           "unk_token": "<unk>"}}
                """);
        try (ModelTokenizer words = ModelTokenizer.load(dir)) {
            TaskRunner r = new TaskRunner(lm, words);
            TaskRunner.Scored merged = r.split("the sky", "line");
            assertArrayEquals(new int[] {0, 2, 4}, merged.ids());
            assertEquals(2, merged.start());
            TaskRunner.Scored apart = r.split("the sky", " blue");
            assertArrayEquals(new int[] {0, 2, 3, 5}, apart.ids());
            assertEquals(3, apart.start());
        }
    }
}
