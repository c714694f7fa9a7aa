package dev.evomerge.merge.kernel;

import dev.evomerge.checkpoint.TensorView;
import java.util.List;

/**
 * Gram matrices of vectors taken across a tensor's first dimension: element {@code i} belongs to vector
 * {@code i % stride}, so for a {@code [rows, cols]} tensor and {@code stride = cols} these are its columns. A
 * plain scalar pass (the column layout defeats contiguous vector loads); it serves the row-wise variants of
 * the spherical methods, which are rare.
 *
 * {@snippet :
 * double[][] g = StridedGram.gram(base, List.of(a, b), cols);   // g[column] packed as Reductions.pair
 * }
 */
public final class StridedGram {

    private StridedGram() {
    }

    /** For each vector {@code r < stride}, the packed Gram matrix of {@code v[i] - base} (or {@code v[i]}). */
    public static double[][] gram(TensorView base, List<TensorView> vectors, long stride) {
        int m = vectors.size();
        int s = Math.toIntExact(stride);
        double[][] sums = new double[s][m * (m + 1) / 2];
        long n = vectors.getFirst().elementCount();
        float[] x = new float[m];
        for (long i = 0; i < n; i++) {
            float b = base == null ? 0f : base.getFloat(i);
            for (int k = 0; k < m; k++) {
                x[k] = base == null ? vectors.get(k).getFloat(i) : vectors.get(k).getFloat(i) - b;
            }
            double[] g = sums[(int) (i % s)];
            for (int k = 0; k < m; k++) {
                for (int j = k; j < m; j++) {
                    g[Reductions.pair(k, j, m)] += (double) x[k] * x[j];
                }
            }
        }
        return sums;
    }
}
