package dev.evomerge.eval.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LanguageModelTest {

    @TempDir
    static Path tmp;

    static Map<String, Path> dirs;
    static Map<String, ModelWeights> models;
    static Map<String, ReferenceDecoder.Weights> refs;

    @BeforeAll
    static void load() {
        dirs = Map.of(
                "llama", TinyModels.write(tmp.resolve("llama"), TinyModels.llamaGqa(), 11),
                "llamaB", TinyModels.write(tmp.resolve("llamaB"), TinyModels.llamaGqa(), 12),
                "qwen2", TinyModels.write(tmp.resolve("qwen2"), TinyModels.qwen2(), 13),
                "qwen3", TinyModels.write(tmp.resolve("qwen3"), TinyModels.qwen3(), 14),
                "llamaBias", TinyModels.write(tmp.resolve("llamaBias"), TinyModels.llamaBiased(), 15));
        models = new java.util.HashMap<>();
        refs = new java.util.HashMap<>();
        for (var e : dirs.entrySet()) {
            models.put(e.getKey(), ModelWeights.load(e.getValue(), ComputeDevice.CPU));
            refs.put(e.getKey(), ReferenceDecoder.read(e.getValue()));
        }
    }

    @AfterAll
    static void close() {
        models.values().forEach(ModelWeights::close);
    }

    static int[] tokens(int n, int vocab, long seed) {
        Random r = new Random(seed);
        int[] t = new int[n];
        for (int i = 0; i < n; i++) {
            t[i] = r.nextInt(vocab);
        }
        return t;
    }

    static void assertClose(double[] expected, double[] actual, double rel) {
        assertEquals(expected.length, actual.length, "length");
        for (int i = 0; i < expected.length; i++) {
            double tol = rel * Math.max(1.0, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], tol, "position " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "qwen3", "llamaBias"})
    void logProbsAgreeWithThePlainJavaReference(String name) {
        ModelWeights m = models.get(name);
        ReferenceDecoder.Weights ref = refs.get(name);
        int[] seq = tokens(20, m.config().vocabSize(), 5);
        double[] expected = ReferenceDecoder.logProbs(ref, ReferenceDecoder.allLayers(ref), seq);
        double[] actual = LanguageModel.of(m).logProbs(seq);
        assertClose(expected, actual, 1e-4);
        // The fixture is far from uniform: a broken piece could not hide under the tolerance.
        double spread = java.util.Arrays.stream(expected).max().orElseThrow()
                - java.util.Arrays.stream(expected).min().orElseThrow();
        assertTrue(spread > 1.0, "log-prob spread " + spread);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "qwen3"})
    void batchedWithRightPaddingEqualsOneAtATime(String name) {
        LanguageModel lm = LanguageModel.of(models.get(name));
        int vocab = models.get(name).config().vocabSize();
        int[][] batch = {tokens(13, vocab, 1), tokens(4, vocab, 2), tokens(9, vocab, 3), tokens(1, vocab, 4)};
        double[][] together = lm.logProbs(batch);
        for (int i = 0; i < batch.length; i++) {
            double[] alone = lm.logProbs(batch[i]);
            assertEquals(batch[i].length - 1, together[i].length);
            assertClose(alone, together[i], 1e-5);
        }
    }

    @Test
    void scoringInLogitChunksEqualsScoringAtOnce() {
        LanguageModel lm = LanguageModel.of(models.get("qwen2"));
        int[][] batch = {tokens(13, 36, 1), tokens(4, 36, 2), tokens(9, 36, 3)};
        double[][] whole = lm.logProbs(batch);
        // 36 * 5 elements: five positions per chunk, so chunks cut across sequences.
        double[][] chunked = lm.withLogitBudget(36 * 5).logProbs(batch);
        for (int i = 0; i < batch.length; i++) {
            assertArrayEquals(whole[i], chunked[i], 1e-6);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "qwen3"})
    void continuationsSharingAContextScoreAsEachWholeSequence(String name) {
        LanguageModel lm = LanguageModel.of(models.get(name));
        int vocab = models.get(name).config().vocabSize();
        int[] context = tokens(9, vocab, 21);
        // Lengths 1 to 4, so the packed continuations neither line up nor all read tokens.
        int[][] continuations = {tokens(3, vocab, 22), tokens(1, vocab, 23), tokens(4, vocab, 24), tokens(2, vocab, 25)};
        double[][] shared = lm.sharedContextLogProbs(context, continuations);
        for (int k = 0; k < continuations.length; k++) {
            int[] whole = java.util.Arrays.copyOf(context, context.length + continuations[k].length);
            System.arraycopy(continuations[k], 0, whole, context.length, continuations[k].length);
            double[] all = lm.logProbs(whole);
            assertClose(java.util.Arrays.copyOfRange(all, context.length - 1, all.length), shared[k], 1e-5);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "qwen3"})
    void generationWithKvCacheEqualsGenerationWithout(String name) {
        LanguageModel lm = LanguageModel.of(models.get(name));
        int[] prompt = tokens(5, models.get(name).config().vocabSize(), 9);
        int[] cached = lm.generate(prompt, 12);
        assertEquals(12, cached.length);
        assertArrayEquals(lm.generateWithoutCache(prompt, 12), cached);
    }

    @ParameterizedTest
    @ValueSource(strings = {"llama", "qwen2", "qwen3"})
    void batchedGenerationGivesEachRowWhatItGetsAlone(String name) {
        LanguageModel lm = LanguageModel.of(models.get(name));
        int vocab = models.get(name).config().vocabSize();
        // Prompts of different lengths: the short ones are padded in the prefill, which must not show.
        int[][] prompts = {tokens(5, vocab, 9), tokens(2, vocab, 4), tokens(8, vocab, 17), tokens(1, vocab, 3)};
        int stopAfter = 2;
        int[][] batched = lm.generate(prompts, 7, (row, toks) -> row == 1 && toks.length == stopAfter);
        for (int r = 0; r < prompts.length; r++) {
            int[] alone = lm.generate(prompts[r], r == 1 ? stopAfter : 7);
            assertArrayEquals(alone, batched[r], "row " + r);
        }
    }

    @Test
    void batchedGenerationWithoutCacheGivesEachRowWhatItGetsAlone() {
        LanguageModel lm = LanguageModel.of(models.get("qwen2"));
        int vocab = models.get("qwen2").config().vocabSize();
        int[][] prompts = {tokens(5, vocab, 9), tokens(2, vocab, 4), tokens(8, vocab, 17)};
        int[][] uncached = lm.generateWithoutCache(prompts, 6);
        int[][] cached = lm.generate(prompts, 6, (row, toks) -> false);
        for (int r = 0; r < prompts.length; r++) {
            assertArrayEquals(lm.generate(prompts[r], 6), uncached[r], "row " + r);
            assertArrayEquals(cached[r], uncached[r], "row " + r);
        }
    }

    @Test
    void logProbsAndGreedyTokensFromOnePassEqualEachAlone() {
        LanguageModel lm = LanguageModel.of(models.get("llama"));
        int[][] batch = {tokens(9, 32, 31), tokens(4, 32, 32), tokens(1, 32, 33)};
        LanguageModel.ScoredTokens both = lm.logProbsAndGreedy(batch);
        double[][] lp = lm.logProbs(batch);
        int[][] next = lm.greedyNext(batch);
        for (int i = 0; i < batch.length; i++) {
            assertArrayEquals(lp[i], both.logProbs()[i], 0.0);
            assertArrayEquals(java.util.Arrays.copyOf(next[i], batch[i].length - 1), both.greedy()[i], "sequence " + i);
        }
    }

    @Test
    void greedyNextMatchesGeneration() {
        LanguageModel lm = LanguageModel.of(models.get("llama"));
        int[] prompt = tokens(4, 32, 5);
        int[] generated = lm.generate(prompt, 5);
        int[] seq = java.util.Arrays.copyOf(prompt, prompt.length + generated.length);
        System.arraycopy(generated, 0, seq, prompt.length, generated.length);
        int[] next = lm.greedyNext(new int[][] {seq, tokens(2, 32, 1)})[0];
        for (int j = 0; j < generated.length; j++) {
            assertEquals(generated[j], next[prompt.length - 1 + j], "position " + j);
        }
    }

    @Test
    void generationFollowsTheReferenceArgmax() {
        ModelWeights m = models.get("qwen2");
        ReferenceDecoder.Weights ref = refs.get("qwen2");
        int[] prompt = tokens(4, m.config().vocabSize(), 21);
        int[] generated = LanguageModel.of(m).generate(prompt, 6);
        List<Integer> seq = new ArrayList<>();
        for (int t : prompt) {
            seq.add(t);
        }
        for (int g : generated) {
            double[][] logits = ReferenceDecoder.logits(ref, ReferenceDecoder.allLayers(ref),
                    seq.stream().mapToInt(Integer::intValue).toArray());
            double[] last = logits[logits.length - 1];
            int best = 0;
            for (int v = 1; v < last.length; v++) {
                best = last[v] > last[best] ? v : best;
            }
            assertEquals(best, g);
            seq.add(g);
        }
    }

    @Test
    void generationStopsAfterAStopToken() {
        LanguageModel lm = LanguageModel.of(models.get("llama"));
        int[] prompt = tokens(5, 40, 9);
        int[] free = lm.generate(prompt, 8);
        int[] stopped = lm.generate(prompt, 8, new int[] {free[2]});
        int firstStop = 0;
        while (free[firstStop] != free[2]) {
            firstStop++;
        }
        assertArrayEquals(java.util.Arrays.copyOf(free, firstStop + 1), stopped);
    }

    @Test
    void identityLayerPathEqualsThePlainModel() {
        ModelWeights a = models.get("llama");
        int[][] batch = {tokens(11, 40, 31), tokens(6, 40, 32)};
        double[][] plain = LanguageModel.of(a).logProbs(batch);
        double[][] routed = LanguageModel.of(LayerPath.all(0, a.numLayers()), List.of(a)).logProbs(batch);
        for (int i = 0; i < batch.length; i++) {
            assertArrayEquals(plain[i], routed[i], 0.0);
        }
    }

    @Test
    void pathThroughAllLayersOfBRunsBsLayersUnderAsEmbeddingsAndHead() {
        ModelWeights a = models.get("llama");
        ModelWeights b = models.get("llamaB");
        int[] seq = tokens(15, 40, 41);
        double[] routed = LanguageModel.of(LayerPath.all(1, b.numLayers()), List.of(a, b)).logProbs(seq);
        double[] expected = ReferenceDecoder.logProbs(refs.get("llama"), ReferenceDecoder.allLayers(refs.get("llamaB")),
                seq);
        assertClose(expected, routed, 1e-4);
        // And it is not simply model A or model B.
        double[] plainB = LanguageModel.of(b).logProbs(seq);
        assertTrue(Math.abs(plainB[3] - routed[3]) > 1e-3);
    }

    @Test
    void scaledRepeatingPathMatchesTheReference() {
        ModelWeights a = models.get("llama");
        ModelWeights b = models.get("llamaB");
        LayerPath path = new LayerPath(List.of(new LayerPath.Step(0, 0, 1.0), new LayerPath.Step(1, 0, 0.7),
                new LayerPath.Step(1, 0, 1.3), new LayerPath.Step(0, 1, 0.9)));
        var ra = refs.get("llama");
        var rb = refs.get("llamaB");
        List<ReferenceDecoder.Step> refPath = List.of(new ReferenceDecoder.Step(ra.layers.get(0), 1.0),
                new ReferenceDecoder.Step(rb.layers.get(0), 0.7), new ReferenceDecoder.Step(rb.layers.get(0), 1.3),
                new ReferenceDecoder.Step(ra.layers.get(1), 0.9));
        int[] seq = tokens(12, 40, 51);
        LanguageModel lm = LanguageModel.of(path, List.of(a, b));
        assertClose(ReferenceDecoder.logProbs(ra, refPath, seq), lm.logProbs(seq), 1e-4);
        assertArrayEquals(lm.generateWithoutCache(seq, 5), lm.generate(seq, 5));
    }

    @Test
    void aLayerPathNamingAMissingLayerFailsClearly() {
        ModelWeights a = models.get("llama");
        var e = assertThrows(IllegalArgumentException.class, () -> LanguageModel.of(
                new LayerPath(List.of(new LayerPath.Step(0, 0, 1.0), new LayerPath.Step(0, 7, 1.0))), List.of(a)));
        assertEquals("layer path step 1: layer 7 does not exist in model 0 (2 layers)", e.getMessage());
        var e2 = assertThrows(IllegalArgumentException.class, () -> LanguageModel.of(
                new LayerPath(List.of(new LayerPath.Step(2, 0, 1.0))), List.of(a)));
        assertTrue(e2.getMessage().contains("model 2 does not exist"), e2.getMessage());
    }

    @Test
    void scoringAndGenerationLeaveNoArraysBehind() {
        ModelWeights m = models.get("qwen3");
        LanguageModel lm = LanguageModel.of(m);
        lm.logProbs(new int[][] {tokens(7, 32, 1), tokens(3, 32, 2)});
        lm.generate(tokens(3, 32, 3), 4);
        int before = m.liveArrays();
        for (int i = 0; i < 3; i++) {
            lm.logProbs(new int[][] {tokens(7, 32, i), tokens(3, 32, i + 1)});
            lm.generate(tokens(3, 32, i), 4);
            lm.generateWithoutCache(tokens(3, 32, i), 2);
            lm.sharedContextLogProbs(tokens(5, 32, i), new int[][] {tokens(2, 32, i), tokens(3, 32, i + 1)});
        }
        assertEquals(before, m.liveArrays());
    }

    @Test
    void tokensOutsideTheVocabularyAreRejected() {
        LanguageModel lm = LanguageModel.of(models.get("qwen3"));
        var e = assertThrows(IllegalArgumentException.class, () -> lm.logProbs(new int[] {1, 32}));
        assertTrue(e.getMessage().contains("token id 32"), e.getMessage());
    }
}
