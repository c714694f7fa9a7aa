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
 * int key = RadixSelect.kthLargest(keys, n, k, 0, Integer.MAX_VALUE);   // keys[0..n) untouched
 * }
 */
final class RadixSelect {

    /** Bits per digit: a 2048-entry histogram stays in L1. */
    private static final int DIGIT = 11;

    private RadixSelect() {
    }

    /**
     * The k-th largest (1-based, {@code 1 <= k <= n}) of {@code keys[0..n)}, all known to lie in
     * {@code [min, max]} (non-negative); keys unchanged. Digits cover only {@code key - min}, so a narrow range
     * takes fewer passes.
     */
    static int kthLargest(int[] keys, int n, long k, int min, int max) {
        if (k < 1 || k > n) {
            throw new IllegalArgumentException("rank " + k + " outside 1.." + n);
        }
        int bits = 32 - Integer.numberOfLeadingZeros(max - min);
        // Four interleaved histograms: bf16 deltas pile up on few values, and consecutive increments of one
        // counter would wait on each other's store.
        int[] hist = new int[4 << DIGIT];
        int[] cur = keys;
        int len = n;
        int prefix = 0;
        long rank = k;
        for (int top = bits; top > 0; top -= DIGIT) {
            int shift = Math.max(0, top - DIGIT);
            int mask = (1 << (top - shift)) - 1;
            Arrays.fill(hist, 0);
            int i = 0;
            for (; i + 3 < len; i += 4) {
                hist[(((cur[i] - min) >>> shift) & mask) << 2]++;
                hist[((((cur[i + 1] - min) >>> shift) & mask) << 2) + 1]++;
                hist[((((cur[i + 2] - min) >>> shift) & mask) << 2) + 2]++;
                hist[((((cur[i + 3] - min) >>> shift) & mask) << 2) + 3]++;
            }
            for (; i < len; i++) {
                hist[(((cur[i] - min) >>> shift) & mask) << 2]++;
            }
            int digit = mask;
            long inBucket;
            while (rank > (inBucket = (long) hist[digit << 2] + hist[(digit << 2) + 1] + hist[(digit << 2) + 2]
                    + hist[(digit << 2) + 3])) {
                rank -= inBucket;
                digit--;
            }
            prefix |= digit << shift;
            if (shift == 0) {
                break;
            }
            // Keep only the chosen bucket (without a branch per key): later digits are histogrammed among keys
            // sharing the prefix.
            int[] next = cur == keys ? new int[len] : cur;
            int p = 0;
            for (int q = 0; q < len; q++) {
                int key = cur[q];
                next[p] = key;
                p += (((key - min) >>> shift) & mask) == digit ? 1 : 0;
            }
            cur = next;
            len = p;
        }
        return min + prefix;
    }
}
