package dev.evomerge.eval.harness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** lm-evaluation-harness's metrics and filters on hand-made inputs. */
class HarnessMetricsTest {

    private static HarnessDoc choiceDoc(List<String> choices, int gold) {
        return new HarnessDoc("test", 0, null, 1, "Q:", choices.stream().map(c -> " " + c).toList(), choices,
                List.of(gold), List.of());
    }

    @Test
    void accAndAccNormDifferWhenTheLongerChoiceIsMoreLikelyPerCharacter() {
        // ll: -4 for "ab" (-2 per character), -6 for "abcdef" (-1 per character).
        Map<String, Double> s = HarnessScorer.choiceScores(new double[] {-4, -6}, choiceDoc(List.of("ab", "abcdef"), 1),
                List.of(HarnessMetric.named("acc"), HarnessMetric.named("acc_norm")));
        assertEquals(Map.of("acc,none", 0.0, "acc_norm,none", 1.0), s);
    }

    @Test
    void accNormCountsCharactersNotBytesOrTheDelimiter() {
        // "ü" is 2 bytes, 1 character: per character -3 against -2.5 for "xy".
        Map<String, Double> s = HarnessScorer.choiceScores(new double[] {-3, -5}, choiceDoc(List.of("ü", "xy"), 1),
                List.of(HarnessMetric.named("acc_norm")));
        assertEquals(1.0, s.get("acc_norm,none"));
    }

    @Test
    void exactMatchAppliesRegexesBeforeCaseAndPunctuation() {
        HarnessMetric gsm = new HarnessMetric("exact_match", true, false, false, List.of(",", "\\$", "(?s).*#### ", "\\.$"));
        assertTrue(gsm.exactMatch("The answer is\n#### $1,000.", "so\n#### 1000"));
        // The regex runs before lower-casing: an upper-case 'X' it would have removed stays.
        HarnessMetric order = new HarnessMetric("exact_match", true, false, false, List.of("x"));
        assertFalse(order.exactMatch("aX", "a"));
        assertTrue(order.exactMatch("ax", "A"));
        HarnessMetric punct = new HarnessMetric("exact_match", false, true, false, List.of());
        assertTrue(punct.exactMatch("4!", "4"));
        assertFalse(punct.exactMatch("Four", "four"));
        HarnessMetric numbers = new HarnessMetric("exact_match", false, false, true, List.of());
        assertTrue(numbers.exactMatch("a1b2", "ab"));
        assertFalse(HarnessMetric.named("exact_match").exactMatch("4 ", "4"));
    }

    @Test
    void regexGroupSelectIndexesMatchesNotGroups() {
        HarnessFilter flexible = new HarnessFilter.Regex("(-?[$0-9.,]{2,})|(-?[0-9]+)", -1, "[invalid]");
        assertEquals("12", flexible.apply("3 apples and 12 pears"));
        HarnessFilter first = new HarnessFilter.Regex("(-?[$0-9.,]{2,})|(-?[0-9]+)", 0, "[invalid]");
        assertEquals("3", first.apply("3 apples and 12 pears"));
        HarnessFilter strict = new HarnessFilter.Regex("#### (\\-?[0-9\\.\\,]+)", 0, "[invalid]");
        assertEquals("42", strict.apply("so #### 42\n"));
        assertEquals("[invalid]", strict.apply("42"));
        assertEquals("[invalid]", new HarnessFilter.Regex("(\\d)", 5, "[invalid]").apply("1 2"));
    }

    @Test
    void removeWhitespaceStripsBothEndsAndCaseFiltersChain() {
        HarnessFilter.Pipeline p = new HarnessFilter.Pipeline("clean", List.of(new HarnessFilter.RemoveWhitespace(),
                new HarnessFilter.Uppercase(), new HarnessFilter.TakeFirst()));
        assertEquals("A B", p.apply("\n a b \t"));
        assertEquals("x", new HarnessFilter.Lowercase().apply("X"));
    }

    @Test
    void rollingPerplexitiesAggregateOverWordsAndBytes() {
        // Two documents: ll -6 over "a b" (2 words, 3 bytes) and -4 over "cd e " (3 words as re.split counts
        // the empty tail, 5 bytes).
        assertEquals(2, HarnessScorer.words("a b"));
        assertEquals(3, HarnessScorer.words("cd e "));
        assertEquals(5, HarnessScorer.bytes("cd e "));
        assertEquals(Math.exp(10.0 / 5), HarnessScorer.aggregate("word_perplexity", -10, 5, 2), 1e-12);
        assertEquals(Math.exp(10.0 / 8), HarnessScorer.aggregate("byte_perplexity", -10, 8, 2), 1e-12);
        assertEquals(10.0 / 8 / Math.log(2), HarnessScorer.aggregate("bits_per_byte", -10, 8, 2), 1e-12);
        assertEquals(Math.exp(5), HarnessScorer.aggregate("perplexity", -10, 0, 2), 1e-12);
        assertEquals(0.5, HarnessScorer.aggregate("acc", 1, 0, 2));
    }

    @Test
    void stopStringsCutInTurn() {
        assertEquals("4", HarnessScorer.cut("4\n\nQuestion: 5", List.of("Question:", "\n\n")));
    }
}
