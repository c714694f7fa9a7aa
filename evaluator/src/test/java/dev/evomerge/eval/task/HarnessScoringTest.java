package dev.evomerge.eval.task;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.evomerge.eval.harness.HarnessFilter;
import dev.evomerge.eval.harness.HarnessSample;
import dev.evomerge.eval.harness.HarnessTask;
import dev.evomerge.eval.runtime.ComputeDevice;
import dev.evomerge.eval.runtime.LanguageModel;
import dev.evomerge.eval.runtime.ModelWeights;
import dev.evomerge.eval.tokenizer.ModelTokenizer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * lm-evaluation-harness task files scored on a tiny random model (one token per character), against
 * log-likelihoods summed here by hand from the model's per-token log-probabilities.
 */
class HarnessScoringTest {

    @TempDir
    static Path tmp;

    private static ModelWeights weights;
    private static ModelTokenizer tok;
    private static LanguageModel lm;
    private static TaskRunner runner;

    @BeforeAll
    static void load() {
        Path dir = TinyTaskModel.write(tmp.resolve("model"), 5);
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

    private static Task task(String name, List<String> yaml, List<String> rows) throws Exception {
        Path d = Files.createDirectories(tmp.resolve(name));
        Files.write(d.resolve("test.jsonl"), rows);
        Files.write(d.resolve("task.yaml"), yaml);
        return Task.load(d.resolve("task.yaml"), new HarnessTask.Options(null, -1));
    }

    /** log p(text[from..] | <s> text[..from]): one token per character after the BOS token. */
    private static double logLikelihood(String text, int from) {
        int[] ids = tok.encode(text, true);
        double[] lp = lm.logProbs(ids);
        double sum = 0;
        for (int j = from + 1; j < ids.length; j++) {
            sum += lp[j - 1];
        }
        return sum;
    }

    private static List<HarnessSample> samples(Task t, TaskResult[] result) {
        List<HarnessSample> out = new ArrayList<>();
        result[0] = runner.runHarness(t, TaskSplit.ALL, 0, out::add);
        return out;
    }

    @Test
    void multipleChoiceMovesTheContextsTrailingSpaceIntoEachContinuation() throws Exception {
        Task t = task("mc", List.of(
                "task: mc",
                "dataset_path: json",
                "dataset_kwargs: {data_files: {test: test.jsonl}}",
                "test_split: test",
                "output_type: multiple_choice",
                "doc_to_text: 'Q: {{q}} A: '",
                "target_delimiter: ''",
                "doc_to_choice: opts",
                "doc_to_target: gold"), List.of(
                "{\"q\": \"ab\", \"opts\": [\"x\", \"yzw\"], \"gold\": 1}",
                "{\"q\": \"cd\", \"opts\": [\"uv\", \"w\"], \"gold\": 0}",
                "{\"q\": \"ef\", \"opts\": [\"a\", \"bb\"], \"gold\": 1}"));
        TaskResult[] r = new TaskResult[1];
        List<HarnessSample> s = samples(t, r);
        double acc = 0;
        double accNorm = 0;
        for (HarnessSample sample : s) {
            String ctx = sample.doc().context();
            assertTrue(ctx.endsWith("A: "), ctx);
            List<String> choices = sample.doc().choices();
            double[] ll = sample.logLikelihoods();
            int best = 0;
            int bestNorm = 0;
            for (int k = 0; k < choices.size(); k++) {
                // The context's last character, a space, is scored with the choice.
                double want = logLikelihood(ctx + choices.get(k), ctx.length() - 1);
                assertEquals(want, ll[k], 1e-4);
                best = ll[k] > ll[best] ? k : best;
                bestNorm = ll[k] / choices.get(k).length() > ll[bestNorm] / choices.get(bestNorm).length() ? k : bestNorm;
            }
            acc += sample.doc().gold().contains(best) ? 1 : 0;
            accNorm += sample.doc().gold().contains(bestNorm) ? 1 : 0;
        }
        assertEquals(acc / 3, r[0].extra().get("acc,none"), 1e-12);
        assertEquals(accNorm / 3, r[0].extra().get("acc_norm,none"), 1e-12);
        assertEquals(r[0].extra().get("acc,none"), r[0].score());
        assertEquals("acc,none", r[0].metric());
        assertEquals(List.of("acc,none", "acc_norm,none"), List.copyOf(r[0].metrics().keySet()));
    }

    @Test
    void rollingLoglikelihoodScoresTheTextsOwnEncodingAfterThePrefixToken() throws Exception {
        Task t = task("rolling", List.of(
                "task: rolling",
                "dataset_path: json",
                "dataset_kwargs: {data_files: {test: test.jsonl}}",
                "test_split: test",
                "output_type: loglikelihood_rolling",
                "doc_to_text: ''",
                "doc_to_target: '{{page}}'"), List.of(
                "{\"page\": \"ab cd\"}",
                "{\"page\": \"e f g\"}",
                "{\"page\": \"hij\"}",
                "{\"page\": \"k lm\"}"));
        TaskResult[] r = new TaskResult[1];
        List<HarnessSample> s = samples(t, r);
        double ll = 0;
        double words = 0;
        double bytes = 0;
        for (HarnessSample sample : s) {
            String text = sample.doc().continuations().getFirst();
            // lm-evaluation-harness scores tok_encode(text), which starts with <s>, after its prefix token <s>.
            int[] bare = tok.encode(text, true);
            int[] ids = new int[bare.length + 1];
            ids[0] = bare[0];
            System.arraycopy(bare, 0, ids, 1, bare.length);
            double[] lp = lm.logProbs(ids);
            double want = 0;
            for (double x : lp) {
                want += x;
            }
            assertEquals(want, sample.logLikelihoods()[0], 1e-4);
            ll += want;
            words += text.split("\\s+").length;
            bytes += text.length();
        }
        assertEquals(Math.exp(-ll / words), r[0].extra().get("word_perplexity,none"), 1e-6);
        assertEquals(Math.exp(-ll / bytes), r[0].extra().get("byte_perplexity,none"), 1e-6);
        assertEquals(-ll / bytes / Math.log(2), r[0].extra().get("bits_per_byte,none"), 1e-6);
        assertEquals(-r[0].extra().get("word_perplexity,none"), r[0].score());
        assertEquals(r[0].extra().get("word_perplexity,none"), r[0].metrics().get("word_perplexity,none"),
                "the metrics hold the perplexity, not the negated score");
    }

    @Test
    void generationIsScoredPerFilterUnderLmEvalNames() throws Exception {
        Task t = task("gen", List.of(
                "task: gen",
                "dataset_path: json",
                "dataset_kwargs: {data_files: {test: test.jsonl}}",
                "test_split: test",
                "doc_to_text: 'Q: {{q}}'",
                "doc_to_target: '{{a}}'",
                "generation_kwargs: {until: ['\\n'], max_gen_toks: 6}",
                "filter_list:",
                "  - name: strict",
                "    filter: [{function: regex, regex_pattern: '(\\w)'}, {function: take_first}]",
                "  - name: raw",
                "    filter: [{function: remove_whitespace}]"), List.of(
                "{\"q\": \"ab\", \"a\": \"x\"}",
                "{\"q\": \"cd\", \"a\": \"y\"}"));
        TaskResult[] r = new TaskResult[1];
        List<HarnessSample> s = samples(t, r);
        double strict = 0;
        for (HarnessSample sample : s) {
            assertTrue(sample.output().length() <= 6 && !sample.output().contains("\n"), sample.output());
            String want = new HarnessFilter.Regex("(\\w)", 0, "[invalid]").apply(sample.output());
            assertEquals(want, sample.filtered().get("strict"));
            double hit = want.equals(sample.doc().targets().getFirst()) ? 1 : 0;
            assertEquals(hit, sample.scores().get("exact_match,strict"));
            strict += hit;
        }
        assertEquals(List.of("exact_match,strict", "exact_match,raw"), List.copyOf(r[0].extra().keySet()));
        assertEquals(strict / 2, r[0].extra().get("exact_match,strict"));
    }

    private static final List<String> ROLLING = List.of(
            "task: rolling",
            "dataset_path: json",
            "dataset_kwargs: {data_files: {test: test.jsonl}}",
            "test_split: test",
            "output_type: loglikelihood_rolling",
            "doc_to_text: ''",
            "doc_to_target: '{{page}}'");

    /** The sum of the log-probabilities of {@code sequence}'s tokens after its first {@code from}. */
    private static double sumAfter(LanguageModel model, int[] sequence, int from) {
        double[] lp = model.logProbs(sequence);
        double sum = 0;
        for (int j = from; j < lp.length; j++) {
            sum += lp[j];
        }
        return sum;
    }

    @Test
    void aDocumentLongerThanTheModelIsScoredInRollingWindowsOfItsLength() throws Exception {
        Path dir = TinyTaskModel.write(tmp.resolve("model-3"), 5, 3);
        try (ModelWeights w = ModelWeights.load(dir, ComputeDevice.CPU)) {
            LanguageModel short3 = LanguageModel.of(w);
            Task t = task("rolling-3", ROLLING, List.of("{\"page\": \"ab cd\"}", "{\"page\": \"ab cd\"}"));
            List<HarnessSample> s = new ArrayList<>();
            new TaskRunner(short3, tok).runHarness(t, TaskSplit.ALL, 0, s::add);
            // <s> a b ' ' c d in windows of 3: <s> predicts <s> a b; then b predicts ' ' c d.
            int[] ids = tok.encode("ab cd", true);
            assertEquals(6, ids.length);
            double first = sumAfter(short3, new int[] {ids[0], ids[0], ids[1], ids[2]}, 0);
            double second = sumAfter(short3, new int[] {ids[2], ids[3], ids[4], ids[5]}, 0);
            assertEquals(2, s.size());
            for (HarnessSample sample : s) {
                assertEquals(first + second, sample.logLikelihoods()[0], 1e-4);
            }
            // 26 letters: 27 tokens, nine windows of 3, more than one batch of them.
            Task alphabet = task("rolling-26", ROLLING, List.of("{\"page\": \"abcdefghijklmnopqrstuvwxyz\"}",
                    "{\"page\": \"abcdefghijklmnopqrstuvwxyz\"}"));
            List<HarnessSample> a = new ArrayList<>();
            new TaskRunner(short3, tok).runHarness(alphabet, TaskSplit.ALL, 0, a::add);
            int[] letters = tok.encode("abcdefghijklmnopqrstuvwxyz", true);
            double want = sumAfter(short3, new int[] {letters[0], letters[0], letters[1], letters[2]}, 0);
            for (int p = 3; p < letters.length; p += 3) {
                want += sumAfter(short3, new int[] {letters[p - 1], letters[p], letters[p + 1], letters[p + 2]}, 0);
            }
            assertEquals(want, a.getFirst().logLikelihoods()[0], 1e-4);
            int[] whole = new int[ids.length + 1];
            whole[0] = ids[0];
            System.arraycopy(ids, 0, whole, 1, ids.length);
            assertTrue(Math.abs(sumAfter(short3, whole, 0) - (first + second)) > 1e-3,
                    "one pass over the whole document scores differently");
        }
    }

    @Test
    void aTaskLongerThanTheModelsContextIsSaidOnceAndStillScored() throws Exception {
        Path dir = TinyTaskModel.write(tmp.resolve("model-8"), 5, 8);
        try (ModelWeights w = ModelWeights.load(dir, ComputeDevice.CPU)) {
            List<String> lines = new ArrayList<>();
            TaskRunner short8 = new TaskRunner(LanguageModel.of(w), tok,
                    new dev.evomerge.eval.harness.ContextWarnings(lines::add));
            Task t = task("long-mc", List.of(
                    "task: long-mc",
                    "dataset_path: json",
                    "dataset_kwargs: {data_files: {test: test.jsonl}}",
                    "test_split: test",
                    "output_type: multiple_choice",
                    "doc_to_text: 'Q: {{q}} A:'",
                    "doc_to_choice: opts",
                    "doc_to_target: gold"), List.of(
                    "{\"q\": \"ab\", \"opts\": [\"x\", \"yz\"], \"gold\": 1}",
                    "{\"q\": \"abcdefgh\", \"opts\": [\"x\", \"yz\"], \"gold\": 0}"));
            TaskResult first = short8.runHarness(t, TaskSplit.ALL, 0, x -> { });
            TaskResult again = short8.runHarness(t, TaskSplit.ALL, 0, x -> { });
            // <s> "Q: abcdefgh A:" " yz": 1 + 14 + 3 tokens, the last never read.
            assertEquals(List.of("task long-mc: context plus continuation or generation reaches 17 tokens, more than "
                    + "the model's max_position_embeddings 8; scored whole (lm-evaluation-harness cuts such contexts "
                    + "from the left)"), lines);
            assertEquals(2, first.n());
            assertEquals(first.score(), again.score());
        }
    }

    @Test
    void loglikelihoodsAccSaysWhetherGreedyDecodingWritesTheContinuation() throws Exception {
        // A continuation the model writes greedily after its context, found by asking it, and one it does not.
        String written = null;
        String context = null;
        for (char c = 'a'; c <= 'z' && written == null; c++) {
            String ctx = "q: " + c + c + " a:";
            int[] gen = lm.generate(tok.encode(ctx, true), 2);
            boolean printable = java.util.Arrays.stream(gen).allMatch(id -> id > 4);   // no special token or newline
            if (printable) {
                written = tok.decode(gen, false);
                context = ctx;
            }
        }
        assertTrue(written != null, "no printable greedy continuation");
        var json = new com.fasterxml.jackson.databind.ObjectMapper();
        String q = context.substring(3, 5);
        Task t = task("greedy", List.of(
                "task: greedy",
                "dataset_path: json",
                "dataset_kwargs: {data_files: {test: test.jsonl}}",
                "test_split: test",
                "output_type: loglikelihood",
                "doc_to_text: 'q: {{q}} a:'",
                "doc_to_target: '{{a}}'",
                "metric_list: [{metric: acc}]"), List.of(
                json.writeValueAsString(java.util.Map.of("q", q, "a", written)),
                json.writeValueAsString(java.util.Map.of("q", q, "a", written.equals("zz") ? "yy" : "zz"))));
        TaskResult[] r = new TaskResult[1];
        List<HarnessSample> s = samples(t, r);
        assertEquals(2, s.size());
        for (HarnessSample sample : s) {
            String target = sample.doc().continuations().getFirst();
            int[] gen = lm.generate(tok.encode(sample.doc().context(), true), target.length());
            double want = tok.decode(gen, false).equals(target) ? 1 : 0;
            assertEquals(want, sample.scores().get("acc,none"), target);
            assertEquals(target.equals(written) ? 1.0 : 0.0, want, "the fixture: one written, one not");
        }
    }
}
