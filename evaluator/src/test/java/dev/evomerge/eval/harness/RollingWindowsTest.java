package dev.evomerge.eval.harness;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** lm-evaluation-harness's disjoint rolling windows, against windows worked out by hand. */
class RollingWindowsTest {

    private static final int PREFIX = 1;
    private static final int[] TEN = {10, 11, 12, 13, 14, 15, 16, 17, 18, 19};

    private static void assertWindow(int[] context, int[] continuation, HarnessScorer.Pair window) {
        assertArrayEquals(context, window.context(), "context");
        assertArrayEquals(continuation, window.continuation(), "continuation");
    }

    @Test
    void tenTokensInWindowsOfFourReadTheTokensBeforeEachWindowUpToItsLength() {
        List<HarnessScorer.Pair> w = HarnessScorer.rollingWindows(TEN, PREFIX, 4);
        assertEquals(3, w.size());
        assertWindow(new int[] {PREFIX}, new int[] {10, 11, 12, 13}, w.get(0));
        assertWindow(new int[] {13}, new int[] {14, 15, 16, 17}, w.get(1));
        assertWindow(new int[] {15, 16, 17}, new int[] {18, 19}, w.get(2));
        for (HarnessScorer.Pair p : w) {
            assertEquals(4, p.whole().length - 1, "each window reads exactly the model's length");
        }
    }

    @Test
    void aDocumentThatFitsIsOneWindowAfterThePrefix() {
        List<HarnessScorer.Pair> w = HarnessScorer.rollingWindows(TEN, PREFIX, 16);
        assertEquals(1, w.size());
        assertWindow(new int[] {PREFIX}, TEN, w.getFirst());
        assertEquals(1, HarnessScorer.rollingWindows(TEN, PREFIX, 10).size(), "ten tokens fill a window of ten");
    }

    @Test
    void windowsOfOneReadOnlyThePreviousToken() {
        List<HarnessScorer.Pair> w = HarnessScorer.rollingWindows(new int[] {10, 11, 12}, PREFIX, 1);
        assertEquals(3, w.size());
        assertWindow(new int[] {PREFIX}, new int[] {10}, w.get(0));
        assertWindow(new int[] {10}, new int[] {11}, w.get(1));
        assertWindow(new int[] {11}, new int[] {12}, w.get(2));
    }

    @Test
    void noTokensNoWindowsAndAWindowNeedsALength() {
        assertEquals(List.of(), HarnessScorer.rollingWindows(new int[0], PREFIX, 4));
        assertThrows(IllegalArgumentException.class, () -> HarnessScorer.rollingWindows(TEN, PREFIX, 0));
    }
}
