package dev.evomerge.merge.kernel;

import dev.evomerge.checkpoint.DType;
import dev.evomerge.checkpoint.Floats;
import dev.evomerge.checkpoint.TensorView;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntConsumer;
import java.util.stream.IntStream;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Finds, for several task vectors at once, the set of the k largest |delta| as a {@link TopSet}, by
 * selection rather than sorting: a sample of evenly spread blocks brackets the k-th magnitude, one fused
 * pass over base and sources (read straight from memory) counts the elements above the bracket and
 * collects those inside it (2-3% of the tensor), and a quickselect over the collected values finds the
 * exact threshold; ties at the threshold are kept lowest index first. Requests' samples and thresholds run
 * in parallel. If the sample's bracket misses (rare), the pass is repeated with a bracket that
 * holds every element.
 *
 * {@snippet :
 * TopSet[] top = MagnitudeSelect.select(base, sources, new int[] {0, 1}, new long[] {k0, k1});
 * }
 */
public final class MagnitudeSelect {

    /** Tensors up to this size skip sampling and select among all elements. */
    static final int EXACT_BELOW = 1 << 16;

    /** Elements per contiguous block of the sample. */
    private static final int SAMPLE_BLOCK = 128;

    private MagnitudeSelect() {
    }

    /**
     * Request {@code r} asks for the {@code k[r]} largest |source[sourceOf[r]] - base| elements.
     * Returns one {@link TopSet} per request.
     */
    public static TopSet[] select(TensorView base, List<TensorView> sources, int[] sourceOf, long[] k) {
        long n = base.elementCount();
        int requests = k.length;
        TopSet[] result = new TopSet[requests];
        float[] lo = new float[requests];
        float[] hi = new float[requests];
        boolean[] pending = new boolean[requests];
        boolean any = false;
        for (int r = 0; r < requests; r++) {
            if (k[r] <= 0) {
                result[r] = TopSet.NONE;
            } else if (k[r] >= n) {
                result[r] = TopSet.ALL;
            } else {
                pending[r] = true;
                any = true;
                lo[r] = 0f;
                hi[r] = Float.POSITIVE_INFINITY;
            }
        }
        if (!any) {
            return result;
        }
        // Each request's sample and threshold are serial work; run the requests side by side.
        if (n > EXACT_BELOW) {
            eachPending(pending, r -> bracketFromSample(base, sources.get(sourceOf[r]), k[r], r, lo, hi));
        }
        Candidates[] found = collect(base, sources, sourceOf, pending, lo, hi);
        eachPending(pending, r -> result[r] = found[r].threshold(k[r]));
        boolean[] retry = new boolean[requests];
        boolean anyRetry = false;
        for (int r = 0; r < requests; r++) {
            if (pending[r] && result[r] == null) {
                retry[r] = true;
                anyRetry = true;
                lo[r] = 0f;
                hi[r] = Float.POSITIVE_INFINITY;
            }
        }
        if (anyRetry) {
            Candidates[] all = collect(base, sources, sourceOf, retry, lo, hi);
            for (int r = 0; r < requests; r++) {
                if (retry[r]) {
                    result[r] = all[r].threshold(k[r]);
                }
            }
        }
        return result;
    }

    private static void eachPending(boolean[] pending, IntConsumer body) {
        IntStream.range(0, pending.length).parallel().filter(r -> pending[r]).forEach(body);
    }

    private static void bracketFromSample(TensorView base, TensorView source, long k, int r, float[] lo, float[] hi) {
        long n = base.elementCount();
        int size = (int) Math.max(1 << 12, Math.min(1 << 15, n / 32));
        float[] sample = new float[size];
        // Contiguous blocks spread evenly over the tensor: a strided sample of single elements costs a cache
        // miss per element, which made sampling a noticeable part of the whole selection.
        int blocks = size / SAMPLE_BLOCK;
        float[] b = new float[SAMPLE_BLOCK];
        float[] x = new float[SAMPLE_BLOCK];
        for (int blk = 0; blk < blocks; blk++) {
            long start = blk * (n / blocks);
            if (SmallTensors.scalar(n)) {
                SmallTensors.widen(base.data(), base.dtype(), start, SAMPLE_BLOCK, b);
                SmallTensors.widen(source.data(), source.dtype(), start, SAMPLE_BLOCK, x);
            } else {
                Tiles.widen(base.data(), base.dtype(), start, SAMPLE_BLOCK, b);
                Tiles.widen(source.data(), source.dtype(), start, SAMPLE_BLOCK, x);
            }
            for (int j = 0; j < SAMPLE_BLOCK; j++) {
                sample[blk * SAMPLE_BLOCK + j] = Math.abs(x[j] - b[j]);
            }
        }
        double q = (double) k / n;
        double expected = q * size;   // rank from the top
        // 4 binomial standard deviations (more than the 3.5 an independent sample would need, as elements of
        // one block are correlated): a miss only costs a second, exact pass.
        double margin = 4 * Math.sqrt(size * q * (1 - q)) + 8;
        long hiRank = (long) Math.floor(expected - margin);
        long loRank = (long) Math.ceil(expected + margin);
        hi[r] = hiRank < 0 ? Float.POSITIVE_INFINITY : kthLargest(sample, size, (int) hiRank + 1);
        lo[r] = loRank >= size ? 0f : kthLargest(sample, size, (int) loRank + 1);
    }

    private static Candidates[] collect(TensorView base, List<TensorView> sources, int[] sourceOf,
                                        boolean[] active, float[] lo, float[] hi) {
        long n = base.elementCount();
        int requests = active.length;
        int chunks = Chunks.count(n);
        Chunk[][] parts = new Chunk[chunks][];
        Chunks.forEach(n, (c, from, to) -> parts[c] = scan(base, sources, sourceOf, active, lo, hi, from, to));
        Candidates[] out = new Candidates[requests];
        for (int r = 0; r < requests; r++) {
            if (active[r]) {
                Chunk[] perChunk = new Chunk[chunks];
                for (int c = 0; c < chunks; c++) {
                    perChunk[c] = parts[c][r];
                }
                out[r] = new Candidates(perChunk);
            }
        }
        return out;
    }

    private static Chunk[] scan(TensorView base, List<TensorView> sources, int[] sourceOf, boolean[] active,
                                float[] lo, float[] hi, long from, long to) {
        int requests = active.length;
        Chunk[] chunk = new Chunk[requests];
        for (int r = 0; r < requests; r++) {
            if (active[r]) {
                chunk[r] = new Chunk();
            }
        }
        boolean scalar = SmallTensors.scalar(base.elementCount());
        float[] b = new float[Tiles.TILE];
        float[] x = new float[Tiles.TILE];
        for (long t0 = from; t0 < to; t0 += Tiles.TILE) {
            int len = (int) Math.min(Tiles.TILE, to - t0);
            if (scalar) {
                SmallTensors.widen(base.data(), base.dtype(), t0, len, b);
            } else {
                Tiles.widen(base.data(), base.dtype(), t0, len, b);
            }
            for (int s = 0; s < sources.size(); s++) {
                boolean loaded = false;
                for (int r = 0; r < requests; r++) {
                    if (!active[r] || sourceOf[r] != s) {
                        continue;
                    }
                    if (!loaded && !scalar && sources.get(s).dtype() != DType.F16) {
                        // The first request of this source widens, subtracts and scans in one loop, leaving
                        // |d| in x for any further request on the same source.
                        TensorView src = sources.get(s);
                        chunk[r].scanSource(src.data(), src.dtype() == DType.BF16, b, x, len, t0, lo[r], hi[r]);
                        loaded = true;
                        continue;
                    }
                    if (!loaded) {
                        TensorView src = sources.get(s);
                        if (scalar) {
                            FusedMerge.deltaScalar(src.data(), src.dtype(), t0, len, b, x);
                        } else {
                            FusedMerge.delta(src.data(), src.dtype(), t0, len, b, x);
                        }
                        loaded = true;
                    }
                    if (scalar) {
                        chunk[r].scanTail(x, 0, len, t0, lo[r], hi[r]);
                    } else {
                        chunk[r].scanTile(x, len, t0, lo[r], hi[r]);
                    }
                }
            }
        }
        return chunk;
    }

    /** One chunk's count above the bracket and its in-bracket (magnitude, index) pairs, in index order. */
    static final class Chunk {
        long above;
        float[] values = new float[256];
        long[] indices = new long[256];
        int size;

        /** Per vector of the tile, the lanes inside the bracket (TILE entries: no species needed to size it). */
        private final long[] insideLanes = new long[Tiles.TILE];

        void scanTile(float[] d, int len, long t0, float lo, float hi) {
            int bound = Tiles.F.loopBound(len);
            FloatVector zero = FloatVector.zero(Tiles.F);
            FloatVector count = zero;
            // No calls inside this loop: a vector live across a call that is not inlined gets boxed.
            for (int j = 0; j < bound; j += Tiles.LANES) {
                FloatVector a = FloatVector.fromArray(Tiles.F, d, j).abs();
                // Counting in float lanes (exact: at most TILE per lane).
                count = count.add(zero.blend(1f, a.compare(VectorOperators.GT, hi)));
                insideLanes[j / Tiles.LANES] = a.compare(VectorOperators.GE, lo)
                        .and(a.compare(VectorOperators.LE, hi)).toLong();
            }
            above += (long) count.reduceLanes(VectorOperators.ADD);
            collect(d, bound, t0);
            scanTail(d, bound, len, t0, lo, hi);
        }

        /**
         * {@link #scanTile} of {@code |x - b|} read straight from the source's memory, leaving {@code |x - b|}
         * in {@code d}.
         */
        void scanSource(MemorySegment x, boolean bf16, float[] b, float[] d, int len, long t0, float lo, float hi) {
            int bound = Tiles.F.loopBound(len);
            FloatVector zero = FloatVector.zero(Tiles.F);
            FloatVector count = zero;
            for (int j = 0; j < bound; j += Tiles.LANES) {
                FloatVector a = Tiles.load(x, bf16, t0 + j).sub(FloatVector.fromArray(Tiles.F, b, j)).abs();
                a.intoArray(d, j);
                count = count.add(zero.blend(1f, a.compare(VectorOperators.GT, hi)));
                insideLanes[j / Tiles.LANES] = a.compare(VectorOperators.GE, lo)
                        .and(a.compare(VectorOperators.LE, hi)).toLong();
            }
            for (int j = bound; j < len; j++) {
                d[j] = Math.abs(Floats.read(x, bf16 ? DType.BF16 : DType.F32, t0 + j) - b[j]);
            }
            above += (long) count.reduceLanes(VectorOperators.ADD);
            collect(d, bound, t0);
            scanTail(d, bound, len, t0, lo, hi);
        }

        private void collect(float[] d, int bound, long t0) {
            // Room for a whole tile up front, so the loop below stores without a capacity check per element.
            if (values.length - size < bound) {
                int grown = Math.max(values.length * 2, size + bound);
                values = Arrays.copyOf(values, grown);
                indices = Arrays.copyOf(indices, grown);
            }
            float[] vs = values;
            long[] is = indices;
            int p = size;
            int vectors = bound / Tiles.LANES;
            int perWord = 64 / Tiles.LANES;
            // The lanes of 64 elements at a time in one word: at a few percent density a branch per vector
            // mispredicts about once per element found; a branch per word much less often.
            for (int v0 = 0; v0 < vectors; v0 += perWord) {
                long word = 0;
                int end = Math.min(vectors, v0 + perWord);
                for (int v = v0; v < end; v++) {
                    word |= insideLanes[v] << ((v - v0) * Tiles.LANES);
                }
                int at = v0 * Tiles.LANES;
                while (word != 0) {
                    int l = at + Long.numberOfTrailingZeros(word);
                    vs[p] = Math.abs(d[l]);
                    is[p] = t0 + l;
                    p++;
                    word &= word - 1;
                }
            }
            size = p;
        }

        /** The scalar form of {@link #scanTile} over {@code d[from..len)}: tails, and small tensors. */
        void scanTail(float[] d, int from, int len, long t0, float lo, float hi) {
            for (int j = from; j < len; j++) {
                float a = Math.abs(d[j]);
                if (a > hi) {
                    above++;
                } else if (a >= lo && a <= hi) {
                    add(a, t0 + j);
                }
            }
        }

        private void add(float value, long index) {
            if (size == values.length) {
                values = Arrays.copyOf(values, size * 2);
                indices = Arrays.copyOf(indices, size * 2);
            }
            values[size] = value;
            indices[size] = index;
            size++;
        }
    }

    /** All chunks' candidates for one request. */
    record Candidates(Chunk[] chunks) {

        /** The top-k set, or null when the k-th largest lies outside the bracket. */
        TopSet threshold(long k) {
            long above = 0;
            long total = 0;
            for (Chunk c : chunks) {
                above += c.above;
                total += c.size;
            }
            long rank = k - above;   // rank of the threshold among the candidates, from the top
            if (rank < 1 || rank > total) {
                return null;
            }
            float[] all = new float[Math.toIntExact(total)];
            int p = 0;
            for (Chunk c : chunks) {
                System.arraycopy(c.values, 0, all, p, c.size);
                p += c.size;
            }
            float t = kthLargest(all, all.length, (int) rank);
            long greater = 0;
            for (Chunk c : chunks) {
                for (int i = 0; i < c.size; i++) {
                    if (c.values[i] > t) {
                        greater++;
                    }
                }
            }
            long equalsToKeep = rank - greater;
            for (Chunk c : chunks) {
                for (int i = 0; i < c.size; i++) {
                    if (c.values[i] == t && --equalsToKeep == 0) {
                        return new TopSet(t, c.indices[i] + 1);
                    }
                }
            }
            throw new IllegalStateException("selection lost its threshold " + t);
        }
    }

    /** The k-th largest (1-based) of {@code a[0..n)}; reorders {@code a}. Hoare quickselect. */
    static float kthLargest(float[] a, int n, int k) {
        int target = n - k;   // ascending position
        int left = 0;
        int right = n - 1;
        while (left < right) {
            int mid = (left + right) >>> 1;
            float pivot = median(a[left], a[mid], a[right]);
            int i = left;
            int j = right;
            while (i <= j) {
                while (a[i] < pivot) {
                    i++;
                }
                while (a[j] > pivot) {
                    j--;
                }
                if (i <= j) {
                    float tmp = a[i];
                    a[i] = a[j];
                    a[j] = tmp;
                    i++;
                    j--;
                }
            }
            if (target <= j) {
                right = j;
            } else if (target >= i) {
                left = i;
            } else {
                return a[target];
            }
        }
        return a[target];
    }

    private static float median(float a, float b, float c) {
        return Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    }
}
