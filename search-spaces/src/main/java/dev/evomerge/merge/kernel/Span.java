package dev.evomerge.merge.kernel;

/**
 * Vectors written as coefficients over a fixed set of tensors, with the tensors' Gram matrix: norms and dot
 * products of any combination without another pass over the data. Iterative spherical means (Karcher,
 * multi-SLERP) stay inside the span of their inputs, so they run entirely here and then take one
 * {@link FusedMerge#combination} pass.
 *
 * {@snippet :
 * Span span = new Span(Reductions.gram(null, tensors), tensors.size());
 * double n = Math.sqrt(span.dot(c, c));
 * }
 */
public final class Span {

    private final double[] gram;
    private final int m;

    /** @param gram the packed Gram matrix of {@link Reductions#gram} over {@code m} tensors */
    public Span(double[] gram, int m) {
        this.gram = gram.clone();
        this.m = m;
    }

    public int size() {
        return m;
    }

    /** {@code <x_i, x_j>}. */
    public double entry(int i, int j) {
        return i <= j ? gram[Reductions.pair(i, j, m)] : gram[Reductions.pair(j, i, m)];
    }

    /** {@code <sum a_i x_i, sum b_j x_j>}. */
    public double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < m; i++) {
            if (a[i] == 0) {
                continue;
            }
            for (int j = 0; j < m; j++) {
                s += a[i] * b[j] * entry(i, j);
            }
        }
        return s;
    }

    /** {@code |sum a_i x_i|}; rounding can make the quadratic form slightly negative, read as 0. */
    public double norm(double[] a) {
        return Math.sqrt(Math.max(0, dot(a, a)));
    }

    /** {@code <sum a_i x_i, x_j>}. */
    public double dotWith(double[] a, int j) {
        double s = 0;
        for (int i = 0; i < m; i++) {
            s += a[i] * entry(i, j);
        }
        return s;
    }
}
