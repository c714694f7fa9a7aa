package dev.evomerge.merge.kernel;

import java.util.BitSet;

/**
 * The positions of the k largest non-negative values, by radix selection on their float bit patterns (which
 * order like the values). Among equal values at the cut the lower positions are kept.
 *
 * {@snippet :
 * BitSet keep = TopK.largest(keys, 192);   // keys[i] = Float.floatToRawIntBits(variance[i])
 * }
 */
public final class TopK {

    private TopK() {
    }

    /** The {@code k} largest of {@code keys} (bit patterns of non-negative floats); empty when k is 0. */
    public static BitSet largest(int[] keys, long k) {
        int n = keys.length;
        BitSet keep = new BitSet(n);
        if (k <= 0) {
            return keep;
        }
        if (k >= n) {
            keep.set(0, n);
            return keep;
        }
        int cut = RadixSelect.kthLargest(keys, n, k, 0, Integer.MAX_VALUE);
        long above = 0;
        for (int i = 0; i < n; i++) {
            if (keys[i] > cut) {
                keep.set(i);
                above++;
            }
        }
        for (int i = 0; i < n && above < k; i++) {
            if (keys[i] == cut) {
                keep.set(i);
                above++;
            }
        }
        return keep;
    }
}
