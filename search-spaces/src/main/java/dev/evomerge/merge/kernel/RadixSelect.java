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

    /** Digits from the top: bits 30..20, 19..9, 8..0 (bit 31 is zero in every key). */
    private static final int[] SHIFTS = {20, 9, 0};
    private static final int[] WIDTHS = {11, 11, 9};

    private RadixSelect() {
    }

    /** The k-th largest (1-based, {@code 1 <= k <= n}) of {@code keys[0..n)}, all {@code >= 0}; keys are not changed. */
    static int kthLargest(int[] keys, int n, long k) {
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("rank " + k + " outside 1.." + n);
        }
        int[] hist = new int[1 << 11];
        int[] cur = keys;
        int len = n;
        int prefix = 0;
        long rank = k;
        for (int pass = 0; pass < SHIFTS.length; pass++) {
            int shift = SHIFTS[pass];
            int mask = (1 << WIDTHS[pass]) - 1;
            Arrays.fill(hist, 0);
            for (int i = 0; i < len; i++) {
                hist[(cur[i] >>> shift) & mask]++;
            }
            int digit = mask;
            while (rank > hist[digit]) {
                rank -= hist[digit];
                digit--;
            }
            prefix |= digit << shift;
            if (pass == SHIFTS.length - 1) {
                break;
            }
            // Keep only the chosen bucket: later digits are histogrammed among keys sharing the prefix.
            int[] next = cur == keys ? new int[hist[digit]] : cur;
            int p = 0;
            for (int i = 0; i < len; i++) {
                int key = cur[i];
                if (((key >>> shift) & mask) == digit) {
                    next[p++] = key;
                }
            }
            cur = next;
            len = p;
        }
        return prefix;
    }
}
