package dev.evomerge.merge.kernel;

import java.util.Arrays;

/**
 * The k-th largest of non-negative int keys by most-significant-digit radix selection: a histogram of the
 * top digit picks the bucket that holds rank k, only that bucket is kept for the next digit, and so on.
 * Non-negative floats order like their bit patterns, so {@code Float.floatToRawIntBits(|d|)} works as a key.
 * Linear time with simple, predictable loops, where a quickselect's partitioning mispredicts about every
 * other comparison.
 *
 * {@snippet :
 * int key = RadixSelect.kthLargest(keys, n, k);   // keys[0..n) untouched
 * }
 */
final class RadixSelect {

    /** Bits per digit: a 2048-entry histogram stays in L1. */
    private static final int DIGIT = 11;

    private RadixSelect() {
    }

    /** The k-th largest (1-based, {@code 1 <= k <= n}) of {@code keys[0..n)}, all {@code >= 0}; keys are not changed. */
    static int kthLargest(int[] keys, int n, long k) {
        return kthLargest(keys, n, k, 0, Integer.MAX_VALUE);
    }

    /**
     * As {@link #kthLargest(int[], int, long)} for keys known to lie in {@code [min, max]}: digits cover only
     * {@code key - min}, so a narrow range takes fewer passes.
     */
    static int kthLargest(int[] keys, int n, long k, int min, int max) {
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("rank " + k + " outside 1.." + n);
        }
        int bits = 32 - Integer.numberOfLeadingZeros(max - min);
        int[] hist = new int[1 << DIGIT];
        int[] cur = keys;
        int len = n;
        int prefix = 0;
        long rank = k;
        for (int top = bits; top > 0; top -= DIGIT) {
            int shift = Math.max(0, top - DIGIT);
            int mask = (1 << (top - shift)) - 1;
            Arrays.fill(hist, 0);
            for (int i = 0; i < len; i++) {
                hist[((cur[i] - min) >>> shift) & mask]++;
            }
            int digit = mask;
            while (rank > hist[digit]) {
                rank -= hist[digit];
                digit--;
            }
            prefix |= digit << shift;
            if (shift == 0) {
                break;
            }
            // Keep only the chosen bucket: later digits are histogrammed among keys sharing the prefix.
            int[] next = cur == keys ? new int[hist[digit]] : cur;
            int p = 0;
            for (int i = 0; i < len; i++) {
                int key = cur[i];
                if ((((key - min) >>> shift) & mask) == digit) {
                    next[p++] = key;
                }
            }
            cur = next;
            len = p;
        }
        return min + prefix;
    }
}
